package dev.exprbert.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Checks on a tokenizer.json that the Rust tokenizers library accepts when it loads a file but turns
 * into a failure later, when text is encoded.
 *
 * <p>[note: panics end the JVM] A Rust panic inside a JNI call aborts the whole process (exit 134): the
 * tokenizers build inside DJL's jar panics ({@code expect}) in {@code TemplateProcessing::apply_template}
 * when a template names a special token that {@code special_tokens} lacks, and the file still
 * deserializes (also when its "type" is missing). So that is checked here, in Java, before the native
 * tokenizer exists. A WordPiece
 * {@code unk_token} missing from the vocabulary only makes encoding fail with an error, but on the
 * first unknown word, long after loading; it is reported at load time instead.
 */
final class TokenizerJsonChecks {
  private TokenizerJsonChecks() {}

  static void check(JsonObject tokenizerJson, Path file) throws IOException {
    checkPostProcessor(tokenizerJson.get("post_processor"), file, "post_processor");
    checkUnknownToken(tokenizerJson, file);
  }

  /** TemplateProcessing (also inside a Sequence of processors): every templated special token is defined. */
  private static void checkPostProcessor(JsonElement processor, Path file, String where) throws IOException {
    if (processor == null || !processor.isJsonObject()) {
      return; // absent, or malformed in a way the tokenizers library reports itself
    }
    JsonObject p = processor.getAsJsonObject();
    // Judged by shape, not by "type": the library also accepts a processor whose type is missing or
    // null and picks the variant whose fields match.
    if (p.get("processors") instanceof JsonArray list) {
      for (int i = 0; i < list.size(); i++) {
        checkPostProcessor(list.get(i), file, where + ".processors[" + i + "]");
      }
    }
    JsonObject specials = p.get("special_tokens") instanceof JsonObject o ? o : new JsonObject();
    for (String template : new String[] {"single", "pair"}) {
      if (!(p.get(template) instanceof JsonArray pieces)) {
        continue;
      }
      for (JsonElement piece : pieces) {
        if (piece.isJsonObject() && piece.getAsJsonObject().get("SpecialToken") instanceof JsonObject special) {
          String id = string(special.get("id"));
          if (id != null && !specials.has(id)) {
            throw new IOException(file + ": " + where + "." + template + " uses the special token \"" + id
                + "\", which " + where + ".special_tokens does not define (it defines " + specials.keySet() + ")");
          }
        }
      }
    }
    for (String name : specials.keySet()) {
      JsonElement entry = specials.get(name);
      if (entry.isJsonObject() && entry.getAsJsonObject().get("ids") instanceof JsonArray ids
          && entry.getAsJsonObject().get("tokens") instanceof JsonArray tokens && ids.size() != tokens.size()) {
        throw new IOException(file + ": " + where + ".special_tokens[\"" + name + "\"] has " + ids.size() + " ids but "
            + tokens.size() + " tokens; expected one id per token");
      }
    }
  }

  private static void checkUnknownToken(JsonObject tokenizerJson, Path file) throws IOException {
    if (!(tokenizerJson.get("model") instanceof JsonObject model) || !"WordPiece".equals(string(model.get("type")))
        || !(model.get("vocab") instanceof JsonObject vocab)) {
      return;
    }
    String unk = string(model.get("unk_token"));
    if (unk != null && !vocab.has(unk)) {
      throw new IOException(file + ": model.unk_token \"" + unk + "\" is not in model.vocab; every word the vocabulary"
          + " cannot spell would fail to encode");
    }
  }

  private static String string(JsonElement e) {
    return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString() ? e.getAsString() : null;
  }
}
