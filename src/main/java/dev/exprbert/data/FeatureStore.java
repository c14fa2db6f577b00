package dev.exprbert.data;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * The features of a dataset in a few primitive columns instead of a graph of small objects per window: what training
 * and evaluation index their data through (the {@link Featurizer}'s output).
 *
 * <p>[note: compact feature store] A {@link Feature} as objects is a record, an {@link AlignedSentence} and nine
 * arrays, five of them {@code long[]}: about 46 bytes per sub-token plus some 180 bytes of object headers and
 * references per window (measured: benchmarks/NOTES.md). Here each window costs, per sub-token, its input id and
 * (when labelled) its label id as ints, per word it holds its first and end sub-token (the words of a long sentence
 * outside a window are not stored with that window), and about 50 bytes of offsets. The rest
 * is not stored but derived when a feature is read: the attention mask (all ones), the token type ids (all zeros),
 * the word id of each sub-token (from the word ranges, which own exactly their sub-tokens) and the owned words (every
 * word with a sub-token, for a sentence that fits one window). A window where any of these does not hold keeps that
 * part explicitly, so every feature reads back exactly as it was added, whatever the tokenizer.
 *
 * <p>{@link #get} builds the feature's arrays afresh on every call (a view, not a cache): hold on to a feature only
 * while it is used, e.g. for one batch. {@link #length} and {@link #sentenceIndex} read no arrays, so batching and
 * length grouping cost no objects. Read-only; build one with {@link #builder()}.
 */
public final class FeatureStore extends AbstractList<Feature> implements RandomAccess {
  // which parts a feature stores explicitly in the extra column, in this order
  private static final byte OWNED = 1;
  private static final byte TYPES = 2;
  private static final byte MASK = 4;
  private static final byte WORD_IDS = 8;
  // flags without data in the extra column: a window that starts / ends inside its sentence (the CRF lifts its
  // start / end constraints there, so losing them would forbid a window that opens on I-X)
  private static final byte CUT_AT_START = 16;
  private static final byte CUT_AT_END = 32;

  private final int size;
  private final int[] sentenceIndex; // [size]
  private final long[] tokenOffset; // [size + 1] into inputIds
  private final long[] wordOffset; // [size + 1] into wordStarts / wordEnds, the stored words only
  private final int[] wordCount; // [size] words of the feature's sentence
  private final int[] firstStoredWord; // [size] words before it (and after the stored ones) are empty at emptyAt
  private final int[] emptyAt; // [size]
  private final long[] labelOffset; // [size] into labelIds, -1 for a feature without labels
  private final long[] extraOffset; // [size] into extra, -1 when nothing is explicit
  private final byte[] explicit; // [size] the bits above
  private final IntColumn inputIds;
  private final IntColumn labelIds;
  private final IntColumn wordStarts;
  private final IntColumn wordEnds;
  private final IntColumn extra;

  private FeatureStore(Builder b) {
    this.size = b.size;
    this.sentenceIndex = Arrays.copyOf(b.sentenceIndex, size);
    this.tokenOffset = Arrays.copyOf(b.tokenOffset, size + 1);
    this.wordOffset = Arrays.copyOf(b.wordOffset, size + 1);
    this.wordCount = Arrays.copyOf(b.wordCount, size);
    this.firstStoredWord = Arrays.copyOf(b.firstStoredWord, size);
    this.emptyAt = Arrays.copyOf(b.emptyAt, size);
    this.labelOffset = Arrays.copyOf(b.labelOffset, size);
    this.extraOffset = Arrays.copyOf(b.extraOffset, size);
    this.explicit = Arrays.copyOf(b.explicit, size);
    this.inputIds = b.inputIds;
    this.labelIds = b.labelIds;
    this.wordStarts = b.wordStarts;
    this.wordEnds = b.wordEnds;
    this.extra = b.extra;
    for (IntColumn column : new IntColumn[] {inputIds, labelIds, wordStarts, wordEnds, extra}) {
      column.trimToSize();
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A store holding {@code features} (which read back equal, array for array). */
  public static FeatureStore of(Iterable<Feature> features) {
    Builder builder = builder();
    features.forEach(builder::add);
    return builder.build();
  }

  @Override
  public int size() {
    return size;
  }

  /** Sub-tokens of feature {@code i} (its {@link Feature#length()}), without building it. */
  public int length(int i) {
    Objects.checkIndex(i, size);
    return (int) (tokenOffset[i + 1] - tokenOffset[i]);
  }

  /** The sentence feature {@code i} belongs to (its {@link Feature#sentenceIndex()}), without building it. */
  public int sentenceIndex(int i) {
    Objects.checkIndex(i, size);
    return sentenceIndex[i];
  }

  /** Sub-tokens of all features. */
  public long tokenCount() {
    return tokenOffset[size];
  }

  /** Bytes of the arrays this store holds: what it costs on the heap, less a few object headers. */
  public long heapBytes() {
    long bytes = 4L * (sentenceIndex.length + wordCount.length + firstStoredWord.length + emptyAt.length)
        + 8L * (tokenOffset.length + wordOffset.length + labelOffset.length + extraOffset.length) + explicit.length;
    for (IntColumn column : new IntColumn[] {inputIds, labelIds, wordStarts, wordEnds, extra}) {
      bytes += column.capacityBytes();
    }
    return bytes;
  }

  /** Feature {@code i}, built from the columns (a new object with new arrays on every call). */
  @Override
  public Feature get(int i) {
    int length = length(i);
    int words = wordCount[i];
    int stored = (int) (wordOffset[i + 1] - wordOffset[i]);
    long[] ids = new long[length];
    inputIds.readLongs(tokenOffset[i], ids, length);
    long[] labels = null;
    if (labelOffset[i] >= 0) {
      labels = new long[length];
      labelIds.readLongs(labelOffset[i], labels, length);
    }
    int[] starts = new int[words];
    int[] ends = new int[words];
    Arrays.fill(starts, emptyAt[i]);
    Arrays.fill(ends, emptyAt[i]);
    wordStarts.readInts(wordOffset[i], starts, firstStoredWord[i], stored);
    wordEnds.readInts(wordOffset[i], ends, firstStoredWord[i], stored);
    byte parts = explicit[i];
    long at = extraOffset[i];
    int[] owned;
    if ((parts & OWNED) != 0) {
      owned = new int[extra.get(at)];
      extra.readInts(at + 1, owned, 0, owned.length);
      at += 1 + owned.length;
    } else {
      owned = nonEmptyWords(starts, ends);
    }
    long[] types = new long[length];
    if ((parts & TYPES) != 0) {
      extra.readLongs(at, types, length);
      at += length;
    }
    long[] mask = new long[length];
    if ((parts & MASK) != 0) {
      extra.readLongs(at, mask, length);
      at += length;
    } else {
      Arrays.fill(mask, 1);
    }
    int[] wordIds = new int[length];
    if ((parts & WORD_IDS) != 0) {
      extra.readInts(at, wordIds, 0, length);
    } else {
      deriveWordIds(starts, ends, wordIds);
    }
    return new Feature(sentenceIndex[i], new AlignedSentence(ids, types, mask, wordIds, labels, starts, ends,
        (parts & CUT_AT_START) != 0, (parts & CUT_AT_END) != 0), owned);
  }

  /** The word of each sub-token as the word ranges say: w on {@code [starts[w], ends[w])}, -1 elsewhere. */
  private static void deriveWordIds(int[] starts, int[] ends, int[] wordIds) {
    Arrays.fill(wordIds, -1);
    for (int w = 0; w < starts.length; w++) {
      for (int t = Math.max(0, starts[w]); t < Math.min(wordIds.length, ends[w]); t++) {
        wordIds[t] = w;
      }
    }
  }

  /** The words with at least one sub-token: what a feature covering its whole sentence owns. */
  private static int[] nonEmptyWords(int[] starts, int[] ends) {
    int count = 0;
    for (int w = 0; w < starts.length; w++) {
      count += starts[w] < ends[w] ? 1 : 0;
    }
    int[] out = new int[count];
    for (int w = 0, k = 0; w < starts.length; w++) {
      if (starts[w] < ends[w]) {
        out[k++] = w;
      }
    }
    return out;
  }

  /** Adds features one at a time; {@link #build()} once. */
  public static final class Builder {
    private int size;
    private int[] sentenceIndex = new int[16];
    private long[] tokenOffset = new long[17];
    private long[] wordOffset = new long[17];
    private int[] wordCount = new int[16];
    private int[] firstStoredWord = new int[16];
    private int[] emptyAt = new int[16];
    private long[] labelOffset = new long[16];
    private long[] extraOffset = new long[16];
    private byte[] explicit = new byte[16];
    private final IntColumn inputIds = new IntColumn();
    private final IntColumn labelIds = new IntColumn();
    private final IntColumn wordStarts = new IntColumn();
    private final IntColumn wordEnds = new IntColumn();
    private final IntColumn extra = new IntColumn();
    private boolean built;

    private Builder() {}

    public int size() {
      return size;
    }

    /**
     * Appends a feature.
     *
     * @throws IllegalArgumentException for an input id or label id outside the int range (no vocabulary or label
     *     set the size limits allow comes near it)
     */
    public Builder add(Feature feature) {
      if (built) {
        throw new IllegalStateException("this builder has already built its store");
      }
      AlignedSentence s = feature.encoding();
      int length = s.length();
      int words = s.wordCount();
      grow();
      long[] ids = s.inputIds();
      inputIds.addAll(toInts(ids, "input id"), length);
      if (s.hasLabels()) {
        labelOffset[size] = labelIds.size();
        labelIds.addAll(toInts(s.labelIds(), "label id"), length);
      } else {
        labelOffset[size] = -1;
      }
      int[] starts = new int[words];
      int[] ends = new int[words];
      for (int w = 0; w < words; w++) {
        starts[w] = s.wordStart(w);
        ends[w] = s.wordEnd(w);
      }
      addWordRanges(starts, ends);
      addExplicitParts(feature, s, starts, ends);
      sentenceIndex[size] = feature.sentenceIndex();
      tokenOffset[size + 1] = tokenOffset[size] + length;
      size++;
      return this;
    }

    /**
     * Stores the word ranges but for the empty words at either end that share one position: in a window of a long
     * sentence every word outside the window is such a word, so a window costs its own words, not the sentence's.
     */
    private void addWordRanges(int[] starts, int[] ends) {
      int words = starts.length;
      int fill = 0;
      if (words > 0 && starts[0] == ends[0]) {
        fill = starts[0];
      } else if (words > 0 && starts[words - 1] == ends[words - 1]) {
        fill = starts[words - 1];
      }
      int first = 0;
      int end = words;
      while (first < end && starts[first] == fill && ends[first] == fill) {
        first++;
      }
      while (end > first && starts[end - 1] == fill && ends[end - 1] == fill) {
        end--;
      }
      wordStarts.addAll(starts, first, end - first);
      wordEnds.addAll(ends, first, end - first);
      wordCount[size] = words;
      firstStoredWord[size] = first;
      emptyAt[size] = fill;
      wordOffset[size + 1] = wordOffset[size] + (end - first);
    }

    /** Stores whatever of the feature the derivations in {@link FeatureStore#get} would not give back. */
    private void addExplicitParts(Feature feature, AlignedSentence s, int[] starts, int[] ends) {
      int length = s.length();
      byte parts = 0;
      long at = extra.size();
      int[] owned = feature.ownedWords();
      if (!Arrays.equals(owned, nonEmptyWords(starts, ends))) {
        parts |= OWNED;
        extra.add(owned.length);
        extra.addAll(owned, owned.length);
      }
      long[] types = s.tokenTypeIds();
      if (!allEqual(types, 0)) {
        parts |= TYPES;
        extra.addAll(toInts(types, "token type id"), length);
      }
      long[] mask = s.attentionMask();
      if (!allEqual(mask, 1)) {
        parts |= MASK;
        extra.addAll(toInts(mask, "attention mask value"), length);
      }
      int[] wordIds = s.wordIds();
      int[] derived = new int[length];
      deriveWordIds(starts, ends, derived);
      if (!Arrays.equals(wordIds, derived)) {
        parts |= WORD_IDS;
        extra.addAll(wordIds, length);
      }
      extraOffset[size] = parts == 0 ? -1 : at;
      explicit[size] = (byte) (parts | (s.cutAtStart() ? CUT_AT_START : 0) | (s.cutAtEnd() ? CUT_AT_END : 0));
    }

    public FeatureStore build() {
      if (built) {
        throw new IllegalStateException("this builder has already built its store");
      }
      built = true;
      return new FeatureStore(this);
    }

    private void grow() {
      if (size < sentenceIndex.length) {
        return;
      }
      int capacity = sentenceIndex.length * 2;
      sentenceIndex = Arrays.copyOf(sentenceIndex, capacity);
      tokenOffset = Arrays.copyOf(tokenOffset, capacity + 1);
      wordOffset = Arrays.copyOf(wordOffset, capacity + 1);
      wordCount = Arrays.copyOf(wordCount, capacity);
      firstStoredWord = Arrays.copyOf(firstStoredWord, capacity);
      emptyAt = Arrays.copyOf(emptyAt, capacity);
      labelOffset = Arrays.copyOf(labelOffset, capacity);
      extraOffset = Arrays.copyOf(extraOffset, capacity);
      explicit = Arrays.copyOf(explicit, capacity);
    }

    private static boolean allEqual(long[] values, long expected) {
      for (long v : values) {
        if (v != expected) {
          return false;
        }
      }
      return true;
    }

    private static int[] toInts(long[] values, String what) {
      int[] out = new int[values.length];
      for (int i = 0; i < values.length; i++) {
        if (values[i] != (int) values[i]) {
          throw new IllegalArgumentException(what + " " + values[i] + " at sub-token " + i
              + " does not fit the feature store's 32-bit columns");
        }
        out[i] = (int) values[i];
      }
      return out;
    }
  }
}
