package dev.exprbert.data;

import java.util.Arrays;

/**
 * One sentence after sub-word tokenization, with word-level labels moved onto sub-tokens.
 *
 * <p>Invariants (checked by {@link SubwordAligner}): all per-token arrays have {@link #length()}
 * entries; {@code wordIds[t]} is the index of the word sub-token t came from, or -1 for special
 * tokens; word w owns the contiguous sub-tokens {@code [wordStart(w), wordEnd(w))}, an empty span
 * when the tokenizer produced nothing for it (such a word sits at start == end == where its tokens
 * would have been, gets no label position, and later stages predict it as the default label).
 * Label ids hold {@link SubwordAligner#IGNORE_INDEX} wherever the loss must not look.
 */
public final class AlignedSentence {
  private final long[] inputIds; // [length]
  private final long[] tokenTypeIds; // [length]
  private final long[] attentionMask; // [length]
  private final int[] wordIds; // [length], -1 = special token
  private final long[] labelIds; // [length] or null when the sentence has no tags
  private final int[] wordStarts; // [wordCount]
  private final int[] wordEnds; // [wordCount], exclusive
  private final boolean cutAtStart; // a window that starts after the sentence's first sub-token
  private final boolean cutAtEnd; // a window that ends before the sentence's last sub-token

  AlignedSentence(
      long[] inputIds,
      long[] tokenTypeIds,
      long[] attentionMask,
      int[] wordIds,
      long[] labelIds,
      int[] wordStarts,
      int[] wordEnds) {
    this(inputIds, tokenTypeIds, attentionMask, wordIds, labelIds, wordStarts, wordEnds, false, false);
  }

  /** With the window's cut flags: what a {@link FeatureStore} reads back for a window of a longer sentence. */
  AlignedSentence(long[] inputIds, long[] tokenTypeIds, long[] attentionMask, int[] wordIds, long[] labelIds,
      int[] wordStarts, int[] wordEnds, boolean cutAtStart, boolean cutAtEnd) {
    this.cutAtStart = cutAtStart;
    this.cutAtEnd = cutAtEnd;
    this.inputIds = inputIds;
    this.tokenTypeIds = tokenTypeIds;
    this.attentionMask = attentionMask;
    this.wordIds = wordIds;
    this.labelIds = labelIds;
    this.wordStarts = wordStarts;
    this.wordEnds = wordEnds;
  }

  /** Number of sub-tokens, special tokens included. */
  public int length() {
    return inputIds.length;
  }

  /** Whether this sentence is longer than {@code maxLength} sub-tokens and needs windows. */
  public boolean exceedsLength(int maxLength) {
    if (maxLength < 1) {
      throw new IllegalArgumentException("maxLength is " + maxLength + "; expected >= 1");
    }
    return inputIds.length > maxLength;
  }

  public int wordCount() {
    return wordStarts.length;
  }

  /**
   * Whether this is a window of a longer sentence that starts after the sentence's first sub-token: its first position
   * does not open the sentence (an entity may be under way there), which a CRF's start scores must not assume.
   */
  public boolean cutAtStart() {
    return cutAtStart;
  }

  /** Whether this is a window of a longer sentence that ends before the sentence's last sub-token. */
  public boolean cutAtEnd() {
    return cutAtEnd;
  }

  public long[] inputIds() {
    return inputIds.clone();
  }

  public long[] tokenTypeIds() {
    return tokenTypeIds.clone();
  }

  public long[] attentionMask() {
    return attentionMask.clone();
  }

  /** Word index of each sub-token, -1 for special tokens. */
  public int[] wordIds() {
    return wordIds.clone();
  }

  /** Sub-tokens that carry a label (not {@link SubwordAligner#IGNORE_INDEX}); 0 for an unlabelled sentence. */
  public int labelledTokens() {
    int n = 0;
    if (labelIds != null) {
      for (long id : labelIds) {
        n += id != SubwordAligner.IGNORE_INDEX ? 1 : 0;
      }
    }
    return n;
  }

  public boolean hasLabels() {
    return labelIds != null;
  }

  /** Label id of each sub-token, {@link SubwordAligner#IGNORE_INDEX} where the loss ignores it. */
  public long[] labelIds() {
    if (labelIds == null) {
      throw new IllegalStateException("this sentence was aligned without tags, so it has no label ids");
    }
    return labelIds.clone();
  }

  /** First sub-token of word {@code word}. */
  public int wordStart(int word) {
    checkWord(word);
    return wordStarts[word];
  }

  /** One past the last sub-token of word {@code word}; equals {@link #wordStart} for an empty word. */
  public int wordEnd(int word) {
    checkWord(word);
    return wordEnds[word];
  }

  /** Whether the tokenizer produced no sub-token for word {@code word}. */
  public boolean isEmptyWord(int word) {
    checkWord(word);
    return wordStarts[word] == wordEnds[word];
  }

  /** Indices of the words that got no sub-token, in order. */
  public int[] emptyWords() {
    int count = 0;
    for (int w = 0; w < wordStarts.length; w++) {
      if (wordStarts[w] == wordEnds[w]) {
        count++;
      }
    }
    int[] empty = new int[count];
    for (int w = 0, i = 0; w < wordStarts.length; w++) {
      if (wordStarts[w] == wordEnds[w]) {
        empty[i++] = w;
      }
    }
    return empty;
  }

  /**
   * The sub-token range [from, to) of the content between the special tokens, re-wrapped with this
   * sentence's leading and trailing special tokens: a window of a long sentence. Words cut by the
   * window keep only their sub-tokens inside it; words outside it become empty.
   */
  AlignedSentence window(int lead, int trail, int from, int to) {
    int content = inputIds.length - lead - trail;
    if (from < 0 || to > content || from >= to) {
      throw new IllegalArgumentException("window [" + from + ", " + to + ") outside content of " + content + " sub-tokens");
    }
    int n = lead + (to - from) + trail;
    long[] ids = new long[n];
    long[] types = new long[n];
    long[] mask = new long[n];
    int[] words = new int[n];
    long[] labels = labelIds == null ? null : new long[n];
    int[] pick = new int[n];
    for (int i = 0; i < lead; i++) {
      pick[i] = i;
    }
    for (int i = 0; i < to - from; i++) {
      pick[lead + i] = lead + from + i;
    }
    for (int i = 0; i < trail; i++) {
      pick[lead + (to - from) + i] = inputIds.length - trail + i;
    }
    for (int i = 0; i < n; i++) {
      ids[i] = inputIds[pick[i]];
      types[i] = tokenTypeIds[pick[i]];
      mask[i] = attentionMask[pick[i]];
      words[i] = wordIds[pick[i]];
      if (labels != null) {
        labels[i] = labelIds[pick[i]];
      }
    }
    int[] starts = new int[wordStarts.length];
    int[] ends = new int[wordStarts.length];
    for (int w = 0; w < wordStarts.length; w++) {
      int s = Math.max(wordStarts[w], lead + from);
      int e = Math.min(wordEnds[w], lead + to);
      if (s < e) {
        starts[w] = s - from;
        ends[w] = e - from;
      } else {
        starts[w] = lead; // empty in this window
        ends[w] = lead;
      }
    }
    return new AlignedSentence(ids, types, mask, words, labels, starts, ends, cutAtStart || from > 0,
        cutAtEnd || to < content);
  }

  /** A copy with other label ids (same length), e.g. with positions another window predicts set to -100. */
  AlignedSentence withLabelIds(long[] newLabels) {
    if (newLabels.length != inputIds.length) {
      throw new IllegalArgumentException("expected " + inputIds.length + " label ids, got " + newLabels.length);
    }
    return new AlignedSentence(inputIds, tokenTypeIds, attentionMask, wordIds, newLabels, wordStarts, wordEnds,
        cutAtStart, cutAtEnd);
  }

  private void checkWord(int word) {
    if (word < 0 || word >= wordStarts.length) {
      throw new IndexOutOfBoundsException("word " + word + "; expected 0 <= word < " + wordStarts.length);
    }
  }

  @Override
  public String toString() {
    return "AlignedSentence{length=" + length() + ", words=" + wordCount()
        + ", emptyWords=" + Arrays.toString(emptyWords()) + "}";
  }
}
