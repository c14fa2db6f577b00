package dev.exprbert.serve;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.exprbert.infer.Aggregation;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The body of {@code POST /v1/tag}: one item {@code {"text": "..."}} or {@code {"words": ["...", ...]}}, or a JSON
 * array of such items; each item may name its {@code "aggregation"} (none, simple, first, average, max; default:
 * the server's). Anything else is refused with a one-line reason ({@link Invalid}), never guessed at: unknown
 * fields, both or neither of text and words, wrong types, empty words, invalid UTF-8, trailing data.
 *
 * @param batch whether the body was an array (the answer is then an array, else one object)
 */
record TagRequest(List<Item> items, boolean batch) {
  private static final Set<String> FIELDS = Set.of("text", "words", "aggregation");

  /** One sentence to tag: raw text or pre-split words (exactly one is set). */
  record Item(String text, List<String> words, Aggregation aggregation) {}

  /** A malformed request; the message is the one-line reason sent back with HTTP 400. */
  static final class Invalid extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Invalid(String message) {
      super(message);
    }
  }

  static TagRequest parse(byte[] body, Aggregation defaultAggregation) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
    } catch (CharacterCodingException e) {
      throw new Invalid("the body is not valid UTF-8");
    }
    if (text.isBlank()) {
      throw new Invalid("the body is empty; expected an object {\"text\": ...} or {\"words\": [...]}, or an array of them");
    }
    JsonElement root;
    try (JsonReader reader = new JsonReader(new StringReader(text))) {
      reader.setStrictness(Strictness.STRICT); // no unquoted names, single quotes or trailing commas
      root = JsonParser.parseReader(reader);
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        throw new Invalid("the body has data after its JSON value");
      }
    } catch (JsonParseException | IOException | IllegalStateException e) {
      Throwable cause = e instanceof JsonParseException && e.getCause() != null ? e.getCause() : e;
      throw new Invalid("the body is not valid JSON: " + oneLine(cause.getMessage()));
    }
    if (root.isJsonObject()) {
      return new TagRequest(List.of(item(root.getAsJsonObject(), "", defaultAggregation)), false);
    }
    if (root.isJsonArray()) {
      JsonArray array = root.getAsJsonArray();
      if (array.isEmpty()) {
        throw new Invalid("the array is empty; expected at least one {\"text\": ...} or {\"words\": [...]} item");
      }
      List<Item> items = new ArrayList<>(array.size());
      for (int i = 0; i < array.size(); i++) {
        if (!array.get(i).isJsonObject()) {
          throw new Invalid("item " + i + " is " + kind(array.get(i)) + "; expected an object {\"text\": ...} or {\"words\": [...]}");
        }
        items.add(item(array.get(i).getAsJsonObject(), "item " + i + ": ", defaultAggregation));
      }
      return new TagRequest(items, true);
    }
    throw new Invalid("the body is " + kind(root) + "; expected an object {\"text\": ...} or {\"words\": [...]}, or an array of them");
  }

  private static Item item(JsonObject o, String where, Aggregation defaultAggregation) {
    for (String key : o.keySet()) {
      if (!FIELDS.contains(key)) {
        throw new Invalid(where + "unknown field \"" + key + "\"; expected \"text\" or \"words\", and optionally \"aggregation\"");
      }
    }
    boolean hasText = o.has("text");
    boolean hasWords = o.has("words");
    if (hasText == hasWords) {
      throw new Invalid(where + (hasText ? "both \"text\" and \"words\" are given" : "neither \"text\" nor \"words\" is given")
          + "; expected exactly one");
    }
    Aggregation aggregation = defaultAggregation;
    if (o.has("aggregation")) {
      JsonElement a = o.get("aggregation");
      if (!a.isJsonPrimitive() || !a.getAsJsonPrimitive().isString()) {
        throw new Invalid(where + "\"aggregation\" is " + kind(a) + "; expected a string: none, simple, first, average or max");
      }
      try {
        aggregation = Aggregation.parse(a.getAsString());
      } catch (IllegalArgumentException e) {
        throw new Invalid(where + e.getMessage());
      }
    }
    if (hasText) {
      JsonElement t = o.get("text");
      if (!t.isJsonPrimitive() || !t.getAsJsonPrimitive().isString()) {
        throw new Invalid(where + "\"text\" is " + kind(t) + "; expected a string");
      }
      return new Item(t.getAsString(), null, aggregation);
    }
    JsonElement w = o.get("words");
    if (!w.isJsonArray()) {
      throw new Invalid(where + "\"words\" is " + kind(w) + "; expected an array of strings");
    }
    List<String> words = new ArrayList<>();
    JsonArray array = w.getAsJsonArray();
    for (int i = 0; i < array.size(); i++) {
      JsonElement word = array.get(i);
      if (!word.isJsonPrimitive() || !word.getAsJsonPrimitive().isString()) {
        throw new Invalid(where + "\"words\"[" + i + "] is " + kind(word) + "; expected a string");
      }
      if (word.getAsString().isEmpty()) {
        throw new Invalid(where + "\"words\"[" + i + "] is empty; expected a word of at least one character");
      }
      words.add(word.getAsString());
    }
    return new Item(null, words, aggregation);
  }

  private static String kind(JsonElement e) {
    if (e.isJsonNull()) {
      return "null";
    }
    if (e.isJsonArray()) {
      return "an array";
    }
    if (e.isJsonObject()) {
      return "an object";
    }
    var p = e.getAsJsonPrimitive();
    return p.isBoolean() ? "a boolean" : p.isNumber() ? "a number" : "a string";
  }

  /** Gson's message without its advice to parse leniently and its troubleshooting link. */
  private static String oneLine(String s) {
    if (s == null) {
      return "";
    }
    return s.replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON", "malformed JSON")
        .replaceAll("See https?://\\S+", "").replaceAll("\\s+", " ").trim();
  }
}
