package dev.exprbert.metrics;

/**
 * One labelled span: tokens {@code [start, end)} of sentence {@code sentence} (0-based).
 *
 * <p>Two entities match when all four fields are equal, which is seqeval's matching in both
 * modes. In default mode seqeval works on all sentences joined with one {@code O} between them;
 * with malformed labels ({@code U}, unprefixed types) a default-mode chunk can then run past the
 * end of its sentence, and its {@code end} is still counted from the start of {@code sentence} in
 * that joined sequence (so it exceeds the sentence length).
 */
public record Entity(String type, int sentence, int start, int end) {
  public Entity {
    if (type == null || type.isEmpty()) {
      throw new IllegalArgumentException("entity type must be non-empty, got '" + type + "'");
    }
    if (sentence < 0 || start < 0 || end <= start) {
      throw new IllegalArgumentException(
          "entity needs sentence >= 0 and 0 <= start < end, got sentence="
              + sentence
              + " start="
              + start
              + " end="
              + end);
    }
  }

  @Override
  public String toString() {
    return "(" + type + ", " + sentence + ", " + start + "-" + end + ")";
  }
}
