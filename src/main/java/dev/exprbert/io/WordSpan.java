package dev.exprbert.io;

/**
 * One word of a raw text as the tokenizer sees it: UTF-16 indices into the text ({@code text.substring(start, end)} is
 * the word).
 */
public record WordSpan(int start, int end) {
  public WordSpan {
    if (start < 0 || end <= start) {
      throw new IllegalArgumentException("a word span needs 0 <= start < end, got [" + start + ", " + end + ")");
    }
  }
}
