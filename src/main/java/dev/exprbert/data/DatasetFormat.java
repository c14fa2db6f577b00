package dev.exprbert.data;

import java.nio.file.Path;
import java.util.Locale;

/** The dataset file formats the readers understand. */
public enum DatasetFormat {
  /** Token and tag columns, blank lines between sentences. */
  CONLL,
  /** One JSON object per line with a token array and a tag array. */
  JSONL,
  /** Prediction input: one sentence per line, words separated by spaces. */
  TEXT;

  /**
   * The format a file name implies: {@code .conll .txt .bio .iob .tsv} are CoNLL (a {@code .txt}
   * of plain sentences must be named {@code text} explicitly), {@code .jsonl .json} are JSON Lines.
   *
   * @throws IllegalArgumentException for any other extension, listing the known ones
   */
  public static DatasetFormat fromPath(Path file) {
    String name = file.getFileName() == null ? "" : file.getFileName().toString();
    String lower = name.toLowerCase(Locale.ROOT);
    int dot = lower.lastIndexOf('.');
    String extension = dot < 0 ? "" : lower.substring(dot + 1);
    return switch (extension) {
      case "conll", "txt", "bio", "iob", "tsv" -> CONLL;
      case "jsonl", "json" -> JSONL;
      default -> throw new IllegalArgumentException(
          "cannot tell the format of " + file + " from its extension \""
              + (dot < 0 ? "" : name.substring(dot)) + "\": expected .conll, .txt, .bio, .iob, .tsv "
              + "(CoNLL) or .jsonl, .json (JSON Lines), or name the format (conll, jsonl, text)");
    };
  }

  /** {@code conll}, {@code jsonl} (or {@code json}), {@code text}, any case. */
  public static DatasetFormat fromName(String name) {
    return switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "conll" -> CONLL;
      case "jsonl", "json" -> JSONL;
      case "text" -> TEXT;
      default -> throw new IllegalArgumentException(
          "unknown dataset format \"" + name + "\": expected conll, jsonl or text");
    };
  }
}
