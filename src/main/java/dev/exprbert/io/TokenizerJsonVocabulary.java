package dev.exprbert.io;

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
    JsonElement root;
    try (Reader in = Files.newBufferedReader(tokenizerJson, StandardCharsets.UTF_8)) {
      root = JsonParser.parseReader(in);
    } catch (IOException | JsonParseException e) {
      throw new IllegalArgumentException("Cannot read tokenizer file " + tokenizerJson + " as a JSON object: " + e.getMessage(), e);
    }
    if (!root.isJsonObject()) {
      throw new IllegalArgumentException("Cannot read tokenizer file " + tokenizerJson + " as a JSON object: it holds "
          + (root.isJsonArray() ? "an array" : "a single value"));
    }
    return size(root.getAsJsonObject(), tokenizerJson);
  }

  /**
   * The id count of a parsed tokenizer.json.
   *
   * @throws IllegalArgumentException naming {@code file} when the vocabulary is missing, empty or holds
   *     ids that are not integers in [0, 2^31 - 1)
   */
  public static int size(JsonObject root, Path file) {
    long maxId = -1;
    JsonObject model = root.has("model") && root.get("model").isJsonObject() ? root.getAsJsonObject("model") : null;
    JsonElement vocab = model == null ? null : model.get("vocab");
    if (vocab == null) {
      throw new IllegalArgumentException("tokenizer file " + file + " has no model.vocab; expected a Hugging Face tokenizer.json"
          + " (WordPiece/BPE vocab object or Unigram vocab list)");
    }
    if (vocab.isJsonObject()) { // WordPiece, BPE, WordLevel: token -> id
      for (Map.Entry<String, JsonElement> e : vocab.getAsJsonObject().entrySet()) {
        maxId = Math.max(maxId, id(e.getValue(), file, "model.vocab[\"" + e.getKey() + "\"]"));
      }
    } else if (vocab.isJsonArray()) { // Unigram: [token, score] pairs, the id is the index
      maxId = vocab.getAsJsonArray().size() - 1L;
    }
    JsonElement added = root.get("added_tokens");
    if (added != null && added.isJsonArray()) {
      int i = 0;
      for (JsonElement token : added.getAsJsonArray()) {
        JsonElement id = token.isJsonObject() ? token.getAsJsonObject().get("id") : null;
        maxId = Math.max(maxId, id(id, file, "added_tokens[" + i++ + "].id"));
      }
    }
    if (maxId < 0) {
      throw new IllegalArgumentException("tokenizer file " + file + " defines no tokens; expected a non-empty model.vocab");
    }
    return (int) (maxId + 1);
  }

  private static long id(JsonElement value, Path file, String where) {
    if (value != null && value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber()) {
      try {
        long id = value.getAsBigDecimal().longValueExact();
        if (id >= 0 && id < Integer.MAX_VALUE) {
          return id;
        }
      } catch (ArithmeticException | NumberFormatException e) {
        // reported below
      }
    }
    throw new IllegalArgumentException("tokenizer file " + file + ": " + where + " is " + value
        + "; expected a token id, an integer in [0, " + (Integer.MAX_VALUE - 1) + "]");
  }
}
