package dev.exprbert.data.spans;

/**
 * A labelled span as span files store it: offsets in code points (Python string indices), end
 * exclusive.
 */
public record CharSpan(int start, int end, String label) {
  public CharSpan {
    if (start < 0 || end <= start) {
      throw new IllegalArgumentException("bad span offsets [" + start + ", " + end + ") for " + label);
    }
    if (label == null || label.isEmpty()) {
      throw new IllegalArgumentException("a span needs a label");
    }
  }
}
