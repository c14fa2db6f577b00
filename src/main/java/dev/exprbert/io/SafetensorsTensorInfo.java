package dev.exprbert.io;

import java.util.Arrays;

/**
 * One header entry: where a tensor's bytes lie in the data section, which starts right after the
 * header. Offsets are relative to that section, as in the file ({@code data_offsets: [begin, end]}).
 */
public record SafetensorsTensorInfo(String name, SafetensorsDtype dtype, long[] shape, long begin, long end) {
  public SafetensorsTensorInfo {
    shape = shape.clone();
  }

  /** A copy of the shape; {@code []} is a scalar. */
  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** Number of elements (1 for a scalar, 0 when any dimension is 0). */
  public long numel() {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** Bytes the data occupies, {@code end - begin}. */
  public long byteLength() {
    return end - begin;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SafetensorsTensorInfo other
        && name.equals(other.name) && dtype == other.dtype && Arrays.equals(shape, other.shape)
        && begin == other.begin && end == other.end;
  }

  @Override
  public int hashCode() {
    return 31 * (31 * name.hashCode() + dtype.hashCode()) + Arrays.hashCode(shape) + Long.hashCode(begin);
  }

  @Override
  public String toString() {
    return name + " " + dtype + " " + Arrays.toString(shape) + " [" + begin + ", " + end + ")";
  }
}
