package dev.exprbert.data.spans;

import java.util.Locale;

/**
 * What a character offset counts. Tools written in Python count code points (spaCy, Prodigy, brat's
 * own scripts, current Label Studio exports); tools whose offsets come from a browser count UTF-16
 * code units, as JavaScript strings do (doccano's annotation UI, brat's web UI after a character
 * outside the Basic Multilingual Plane). The two agree on every text without such characters
 * (emoji, rarer CJK ideographs), so the unit matters only there.
 */
public enum OffsetUnit {
  CODE_POINTS("code points"),
  UTF16("UTF-16 code units");

  private final String description;

  OffsetUnit(String description) {
    this.description = description;
  }

  public String description() {
    return description;
  }

  /** {@code code_points} (or {@code codepoints}) and {@code utf16} (or {@code utf-16}), any case. */
  public static OffsetUnit fromName(String name) {
    return switch (name.trim().toLowerCase(Locale.ROOT).replace('-', '_')) {
      case "code_points", "codepoints", "code_point" -> CODE_POINTS;
      case "utf16", "utf_16" -> UTF16;
      default -> throw new IllegalArgumentException(
          "unknown offset unit \"" + name + "\": expected code_points or utf16");
    };
  }

  /** The other unit. */
  OffsetUnit other() {
    return this == CODE_POINTS ? UTF16 : CODE_POINTS;
  }
}
