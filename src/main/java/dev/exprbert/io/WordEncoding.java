package dev.exprbert.io;

/**
 * The model inputs of one pre-tokenized sequence, special tokens included; all arrays have the
 * same length. {@code wordIds[t]} is the index of the word sub-token t came from, -1 for special
 * tokens.
 */
public record WordEncoding(long[] inputIds, long[] tokenTypeIds, long[] attentionMask, long[] wordIds) {
  public int length() {
    return inputIds.length;
  }
}
