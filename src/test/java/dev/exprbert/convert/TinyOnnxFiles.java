package dev.exprbert.convert;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.exprbert.io.onnx.TinyBertOnnx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The importer tests' tiny BERT graph (vocabulary 11) and WordPiece tokenizer.json files of any size to go with it. */
public final class TinyOnnxFiles {
  public static final int VOCAB = 11;

  private TinyOnnxFiles() {}

  public static Path onnx(Path dir) throws IOException {
    return new TinyBertOnnx().write(Files.createDirectories(dir));
  }

  /**
   * A BERT WordPiece tokenizer.json with {@code size} ids: the five specials, then words w5, w6...
   *
   * @param lowercase the BertNormalizer's lowercase flag
   */
  public static Path tokenizerJson(Path file, int size, boolean lowercase) throws IOException {
    JsonObject vocab = new JsonObject();
    String[] specials = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
    for (int id = 0; id < size; id++) {
      vocab.addProperty(id < specials.length ? specials[id] : "w" + id, id);
    }
    JsonObject model = new JsonObject();
    model.addProperty("type", "WordPiece");
    model.addProperty("unk_token", "[UNK]");
    model.addProperty("continuing_subword_prefix", "##");
    model.addProperty("max_input_chars_per_word", 100);
    model.add("vocab", vocab);
    JsonObject normalizer = new JsonObject();
    normalizer.addProperty("type", "BertNormalizer");
    normalizer.addProperty("clean_text", true);
    normalizer.addProperty("handle_chinese_chars", true);
    normalizer.addProperty("strip_accents", false);
    normalizer.addProperty("lowercase", lowercase);
    JsonObject preTokenizer = new JsonObject();
    preTokenizer.addProperty("type", "BertPreTokenizer");
    JsonObject root = new JsonObject();
    root.addProperty("version", "1.0");
    root.add("added_tokens", new JsonArray());
    root.add("normalizer", normalizer);
    root.add("pre_tokenizer", preTokenizer);
    root.add("model", model);
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, new GsonBuilder().setPrettyPrinting().create().toJson(root));
    return file;
  }
}
