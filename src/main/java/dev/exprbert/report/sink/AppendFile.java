package dev.exprbert.report.sink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file that records are appended to, each record in one write so that records never interleave
 * and a crash tears at most the last one.
 */
final class AppendFile implements AutoCloseable {
  private final Path file;
  private FileChannel channel;

  /** Opens {@code file} for appending, creating it if needed. */
  AppendFile(Path file) throws IOException {
    this(file, StandardOpenOption.CREATE);
  }

  /** With {@link StandardOpenOption#CREATE_NEW} the file must not exist yet. */
  AppendFile(Path file, StandardOpenOption create) throws IOException {
    this.file = file;
    this.channel = FileChannel.open(file, create, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
  }

  Path file() {
    return file;
  }

  boolean isOpen() {
    return channel != null;
  }

  void appendLine(String line) {
    append(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
  }

  void append(ByteBuffer bytes) {
    try {
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  void force() {
    try {
      channel.force(false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot flush " + file, e);
    }
  }

  @Override
  public void close() {
    if (channel == null) {
      return;
    }
    try {
      channel.force(false);
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close " + file, e);
    } finally {
      channel = null;
    }
  }

  /** A number as text: integers as integers, floats by their shortest decimal, non-finite as given. */
  static String number(Number value) {
    if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte
        || value instanceof java.math.BigInteger || value instanceof java.util.concurrent.atomic.AtomicInteger
        || value instanceof java.util.concurrent.atomic.AtomicLong) {
      return value.toString();
    }
    if (value instanceof Float f) {
      return Float.toString(f);
    }
    return Double.toString(value.doubleValue());
  }

  static boolean isFinite(Number value) {
    return Double.isFinite(value.doubleValue());
  }
}
