package dev.exprbert.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The number of token ids a Hugging Face {@code tokenizer.json} can produce (its highest id + 1 over
 * the model vocabulary and the added tokens), which is what an embedding table must hold. DJL's
 * tokenizer does not expose it, so it is read from the JSON.
 */
public final class TokenizerJsonVocabulary {
  private TokenizerJsonVocabulary() {}

  public static int size(Path tokenizerJson) {
    JsonObject root;
    try (Reader in = Files.newBufferedReader(tokenizerJson, StandardCharsets.UTF_8)) {
      root = JsonParser.parseReader(in).getAsJsonObject();
    } catch (IOException | JsonParseException | IllegalStateException e) {
      throw new IllegalArgumentException("Cannot read tokenizer file " + tokenizerJson + " as a JSON object: " + e.getMessage(), e);
    }
    long maxId = -1;
    JsonObject model = root.has("model") && root.get("model").isJsonObject() ? root.getAsJsonObject("model") : null;
    JsonElement vocab = model == null ? null : model.get("vocab");
    if (vocab == null) {
      throw new IllegalArgumentException("tokenizer file " + tokenizerJson + " has no model.vocab; expected a Hugging Face tokenizer.json"
          + " (WordPiece/BPE vocab object or Unigram vocab list)");
    }
    if (vocab.isJsonObject()) { // WordPiece, BPE, WordLevel: token -> id
      for (Map.Entry<String, JsonElement> e : vocab.getAsJsonObject().entrySet()) {
        maxId = Math.max(maxId, e.getValue().getAsLong());
      }
    } else if (vocab.isJsonArray()) { // Unigram: [token, score] pairs, the id is the index
      maxId = vocab.getAsJsonArray().size() - 1L;
    }
    if (root.has("added_tokens") && root.get("added_tokens").isJsonArray()) {
      JsonArray added = root.getAsJsonArray("added_tokens");
      for (JsonElement token : added) {
        maxId = Math.max(maxId, token.getAsJsonObject().get("id").getAsLong());
      }
    }
    if (maxId < 0) {
      throw new IllegalArgumentException("tokenizer file " + tokenizerJson + " defines no tokens; expected a non-empty model.vocab");
    }
    return Math.toIntExact(maxId + 1);
  }
}
