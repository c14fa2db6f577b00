package dev.exprbert.model.deberta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.exprbert.runtime.Natives;
import dev.exprbert.runtime.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The relative embedding rows against transformers' make_log_bucket_position as the parity fixture's notes state it
 * (position_buckets 8, span 64, 14 tokens: query 0's buckets are 0, -1, ..., -4, then -5 six times, then -6 three
 * times), and the properties the attention relies on.
 */
class RelativePositionsTest {
  @BeforeAll
  static void natives() {
    Natives.init();
  }

  private static long[] rows(long seq, int buckets, int span) {
    try (Tensor like = Tensors.longs(new long[] {1}, 1, 1); Tensor rows = RelativePositions.embeddingRows(seq, buckets,
        span, like)) {
      assertArrayEquals(new long[] {seq, seq}, Tensors.shape(rows));
      return Tensors.toLongArray(rows);
    }
  }

  @Test
  void theFixturesFirstQueryGetsTransformersLogBuckets() {
    long[] rows = rows(14, 8, 64);
    long[] bucketsOfQuery0 = new long[14];
    for (int j = 0; j < 14; j++) {
      bucketsOfQuery0[j] = rows[j] - 8; // row = bucket + position_buckets
    }
    assertArrayEquals(new long[] {0, -1, -2, -3, -4, -5, -5, -5, -5, -5, -5, -6, -6, -6}, bucketsOfQuery0);
    int logBucketed = 0;
    for (int i = 0; i < 14; i++) {
      for (int j = 0; j < 14; j++) {
        if (rows[i * 14 + j] - 8 != i - j) {
          logBucketed++;
        }
        // the bucket of i - j is minus that of j - i: p2c's transposed gather relies on it
        assertEquals(rows[i * 14 + j] - 8, -(rows[j * 14 + i] - 8), "rows (" + i + ", " + j + ")");
      }
    }
    assertEquals(72, logBucketed, "pairs whose bucket is not their distance, as the fixture's notes count");
  }

  @Test
  void nearPairsKeepTheirDistanceAndFarOnesStayInsideTheTable() {
    int buckets = 256;
    long seq = 512;
    long[] rows = rows(seq, buckets, 512);
    for (int i = 0; i < seq; i += 37) {
      for (int j = 0; j < seq; j++) {
        long row = rows[(int) (i * seq + j)];
        if (Math.abs(i - j) <= buckets / 2) {
          assertEquals(i - j + buckets, row, "exact within position_buckets / 2");
        }
        assertEquals(true, row >= 0 && row < 2L * buckets, "row " + row + " inside rel_embeddings");
      }
    }
  }
}
