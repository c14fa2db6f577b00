package dev.exprbert.data.spans;

import java.util.Locale;

/** What to do with a span whose ends do not fall on word boundaries ({@code --on_misaligned}). */
public enum MisalignedPolicy {
  /** Widen it to the whole words it touches, and report it (the default). */
  SNAP,
  /** Leave it out, and report it. */
  DROP,
  /** Stop at the first one with an error naming it. */
  ERROR;

  public static MisalignedPolicy fromName(String name) {
    return switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "snap" -> SNAP;
      case "drop" -> DROP;
      case "error" -> ERROR;
      default -> throw new IllegalArgumentException(
          "unknown --on_misaligned \"" + name + "\": expected snap, drop or error");
    };
  }
}
