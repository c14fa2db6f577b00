package dev.exprbert.data.spans;

/**
 * One line of the alignment report: a span that did not map cleanly onto words, or something a
 * reader noticed about it. {@link #toString()} is {@code file:line: message}.
 */
public record AlignmentIssue(String source, long line, Kind kind, String message) {
  /** What happened to the span. */
  public enum Kind {
    /** Widened to whole words. */
    SNAPPED,
    /** Left out because its ends are not on word boundaries ({@code --on_misaligned drop}). */
    DROPPED_MISALIGNED,
    /** Left out because it covers no word (only spaces or control characters). */
    DROPPED_EMPTY,
    /** Left out because it overlaps a longer span ({@code --overlaps keep_longest}). */
    DROPPED_OVERLAP,
    /** Kept, with a remark from the reader (offset unit, text column, discontinuous fragments). */
    NOTE
  }

  @Override
  public String toString() {
    return source + ":" + line + ": " + message;
  }
}
