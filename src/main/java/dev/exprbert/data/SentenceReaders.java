package dev.exprbert.data;

import dev.exprbert.data.spans.SpanDocumentReaders;
import dev.exprbert.data.spans.SpanSentenceReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Opens the reader that fits a dataset file. */
public final class SentenceReaders {
  private SentenceReaders() {}

  /**
   * Opens {@code file} in the format {@code options.format()}, or the one the file implies
   * ({@link FormatSniffer}: its extension, and for {@code .json}/{@code .jsonl} its first record; a
   * folder is brat). Span formats come out as words and tags ({@link SpanSentenceReader}).
   *
   * @throws IllegalArgumentException if the file does not exist or its format cannot be told
   * @throws UncheckedIOException if it cannot be opened
   */
  public static SentenceReader open(Path file, ReaderOptions options) {
    if (!Files.exists(file)) {
      throw new IllegalArgumentException("dataset file " + file + " does not exist");
    }
    DatasetFormat format = format(file, options);
    if (format.hasSpans()) {
      return new SpanSentenceReader(
          SpanDocumentReaders.open(file, format, options.spans(), options.tagsRequired()), options.spans());
    }
    InputStream in = openFile(file);
    return open(in, file.toString(), format, options);
  }

  /**
   * Opens a dataset file's bytes.
   *
   * @throws IllegalArgumentException if it does not exist
   * @throws UncheckedIOException if it cannot be opened
   */
  public static InputStream openFile(Path file) {
    try {
      return Files.newInputStream(file);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("dataset file " + file + " does not exist", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open dataset file " + file, e);
    }
  }

  /** The format {@link #open(Path, ReaderOptions)} reads {@code file} in. */
  public static DatasetFormat format(Path file, ReaderOptions options) {
    return options.format() != null ? options.format() : FormatSniffer.sniff(file, options);
  }

  /** {@link #open(Path, ReaderOptions)} with {@link ReaderOptions#DEFAULTS}. */
  public static SentenceReader open(Path file) {
    return open(file, ReaderOptions.DEFAULTS);
  }

  /**
   * Reads a stream (e.g. standard input) in the given format; {@code source} names it in messages.
   * The reader closes the stream. brat needs its file pairs and cannot be read from a stream.
   */
  public static SentenceReader open(
      InputStream in, String source, DatasetFormat format, ReaderOptions options) {
    if (format.hasSpans()) {
      return new SpanSentenceReader(
          SpanDocumentReaders.open(in, source, format, options.spans(), options.tagsRequired()), options.spans());
    }
    Utf8LineReader lines = new Utf8LineReader(in, source);
    return switch (format) {
      case CONLL -> new ConllReader(lines, options);
      case JSONL -> new JsonlReader(lines, options);
      case TEXT -> new PlainTextReader(lines);
      case SPANS, LABEL_STUDIO, BRAT -> throw new IllegalStateException("handled above: " + format);
    };
  }

  /** Reads a whole file into memory: for dev and test sets, not for files of unknown size. */
  public static List<LabeledSentence> readAll(Path file, ReaderOptions options) {
    List<LabeledSentence> sentences = new ArrayList<>();
    try (SentenceReader reader = open(file, options)) {
      reader.forEachRemaining(sentences::add);
    }
    return sentences;
  }
}
