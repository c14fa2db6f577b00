package dev.exprbert.data;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads JSON Lines: one JSON object per line, e.g. {@code {"tokens": ["A", "b"], "ner_tags":
 * ["B-X", "O"]}}. Blank lines are skipped.
 *
 * <ul>
 *   <li>Field names are configurable. By default the tokens are {@code tokens}, or Hugging Face's
 *       {@code words} when {@code tokens} is absent, and the tags {@code ner_tags}, or {@code ner}.
 *   <li>Tags are strings, or integers indexing a label list given in the options (the form {@code
 *       datasets} exports a {@code ClassLabel} in); an integer outside the list is an error.
 *   <li>Token and tag arrays must have the same length and hold at least one token.
 *   <li>Parsing is strict JSON ({@link JsonValues#parseLineObject}).
 * </ul>
 */
public final class JsonlReader extends LineSentenceReader {
  private static final String DEFAULT_TOKENS = "tokens";
  private static final String HF_TOKENS = "words";
  private static final String DEFAULT_TAGS = "ner_tags";
  private static final String HF_TAGS = "ner";

  private final String tokensField;
  private final String tagsField;
  private final List<String> labelNames;
  private final boolean tagsRequired;

  JsonlReader(Utf8LineReader lines, ReaderOptions options) {
    super(lines);
    this.tokensField = options.tokensField();
    this.tagsField = options.tagsField();
    this.labelNames = options.labelNames();
    this.tagsRequired = options.tagsRequired();
  }

  @Override
  protected String sentenceShape() {
    return "one JSON object per line with " + describeTokensField() + " and " + describeTagsField()
        + " arrays";
  }

  @Override
  protected LabeledSentence readSentence() {
    for (NumberedLine line = lines.readLine(); line != null; line = lines.readLine()) {
      if (!line.isBlank()) {
        return toSentence(JsonValues.parseLineObject(lines.source(), line), line.number());
      }
    }
    return null;
  }

  private LabeledSentence toSentence(JsonObject record, long line) {
    String tokensName = pickField(record, tokensField, DEFAULT_TOKENS, HF_TOKENS);
    if (tokensName == null) {
      throw error(line, "a field " + describeTokensField(), "fields " + record.keySet());
    }
    JsonArray tokenArray = array(record, tokensName, line);
    if (tokenArray.isEmpty()) {
      throw error(line, "at least one token in \"" + tokensName + "\"", "an empty array");
    }
    List<String> words = new ArrayList<>(tokenArray.size());
    for (int i = 0; i < tokenArray.size(); i++) {
      JsonElement token = tokenArray.get(i);
      if (!token.isJsonPrimitive() || !token.getAsJsonPrimitive().isString()) {
        throw error(line, "a string at " + tokensName + "[" + i + "]", kind(token));
      }
      words.add(token.getAsString());
    }

    String tagsName = pickField(record, tagsField, DEFAULT_TAGS, HF_TAGS);
    if (tagsName == null) {
      if (tagsRequired) {
        throw error(line, "a field " + describeTagsField(), "fields " + record.keySet());
      }
      return new LabeledSentence(words, null, lines.source(), line);
    }
    JsonArray tagArray = array(record, tagsName, line);
    if (tagArray.size() != words.size()) {
      throw error(
          line,
          "as many tags as tokens (\"" + tagsName + "\" against \"" + tokensName + "\")",
          words.size() + " tokens and " + tagArray.size() + " tags");
    }
    List<String> tags = new ArrayList<>(tagArray.size());
    for (int i = 0; i < tagArray.size(); i++) {
      tags.add(tag(tagArray.get(i), tagsName + "[" + i + "]", line));
    }
    return new LabeledSentence(words, tags, lines.source(), line);
  }

  private String tag(JsonElement element, String where, long line) {
    if (element.isJsonPrimitive()) {
      JsonPrimitive value = element.getAsJsonPrimitive();
      if (value.isString()) {
        return value.getAsString();
      }
      if (value.isNumber()) {
        if (labelNames == null) {
          throw error(
              line,
              "a string tag at " + where + " (integer tags need the label list, e.g. from the "
                  + "dataset's ClassLabel names)",
              "the integer " + value);
        }
        BigDecimal number = value.getAsBigDecimal();
        int index = -1;
        try {
          index = number.intValueExact();
        } catch (ArithmeticException notAnInt) {
          // falls through to the range error below with index -1
        }
        if (index < 0 || index >= labelNames.size()) {
          throw error(
              line,
              "a tag index in [0, " + labelNames.size() + ") at " + where + " (labels "
                  + labelNames + ")",
              value.toString());
        }
        return labelNames.get(index);
      }
    }
    throw error(line, "a string or integer tag at " + where, kind(element));
  }

  /** The field to read: the configured one, else the default, else the Hugging Face name. */
  private static String pickField(
      JsonObject record, String configured, String preferred, String fallback) {
    if (configured != null) {
      return record.has(configured) ? configured : null;
    }
    if (record.has(preferred)) {
      return preferred;
    }
    return record.has(fallback) ? fallback : null;
  }

  private JsonArray array(JsonObject record, String field, long line) {
    JsonElement value = record.get(field);
    if (!value.isJsonArray()) {
      throw error(line, "an array in \"" + field + "\"", kind(value));
    }
    return value.getAsJsonArray();
  }

  private String describeTokensField() {
    return tokensField != null
        ? "\"" + tokensField + "\""
        : "\"" + DEFAULT_TOKENS + "\" (or \"" + HF_TOKENS + "\")";
  }

  private String describeTagsField() {
    return tagsField != null
        ? "\"" + tagsField + "\""
        : "\"" + DEFAULT_TAGS + "\" (or \"" + HF_TAGS + "\")";
  }

  private static String kind(JsonElement element) {
    return JsonValues.describe(element);
  }

  private InputFormatException error(long line, String expected, String found) {
    return new InputFormatException(lines.source(), line, expected, found);
  }
}
