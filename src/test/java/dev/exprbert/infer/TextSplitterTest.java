package dev.exprbert.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class TextSplitterTest {
  private static List<String> texts(String text) {
    List<Word> words = TextSplitter.split(text);
    for (Word w : words) {
      assertEquals(w.text(), text.substring(w.start(), w.end()), "offsets of " + w);
    }
    return words.stream().map(Word::text).toList();
  }

  @Test
  void whitespaceSeparatesAndPunctuationStandsAlone() {
    assertEquals(List.of(new Word("Hello", 0, 5), new Word(",", 5, 6), new Word("world", 8, 13), new Word("!", 13, 14)),
        TextSplitter.split("Hello,  world!"));
    assertEquals(List.of("don", "'", "t", "pay", "$", "5", ".", "00", "^", "_", "^"), texts("don't pay $5.00 ^_^"));
    assertEquals(List.of("«", "Très", "bien", "»", "—", "super", "…"), texts("«Très bien» — super…"));
  }

  @Test
  void unicodeWhitespaceTabsAndNewlinesSeparate() {
    assertEquals(List.of("a", "b", "c", "d", "e"), texts("a\u00A0b\tc\r\nd\u2003e"));
    assertEquals(List.of(), texts(" \t\n "));
    assertEquals(List.of(), texts(""));
  }

  @Test
  void cjkIdeographsAreWordsButKanaIsNot() {
    assertEquals(List.of("東", "京", "タワーに", "行", "く"), texts("東京タワーに行く"));
  }

  @Test
  void controlCharactersAreDroppedWithoutSplittingAndSurrogatePairsStayWhole() {
    List<Word> words = TextSplitter.split("\u0000ab\u0000cd\u200B x😀y\uFFFD");
    assertEquals(List.of("ab\u0000cd", "x😀y"),
        words.stream().map(Word::text).toList());
    assertEquals(1, words.get(0).start());
    assertEquals(6, words.get(0).end(), "a trailing format character does not end the word");
    assertEquals(new Word("x😀y", 8, 12), words.get(1));
  }

  @Test
  void privateUseAndUnassignedCharactersAreDroppedLikeControls() {
    assertEquals(List.of("ab"), texts("\uE000ab\uE000"));
    assertEquals(List.of("a"), texts("\u0378 a"));
  }

  @Test
  void nullTextIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> TextSplitter.split(null));
  }
}
