package dev.exprbert.report.sink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * TFRecord framing, the container of TensorBoard event files: per record, the payload length as a
 * little-endian uint64, the masked CRC-32C of those 8 bytes (uint32), the payload, and the masked
 * CRC-32C of the payload. Masking is TensorFlow's {@code crc32c::Mask}: rotate right by 15 bits,
 * add {@code 0xa282ead8}. A record is appended in one write, so a crash leaves at most one torn
 * record at the end, which TensorBoard's reader stops at.
 */
final class TfRecordWriter {
  private static final int MASK_DELTA = 0xa282ead8;

  private TfRecordWriter() {}

  /** The framed record, ready for one write. */
  static ByteBuffer frame(byte[] payload) {
    ByteBuffer record = ByteBuffer.allocate(8 + 4 + payload.length + 4).order(ByteOrder.LITTLE_ENDIAN);
    record.putLong(payload.length);
    record.putInt(maskedCrc(record.array(), 0, 8));
    record.put(payload);
    record.putInt(maskedCrc(payload, 0, payload.length));
    record.flip();
    return record;
  }

  static int maskedCrc(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    int value = (int) crc.getValue();
    return ((value >>> 15) | (value << 17)) + MASK_DELTA;
  }
}
