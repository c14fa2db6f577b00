package dev.exprbert.data;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.RandomAccess;

/**
 * Splits features into batches for one epoch: seeded shuffling (the order of epoch {@code e}
 * depends only on the seed and {@code e}, so a resumed run sees the same batches), optional
 * group-by-length (Hugging Face's LengthGroupedSampler: mega-batches of 50 batches sorted by length,
 * the longest batch first so an out-of-memory shows up at once), or the given order for evaluation.
 *
 * <p>[note: data-parallel shards] With {@code worldSize} ranks, the epoch's order is cut into global batches of
 * {@code batchSize x worldSize} features (shuffled and length-grouped as one rank with that batch size would be), and
 * rank {@code r} takes features {@code [r x batchSize, (r + 1) x batchSize)} of each: the per-device batches of
 * accelerate's batch-sampler sharding, so the ranks' batches of a step together are exactly the batch one process
 * with {@code batchSize x worldSize} would train on. Every rank has the same number of batches; a short last global
 * batch is split in order (a rank may get fewer features, or none) instead of repeating features as
 * {@code even_batches} does, so N ranks equal one rank for every dataset size.
 */
public final class Batcher {
  static final int MEGABATCH_MULTIPLIER = 50;

  private final List<Feature> features;
  private final int batchSize;
  private final boolean shuffle;
  private final boolean groupByLength;
  private final long seed;
  private final int rank;
  private final int worldSize;

  public Batcher(List<Feature> features, int batchSize, boolean shuffle, boolean groupByLength, long seed) {
    this(features, batchSize, shuffle, groupByLength, seed, 0, 1);
  }

  /** This rank's batches of a data-parallel run ([note: data-parallel shards]); {@code batchSize} is per rank. */
  public Batcher(List<Feature> features, int batchSize, boolean shuffle, boolean groupByLength, long seed, int rank,
      int worldSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    if (worldSize < 1 || rank < 0 || rank >= worldSize) {
      throw new IllegalArgumentException("rank " + rank + " of world size " + worldSize + " is out of range");
    }
    // a store is read-only already; copying it would build every feature ([note: compact feature store])
    this.features = features instanceof FeatureStore ? features : List.copyOf(features);
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.groupByLength = groupByLength;
    this.seed = seed;
    this.rank = rank;
    this.worldSize = worldSize;
  }

  /** For evaluation and prediction: the given order, no shuffling. */
  public static Batcher sequential(List<Feature> features, int batchSize) {
    return new Batcher(features, batchSize, false, false, 0);
  }

  /** Batches of each rank per epoch (the global batches, each shared by the ranks). */
  public int batchesPerEpoch() {
    int global = globalBatchSize();
    return (features.size() + global - 1) / global;
  }

  /** Features of one step's batch over every rank: the batch size times the world size. */
  public int globalBatchSize() {
    return batchSize * worldSize;
  }

  public int size() {
    return features.size();
  }

  /**
   * This rank's batches of epoch {@code epoch} (0-based), each a list of features (empty on a rank with none). A batch
   * holds the indices of its features and gets each from the dataset when read, so the epoch's batches cost an int per
   * feature, not the features' arrays.
   */
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
    int global = globalBatchSize();
    List<List<Feature>> batches = new ArrayList<>(batchesPerEpoch());
    for (int start = 0; start < order.size(); start += global) {
      int end = Math.min(order.size(), start + global);
      int from = Math.min(end, start + rank * batchSize);
      int[] batch = new int[Math.max(0, Math.min(end, from + batchSize) - from)];
      for (int i = 0; i < batch.length; i++) {
        batch[i] = order.get(from + i);
      }
      batches.add(new Selection(features, batch));
    }
    return batches;
  }

  private List<Integer> groupByLength(List<Integer> order) {
    int batch = globalBatchSize();
    int mega = batch * MEGABATCH_MULTIPLIER;
    List<Integer> out = new ArrayList<>(order.size());
    for (int start = 0; start < order.size(); start += mega) {
      List<Integer> chunk = new ArrayList<>(order.subList(start, Math.min(order.size(), start + mega)));
      chunk.sort(Comparator.comparingInt((Integer i) -> length(i)).reversed());
      out.addAll(chunk);
    }
    // move the batch holding the longest feature to the front (as Hugging Face does)
    int longest = 0;
    for (int i = 1; i < out.size(); i++) {
      if (length(out.get(i)) > length(out.get(longest))) {
        longest = i;
      }
    }
    int batchStart = (longest / batch) * batch;
    if (batchStart > 0) {
      List<Integer> first = new ArrayList<>(out.subList(batchStart, Math.min(out.size(), batchStart + batch)));
      List<Integer> firstOld = new ArrayList<>(out.subList(0, first.size()));
      for (int i = 0; i < first.size(); i++) {
        out.set(i, first.get(i));
        out.set(batchStart + i, firstOld.get(i));
      }
    }
    return out;
  }

  /** Sub-tokens of feature {@code i}; a store answers without building the feature. */
  private int length(int i) {
    return features instanceof FeatureStore store ? store.length(i) : features.get(i).length();
  }

  /** The features at some indices of a dataset, read through when asked for. */
  private static final class Selection extends AbstractList<Feature> implements RandomAccess {
    private final List<Feature> features;
    private final int[] indices;

    Selection(List<Feature> features, int[] indices) {
      this.features = features;
      this.indices = indices;
    }

    @Override
    public Feature get(int k) {
      return features.get(indices[k]);
    }

    @Override
    public int size() {
      return indices.length;
    }
  }
}
