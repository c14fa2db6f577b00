package dev.exprbert.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What {@code tokenizer_config.json} and {@code special_tokens_map.json} say about a BERT
 * tokenizer, with HF's {@code BertTokenizer} defaults where they are silent.
 *
 * <p>{@code null} in the {@code explicit*} fields means "the files did not say", which matters: a
 * tokenizer.json normalizer is only overridden by settings the config states (see {@link
 * BertTokenizerJson#applyConfigOverrides}). Special tokens from special_tokens_map.json win over
 * tokenizer_config.json, as in transformers' {@code from_pretrained}.
 */
record TokenizerSettings(
    Boolean explicitDoLowerCase,
    Boolean explicitStripAccents,
    Boolean explicitTokenizeChineseChars,
    OptionalInt modelMaxLength,
    String unkToken,
    String sepToken,
    String padToken,
    String clsToken,
    String maskToken,
    boolean statesPadToken) {

  static final String TOKENIZER_CONFIG = "tokenizer_config.json";
  static final String SPECIAL_TOKENS_MAP = "special_tokens_map.json";

  /** transformers writes int(1e30) (VERY_LARGE_INTEGER) when a model sets no limit. */
  private static final double NO_LIMIT_THRESHOLD = Integer.MAX_VALUE;

  /** HF BertTokenizer: do_lower_case defaults to true. */
  boolean doLowerCase() {
    return explicitDoLowerCase == null || explicitDoLowerCase;
  }

  /** HF BertTokenizer: tokenize_chinese_chars defaults to true. */
  boolean tokenizeChineseChars() {
    return explicitTokenizeChineseChars == null || explicitTokenizeChineseChars;
  }

  /** Reads the optional config files of {@code dir}; absent files give HF's defaults. */
  static TokenizerSettings read(Path dir) throws IOException {
    JsonObject config = readOptionalObject(dir.resolve(TOKENIZER_CONFIG));
    JsonObject specialMap = readOptionalObject(dir.resolve(SPECIAL_TOKENS_MAP));
    Path configFile = dir.resolve(TOKENIZER_CONFIG);
    return new TokenizerSettings(
        optionalBoolean(config, "do_lower_case", configFile),
        optionalBoolean(config, "strip_accents", configFile),
        optionalBoolean(config, "tokenize_chinese_chars", configFile),
        modelMaxLength(config, configFile),
        token(specialMap, config, dir, "unk_token", "[UNK]"),
        token(specialMap, config, dir, "sep_token", "[SEP]"),
        token(specialMap, config, dir, "pad_token", "[PAD]"),
        token(specialMap, config, dir, "cls_token", "[CLS]"),
        token(specialMap, config, dir, "mask_token", "[MASK]"),
        specialMap.has("pad_token") || config.has("pad_token"));
  }

  private static JsonObject readOptionalObject(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return new JsonObject();
    }
    String text = Files.readString(file, StandardCharsets.UTF_8);
    try {
      JsonElement parsed = JsonParser.parseString(text);
      if (!parsed.isJsonObject()) {
        throw new IOException(file + ": expected a JSON object at the top level, found " + kind(parsed));
      }
      return parsed.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
    }
  }

  private static Boolean optionalBoolean(JsonObject config, String key, Path file) throws IOException {
    JsonElement value = config.get(key);
    if (value == null || value.isJsonNull()) {
      return null;
    }
    if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isBoolean()) {
      return value.getAsBoolean();
    }
    throw new IOException(file + ": \"" + key + "\" must be true, false or null, found " + value);
  }

  private static OptionalInt modelMaxLength(JsonObject config, Path file) throws IOException {
    JsonElement value = config.get("model_max_length");
    if (value == null || value.isJsonNull()) {
      return OptionalInt.empty();
    }
    if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isNumber()) {
      throw new IOException(file + ": \"model_max_length\" must be a number, found " + value);
    }
    double length = value.getAsDouble();
    if (length >= NO_LIMIT_THRESHOLD) {
      return OptionalInt.empty();
    }
    if (length < 1 || length != Math.rint(length)) {
      throw new IOException(file + ": \"model_max_length\" must be a positive integer, found " + value);
    }
    return OptionalInt.of((int) length);
  }

  /** A special token is a string or an AddedToken object {"content": ...}. */
  private static String token(
      JsonObject specialMap, JsonObject config, Path dir, String key, String fallback)
      throws IOException {
    Optional<String> fromMap = tokenContent(specialMap.get(key), key, dir.resolve(SPECIAL_TOKENS_MAP));
    if (fromMap.isPresent()) {
      return fromMap.get();
    }
    return tokenContent(config.get(key), key, dir.resolve(TOKENIZER_CONFIG)).orElse(fallback);
  }

  private static Optional<String> tokenContent(JsonElement value, String key, Path file)
      throws IOException {
    if (value == null || value.isJsonNull()) {
      return Optional.empty();
    }
    if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isString()) {
      return Optional.of(value.getAsString());
    }
    if (value.isJsonObject() && value.getAsJsonObject().has("content")) {
      return Optional.of(value.getAsJsonObject().get("content").getAsString());
    }
    throw new IOException(
        file + ": \"" + key + "\" must be a string or an object with \"content\", found " + value);
  }

  private static String kind(JsonElement element) {
    if (element.isJsonArray()) {
      return "an array";
    }
    return element.isJsonNull() ? "null" : "a " + element.getClass().getSimpleName();
  }
}
