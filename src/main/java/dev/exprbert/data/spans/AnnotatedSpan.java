package dev.exprbert.data.spans;

/**
 * One labelled stretch of a document as its annotation file gives it, with offsets already
 * converted to Java {@code String} (UTF-16) indices into {@link SpanDocument#text()}.
 *
 * @param label the entity type, e.g. {@code PER} (no B-/I- prefix)
 * @param start UTF-16 index of the first character, {@code 0 <= start < end}
 * @param end UTF-16 index one past the last character, {@code <= text.length()}
 * @param line the 1-based line of the annotation in its file (the record's line for JSON formats)
 * @param where how the file names this span, for messages: e.g. {@code label[2] [12, 20)} or
 *     {@code T3 [12, 20)}, offsets as written in the file
 * @param note something the reader noticed that the report should carry (offsets read in the other
 *     unit, a text column that disagrees with the offsets, a fragment of a discontinuous span), or
 *     {@code null}
 */
public record AnnotatedSpan(String label, int start, int end, long line, String where, String note) {
  public AnnotatedSpan {
    if (label == null || label.isEmpty()) {
      throw new IllegalArgumentException("a span needs a label (" + where + ")");
    }
    if (start < 0 || end <= start) {
      throw new IllegalArgumentException("bad span offsets [" + start + ", " + end + ") at " + where);
    }
  }
}
