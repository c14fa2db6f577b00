package dev.exprbert.data.spans;

import dev.exprbert.data.DatasetFormat;
import dev.exprbert.data.SentenceReaders;
import dev.exprbert.data.Utf8LineReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/** Opens the document reader of a span format. */
public final class SpanDocumentReaders {
  private SpanDocumentReaders() {}

  /**
   * @param spansRequired whether a JSON Lines record without any span field is an error (training,
   *     evaluation) rather than an untagged document (prediction)
   * @throws IllegalArgumentException for a format without spans, or a missing file
   */
  public static SpanDocumentReader open(Path file, DatasetFormat format, SpanOptions options, boolean spansRequired) {
    if (format == DatasetFormat.BRAT) {
      return new BratDocuments(file, options);
    }
    InputStream in = SentenceReaders.openFile(file);
    return open(in, file.toString(), format, options, spansRequired);
  }

  /** A stream in a span format other than brat (which needs its file pairs); the reader closes it. */
  public static SpanDocumentReader open(
      InputStream in, String source, DatasetFormat format, SpanOptions options, boolean spansRequired) {
    return switch (format) {
      case SPANS -> new SpanJsonlDocuments(new Utf8LineReader(in, source), options, spansRequired);
      case LABEL_STUDIO -> new LabelStudioDocuments(in, source, options);
      case BRAT -> {
        closeQuietly(in);
        throw new IllegalArgumentException("brat standoff is a .txt and an .ann file per document: give the"
            + " .ann file, its .txt or their folder, not a stream (" + source + ")");
      }
      default -> {
        closeQuietly(in);
        throw new IllegalArgumentException(format + " holds words and tags, not character-offset spans");
      }
    };
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException ignored) {
      // the error about the format is the one worth reporting
    }
  }
}
