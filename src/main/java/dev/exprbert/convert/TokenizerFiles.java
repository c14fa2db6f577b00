package dev.exprbert.convert;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.exprbert.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the tokenizer half of a Hugging Face directory: {@code tokenizer.json} byte for byte, and a
 * {@code tokenizer_config.json} that states what the tokenizer.json's normalizer already does.
 *
 * <p>[note: stating the normalizer] transformers' {@code BertTokenizerFast.__init__} rebuilds the
 * BertNormalizer whenever do_lower_case, strip_accents or tokenize_chinese_chars (defaults true, null,
 * true) differ from it. A config that is silent would therefore lower-case a cased tokenizer.json, so
 * the three values are copied from the normalizer itself.
 */
final class TokenizerFiles {
  static final String TOKENIZER_JSON = "tokenizer.json";
  static final String TOKENIZER_CONFIG = "tokenizer_config.json";

  private TokenizerFiles() {}

  /** Copies {@code tokenizerJson} into {@code dir} and writes the matching tokenizer_config.json. */
  static void write(Path tokenizerJson, Path dir, int modelMaxLength) throws IOException {
    byte[] bytes = Files.readAllBytes(tokenizerJson);
    JsonObject root;
    try {
      JsonElement parsed = JsonParser.parseString(new String(bytes, StandardCharsets.UTF_8));
      if (!parsed.isJsonObject()) {
        throw new IllegalArgumentException("tokenizer " + tokenizerJson + " is not a JSON object; expected a Hugging Face tokenizer.json");
      }
      root = parsed.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new IllegalArgumentException("tokenizer " + tokenizerJson + " is not valid JSON: " + e.getMessage(), e);
    }
    AtomicFiles.write(dir.resolve(TOKENIZER_JSON), channel -> {
      java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    });
    AtomicFiles.writeString(dir.resolve(TOKENIZER_CONFIG), tokenizerConfig(root, modelMaxLength));
  }

  static String tokenizerConfig(JsonObject tokenizerJson, int modelMaxLength) {
    JsonObject config = new JsonObject();
    JsonObject bert = bertNormalizer(tokenizerJson);
    config.addProperty("do_lower_case", lowercases(tokenizerJson));
    if (bert != null) {
      config.add("strip_accents", orNull(bert.get("strip_accents")));
      config.add("tokenize_chinese_chars", bert.has("handle_chinese_chars") ? bert.get("handle_chinese_chars") : JsonNull.INSTANCE);
    }
    config.addProperty("model_max_length", modelMaxLength);
    if (isWordPiece(tokenizerJson)) {
      config.addProperty("tokenizer_class", "BertTokenizer");
    }
    return new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create().toJson(config) + "\n";
  }

  /** True when the normalizer lower-cases: a BertNormalizer with lowercase, or a Lowercase step in a Sequence. */
  static boolean lowercases(JsonObject tokenizerJson) {
    JsonElement normalizer = tokenizerJson.get("normalizer");
    return normalizer != null && normalizerLowercases(normalizer);
  }

  private static boolean normalizerLowercases(JsonElement normalizer) {
    if (!normalizer.isJsonObject()) {
      return false;
    }
    JsonObject n = normalizer.getAsJsonObject();
    String type = n.has("type") && n.get("type").isJsonPrimitive() ? n.get("type").getAsString() : "";
    switch (type) {
      case "BertNormalizer":
        return n.has("lowercase") && n.get("lowercase").isJsonPrimitive() && n.get("lowercase").getAsBoolean();
      case "Lowercase":
        return true;
      case "Sequence":
        if (n.has("normalizers") && n.get("normalizers").isJsonArray()) {
          for (JsonElement step : n.getAsJsonArray("normalizers")) {
            if (normalizerLowercases(step)) {
              return true;
            }
          }
        }
        return false;
      default:
        return false;
    }
  }

  private static JsonObject bertNormalizer(JsonObject tokenizerJson) {
    JsonElement normalizer = tokenizerJson.get("normalizer");
    if (normalizer != null && normalizer.isJsonObject()) {
      JsonElement type = normalizer.getAsJsonObject().get("type");
      if (type != null && type.isJsonPrimitive() && "BertNormalizer".equals(type.getAsString())) {
        return normalizer.getAsJsonObject();
      }
    }
    return null;
  }

  private static boolean isWordPiece(JsonObject tokenizerJson) {
    JsonElement model = tokenizerJson.get("model");
    if (model == null || !model.isJsonObject()) {
      return false;
    }
    JsonElement type = model.getAsJsonObject().get("type");
    return type != null && type.isJsonPrimitive() && "WordPiece".equals(type.getAsString());
  }

  private static JsonElement orNull(JsonElement e) {
    return e == null ? JsonNull.INSTANCE : e;
  }
}
