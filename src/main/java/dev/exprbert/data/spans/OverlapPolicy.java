package dev.exprbert.data.spans;

import java.util.Locale;

/** What to do when spans of one document share a word ({@code --overlaps}); BIO tags cannot nest. */
public enum OverlapPolicy {
  /** Stop with an error naming both spans (the default). */
  ERROR,
  /** Keep the span with more words (then more characters, then the earlier one); report the rest. */
  KEEP_LONGEST;

  public static OverlapPolicy fromName(String name) {
    return switch (name.trim().toLowerCase(Locale.ROOT).replace('-', '_')) {
      case "error" -> ERROR;
      case "keep_longest" -> KEEP_LONGEST;
      default -> throw new IllegalArgumentException(
          "unknown --overlaps \"" + name + "\": expected keep_longest or error");
    };
  }
}
