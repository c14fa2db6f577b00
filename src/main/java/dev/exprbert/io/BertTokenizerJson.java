package dev.exprbert.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds and adjusts HF {@code tokenizer.json} documents for BERT WordPiece tokenizers.
 *
 * <p>[note: vocab.txt conversion] {@link #fromVocab} writes what transformers' {@code BertConverter}
 * (convert_slow_tokenizer.py) makes of a slow {@code BertTokenizer}: BertNormalizer(clean_text,
 * handle_chinese_chars = tokenize_chinese_chars, strip_accents (null = follow lowercase), lowercase
 * = do_lower_case), BertPreTokenizer, WordPiece(unk, "##", max 100 chars) and TemplateProcessing
 * "[CLS] $A [SEP]" / "[CLS] $A [SEP] $B:1 [SEP]:1". Ids are line numbers of vocab.txt; a token
 * listed twice keeps its last line, as {@code load_vocab} does.
 */
final class BertTokenizerJson {
  static final String VOCAB_TXT = "vocab.txt";
  /** HF BertTokenizer's {@code max_input_chars_per_word}: longer words become [UNK]. */
  static final int MAX_INPUT_CHARS_PER_WORD = 100;

  private BertTokenizerJson() {}

  /** The tokenizer.json equivalent of {@code vocabFile} under {@code settings}. */
  static JsonObject fromVocab(Path vocabFile, TokenizerSettings settings) throws IOException {
    Map<String, Integer> vocab = readVocab(vocabFile);
    int unkId = requireToken(vocab, settings.unkToken(), "unk_token", vocabFile);
    int clsId = requireToken(vocab, settings.clsToken(), "cls_token", vocabFile);
    int sepId = requireToken(vocab, settings.sepToken(), "sep_token", vocabFile);

    JsonObject root = new JsonObject();
    root.addProperty("version", "1.0");
    root.add("truncation", JsonNull.INSTANCE);
    root.add("padding", JsonNull.INSTANCE);
    root.add("added_tokens", addedSpecialTokens(vocab, settings, unkId, clsId, sepId));
    root.add("normalizer", bertNormalizer(settings));
    root.add("pre_tokenizer", typed("BertPreTokenizer"));
    root.add("post_processor", clsSepTemplate(settings.clsToken(), clsId, settings.sepToken(), sepId));
    JsonObject decoder = typed("WordPiece");
    decoder.addProperty("prefix", "##");
    decoder.addProperty("cleanup", true);
    root.add("decoder", decoder);
    root.add("model", wordPieceModel(vocab, settings.unkToken()));
    return root;
  }

  /**
   * Makes a tokenizer.json's BertNormalizer follow what tokenizer_config.json states explicitly,
   * as transformers' {@code BertTokenizerFast.__init__} rebuilds the normalizer when
   * do_lower_case, strip_accents or tokenize_chinese_chars disagree with it. Settings the config
   * does not state leave tokenizer.json alone (transformers would impose its defaults there, which
   * lower-cases a cased tokenizer.json that comes without a tokenizer_config.json).
   */
  static void applyConfigOverrides(JsonObject tokenizerJson, TokenizerSettings settings) {
    JsonElement normalizer = tokenizerJson.get("normalizer");
    if (normalizer == null || !normalizer.isJsonObject()) {
      return;
    }
    JsonObject bert = normalizer.getAsJsonObject();
    if (!"BertNormalizer".equals(stringOrNull(bert.get("type")))) {
      return;
    }
    if (settings.explicitDoLowerCase() != null) {
      bert.addProperty("lowercase", settings.explicitDoLowerCase());
    }
    if (settings.explicitStripAccents() != null) {
      bert.addProperty("strip_accents", settings.explicitStripAccents());
    }
    if (settings.explicitTokenizeChineseChars() != null) {
      bert.addProperty("handle_chinese_chars", settings.explicitTokenizeChineseChars());
    }
  }

  /** Windows and padding are the featurizer's job, so the tokenizer itself never cuts or pads. */
  static void disableTruncationAndPadding(JsonObject tokenizerJson) {
    tokenizerJson.add("truncation", JsonNull.INSTANCE);
    tokenizerJson.add("padding", JsonNull.INSTANCE);
  }

  /** Whether the normalizer lower-cases (false when there is none or it is not a BertNormalizer). */
  static boolean lowercases(JsonObject tokenizerJson) {
    JsonElement normalizer = tokenizerJson.get("normalizer");
    if (normalizer == null || !normalizer.isJsonObject()) {
      return false;
    }
    JsonElement lowercase = normalizer.getAsJsonObject().get("lowercase");
    return lowercase != null && lowercase.isJsonPrimitive() && lowercase.getAsBoolean();
  }

  private static Map<String, Integer> readVocab(Path vocabFile) throws IOException {
    List<String> lines = Files.readAllLines(vocabFile, StandardCharsets.UTF_8);
    if (lines.isEmpty()) {
      throw new IOException(vocabFile + ": expected one WordPiece token per line, found an empty file");
    }
    Map<String, Integer> vocab = new LinkedHashMap<>();
    for (int id = 0; id < lines.size(); id++) {
      vocab.remove(lines.get(id)); // a repeated token keeps its last id, in id order
      vocab.put(lines.get(id), id);
    }
    return vocab;
  }

  private static int requireToken(Map<String, Integer> vocab, String token, String role, Path file)
      throws IOException {
    Integer id = vocab.get(token);
    if (id == null) {
      throw new IOException(
          file + ": the " + role + " \"" + token + "\" is not in the vocabulary (" + vocab.size()
              + " tokens); BERT needs it to build [CLS] $A [SEP]");
    }
    return id;
  }

  private static JsonArray addedSpecialTokens(
      Map<String, Integer> vocab, TokenizerSettings settings, int unkId, int clsId, int sepId) {
    List<Map.Entry<String, Integer>> specials = new ArrayList<>();
    Integer padId = vocab.get(settings.padToken());
    if (padId != null) {
      specials.add(Map.entry(settings.padToken(), padId));
    }
    specials.add(Map.entry(settings.unkToken(), unkId));
    specials.add(Map.entry(settings.clsToken(), clsId));
    specials.add(Map.entry(settings.sepToken(), sepId));
    Integer maskId = vocab.get(settings.maskToken());
    if (maskId != null) {
      specials.add(Map.entry(settings.maskToken(), maskId));
    }
    specials.sort(Map.Entry.comparingByValue());
    JsonArray added = new JsonArray();
    for (Map.Entry<String, Integer> special : specials) {
      JsonObject token = new JsonObject();
      token.addProperty("id", special.getValue());
      token.addProperty("content", special.getKey());
      token.addProperty("single_word", false);
      token.addProperty("lstrip", false);
      token.addProperty("rstrip", false);
      token.addProperty("normalized", false);
      token.addProperty("special", true);
      added.add(token);
    }
    return added;
  }

  private static JsonObject bertNormalizer(TokenizerSettings settings) {
    JsonObject normalizer = typed("BertNormalizer");
    normalizer.addProperty("clean_text", true);
    normalizer.addProperty("handle_chinese_chars", settings.tokenizeChineseChars());
    if (settings.explicitStripAccents() == null) {
      normalizer.add("strip_accents", JsonNull.INSTANCE); // follows lowercase, as in HF
    } else {
      normalizer.addProperty("strip_accents", settings.explicitStripAccents());
    }
    normalizer.addProperty("lowercase", settings.doLowerCase());
    return normalizer;
  }

  private static JsonObject clsSepTemplate(String cls, int clsId, String sep, int sepId) {
    JsonObject processor = typed("TemplateProcessing");
    JsonArray single = new JsonArray();
    single.add(specialPiece(cls, 0));
    single.add(sequencePiece("A", 0));
    single.add(specialPiece(sep, 0));
    JsonArray pair = new JsonArray();
    pair.add(specialPiece(cls, 0));
    pair.add(sequencePiece("A", 0));
    pair.add(specialPiece(sep, 0));
    pair.add(sequencePiece("B", 1));
    pair.add(specialPiece(sep, 1));
    processor.add("single", single);
    processor.add("pair", pair);
    JsonObject specialTokens = new JsonObject();
    specialTokens.add(cls, specialTokenEntry(cls, clsId));
    specialTokens.add(sep, specialTokenEntry(sep, sepId));
    processor.add("special_tokens", specialTokens);
    return processor;
  }

  private static JsonObject wordPieceModel(Map<String, Integer> vocab, String unkToken) {
    JsonObject model = typed("WordPiece");
    model.addProperty("unk_token", unkToken);
    model.addProperty("continuing_subword_prefix", "##");
    model.addProperty("max_input_chars_per_word", MAX_INPUT_CHARS_PER_WORD);
    JsonObject vocabJson = new JsonObject();
    vocab.forEach(vocabJson::addProperty);
    model.add("vocab", vocabJson);
    return model;
  }

  /** A TemplateProcessing piece: {@code {"SpecialToken": {...}}} or {@code {"Sequence": {...}}}. */
  private static JsonObject templatePiece(String kind, String id, int typeId) {
    JsonObject inner = new JsonObject();
    inner.addProperty("id", id);
    inner.addProperty("type_id", typeId);
    JsonObject piece = new JsonObject();
    piece.add(kind, inner);
    return piece;
  }

  private static JsonObject specialPiece(String token, int typeId) {
    return templatePiece("SpecialToken", token, typeId);
  }

  private static JsonObject sequencePiece(String sequence, int typeId) {
    return templatePiece("Sequence", sequence, typeId);
  }

  private static JsonObject specialTokenEntry(String token, int id) {
    JsonObject entry = new JsonObject();
    entry.addProperty("id", token);
    JsonArray ids = new JsonArray();
    ids.add(id);
    entry.add("ids", ids);
    JsonArray tokens = new JsonArray();
    tokens.add(token);
    entry.add("tokens", tokens);
    return entry;
  }

  private static JsonObject typed(String type) {
    JsonObject object = new JsonObject();
    object.addProperty("type", type);
    return object;
  }

  private static String stringOrNull(JsonElement element) {
    return element != null && element.isJsonPrimitive() ? element.getAsString() : null;
  }
}
