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
  TEXT,
  /**
   * One JSON object per line with a text and character-offset spans (doccano, spaCy, Prodigy);
   * see {@link dev.exprbert.data.spans.SpanJsonlDocuments}.
   */
  SPANS,
  /** Label Studio's JSON or JSON-MIN export; see {@link dev.exprbert.data.spans.LabelStudioDocuments}. */
  LABEL_STUDIO,
  /** brat standoff {@code .txt} + {@code .ann}; see {@link dev.exprbert.data.spans.BratDocuments}. */
  BRAT;

  /** Whether the format holds text with character-offset spans (rather than words and tags). */
  public boolean hasSpans() {
    return this == SPANS || this == LABEL_STUDIO || this == BRAT;
  }

  /**
   * The format a file name implies: {@code .conll .txt .bio .iob .tsv} are CoNLL (a {@code .txt}
   * of plain sentences must be named {@code text} explicitly), {@code .jsonl .json} are JSON Lines,
   * {@code .ann} is brat. {@link SentenceReaders#open(Path, ReaderOptions)} also looks inside
   * {@code .json}/{@code .jsonl} files and at folders ({@link FormatSniffer}).
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
      case "ann" -> BRAT;
      default -> throw new IllegalArgumentException(
          "cannot tell the format of " + file + " from its extension \""
              + (dot < 0 ? "" : name.substring(dot)) + "\": expected .conll, .txt, .bio, .iob, .tsv "
              + "(CoNLL), .jsonl, .json (JSON Lines, span JSON Lines or Label Studio) or .ann (brat), "
              + "or name the format (" + NAMES + ")");
    };
  }

  static final String NAMES = "conll, jsonl, text, spans, label-studio or brat";

  /**
   * {@code conll}, {@code jsonl} (or {@code json}), {@code text}, {@code spans} (or {@code
   * doccano}, {@code spacy}, {@code prodigy}), {@code label-studio} (or {@code label_studio}),
   * {@code brat}; any case.
   */
  public static DatasetFormat fromName(String name) {
    return switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "conll" -> CONLL;
      case "jsonl", "json" -> JSONL;
      case "text" -> TEXT;
      case "spans", "span-jsonl", "span_jsonl", "doccano", "spacy", "prodigy" -> SPANS;
      case "label-studio", "label_studio", "labelstudio" -> LABEL_STUDIO;
      case "brat", "standoff" -> BRAT;
      default -> throw new IllegalArgumentException(
          "unknown dataset format \"" + name + "\": expected " + NAMES);
    };
  }
}
