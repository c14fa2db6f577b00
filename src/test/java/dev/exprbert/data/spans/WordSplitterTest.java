package dev.exprbert.data.spans;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.exprbert.data.LabeledSentence;
import dev.exprbert.data.ReaderOptions;
import dev.exprbert.data.SentenceReaders;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WordSplitterTest {
  private static List<String> words(String text) {
    List<String> out = new ArrayList<>();
    for (CharRange range : WordSplitter.split(text)) {
      out.add(range.of(text));
    }
    return out;
  }

  /* The CoNLL data was cut by the same rule: every sentence of the three OpeNER files, joined by
   * spaces, splits back into exactly its words (this is what makes conversions round-trip). */
  @Test
  void splitsOpenerSentencesBackIntoTheirWords() {
    int sentences = 0;
    for (String split : List.of("train", "dev", "test")) {
      for (LabeledSentence s : SentenceReaders.readAll(
          OpenerSample.FULL_DEV.resolveSibling(split + ".conll"), ReaderOptions.DEFAULTS)) {
        assertEquals(s.words(), words(String.join(" ", s.words())), s.location());
        sentences++;
      }
    }
    assertEquals(1744 + 249 + 499, sentences);
  }

  @Test
  void punctuationAndSymbolsAreWordsOfTheirOwn() {
    assertEquals(List.of("don", "'", "t", "pay", "€", "20", ",", "ok", "?"), words("don't pay €20, ok?"));
    assertEquals(List.of("18", "-", "åringen"), words("18-åringen"));
  }

  /* Offsets are UTF-16 indices, so a word after an emoji starts 2 units later; the emoji's
   * variation selector (a mark) stays with it; ZWJ (Cf) separates and is dropped. */
  @Test
  void unicode() {
    String text = "I ❤\uFE0F Zürich 😀! 東京 cafe\u0301 👨\u200D🚒";
    assertEquals(List.of("I", "❤\uFE0F", "Zürich", "😀", "!", "東京", "cafe\u0301", "👨", "🚒"), words(text));
    List<CharRange> ranges = WordSplitter.split(text);
    assertEquals(new CharRange(12, 14), ranges.get(3)); // the emoji is a surrogate pair
    assertEquals(List.of("a", "b"), words("a\u00A0\u200Bb")); // no-break space and zero-width space
    assertEquals(List.of(), words(" \t\r\n\uFEFF"));
  }
}
