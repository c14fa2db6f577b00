package dev.exprbert.cli;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Lines of raw UTF-8 text for {@code predict --input-format text}: a leading byte-order mark is dropped,
 * LF and CRLF both end a line, and invalid UTF-8 is an error naming the source and line (never silently
 * replaced, since offsets into a text with replacement characters would point at text the user never wrote).
 * Lines are split on bytes and decoded one at a time, so the line number in an error is exact (a decoding
 * reader reads ahead and would blame an earlier line).
 */
final class TextLines implements Closeable {
  private final InputStream in;
  private final String source;
  private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT)
      .onUnmappableCharacter(CodingErrorAction.REPORT);
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private long lineCount;

  TextLines(InputStream in, String source) {
    this.in = new BufferedInputStream(in);
    this.source = source;
  }

  /** The next line without its terminator, or null at the end. */
  String next() throws IOException {
    line.reset();
    int b = in.read();
    if (b < 0) {
      return null;
    }
    while (b >= 0 && b != '\n') {
      line.write(b);
      b = in.read();
    }
    lineCount++;
    byte[] bytes = line.toByteArray();
    int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
    String text;
    try {
      text = decoder.decode(ByteBuffer.wrap(bytes, 0, length)).toString();
    } catch (CharacterCodingException e) {
      throw new IOException(source + ":" + lineCount + ": invalid UTF-8; expected UTF-8 text", e);
    }
    return lineCount == 1 && text.startsWith("\uFEFF") ? text.substring(1) : text;
  }

  long lineCount() {
    return lineCount;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
