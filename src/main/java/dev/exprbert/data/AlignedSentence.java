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

  AlignedSentence(
      long[] inputIds,
      long[] tokenTypeIds,
      long[] attentionMask,
      int[] wordIds,
      long[] labelIds,
      int[] wordStarts,
      int[] wordEnds) {
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
