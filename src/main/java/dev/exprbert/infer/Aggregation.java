package dev.exprbert.infer;

import java.util.Locale;

/**
 * How sub-token predictions become spans: Hugging Face's token-classification pipeline strategies
 * ({@code AggregationStrategy}).
 */
public enum Aggregation {
  /** One span per word that is not an ignored label, with its full label (B-X, I-X); no grouping. */
  NONE,
  /** Each sub-token takes its own argmax; adjacent sub-tokens of one type merge unless a B- starts anew. */
  SIMPLE,
  /** A word takes the label of its first sub-token, then words group as in SIMPLE. */
  FIRST,
  /** A word takes the argmax of its sub-tokens' mean probabilities, then words group. */
  AVERAGE,
  /** A word takes the label of its most confident sub-token, then words group. */
  MAX;

  /** {@code none}, {@code simple}, {@code first}, {@code average} or {@code max}, any case. */
  public static Aggregation parse(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException("unknown aggregation strategy \"" + name
          + "\": expected none, simple, first, average or max");
    }
  }

  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
