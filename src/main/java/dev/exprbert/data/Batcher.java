package dev.exprbert.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Splits features into batches for one epoch: seeded shuffling (the order of epoch {@code e}
 * depends only on the seed and {@code e}, so a resumed run sees the same batches), optional
 * group-by-length (Hugging Face's LengthGroupedSampler: mega-batches of 50 batches sorted by length,
 * the longest batch first so an out-of-memory shows up at once), or the given order for evaluation.
 */
public final class Batcher {
  static final int MEGABATCH_MULTIPLIER = 50;

  private final List<Feature> features;
  private final int batchSize;
  private final boolean shuffle;
  private final boolean groupByLength;
  private final long seed;

  public Batcher(List<Feature> features, int batchSize, boolean shuffle, boolean groupByLength, long seed) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    this.features = List.copyOf(features);
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.groupByLength = groupByLength;
    this.seed = seed;
  }

  /** For evaluation and prediction: the given order, no shuffling. */
  public static Batcher sequential(List<Feature> features, int batchSize) {
    return new Batcher(features, batchSize, false, false, 0);
  }

  public int batchesPerEpoch() {
    return (features.size() + batchSize - 1) / batchSize;
  }

  public int size() {
    return features.size();
  }

  /** The batches of epoch {@code epoch} (0-based), each a list of features. */
  public List<List<Feature>> epoch(int epoch) {
    List<Integer> order = new ArrayList<>(features.size());
    for (int i = 0; i < features.size(); i++) {
      order.add(i);
    }
    if (shuffle) {
      Collections.shuffle(order, new Random(seed * 1_000_003L + epoch));
    }
    if (groupByLength) {
      order = groupByLength(order);
    }
    List<List<Feature>> batches = new ArrayList<>(batchesPerEpoch());
    for (int start = 0; start < order.size(); start += batchSize) {
      List<Feature> batch = new ArrayList<>(batchSize);
      for (int i = start; i < Math.min(order.size(), start + batchSize); i++) {
        batch.add(features.get(order.get(i)));
      }
      batches.add(batch);
    }
    return batches;
  }

  private List<Integer> groupByLength(List<Integer> order) {
    int mega = batchSize * MEGABATCH_MULTIPLIER;
    List<Integer> out = new ArrayList<>(order.size());
    for (int start = 0; start < order.size(); start += mega) {
      List<Integer> chunk = new ArrayList<>(order.subList(start, Math.min(order.size(), start + mega)));
      chunk.sort(Comparator.comparingInt((Integer i) -> features.get(i).length()).reversed());
      out.addAll(chunk);
    }
    // move the batch holding the longest feature to the front (as Hugging Face does)
    int longest = 0;
    for (int i = 1; i < out.size(); i++) {
      if (features.get(out.get(i)).length() > features.get(out.get(longest)).length()) {
        longest = i;
      }
    }
    int batchStart = (longest / batchSize) * batchSize;
    if (batchStart > 0) {
      List<Integer> first = new ArrayList<>(out.subList(batchStart, Math.min(out.size(), batchStart + batchSize)));
      List<Integer> firstOld = new ArrayList<>(out.subList(0, first.size()));
      for (int i = 0; i < first.size(); i++) {
        out.set(i, first.get(i));
        out.set(batchStart + i, firstOld.get(i));
      }
    }
    return out;
  }
}
