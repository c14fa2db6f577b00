package dev.exprbert.data.spans;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.exprbert.data.InputFormatException;
import dev.exprbert.data.JsonValues;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PushbackInputStream;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Label Studio's JSON export: one JSON array of tasks, read one task at a time (the file is never
 * held whole). Two shapes are understood:
 *
 * <ul>
 *   <li>JSON: {@code {"data": {"text": ...}, "annotations": [{"result": [{"type": "labels",
 *       "value": {"start": 0, "end": 5, "text": "Paris", "labels": ["LOC"]}}]}]}}. The first
 *       annotation that was not cancelled is used; tasks without one are skipped and counted.
 *       Results of other types (choices, relations, text areas) are ignored.
 *   <li>JSON-MIN: {@code {"text": ..., "label": [{"start": 0, "end": 5, "text": "Paris", "labels":
 *       ["LOC"]}]}}: the data fields at the top, one key per labelling control; every array of
 *       objects with {@code labels} is read.
 * </ul>
 *
 * Offsets count code points (Label Studio stores code points since its frontend fix for emoji,
 * label-studio-frontend pull request 308); each region's {@code text} is checked against them (see
 * {@link SpanResolver}). A region with several labels gives one span per label, which then overlap.
 * Line numbers in messages are where the task starts.
 */
public final class LabelStudioDocuments implements SpanDocumentReader {
  private static final Pattern LOCATION = Pattern.compile(" at line (\\d+) column (\\d+)");

  private final String source;
  private final SpanOptions options;
  private final JsonReader json;
  private SpanDocument pending;
  private boolean started;
  private boolean finished;
  private long tasks;
  private long skippedWithoutAnnotation;
  private long tasksWithSeveralAnnotations;

  public LabelStudioDocuments(InputStream in, String source, SpanOptions options) {
    this.source = source;
    this.options = options;
    PushbackInputStream bytes = new PushbackInputStream(in, 3);
    skipByteOrderMark(bytes);
    this.json = new JsonReader(new InputStreamReader(bytes, StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)));
    this.json.setStrictness(Strictness.STRICT);
  }

  @Override
  public String source() {
    return source;
  }

  @Override
  public boolean hasNext() {
    while (pending == null && !finished) {
      pending = read(); // null for a skipped task too; finished is set at the array's end
    }
    return pending != null;
  }

  @Override
  public SpanDocument next() {
    if (!hasNext()) {
      throw new NoSuchElementException("no more tasks in " + source);
    }
    SpanDocument document = pending;
    pending = null;
    return document;
  }

  @Override
  public List<String> notes() {
    List<String> notes = new ArrayList<>();
    if (skippedWithoutAnnotation > 0) {
      notes.add(skippedWithoutAnnotation + " of " + tasks + " tasks skipped: no annotation that was not cancelled");
    }
    if (tasksWithSeveralAnnotations > 0) {
      notes.add(tasksWithSeveralAnnotations + " tasks had several annotations: the first was used");
    }
    return notes;
  }

  /** The next task's document, or null for a skipped task and at the end of the array. */
  private SpanDocument read() {
    try {
      if (!started) {
        if (json.peek() != JsonToken.BEGIN_ARRAY) {
          throw new InputFormatException(source, line(), "a JSON array of tasks (Label Studio JSON or JSON-MIN export)",
              "a JSON " + json.peek().name().toLowerCase(java.util.Locale.ROOT) + " first");
        }
        json.beginArray();
        started = true;
      }
      if (!json.hasNext()) {
        json.endArray();
        if (json.peek() != JsonToken.END_DOCUMENT) {
          throw new InputFormatException(source, line(), "nothing after the array of tasks", "more JSON");
        }
        finished = true;
        return null;
      }
      long line = line();
      JsonElement task = JsonParser.parseReader(json);
      tasks++;
      if (!task.isJsonObject()) {
        throw new InputFormatException(source, line, "a task object", JsonValues.describe(task));
      }
      return toDocument(task.getAsJsonObject(), line);
    } catch (IOException | JsonParseException e) {
      throw malformed(e);
    }
  }

  private SpanDocument toDocument(JsonObject task, long line) {
    String textField = options.textFieldOrDefault();
    boolean full = task.has("data") || task.has("annotations");
    JsonObject data = task;
    if (full) {
      JsonElement dataValue = task.get("data");
      if (dataValue == null || !dataValue.isJsonObject()) {
        throw new InputFormatException(source, line, "a \"data\" object holding the task's text",
            dataValue == null ? "keys " + task.keySet() : JsonValues.describe(dataValue));
      }
      data = dataValue.getAsJsonObject();
    }
    JsonElement textValue = data.get(textField);
    if (textValue == null || !textValue.isJsonPrimitive() || !textValue.getAsJsonPrimitive().isString()) {
      throw new InputFormatException(source, line,
          "a string \"" + textField + "\" in the task's " + (full ? "data" : "fields") + " (--text_field names another)",
          textValue == null ? "keys " + data.keySet() : JsonValues.describe(textValue));
    }
    String text = textValue.getAsString();
    OffsetUnit unit = options.offsetUnit() != null ? options.offsetUnit() : OffsetUnit.CODE_POINTS;
    SpanResolver resolver = new SpanResolver(source, text, unit);
    List<AnnotatedSpan> spans = new ArrayList<>();
    if (full) {
      JsonArray result = chosenResult(task, line);
      if (result == null) {
        skippedWithoutAnnotation++;
        return null;
      }
      for (int i = 0; i < result.size(); i++) {
        JsonElement region = result.get(i);
        String name = "result[" + i + "]";
        if (!region.isJsonObject()) {
          throw new InputFormatException(source, line, "a result object at " + name, JsonValues.describe(region));
        }
        JsonElement value = region.getAsJsonObject().get("value");
        if (value != null && value.isJsonObject() && value.getAsJsonObject().has("labels")) {
          addRegion(resolver, value.getAsJsonObject(), name + ".value", line, spans);
        }
      }
    } else {
      for (String key : task.keySet()) {
        JsonElement value = task.get(key);
        if (!value.isJsonArray()) {
          continue;
        }
        JsonArray regions = value.getAsJsonArray();
        for (int i = 0; i < regions.size(); i++) {
          JsonElement region = regions.get(i);
          if (region.isJsonObject() && region.getAsJsonObject().has("labels")) {
            addRegion(resolver, region.getAsJsonObject(), key + "[" + i + "]", line, spans);
          }
        }
      }
    }
    return new SpanDocument(source, line, text, spans, unit);
  }

  /** The result list of the first annotation not cancelled, or null when there is none. */
  private JsonArray chosenResult(JsonObject task, long line) {
    JsonElement annotations = task.get("annotations");
    if (annotations == null) {
      return null;
    }
    if (!annotations.isJsonArray()) {
      throw new InputFormatException(source, line, "an \"annotations\" array", JsonValues.describe(annotations));
    }
    JsonArray chosen = null;
    int usable = 0;
    for (JsonElement annotation : annotations.getAsJsonArray()) {
      if (!annotation.isJsonObject()) {
        throw new InputFormatException(source, line, "annotation objects", JsonValues.describe(annotation));
      }
      JsonObject object = annotation.getAsJsonObject();
      JsonElement cancelled = object.get("was_cancelled");
      if (cancelled != null && cancelled.isJsonPrimitive() && cancelled.getAsBoolean()) {
        continue;
      }
      usable++;
      if (chosen == null) {
        JsonElement result = object.get("result");
        if (result == null || !result.isJsonArray()) {
          throw new InputFormatException(source, line, "a \"result\" array in each annotation",
              result == null ? "keys " + object.keySet() : JsonValues.describe(result));
        }
        chosen = result.getAsJsonArray();
      }
    }
    if (usable > 1) {
      tasksWithSeveralAnnotations++;
    }
    return chosen;
  }

  private void addRegion(SpanResolver resolver, JsonObject value, String name, long line, List<AnnotatedSpan> spans) {
    JsonElement start = value.get("start");
    JsonElement end = value.get("end");
    if (!isInteger(start) || !isInteger(end)) {
      throw new InputFormatException(source, line,
          "integer \"start\" and \"end\" character offsets in " + name + " (a Text tag's labels)",
          "keys " + value.keySet());
    }
    JsonElement labels = value.get("labels");
    if (!labels.isJsonArray() || labels.getAsJsonArray().isEmpty()) {
      throw new InputFormatException(source, line, "a non-empty \"labels\" array in " + name,
          JsonValues.describe(labels));
    }
    JsonElement claimed = value.get("text");
    String claimedText = claimed != null && claimed.isJsonPrimitive() && claimed.getAsJsonPrimitive().isString()
        ? claimed.getAsString() : null;
    for (JsonElement label : labels.getAsJsonArray()) {
      if (!label.isJsonPrimitive() || !label.getAsJsonPrimitive().isString()) {
        throw new InputFormatException(source, line, "string labels in " + name + ".labels",
            JsonValues.describe(label));
      }
      spans.add(resolver.resolve(line, name, start.getAsLong(), end.getAsLong(), label.getAsString(), claimedText));
    }
  }

  private static boolean isInteger(JsonElement value) {
    if (value == null || !value.isJsonPrimitive() || !value.getAsJsonPrimitive().isNumber()) {
      return false;
    }
    try {
      value.getAsBigDecimal().intValueExact();
      return true;
    } catch (ArithmeticException e) {
      return false;
    }
  }

  /** The reader's current line, from Gson's location string (1 when Gson does not give one). */
  private long line() {
    Matcher m = LOCATION.matcher(json.toString());
    return m.find() ? Long.parseLong(m.group(1)) : 1;
  }

  private InputFormatException malformed(Exception e) {
    if (e instanceof java.nio.charset.CharacterCodingException || e.getCause() instanceof java.nio.charset.CharacterCodingException) {
      return new InputFormatException(source, line(), "UTF-8 text", "an invalid UTF-8 sequence", e);
    }
    if (e instanceof IOException io && !(e instanceof com.google.gson.stream.MalformedJsonException)) {
      throw new UncheckedIOException("cannot read " + source, io);
    }
    return new InputFormatException(source, line(), "well-formed JSON", "malformed JSON (" + JsonValues.gsonReason(e) + ")", e);
  }

  private static void skipByteOrderMark(PushbackInputStream in) {
    try {
      byte[] head = new byte[3];
      int n = in.readNBytes(head, 0, 3);
      boolean bom = n == 3 && head[0] == (byte) 0xEF && head[1] == (byte) 0xBB && head[2] == (byte) 0xBF;
      if (!bom && n > 0) {
        in.unread(head, 0, n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      json.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close " + source, e);
    }
  }
}
