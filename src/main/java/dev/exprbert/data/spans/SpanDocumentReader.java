package dev.exprbert.data.spans;

import java.util.Iterator;

/**
 * Documents of one span-annotation file (or brat folder), read lazily: one document in memory at
 * a time. Malformed input throws {@link dev.exprbert.data.InputFormatException} naming the file and
 * line, at the first problem.
 */
public interface SpanDocumentReader extends Iterator<SpanDocument>, AutoCloseable {
  /** The file (or folder) name used in messages. */
  String source();

  /** Lines of the summary that only the reader knows (tasks skipped, lines ignored); may be empty. */
  default java.util.List<String> notes() {
    return java.util.List.of();
  }

  @Override
  void close();
}
