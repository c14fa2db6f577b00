package dev.exprbert.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads a file line by line, strictly as UTF-8, so that a bad byte is reported at its own line.
 *
 * <p>[note: why not BufferedReader] An {@code InputStreamReader} decodes ahead in 8 KiB chunks, so
 * a malformed byte surfaces while an earlier line is being returned and the line number is lost; with
 * the JDK's default charset handling it is even replaced by U+FFFD silently. Here lines are split
 * on raw {@code \n} bytes first (0x0A never occurs inside a multi-byte UTF-8 sequence), then each
 * line is decoded alone by a decoder set to {@link CodingErrorAction#REPORT}.
 *
 * <p>Also handled: a UTF-8 byte order mark at the start of the file is dropped; a {@code \r} before
 * the {@code \n} (CRLF files) is dropped; a last line without a terminator is still a line. Memory is
 * one read buffer plus the longest line, whatever the file size.
 */
public final class Utf8LineReader implements Closeable {
  private static final int READ_BUFFER_BYTES = 1 << 16;

  private final InputStream in;
  private final String source;
  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
  private final byte[] buffer = new byte[READ_BUFFER_BYTES];
  private int position;
  private int limit;
  private byte[] lineBytes = new byte[256];
  private CharBuffer chars = CharBuffer.allocate(256);
  private long lineNumber;
  private boolean endOfInput;

  /**
   * @param in the file's bytes; closed by {@link #close()}
   * @param source the file name used in messages
   */
  public Utf8LineReader(InputStream in, String source) {
    this.in = in;
    this.source = source;
  }

  /** The next line, or {@code null} at the end of the file. */
  public NumberedLine readLine() {
    if (endOfInput) {
      return null;
    }
    int length = 0;
    boolean sawNewline = false;
    while (!sawNewline) {
      if (position == limit && !fill()) {
        break;
      }
      int start = position;
      int end = start;
      while (end < limit && buffer[end] != '\n') {
        end++;
      }
      int count = end - start;
      if (length + count > lineBytes.length) {
        lineBytes = Arrays.copyOf(lineBytes, Math.max(lineBytes.length * 2, length + count));
      }
      System.arraycopy(buffer, start, lineBytes, length, count);
      length += count;
      if (end < limit) {
        sawNewline = true;
        position = end + 1;
      } else {
        position = limit;
      }
    }
    if (!sawNewline) {
      endOfInput = true;
      if (length == 0) {
        return null; // the file ended right after a newline, or is empty
      }
    }
    lineNumber++;
    int offset = 0;
    if (lineNumber == 1 && startsWithByteOrderMark(length)) {
      offset = 3;
    }
    if (length > offset && lineBytes[length - 1] == '\r') {
      length--;
    }
    return new NumberedLine(decode(offset, length), lineNumber);
  }

  /** Number of the last line returned (0 before the first). */
  public long lineNumber() {
    return lineNumber;
  }

  public String source() {
    return source;
  }

  private boolean startsWithByteOrderMark(int length) {
    return length >= 3
        && lineBytes[0] == (byte) 0xEF
        && lineBytes[1] == (byte) 0xBB
        && lineBytes[2] == (byte) 0xBF;
  }

  private String decode(int offset, int end) {
    int byteCount = end - offset;
    // UTF-8 never yields more chars than bytes.
    if (chars.capacity() < byteCount) {
      chars = CharBuffer.allocate(Math.max(chars.capacity() * 2, byteCount));
    }
    chars.clear();
    ByteBuffer bytes = ByteBuffer.wrap(lineBytes, offset, byteCount);
    decoder.reset();
    CoderResult result = decoder.decode(bytes, chars, true);
    if (!result.isError()) {
      result = decoder.flush(chars);
    }
    if (result.isError()) {
      int badAt = bytes.position() - offset;
      throw new InputFormatException(
          source,
          lineNumber,
          "UTF-8 text",
          "an invalid UTF-8 sequence " + hex(bytes.position(), Math.max(1, result.length()))
              + " at byte " + (badAt + 1) + " of the line (re-encode the file as UTF-8, e.g. "
              + "iconv -f <its encoding> -t UTF-8)");
    }
    if (result.isOverflow()) {
      throw new IllegalStateException("UTF-8 decoding overflowed a buffer of one char per byte");
    }
    chars.flip();
    return chars.toString();
  }

  private String hex(int from, int count) {
    StringBuilder out = new StringBuilder();
    for (int i = from; i < from + count; i++) {
      out.append(out.length() == 0 ? "" : " ").append(String.format("0x%02X", lineBytes[i] & 0xFF));
    }
    return out.toString();
  }

  private boolean fill() {
    try {
      int read;
      do {
        read = in.read(buffer, 0, buffer.length);
      } while (read == 0);
      if (read < 0) {
        return false;
      }
      position = 0;
      limit = read;
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + source + " after line " + lineNumber, e);
    }
  }

  @Override
  public void close() {
    try {
      in.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close " + source, e);
    }
  }
}
