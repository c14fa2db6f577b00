package dev.exprbert.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.io.TokenizerKind;
import dev.exprbert.io.TokenizerLoader;
import dev.exprbert.io.WordEncoding;
import dev.exprbert.testing.TestTokenizers;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our tokenization and label alignment against transformers' fast tokenizers on the same words, for each tokenizer
 * kind (WordPiece: MiniLM's; byte-level BPE and Unigram: the small RoBERTa-, XLM-R-, DeBERTa-v3- and ModernBERT-style
 * test tokenizers), from {@code golden.json} (made by make_test_tokenizers.py beside the tokenizers, transformers 5.18 /
 * tokenizers 0.23; ModernBERT's by make_modernbert_tokenizer.py, in its folder). The words include accents, CJK, emoji,
 * an empty word, whitespace-only words and words that become no piece; the RoBERTa tokenizer is compared as run_ner.py
 * loads it, with add_prefix_space=True, and ModernBERT's with add_prefix_space set on its ByteLevel pre-tokenizer
 * (what ExprBERT does for every byte-level BPE).
 */
class TokenizerGoldenTest {
  @TempDir Path tmp;

  static Stream<String> tokenizers() {
    return Stream.of("minilm-wordpiece", "roberta-bpe", "xlm-roberta-unigram", "deberta-v3-unigram", "modernbert-bpe");
  }

  private static JsonObject golden(String name) throws IOException {
    return TestTokenizers.golden(name).getAsJsonObject("tokenizers").getAsJsonObject(name);
  }

  private static long[] longs(JsonElement array) {
    JsonArray a = array.getAsJsonArray();
    long[] out = new long[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).getAsLong();
    }
    return out;
  }

  private static List<String> strings(JsonElement array) {
    List<String> out = new ArrayList<>();
    array.getAsJsonArray().forEach(e -> out.add(e.getAsString()));
    return out;
  }

  private static long[][] offsets(CharSpan[] spans) {
    long[][] out = new long[spans.length][];
    for (int t = 0; t < spans.length; t++) {
      out[t] = spans[t] == null ? new long[] {0, 0} : new long[] {spans[t].getStart(), spans[t].getEnd()};
    }
    return out;
  }

  private static long[][] offsets(JsonElement array) {
    JsonArray a = array.getAsJsonArray();
    long[][] out = new long[a.size()][];
    for (int t = 0; t < out.length; t++) {
      out[t] = longs(a.get(t));
    }
    return out;
  }

  @ParameterizedTest
  @MethodSource("tokenizers")
  void preSplitWordsGiveTransformersIdsWordIdsOffsetsAndLabelsInBothModes(String name) throws IOException {
    JsonObject golden = golden(name);
    LabelMap labels = LabelMap.ofLabels(strings(TestTokenizers.golden(name).get("labels")));
    try (ModelTokenizer tokenizer = TokenizerLoader.load(TestTokenizers.byName(name, tmp))) {
      for (JsonElement element : golden.getAsJsonArray("words")) {
        JsonObject c = element.getAsJsonObject();
        List<String> words = strings(c.get("words"));
        List<String> tags = strings(c.get("tags"));
        String what = name + " " + words;
        WordEncoding encoding = tokenizer.encodeWords(words);
        assertArrayEquals(longs(c.get("input_ids")), encoding.inputIds(), what + " input_ids");
        assertArrayEquals(longs(c.get("word_ids")), encoding.wordIds(), what + " word_ids");
        assertEquals(strings(c.get("tokens")), tokenizer.tokens(words), what + " tokens");
        Encoding djl = tokenizer.huggingFaceTokenizer().encode(words.toArray(String[]::new), true, false);
        assertArrayEquals(offsets(c.get("offsets")), offsets(djl.getCharTokenSpans()), what + " offsets (per word)");
        AlignedSentence first = new SubwordAligner(tokenizer, labels, false).align(words, tags);
        AlignedSentence all = new SubwordAligner(tokenizer, labels, true).align(words, tags);
        assertArrayEquals(longs(c.get("labels_first")), first.labelIds(), what + " labels, first sub-token");
        assertArrayEquals(longs(c.get("labels_all")), all.labelIds(), what + " labels, all sub-tokens");
      }
    }
  }

  @ParameterizedTest
  @MethodSource("tokenizers")
  void rawTextGivesTransformersWordIdsAndCharacterOffsets(String name) throws IOException {
    try (ModelTokenizer tokenizer = TokenizerLoader.load(TestTokenizers.byName(name, tmp))) {
      for (JsonElement element : golden(name).getAsJsonArray("texts")) {
        JsonObject c = element.getAsJsonObject();
        String text = c.get("text").getAsString();
        Encoding djl = tokenizer.huggingFaceTokenizer().encode(text, false, false);
        assertEquals(strings(c.get("tokens")), List.of(djl.getTokens()), name + " tokens of " + text);
        assertArrayEquals(longs(c.get("word_ids")), djl.getWordIds(), name + " word ids of " + text);
        assertArrayEquals(offsets(c.get("offsets")), offsets(djl.getCharTokenSpans()), name + " offsets of " + text);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("tokenizers")
  void eachTokenizerIsOfItsKind(String name) throws IOException {
    Map<String, TokenizerKind> kinds = Map.of("minilm-wordpiece", TokenizerKind.WORDPIECE, "roberta-bpe",
        TokenizerKind.BYTE_LEVEL_BPE, "xlm-roberta-unigram", TokenizerKind.UNIGRAM, "deberta-v3-unigram",
        TokenizerKind.UNIGRAM, "modernbert-bpe", TokenizerKind.BYTE_LEVEL_BPE);
    try (ModelTokenizer tokenizer = TokenizerLoader.load(TestTokenizers.byName(name, tmp))) {
      assertEquals(kinds.get(name), tokenizer.kind());
      assertEquals(1, tokenizer.leadingSpecialTokenCount());
      assertEquals(2, tokenizer.specialTokenCount());
      assertTrue(tokenizer.padTokenId() >= 0);
    }
  }
}
