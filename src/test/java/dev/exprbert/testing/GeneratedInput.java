package dev.exprbert.testing;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.function.IntFunction;

/**
 * An input stream of records made only when read (so a test can stream more than it would like to hold), counting
 * the bytes it served: streaming tests compare that with where each record ends.
 */
public final class GeneratedInput extends InputStream {
  private final IntFunction<String> record;
  private final int count;
  private final long[] ends;
  private final Random pieces;
  private final int maxPiece;
  private int next;
  private byte[] current;
  private int at;
  private long served;

  /**
   * @param record the text of record k (line end included), UTF-8 encoded when served
   * @param prefix bytes before the first record (a byte order mark), or none
   * @param maxPiece each read returns 1 to this many bytes, running across record ends, in a seeded random
   *     pattern; 0 serves what the caller asks, up to the end of the current record
   */
  public GeneratedInput(IntFunction<String> record, int count, byte[] prefix, int maxPiece) {
    this.record = record;
    this.count = count;
    this.current = prefix.clone();
    this.maxPiece = maxPiece;
    this.pieces = new Random(5);
    this.ends = new long[count + 1];
    ends[0] = prefix.length;
    for (int k = 0; k < count; k++) {
      ends[k + 1] = ends[k] + bytes(k).length;
    }
  }

  private byte[] bytes(int k) {
    return record.apply(k).getBytes(StandardCharsets.UTF_8);
  }

  /** Bytes up to the end of the first {@code records} records (the prefix included). */
  public long endOf(long records) {
    return ends[(int) Math.min(records, count)];
  }

  /** Bytes served so far. */
  public long served() {
    return served;
  }

  @Override
  public int read() {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) {
    int wanted = maxPiece > 0 ? Math.min(length, 1 + pieces.nextInt(maxPiece)) : length;
    int n = 0;
    while (n < wanted) {
      if (at == current.length) {
        if (next == count || (maxPiece == 0 && n > 0)) {
          break;
        }
        current = bytes(next++);
        at = 0;
      }
      int take = Math.min(wanted - n, current.length - at);
      System.arraycopy(current, at, buffer, offset + n, take);
      at += take;
      n += take;
    }
    served += n;
    return n == 0 && length > 0 ? -1 : n;
  }
}
