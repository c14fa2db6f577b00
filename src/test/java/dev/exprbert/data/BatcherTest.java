package dev.exprbert.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.runtime.Natives;
import dev.exprbert.runtime.Tensors;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BatcherTest {
  /** Features of lengths 3..(n+2) with distinct first ids, built without a tokenizer. */
  static List<Feature> features(int n) {
    List<Feature> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int len = 3 + (i * 7) % 23;
      long[] ids = new long[len];
      long[] ones = new long[len];
      int[] words = new int[len];
      long[] labels = new long[len];
      for (int t = 0; t < len; t++) {
        ids[t] = 1000 + i;
        ones[t] = 1;
        words[t] = t == 0 || t == len - 1 ? -1 : t - 1;
        labels[t] = t == 0 || t == len - 1 ? -100 : t % 3;
      }
      int[] starts = new int[len - 2];
      int[] ends = new int[len - 2];
      for (int w = 0; w < len - 2; w++) {
        starts[w] = w + 1;
        ends[w] = w + 2;
      }
      out.add(new Feature(i, new AlignedSentence(ids, new long[len], ones, words, labels, starts, ends), new int[0]));
    }
    return out;
  }

  @Test
  void everyFeatureAppearsOncePerEpochAndEpochsAreReproducible() {
    List<Feature> fs = features(103);
    Batcher batcher = new Batcher(fs, 8, true, false, 42);
    assertEquals(13, batcher.batchesPerEpoch());
    List<List<Feature>> e0 = batcher.epoch(0);
    Set<Integer> seen = new HashSet<>();
    e0.forEach(b -> b.forEach(f -> assertTrue(seen.add(f.sentenceIndex()))));
    assertEquals(103, seen.size());
    assertEquals(e0, new Batcher(fs, 8, true, false, 42).epoch(0), "same seed and epoch, same batches (resume)");
    assertNotEquals(e0, batcher.epoch(1), "each epoch reshuffles");
    assertNotEquals(e0, new Batcher(fs, 8, true, false, 43).epoch(0));
  }

  @Test
  void groupByLengthMakesBatchesOfSimilarLengthLongestFirst() {
    List<Feature> fs = features(400);
    List<List<Feature>> grouped = new Batcher(fs, 8, true, true, 1).epoch(0);
    List<List<Feature>> random = new Batcher(fs, 8, true, false, 1).epoch(0);
    assertTrue(padding(grouped) < padding(random) / 2, padding(grouped) + " vs " + padding(random));
    int longest = fs.stream().mapToInt(Feature::length).max().orElseThrow();
    assertEquals(longest, grouped.get(0).stream().mapToInt(Feature::length).max().orElseThrow());
  }

  private static long padding(List<List<Feature>> batches) {
    long pad = 0;
    for (List<Feature> b : batches) {
      int max = b.stream().mapToInt(Feature::length).max().orElseThrow();
      for (Feature f : b) {
        pad += max - f.length();
      }
    }
    return pad;
  }

  @Test
  void paddedAndPackedBatchesHoldTheSameTokens() {
    Natives.init();
    List<Feature> fs = features(5);
    try (PaddedBatch padded = PaddedBatch.ofFeatures(fs, 0); PackedBatch packed = new PackedBatch(fs)) {
      long[] p = Tensors.toLongArray(padded.inputIds());
      long[] mask = Tensors.toLongArray(padded.attentionMask());
      long[] q = Tensors.toLongArray(packed.inputIds());
      long[] cu = Tensors.toLongArray(packed.cuSeqlens());
      long[] pos = Tensors.toLongArray(packed.positionIds());
      long seq = padded.seqLength();
      int k = 0;
      for (int b = 0; b < fs.size(); b++) {
        assertEquals(k, cu[b]);
        for (int t = 0; t < seq; t++) {
          if (mask[(int) (b * seq + t)] == 1) {
            assertEquals(p[(int) (b * seq + t)], q[k]);
            assertEquals(t, pos[k]);
            k++;
          }
        }
      }
      assertEquals(k, cu[fs.size()]);
      assertEquals(k, packed.totalTokens());
    }
  }
}
