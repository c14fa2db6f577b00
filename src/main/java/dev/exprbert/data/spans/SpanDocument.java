package dev.exprbert.data.spans;

import java.util.List;

/**
 * One annotated text: a JSON Lines record, a Label Studio task or a brat {@code .txt}/{@code .ann}
 * pair. It becomes one sequence of words and tags (long texts are windowed later by the featurizer,
 * as any long sentence is).
 *
 * @param source the annotation file, as messages name it
 * @param line the 1-based line where the document starts in {@code source}
 * @param text the text exactly as stored (the offsets index into it)
 * @param spans its spans, in file order; {@code null} when the record carries no span field at
 *     all (prediction input)
 * @param unit the unit the file's offsets count in (for messages that quote offsets back)
 */
public record SpanDocument(String source, long line, String text, List<AnnotatedSpan> spans, OffsetUnit unit) {
  public SpanDocument {
    spans = spans == null ? null : List.copyOf(spans);
  }

  /** {@code source:line}. */
  public String location() {
    return source + ":" + line;
  }
}
