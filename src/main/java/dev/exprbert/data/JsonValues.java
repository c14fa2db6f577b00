package dev.exprbert.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;

/**
 * Strict JSON parsing of one line and short descriptions of JSON values for error messages, shared
 * by the JSON Lines readers (tokens + tags, and character-offset spans).
 *
 * <p>Parsing is strict JSON (no comments, unquoted names or trailing data), unlike Gson's lenient
 * default, so a damaged line is reported instead of half-read.
 */
public final class JsonValues {
  private JsonValues() {}

  /**
   * The JSON object on {@code line}.
   *
   * @throws InputFormatException naming {@code source}:line when the line is not exactly one object
   */
  public static JsonObject parseLineObject(String source, NumberedLine line) {
    JsonElement element;
    try {
      JsonReader reader = new JsonReader(new StringReader(line.text()));
      reader.setStrictness(Strictness.STRICT);
      element = JsonParser.parseReader(reader);
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        throw new InputFormatException(
            source, line.number(), "one JSON object per line", "more text after the object");
      }
    } catch (JsonParseException | IOException e) {
      throw new InputFormatException(
          source, line.number(), "one JSON object per line",
          "malformed JSON (" + gsonReason(e) + "): " + InputFormatException.quote(line.text()), e);
    }
    if (!element.isJsonObject()) {
      String hint = element.isJsonArray() && line.number() == 1
          ? " (a JSON file holding one array is not JSON Lines: convert it with jq -c '.[]')"
          : "";
      throw new InputFormatException(
          source, line.number(), "one JSON object per line", describe(element) + hint);
    }
    return element.getAsJsonObject();
  }

  /** "null", "an array", "an object", "the string \"x\"", "the number 3", "the boolean true". */
  public static String describe(JsonElement element) {
    if (element == null || element.isJsonNull()) {
      return "null";
    }
    if (element.isJsonArray()) {
      return "an array";
    }
    if (element.isJsonObject()) {
      return "an object";
    }
    JsonPrimitive value = element.getAsJsonPrimitive();
    String shown = value.toString();
    if (shown.length() > 60) {
      shown = shown.substring(0, 60) + "...";
    }
    if (value.isString()) {
      return "the string " + shown;
    }
    return (value.isNumber() ? "the number " : "the boolean ") + shown;
  }

  /** Gson's reason without its troubleshooting link, with "line 1" dropped (we parse one line). */
  public static String gsonReason(Exception e) {
    // Gson wraps its MalformedJsonException, whose message is the useful one.
    Throwable innermost = e;
    while (innermost.getCause() != null && innermost.getCause().getMessage() != null) {
      innermost = innermost.getCause();
    }
    String message = innermost.getMessage() == null
        ? innermost.getClass().getSimpleName()
        : innermost.getMessage();
    int newline = message.indexOf('\n');
    if (newline >= 0) {
      message = message.substring(0, newline);
    }
    return message.replace(" at line 1 column ", " at column ");
  }
}
