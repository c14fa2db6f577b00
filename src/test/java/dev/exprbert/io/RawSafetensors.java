package dev.exprbert.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds safetensors files byte by byte, so tests can break the format on purpose. */
final class RawSafetensors {
  private RawSafetensors() {}

  /** 8-byte little-endian length of the header as given (no padding), the header, then data. */
  static Path write(Path file, String header, byte[] data) throws IOException {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    return write(file, h.length, h, data);
  }

  static Path write(Path file, long declaredHeaderLength, byte[] header, byte[] data) throws IOException {
    ByteBuffer out = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(declaredHeaderLength).put(header).put(data);
    Files.write(file, out.array());
    return file;
  }

  static byte[] bytes(Path file) throws IOException {
    return Files.readAllBytes(file);
  }
}
