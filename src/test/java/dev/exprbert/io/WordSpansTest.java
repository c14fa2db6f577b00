package dev.exprbert.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.exprbert.testing.TestTokenizers;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Raw text into words by each tokenizer's own normalizer and pre-tokenizer ({@link ModelTokenizer#wordSpans}), the
 * words the Tagger tags. BERT's WordPiece (MiniLM, uncased): whitespace separates, punctuation and CJK ideographs are
 * words of their own, control/format/private-use characters vanish without splitting; offsets are UTF-16
 * indices into the original text (accents and case as written, surrogate pairs whole). Byte-level BPE: GPT-2's
 * split (letters, digits and other runs apart; contractions apart). Unigram/Metaspace: whitespace only.
 */
class WordSpansTest {
  @TempDir static Path tmp;
  private static ModelTokenizer wordPiece;
  private static ModelTokenizer bpe;
  private static ModelTokenizer unigram;

  @BeforeAll
  static void load() throws IOException {
    wordPiece = TokenizerLoader.load(TestTokenizers.miniLm(tmp));
    bpe = TokenizerLoader.load(TestTokenizers.robertaBpe(tmp));
    unigram = TokenizerLoader.load(TestTokenizers.xlmRobertaUnigram(tmp));
  }

  @AfterAll
  static void close() {
    wordPiece.close();
    bpe.close();
    unigram.close();
  }

  /** The words, each checked to be text.substring(start, end). */
  private static List<String> texts(ModelTokenizer tokenizer, String text) {
    List<String> out = new ArrayList<>();
    for (WordSpan w : tokenizer.wordSpans(text)) {
      out.add(text.substring(w.start(), w.end()));
    }
    return out;
  }

  @Test
  void wordPieceSeparatesAtWhitespaceAndPunctuationStandsAlone() {
    assertEquals(List.of(new WordSpan(0, 5), new WordSpan(5, 6), new WordSpan(8, 13), new WordSpan(13, 14)),
        wordPiece.wordSpans("Hello,  world!"));
    assertEquals(List.of("don", "'", "t", "pay", "$", "5", ".", "00", "^", "_", "^"), texts(wordPiece, "don't pay $5.00 ^_^"));
    assertEquals(List.of("«", "Très", "bien", "»", "—", "super", "…"), texts(wordPiece, "«Très bien» — super…"));
  }

  @Test
  void unicodeWhitespaceTabsAndNewlinesSeparate() {
    assertEquals(List.of("a", "b", "c", "d", "e"), texts(wordPiece, "a\u00A0b\tc\r\nd\u2003e"));
    for (ModelTokenizer tokenizer : List.of(wordPiece, bpe, unigram)) {
      assertEquals(List.of(), texts(tokenizer, " \t\n "), tokenizer.kind() + ": whitespace holds no word");
      assertEquals(List.of(), texts(tokenizer, ""), tokenizer.kind() + ": nor does an empty text");
    }
  }

  @Test
  void wordPieceCjkIdeographsAreWordsButKanaIsNot() {
    assertEquals(List.of("東", "京", "タワーに", "行", "く"), texts(wordPiece, "東京タワーに行く"));
  }

  @Test
  void controlCharactersVanishWithoutSplittingAndSurrogatePairsStayWhole() {
    String text = "\u0000ab\u0000cd\u200B x😀y\uFFFD";
    assertEquals(List.of(new WordSpan(1, 6), new WordSpan(8, 12)), wordPiece.wordSpans(text),
        "a control character inside a word stays inside it; one at its edge is not part of it");
    assertEquals(List.of("ab\u0000cd", "x😀y"), texts(wordPiece, text));
    assertEquals(List.of("ab"), texts(wordPiece, "\uE000ab\uE000"), "private use");
    assertEquals(List.of("\u0378", "a"), texts(wordPiece, "\u0378 a"),
        "an unassigned code point is no control character to the Rust normalizer: a word (it becomes [UNK])");
  }

  @Test
  void byteLevelBpeSplitsLikeGpt2AndDropsWhitespacePieces() {
    assertEquals(List.of("We", "met", "on", "Monday", ",", "at", "9", ":", "30", "--", "the", "hotel", "(", "Café", "Zürich",
        ")", "was", "\"", "very", "\"", "nice", "!"),
        texts(bpe, "We met on Monday, at 9:30 -- the hotel (Café Zürich) was \"very\" nice!"));
    assertEquals(List.of("the", "staff", "'s", "smile", "…", "😀👍🏽"), texts(bpe, "  the   staff's smile… 😀👍🏽\r\n"),
        "runs of spaces and line breaks are pieces of their own, not words");
  }

  @Test
  void unigramMetaspaceSplitsAtWhitespaceOnlyAndKeepsPunctuationOnItsWord() {
    assertEquals(List.of("We", "met", "on", "Monday,", "at", "9:30", "--", "(Café", "Zürich)", "\"very\"", "nice!"),
        texts(unigram, "We met on Monday, at 9:30 -- (Café Zürich) \"very\" nice!"));
    assertEquals(List.of("東京タワーに行く", "and", "smile…", "😀👍🏽"), texts(unigram, "東京タワーに行く  and   smile… 😀👍🏽"));
  }

  @Test
  void nullTextIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> wordPiece.wordSpans(null));
  }
}
