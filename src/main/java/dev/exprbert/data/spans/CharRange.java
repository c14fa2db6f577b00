package dev.exprbert.data.spans;

/**
 * A stretch of a text in Java {@code String} (UTF-16) indices, end exclusive.
 */
public record CharRange(int start, int end) {
  public CharRange {
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("bad character range [" + start + ", " + end + ")");
    }
  }

  public String of(String text) {
    return text.substring(start, end);
  }
}
