package dev.exprbert.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Path;

/** Finds the pad token's id in a tokenizer.json: its padding section, added tokens, or vocab. */
final class PadTokenLookup {
  private PadTokenLookup() {}

  /**
   * The id, or null when the tokenizer does not know {@code padToken}.
   *
   * @throws IllegalArgumentException naming {@code file} when an id there is not a non-negative integer
   */
  static Integer padTokenId(JsonObject tokenizerJson, String padToken, Path file) {
    JsonElement padding = tokenizerJson.get("padding");
    if (padding != null && padding.isJsonObject() && padding.getAsJsonObject().has("pad_id")) {
      return id(padding.getAsJsonObject().get("pad_id"), file, "padding.pad_id");
    }
    JsonElement added = tokenizerJson.get("added_tokens");
    if (added != null && added.isJsonArray()) {
      int i = 0;
      for (JsonElement token : added.getAsJsonArray()) {
        JsonElement content = token.isJsonObject() ? token.getAsJsonObject().get("content") : null;
        if (content != null && content.isJsonPrimitive() && padToken.equals(content.getAsString())) {
          return id(token.getAsJsonObject().get("id"), file, "added_tokens[" + i + "].id");
        }
        i++;
      }
    }
    JsonElement model = tokenizerJson.get("model");
    if (model != null && model.isJsonObject()) {
      JsonElement vocab = model.getAsJsonObject().get("vocab");
      if (vocab != null && vocab.isJsonObject() && vocab.getAsJsonObject().has(padToken)) {
        return id(vocab.getAsJsonObject().get(padToken), file, "model.vocab[\"" + padToken + "\"]");
      }
    }
    return null;
  }

  private static int id(JsonElement value, Path file, String where) {
    if (value != null && value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber()) {
      try {
        int id = value.getAsBigDecimal().intValueExact();
        if (id >= 0) {
          return id;
        }
      } catch (ArithmeticException | NumberFormatException e) {
        // reported below
      }
    }
    throw new IllegalArgumentException(file + ": " + where + " is " + value + "; expected a token id (an integer >= 0)");
  }
}
