package dev.exprbert.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.testing.ConllSample;
import dev.exprbert.testing.ConllSample.Sentence;
import dev.exprbert.testing.TestTokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerLoaderTest {
  @TempDir Path tmp;

  @Test
  void miniLmTokenizerJsonLowercasesAndAddsClsSep() throws IOException {
    try (ModelTokenizer tokenizer = TokenizerLoader.load(TestTokenizers.miniLm(tmp))) {
      WordEncoding encoding = tokenizer.encodeWords(List.of("Hello", "WORLD"));
      assertEquals(List.of("[CLS]", "hello", "world", "[SEP]"), tokenizer.tokens(List.of("Hello", "WORLD")));
      assertArrayEquals(new long[] {101, 7592, 2088, 102}, encoding.inputIds());
      assertArrayEquals(new long[] {-1, 0, 1, -1}, encoding.wordIds());
      assertTrue(tokenizer.lowercases());
      assertEquals(2, tokenizer.specialTokenCount());
      assertEquals(0, tokenizer.padTokenId());
      assertTrue(tokenizer.modelMaxLength().isEmpty(), "no tokenizer_config.json, so no limit");
    }
  }

  /** MiniLM's tokenizer.json asks for truncation at 128 and fixed padding to 128: both must be off. */
  @Test
  void neitherTruncatesNorPads() throws IOException {
    try (ModelTokenizer tokenizer = TokenizerLoader.load(TestTokenizers.miniLm(tmp))) {
      List<String> words = Collections.nCopies(300, "word");
      WordEncoding encoding = tokenizer.encodeWords(words);
      assertEquals(302, encoding.inputIds().length);
      assertEquals(3, tokenizer.encodeWords(List.of("short")).inputIds().length);
    }
  }

  @Test
  void vocabOnlyDirectoryMatchesTokenizerJsonOnRealSentences() throws IOException {
    List<Sentence> sentences = new ArrayList<>();
    sentences.addAll(ConllSample.read(ConllSample.sharedData("wnut17/dev.conll"), -1));
    sentences.addAll(
        ConllSample.read(ConllSample.sharedData("semeval22-opener_en/expression/train.conll"), 300));
    try (ModelTokenizer json = TokenizerLoader.load(TestTokenizers.miniLm(tmp));
        ModelTokenizer vocab = TokenizerLoader.load(TestTokenizers.miniLmVocabOnly(tmp, null))) {
      assertTrue(vocab.lowercases(), "HF BertTokenizer lower-cases unless told otherwise");
      assertEquals(json.padTokenId(), vocab.padTokenId());
      for (Sentence sentence : sentences) {
        WordEncoding expected = json.encodeWords(sentence.words());
        WordEncoding actual = vocab.encodeWords(sentence.words());
        assertArrayEquals(expected.inputIds(), actual.inputIds(), () -> "ids of " + sentence.words());
        assertArrayEquals(expected.wordIds(), actual.wordIds(), () -> "word ids of " + sentence.words());
        assertArrayEquals(expected.tokenTypeIds(), actual.tokenTypeIds());
        assertArrayEquals(expected.attentionMask(), actual.attentionMask());
      }
    }
  }

  @Test
  void vocabOnlyDirectoryHonoursDoLowerCaseFalse() throws IOException {
    Path dir = TestTokenizers.miniLmVocabOnly(tmp, "{\"do_lower_case\": false, \"model_max_length\": 512}");
    try (ModelTokenizer tokenizer = TokenizerLoader.load(dir)) {
      assertFalse(tokenizer.lowercases());
      assertEquals(512, tokenizer.modelMaxLength().orElseThrow());
      // MiniLM's vocabulary is lower-case, so a capitalised word no longer matches any piece.
      assertEquals(List.of("[CLS]", "[UNK]", "hello", "[SEP]"), tokenizer.tokens(List.of("Hello", "hello")));
    }
  }

  @Test
  void casedTokenizerKeepsCaseAccentsAndSplitsCjkCharacters() throws IOException {
    try (ModelTokenizer tokenizer = TokenizerLoader.load(TestTokenizers.casedTokenizerJson(tmp))) {
      assertFalse(tokenizer.lowercases());
      List<String> words = List.of("Hello", "hello", "München", "Zürich", "東京", "naïvely", "Straße");
      WordEncoding encoding = tokenizer.encodeWords(words);
      assertEquals(
          List.of("[CLS]", "Hello", "hello", "München", "Zürich", "東", "京", "naïve", "##ly", "Straße", "[SEP]"),
          tokenizer.tokens(words));
      assertArrayEquals(new long[] {-1, 0, 1, 2, 3, 4, 4, 5, 5, 6, -1}, encoding.wordIds());
      assertEquals(TestTokenizers.CASED_VOCAB.indexOf("Hello"), encoding.inputIds()[1]);
      assertEquals(TestTokenizers.CASED_VOCAB.indexOf("hello"), encoding.inputIds()[2]);
    }
  }

  @Test
  void casedVocabOnlyDirectoryMatchesCasedTokenizerJson() throws IOException {
    List<String> words = List.of("Hello", "World", "!", "München", "Zürich", "東京", "Öl", "unbelievable");
    try (ModelTokenizer json = TokenizerLoader.load(TestTokenizers.casedTokenizerJson(tmp));
        ModelTokenizer vocab = TokenizerLoader.load(TestTokenizers.casedVocabOnly(tmp))) {
      WordEncoding expected = json.encodeWords(words);
      WordEncoding actual = vocab.encodeWords(words);
      assertEquals(json.tokens(words), vocab.tokens(words));
      assertArrayEquals(expected.inputIds(), actual.inputIds());
      assertArrayEquals(expected.wordIds(), actual.wordIds());
      assertTrue(vocab.tokens(words).containsAll(List.of("Öl", "un", "##believ", "##able")));
    }
  }

  /** transformers' BertTokenizerFast rebuilds the normalizer when tokenizer_config.json disagrees. */
  @Test
  void explicitDoLowerCaseInConfigOverridesTokenizerJson() throws IOException {
    Path dir = TestTokenizers.casedTokenizerJson(tmp);
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"do_lower_case\": true}");
    try (ModelTokenizer tokenizer = TokenizerLoader.load(dir)) {
      assertTrue(tokenizer.lowercases());
      // strip_accents follows lowercase: ü -> u, Ö -> o, É -> e.
      assertEquals(
          List.of("[CLS]", "hello", "zurich", "ol", "cafe", "[SEP]"),
          tokenizer.tokens(List.of("Hello", "Zürich", "Öl", "CAFÉ")));
    }
  }

  @Test
  void specialTokensMapRenamesThePadToken() throws IOException {
    Path dir = TestTokenizers.casedVocabOnly(tmp);
    Files.writeString(
        dir.resolve("special_tokens_map.json"),
        "{\"pad_token\": {\"content\": \"[MASK]\", \"lstrip\": false}}");
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"do_lower_case\": false, \"pad_token\": \"[UNK]\"}");
    try (ModelTokenizer tokenizer = TokenizerLoader.load(dir)) {
      assertEquals(TestTokenizers.CASED_VOCAB.indexOf("[MASK]"), tokenizer.padTokenId());
    }
  }

  @Test
  void unlimitedModelMaxLengthReadsAsEmpty() throws IOException {
    Path dir = TestTokenizers.miniLm(tmp);
    Files.writeString(
        dir.resolve("tokenizer_config.json"), "{\"model_max_length\": 1000000000000000019884624838656}");
    try (ModelTokenizer tokenizer = TokenizerLoader.load(dir)) {
      assertTrue(tokenizer.modelMaxLength().isEmpty());
    }
  }

  @Test
  void missingTokenizerFilesNameTheDirectoryAndTheFilesLookedFor() throws IOException {
    Path empty = Files.createDirectories(tmp.resolve("empty-model"));
    NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> TokenizerLoader.load(empty));
    assertTrue(e.getMessage().contains(empty.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
    assertTrue(e.getMessage().contains("vocab.txt"), e.getMessage());

    Path absent = tmp.resolve("no-such-dir");
    NoSuchFileException missingDir =
        assertThrows(NoSuchFileException.class, () -> TokenizerLoader.load(absent));
    assertTrue(missingDir.getMessage().contains(absent.toString()), missingDir.getMessage());
  }

  @Test
  void malformedFilesAreReportedWithTheirPath() throws IOException {
    Path broken = Files.createDirectories(tmp.resolve("broken"));
    Files.writeString(broken.resolve("tokenizer.json"), "{\"model\": {\"type\": \"WordPiece\"");
    IOException notJson = assertThrows(IOException.class, () -> TokenizerLoader.load(broken));
    assertTrue(notJson.getMessage().contains(broken.resolve("tokenizer.json").toString()), notJson.getMessage());

    Path rejected = Files.createDirectories(tmp.resolve("rejected"));
    Files.writeString(rejected.resolve("tokenizer.json"), "{\"model\": {\"type\": \"NoSuchModel\"}}");
    IOException badModel = assertThrows(IOException.class, () -> TokenizerLoader.load(rejected));
    assertTrue(badModel.getMessage().contains("rejected"), badModel.getMessage());

    Path badConfig = TestTokenizers.miniLm(tmp);
    Files.writeString(badConfig.resolve("tokenizer_config.json"), "{\"do_lower_case\": \"yes\"}");
    IOException config = assertThrows(IOException.class, () -> TokenizerLoader.load(badConfig));
    assertTrue(config.getMessage().contains("do_lower_case"), config.getMessage());
  }

  @Test
  void vocabWithoutClsTokenIsRejectedByName() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("no-cls"));
    Files.write(dir.resolve("vocab.txt"), List.of("[PAD]", "[UNK]", "[SEP]", "hello"));
    IOException e = assertThrows(IOException.class, () -> TokenizerLoader.load(dir));
    assertTrue(e.getMessage().contains("cls_token") && e.getMessage().contains("[CLS]"), e.getMessage());
  }

  @Test
  void saveCopiesSourceFilesByteForByte() throws IOException {
    Path source = TestTokenizers.miniLm(tmp);
    Files.writeString(source.resolve("tokenizer_config.json"), "{\"do_lower_case\": true}");
    Path out = tmp.resolve("out");
    try (ModelTokenizer tokenizer = TokenizerLoader.load(source)) {
      tokenizer.save(out);
      assertEquals(List.of("tokenizer.json", "tokenizer_config.json"), tokenizer.savedFileNames());
    }
    assertArrayEquals(
        Files.readAllBytes(source.resolve("tokenizer.json")), Files.readAllBytes(out.resolve("tokenizer.json")));
    assertArrayEquals(
        Files.readAllBytes(source.resolve("tokenizer_config.json")),
        Files.readAllBytes(out.resolve("tokenizer_config.json")));
  }

  @Test
  void saveOfVocabOnlyTokenizerAddsAnEquivalentTokenizerJson() throws IOException {
    Path source = TestTokenizers.casedVocabOnly(tmp);
    Path out = tmp.resolve("out");
    List<String> words = List.of("Hello", "München", "東京", "unbelievable", "Zürich");
    try (ModelTokenizer original = TokenizerLoader.load(source)) {
      original.save(out);
      assertTrue(Files.isRegularFile(out.resolve("vocab.txt")));
      assertTrue(Files.isRegularFile(out.resolve("tokenizer_config.json")));
      assertTrue(Files.isRegularFile(out.resolve("tokenizer.json")));
      try (ModelTokenizer reloaded = TokenizerLoader.load(out)) {
        assertArrayEquals(original.encodeWords(words).inputIds(), reloaded.encodeWords(words).inputIds());
        assertFalse(reloaded.lowercases());
      }
    }
  }

  /** See TokenizerLoader's [note: DJL offline]. */
  @Test
  void loadingSwitchesDjlTelemetryAndOnlineLookupsOff() throws IOException {
    try (ModelTokenizer tokenizer = TokenizerLoader.load(TestTokenizers.miniLm(tmp))) {
      assertEquals(4, tokenizer.encodeWords(List.of("hello", "world")).length());
      assertEquals("true", System.getProperty("OPT_OUT_TRACKING"));
      assertEquals("true", System.getProperty("ai.djl.offline"));
    }
  }

  /**
   * DJL's platform probe asks CudaUtils for the GPU count twice per process and logged "Failed to detect
   * GPU count" at WARN on machines with a CUDA runtime but no driver. Only that logger is lowered.
   */
  @Test
  void djlsGpuProbeIsQuietAndDjlsOtherLoggersAreNot() throws IOException {
    try (ModelTokenizer tokenizer = TokenizerLoader.load(TestTokenizers.miniLm(tmp))) {
      assertTrue(tokenizer.vocabularySize() > 0);
    }
    assertFalse(org.slf4j.LoggerFactory.getLogger("ai.djl.util.cuda.CudaUtils").isWarnEnabled());
    assertTrue(org.slf4j.LoggerFactory.getLogger("ai.djl.util.cuda.CudaUtils").isErrorEnabled());
    assertTrue(org.slf4j.LoggerFactory.getLogger("ai.djl.huggingface.tokenizers.HuggingFaceTokenizer").isWarnEnabled());
    java.io.PrintStream err = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      ai.djl.util.cuda.CudaUtils.getGpuCount(); // what Platform.fromSystem calls
    } finally {
      System.setErr(err);
    }
    assertFalse(captured.toString(java.nio.charset.StandardCharsets.UTF_8).contains("Failed to detect GPU count"),
        captured.toString(java.nio.charset.StandardCharsets.UTF_8));
  }

  /**
   * See TokenizerLoader's [note: DJL's tokenizer build]: unless the user chose a flavor, DJL takes the CPU build the
   * jar ships, never a CUDA build it would have to download, and does not announce the override.
   */
  @Test
  void djlUsesTheBundledCpuBuildUnlessTheUserChoseAnother() throws IOException {
    try (ModelTokenizer tokenizer = TokenizerLoader.load(TestTokenizers.miniLm(tmp))) {
      assertTrue(tokenizer.vocabularySize() > 0);
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv(TokenizerLoader.RUST_FLAVOR) == null,
        "the environment sets RUST_FLAVOR, which DJL reads first");
    assertEquals("cpu", System.getProperty(TokenizerLoader.RUST_FLAVOR));
    assertFalse(org.slf4j.LoggerFactory.getLogger("ai.djl.huggingface.tokenizers.jni.LibUtils").isInfoEnabled());
    assertTrue(org.slf4j.LoggerFactory.getLogger("ai.djl.huggingface.tokenizers.jni.LibUtils").isWarnEnabled());
  }

  @Test
  void theVocabularySizeCountsAddedTokensAndBadIdsAreNamed() throws IOException {
    try (ModelTokenizer tokenizer = TokenizerLoader.load(TestTokenizers.miniLm(tmp))) {
      assertEquals(30522, tokenizer.vocabularySize());
    }
    Path dir = Files.createDirectories(tmp.resolve("bad-id"));
    String json = new String(Files.readAllBytes(TestTokenizers.miniLm(tmp).resolve("tokenizer.json")),
        java.nio.charset.StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("tokenizer.json"), json.replaceFirst("\"\\[PAD\\]\": ?0", "\"[PAD]\": \"zero\""));
    IOException e = assertThrows(IOException.class, () -> TokenizerLoader.load(dir));
    assertTrue(e.getMessage().contains(dir.resolve("tokenizer.json") + ": model.vocab[\"[PAD]\"] is \"zero\""),
        e.getMessage());
  }

  /**
   * A template that names a special token special_tokens lacks deserializes fine, and the tokenizers
   * build in DJL's jar then panics on the first encode, which aborts the JVM (exit 134). Also with the
   * processor's "type" missing, which the library accepts.
   */
  @Test
  void aTemplateWithAnUndefinedSpecialTokenIsRefusedBeforeTheNativeTokenizerExists() throws IOException {
    String json = Files.readString(TestTokenizers.casedTokenizerJson(tmp).resolve("tokenizer.json"));
    String single = "\"single\": [{\"SpecialToken\": {\"id\": \"[CLS]\"";
    String undefined = json.replace(single, single.replace("[CLS]", "[EOS]"));
    for (String broken : List.of(undefined, undefined.replace("\"type\": \"TemplateProcessing\"", "\"type\": null"))) {
      assertFalse(broken.equals(json), "the test must change the file");
      Path dir = Files.createDirectories(tmp.resolve("template-" + broken.hashCode()));
      Files.writeString(dir.resolve("tokenizer.json"), broken);
      IOException e = assertThrows(IOException.class, () -> TokenizerLoader.load(dir));
      assertTrue(e.getMessage().startsWith(dir.resolve("tokenizer.json") + ": post_processor."), e.getMessage());
      assertTrue(e.getMessage().contains("uses the special token \"[EOS]\", which post_processor.special_tokens does not"
          + " define"), e.getMessage());
    }
  }

  @Test
  void aWordPieceUnknownTokenMissingFromTheVocabularyIsRefusedAtLoad() throws IOException {
    String json = Files.readString(TestTokenizers.casedTokenizerJson(tmp).resolve("tokenizer.json"));
    Path dir = Files.createDirectories(tmp.resolve("no-unk"));
    Files.writeString(dir.resolve("tokenizer.json"), json.replace("\"unk_token\": \"[UNK]\"", "\"unk_token\": \"[NOPE]\""));
    IOException e = assertThrows(IOException.class, () -> TokenizerLoader.load(dir));
    assertTrue(e.getMessage().contains("model.unk_token \"[NOPE]\" is not in model.vocab"), e.getMessage());
  }
}
