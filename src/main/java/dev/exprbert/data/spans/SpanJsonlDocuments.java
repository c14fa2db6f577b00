package dev.exprbert.data.spans;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.exprbert.data.InputFormatException;
import dev.exprbert.data.JsonValues;
import dev.exprbert.data.NumberedLine;
import dev.exprbert.data.Utf8LineReader;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * JSON Lines with character-offset spans, one document per line, in the shapes annotation tools
 * export:
 *
 * <ul>
 *   <li>doccano sequence labelling: {@code {"text": ..., "label": [[0, 5, "ORG"], ...]}} (also under
 *       {@code labels} or {@code entities}), or with relations {@code {"text": ..., "entities":
 *       [{"start_offset": 0, "end_offset": 5, "label": "ORG"}]}}. Offsets count UTF-16 code units:
 *       doccano's annotation screen measures the text in the browser (doccano issue 2290), unless its
 *       project was set to count grapheme clusters, which this reader does not support.
 *   <li>spaCy / Prodigy style: {@code {"text": ..., "spans": [{"start": 0, "end": 5, "label":
 *       "ORG"}]}} (also under {@code ents} or {@code entities}). Offsets count code points, as Python
 *       strings do. Extra keys ({@code token_start}, {@code text}, ...) are allowed; a {@code text}
 *       key is checked against the offsets (see {@link SpanResolver}).
 * </ul>
 *
 * The span list is read from {@link SpanOptions#spansField()} when set, else from the first of {@code spans},
 * {@code entities}, {@code label}, {@code labels}, {@code ents} that the record has. A record with none of them is an error when
 * tags are required (a typo in the field name would otherwise turn every span into {@code O}); an
 * empty list is a document without entities. {@link SpanOptions#offsetUnit()} overrides the unit.
 */
public final class SpanJsonlDocuments implements SpanDocumentReader {
  static final List<String> SPAN_FIELDS = List.of("spans", "entities", "label", "labels", "ents");

  private final Utf8LineReader lines;
  private final SpanOptions options;
  private final boolean spansRequired;
  private SpanDocument pending;
  private boolean finished;

  public SpanJsonlDocuments(Utf8LineReader lines, SpanOptions options, boolean spansRequired) {
    this.lines = lines;
    this.options = options;
    this.spansRequired = spansRequired;
  }

  @Override
  public String source() {
    return lines.source();
  }

  @Override
  public boolean hasNext() {
    if (pending == null && !finished) {
      pending = read();
      finished = pending == null;
    }
    return pending != null;
  }

  @Override
  public SpanDocument next() {
    if (!hasNext()) {
      throw new NoSuchElementException("no more documents in " + source());
    }
    SpanDocument document = pending;
    pending = null;
    return document;
  }

  private SpanDocument read() {
    for (NumberedLine line = lines.readLine(); line != null; line = lines.readLine()) {
      if (!line.isBlank()) {
        return toDocument(JsonValues.parseLineObject(source(), line), line.number());
      }
    }
    return null;
  }

  private SpanDocument toDocument(JsonObject record, long line) {
    String textField = options.textFieldOrDefault();
    JsonElement textValue = record.get(textField);
    if (textValue == null || !textValue.isJsonPrimitive() || !textValue.getAsJsonPrimitive().isString()) {
      throw error(line, "a string field \"" + textField + "\" holding the document text",
          textValue == null ? "fields " + record.keySet() : "\"" + textField + "\" is " + JsonValues.describe(textValue));
    }
    String text = textValue.getAsString();
    String spansField = null;
    List<String> candidates = options.spansField() != null ? List.of(options.spansField()) : SPAN_FIELDS;
    for (String candidate : candidates) {
      if (record.has(candidate) && !candidate.equals(textField)) {
        spansField = candidate;
        break;
      }
    }
    if (spansField == null) {
      if (spansRequired) {
        throw error(line, "a span list in " + (candidates.size() == 1 ? "\"" + candidates.get(0) + "\""
            : "one of " + candidates) + " (an empty list for a document without entities)", "fields " + record.keySet());
      }
      return new SpanDocument(source(), line, text, null, defaultUnit(false));
    }
    JsonElement listValue = record.get(spansField);
    if (!listValue.isJsonArray()) {
      throw error(line, "an array of spans in \"" + spansField + "\"", JsonValues.describe(listValue));
    }
    JsonArray list = listValue.getAsJsonArray();
    boolean doccano = spansField.equals("label") || spansField.equals("labels") || usesDoccanoKeys(list);
    OffsetUnit unit = defaultUnit(doccano);
    SpanResolver resolver = new SpanResolver(source(), text, unit);
    List<AnnotatedSpan> spans = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      spans.add(span(resolver, list.get(i), spansField + "[" + i + "]", line));
    }
    return new SpanDocument(source(), line, text, spans, unit);
  }

  private OffsetUnit defaultUnit(boolean doccano) {
    if (options.offsetUnit() != null) {
      return options.offsetUnit();
    }
    return doccano ? OffsetUnit.UTF16 : OffsetUnit.CODE_POINTS;
  }

  /** doccano's shapes: {@code [start, end, label]} arrays or {@code start_offset}/{@code end_offset} keys. */
  private static boolean usesDoccanoKeys(JsonArray list) {
    for (JsonElement element : list) {
      if (element.isJsonArray()) {
        return true;
      }
      if (element.isJsonObject() && element.getAsJsonObject().has("start_offset")) {
        return true;
      }
    }
    return false;
  }

  private AnnotatedSpan span(SpanResolver resolver, JsonElement element, String name, long line) {
    if (element.isJsonArray()) {
      JsonArray triple = element.getAsJsonArray();
      if (triple.size() != 3) {
        throw error(line, "[start, end, \"LABEL\"] at " + name,
            "an array of " + triple.size() + " element" + (triple.size() == 1 ? "" : "s"));
      }
      return resolver.resolve(line, name, offset(triple.get(0), name + "[0]", line),
          offset(triple.get(1), name + "[1]", line), label(triple.get(2), name + "[2]", line), null);
    }
    if (!element.isJsonObject()) {
      throw error(line, "a span at " + name + ": {\"start\", \"end\", \"label\"} or [start, end, \"LABEL\"]",
          JsonValues.describe(element));
    }
    JsonObject object = element.getAsJsonObject();
    String startKey = object.has("start") ? "start" : object.has("start_offset") ? "start_offset" : null;
    String endKey = object.has("end") ? "end" : object.has("end_offset") ? "end_offset" : null;
    if (startKey == null || endKey == null || !object.has("label")) {
      throw error(line, "keys \"start\" (or \"start_offset\"), \"end\" (or \"end_offset\") and \"label\" in "
          + name, "keys " + object.keySet());
    }
    JsonElement claimed = object.get("text");
    String claimedText = claimed != null && claimed.isJsonPrimitive() && claimed.getAsJsonPrimitive().isString()
        ? claimed.getAsString() : null;
    return resolver.resolve(line, name, offset(object.get(startKey), name + "." + startKey, line),
        offset(object.get(endKey), name + "." + endKey, line), label(object.get("label"), name + ".label", line),
        claimedText);
  }

  private long offset(JsonElement value, String where, long line) {
    if (value != null && value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber()) {
      BigDecimal number = value.getAsBigDecimal();
      try {
        return number.intValueExact();
      } catch (ArithmeticException notAnInt) {
        // reported below
      }
    }
    throw error(line, "an integer character offset at " + where, JsonValues.describe(value));
  }

  private String label(JsonElement value, String where, long line) {
    if (value != null && value.isJsonPrimitive() && ((JsonPrimitive) value).isString()
        && !value.getAsString().isEmpty()) {
      return value.getAsString();
    }
    throw error(line, "a non-empty string label at " + where, JsonValues.describe(value));
  }

  private InputFormatException error(long line, String expected, String found) {
    return new InputFormatException(source(), line, expected, found);
  }

  @Override
  public void close() {
    lines.close();
  }
}
