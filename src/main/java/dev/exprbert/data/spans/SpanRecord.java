package dev.exprbert.data.spans;

import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * One line of span JSON Lines, the schema {@link SpanJsonlDocuments} reads back (spaCy/Prodigy
 * style, offsets in code points): {@code {"text": "...", "spans": [{"start": 0, "end": 5, "label":
 * "ORG", "text": "Acme."}]}}. Each span repeats its text so that readers (and people) can check the
 * offsets.
 */
public record SpanRecord(String text, List<CharSpan> spans) {
  public SpanRecord {
    spans = List.copyOf(spans);
    int length = text.codePointCount(0, text.length());
    for (CharSpan span : spans) {
      if (span.end() > length) {
        throw new IllegalArgumentException("span " + span + " ends beyond the text's " + length + " code points");
      }
    }
  }

  /** The record as one JSON line, without the newline. */
  public String toJson() {
    StringWriter buffer = new StringWriter();
    try (JsonWriter json = new JsonWriter(buffer)) {
      json.setHtmlSafe(false);
      json.beginObject();
      json.name("text").value(text);
      json.name("spans").beginArray();
      for (CharSpan span : spans) {
        int from = text.offsetByCodePoints(0, span.start());
        int to = text.offsetByCodePoints(from, span.end() - span.start());
        json.beginObject();
        json.name("start").value(span.start());
        json.name("end").value(span.end());
        json.name("label").value(span.label());
        json.name("text").value(text.substring(from, to));
        json.endObject();
      }
      json.endArray();
      json.endObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buffer.toString();
  }
}
