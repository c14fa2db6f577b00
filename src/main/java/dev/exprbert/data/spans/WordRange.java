package dev.exprbert.data.spans;

/**
 * An entity over whole words: word indices {@code [start, end)} of one sentence and its type.
 */
public record WordRange(int start, int end, String type) {
  public WordRange {
    if (start < 0 || end <= start) {
      throw new IllegalArgumentException("bad word range [" + start + ", " + end + ") for " + type);
    }
    if (type == null || type.isEmpty()) {
      throw new IllegalArgumentException("a word range needs a type");
    }
  }

  public int length() {
    return end - start;
  }

  public boolean overlaps(WordRange other) {
    return start < other.end && other.start < end;
  }
}
