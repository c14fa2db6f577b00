package dev.exprbert.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.io.TokenizerLoader;
import dev.exprbert.testing.TestTokenizers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our splitter against the Rust BertNormalizer + BertPreTokenizer of a real tokenizer (MiniLM's). */
class TextSplitterParityTest {
  @TempDir Path tmp;

  @Test
  void wordsAndOffsetsMatchTheTokenizersOwnPreTokenization() throws Exception {
    List<String> texts = List.of(
        "We met on Monday, at 9:30 -- the hotel (Café Zürich) was \"very\" nice!",
        "Prices: $120.50/night; e-mail: info@hotel.com #great",
        "東京タワーに行く  and   the staff's smile…",
        "naïve\u00A0résumé\ttab\r\nnew line ¿qué? ¡sí!");
    try (ModelTokenizer tokenizer = TokenizerLoader.load(TestTokenizers.miniLm(tmp))) {
      for (String text : texts) {
        Encoding encoding = tokenizer.huggingFaceTokenizer().encode(text);
        List<String> expected = new ArrayList<>();
        long[] wordIds = encoding.getWordIds();
        CharSpan[] spans = encoding.getCharTokenSpans();
        long current = -1;
        int start = -1;
        int end = -1;
        for (int t = 0; t <= wordIds.length; t++) {
          long word = t < wordIds.length ? wordIds[t] : -2;
          if (word != current && current >= 0) {
            expected.add(start + "-" + end + ":" + text.substring(start, end));
          }
          if (word >= 0 && word != current) {
            start = spans[t].getStart();
          }
          if (word >= 0) {
            end = spans[t].getEnd();
          }
          current = word;
        }
        List<String> actual = TextSplitter.split(text).stream()
            .map(w -> w.start() + "-" + w.end() + ":" + w.text()).toList();
        assertEquals(expected, actual, text);
      }
    }
  }
}
