package dev.exprbert.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/** Finds the pad token's id in a tokenizer.json: its padding section, added tokens, or vocab. */
final class PadTokenLookup {
  private PadTokenLookup() {}

  /** The id, or null when the tokenizer does not know {@code padToken}. */
  static Integer padTokenId(JsonObject tokenizerJson, String padToken) {
    JsonElement padding = tokenizerJson.get("padding");
    if (padding != null && padding.isJsonObject() && padding.getAsJsonObject().has("pad_id")) {
      return padding.getAsJsonObject().get("pad_id").getAsInt();
    }
    JsonElement added = tokenizerJson.get("added_tokens");
    if (added != null && added.isJsonArray()) {
      for (JsonElement token : added.getAsJsonArray()) {
        JsonObject object = token.getAsJsonObject();
        if (padToken.equals(object.get("content").getAsString())) {
          return object.get("id").getAsInt();
        }
      }
    }
    JsonElement model = tokenizerJson.get("model");
    if (model != null && model.isJsonObject()) {
      JsonElement vocab = model.getAsJsonObject().get("vocab");
      if (vocab != null && vocab.isJsonObject() && vocab.getAsJsonObject().has(padToken)) {
        return vocab.getAsJsonObject().get(padToken).getAsInt();
      }
    }
    return null;
  }
}
