package dev.exprbert.data;

import static dev.exprbert.data.SubwordAligner.IGNORE_INDEX;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.io.TokenizerLoader;
import dev.exprbert.testing.ConllSample;
import dev.exprbert.testing.ConllSample.Sentence;
import dev.exprbert.testing.TestTokenizers;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SubwordAlignerTest {
  private static final LabelMap WNUT_LABELS =
      LabelMap.ofLabels(
          List.of(
              "O", "B-person", "I-person", "B-location", "I-location", "B-group", "I-group",
              "B-corporation", "I-corporation", "B-product", "I-product", "B-creative-work",
              "I-creative-work"));

  @TempDir static Path tmp;
  private static ModelTokenizer miniLm;

  @BeforeAll
  static void loadTokenizer() throws IOException {
    miniLm = TokenizerLoader.load(TestTokenizers.miniLm(tmp));
  }

  @AfterAll
  static void closeTokenizer() {
    miniLm.close();
  }

  private static long id(String label) {
    return WNUT_LABELS.id(label);
  }

  @Test
  void labelGoesOnFirstSubTokenAndIgnoreIndexElsewhere() {
    SubwordAligner aligner = new SubwordAligner(miniLm, WNUT_LABELS, false);
    AlignedSentence aligned =
        aligner.align(
            List.of("Empire", "State", "Building", "=", "ESB", "tokenization"),
            List.of("B-location", "I-location", "I-location", "O", "B-location", "O"));
    // [CLS] empire state building = es ##b token ##ization [SEP]
    assertEquals(
        List.of("[CLS]", "empire", "state", "building", "=", "es", "##b", "token", "##ization", "[SEP]"),
        miniLm.tokens(List.of("Empire", "State", "Building", "=", "ESB", "tokenization")));
    assertArrayEquals(new int[] {-1, 0, 1, 2, 3, 4, 4, 5, 5, -1}, aligned.wordIds());
    assertArrayEquals(
        new long[] {
          IGNORE_INDEX, id("B-location"), id("I-location"), id("I-location"), id("O"),
          id("B-location"), IGNORE_INDEX, id("O"), IGNORE_INDEX, IGNORE_INDEX
        },
        aligned.labelIds());
    assertEquals(5, aligned.wordStart(4));
    assertEquals(7, aligned.wordEnd(4));
    assertArrayEquals(new long[10], aligned.tokenTypeIds());
    long[] ones = new long[10];
    Arrays.fill(ones, 1);
    assertArrayEquals(ones, aligned.attentionMask());
  }

  @Test
  void labelAllTokensTurnsBIntoIOnContinuationsOnlyWhenIExists() {
    LabelMap labels = LabelMap.ofLabels(List.of("O", "B-location", "I-location", "B-solo"));
    SubwordAligner aligner = new SubwordAligner(miniLm, labels, true);
    AlignedSentence aligned =
        aligner.align(
            List.of("ESB", "ESB", "tokenization", "ESB"), List.of("B-location", "I-location", "O", "B-solo"));
    // [CLS] es ##b es ##b token ##ization es ##b [SEP]
    assertArrayEquals(
        new long[] {IGNORE_INDEX, 1, 2, 2, 2, 0, 0, 3, 3, IGNORE_INDEX}, aligned.labelIds());
    assertEquals(2, labels.continuationId(1));
    assertEquals(3, labels.continuationId(3), "no I-solo in the label set: run_ner keeps B-solo");
  }

  /** U+FE0F alone and a control character vanish in BertNormalizer; later labels must not shift. */
  @Test
  void wordsWithoutSubTokensKeepLaterLabelsInPlace() {
    SubwordAligner aligner = new SubwordAligner(miniLm, WNUT_LABELS, false);
    List<String> words = List.of("I", "\uFE0F", "love", "\u0007", "Paris", "\uFE0F");
    AlignedSentence aligned =
        aligner.align(words, List.of("O", "B-person", "O", "B-group", "B-location", "B-product"));
    assertArrayEquals(new int[] {-1, 0, 2, 4, -1}, aligned.wordIds());
    assertArrayEquals(
        new long[] {IGNORE_INDEX, id("O"), id("O"), id("B-location"), IGNORE_INDEX}, aligned.labelIds());
    assertArrayEquals(new int[] {1, 3, 5}, aligned.emptyWords());
    assertTrue(aligned.isEmptyWord(1));
    assertFalse(aligned.isEmptyWord(2));
    assertEquals(2, aligned.wordStart(1), "an empty word sits after the words before it");
    assertEquals(2, aligned.wordEnd(1));
    assertEquals(4, aligned.wordStart(5));
    assertEquals(4, aligned.wordEnd(5));
  }

  /** MiniLM's uncased normalizer strips accents, so a lone combining accent vanishes too. */
  @Test
  void aLoneCombiningAccentIsAnEmptyWordUnderTheUncasedNormalizer() {
    AlignedSentence aligned =
        new SubwordAligner(miniLm, WNUT_LABELS, false).align(List.of("\u0301", "Paris"), List.of("B-person", "B-location"));
    assertArrayEquals(new int[] {0}, aligned.emptyWords());
    assertArrayEquals(new long[] {IGNORE_INDEX, id("B-location"), IGNORE_INDEX}, aligned.labelIds());
  }

  @Test
  void allWordsEmptyStillGivesSpecialTokensAndEmptySpans() {
    AlignedSentence aligned =
        new SubwordAligner(miniLm, WNUT_LABELS, false).align(List.of("\uFE0F", "\uFE0F"), List.of("O", "O"));
    assertArrayEquals(new int[] {-1, -1}, aligned.wordIds());
    assertArrayEquals(new long[] {IGNORE_INDEX, IGNORE_INDEX}, aligned.labelIds());
    assertArrayEquals(new int[] {0, 1}, aligned.emptyWords());
    assertEquals(1, aligned.wordStart(0), "after [CLS]");
  }

  @Test
  void aWordThePreTokenizerSplitsStillMapsToOneWord() {
    SubwordAligner aligner = new SubwordAligner(miniLm, WNUT_LABELS, false);
    AlignedSentence aligned = aligner.align(List.of("New York", "don't"), List.of("B-location", "O"));
    // [CLS] new york don ' t [SEP]
    assertArrayEquals(new int[] {-1, 0, 0, 1, 1, 1, -1}, aligned.wordIds());
    assertArrayEquals(
        new long[] {IGNORE_INDEX, id("B-location"), IGNORE_INDEX, id("O"), IGNORE_INDEX, IGNORE_INDEX, IGNORE_INDEX},
        aligned.labelIds());
  }

  @Test
  void casedTokenizerLabelsCjkAndAccentedWords() throws IOException {
    LabelMap labels = LabelMap.ofLabels(List.of("O", "B-LOC", "I-LOC"));
    try (ModelTokenizer cased = TokenizerLoader.load(TestTokenizers.casedTokenizerJson(tmp.resolve("cased-aligner")))) {
      AlignedSentence aligned =
          new SubwordAligner(cased, labels, true)
              .align(List.of("東京", "München", "naïvely"), List.of("B-LOC", "B-LOC", "O"));
      // [CLS] 東 京 München naïve ##ly [SEP]
      assertArrayEquals(new int[] {-1, 0, 0, 1, 2, 2, -1}, aligned.wordIds());
      assertArrayEquals(new long[] {IGNORE_INDEX, 1, 2, 1, 0, 0, IGNORE_INDEX}, aligned.labelIds());
    }
  }

  @Test
  void realSentencesLabelEveryWordWithTokensOnItsFirstSubToken() throws IOException {
    List<Sentence> sentences = new ArrayList<>();
    sentences.addAll(ConllSample.read(ConllSample.sharedData("wnut17/dev.conll"), -1));
    sentences.addAll(ConllSample.read(ConllSample.sharedData("wnut17/test.conll"), -1));
    List<Sentence> opener =
        ConllSample.read(ConllSample.sharedData("semeval22-opener_en/expression/train.conll"), 400);
    Set<String> openerTags = new LinkedHashSet<>(List.of("O"));
    opener.forEach(s -> openerTags.addAll(s.tags()));
    LabelMap openerLabels = LabelMap.ofLabels(new ArrayList<>(openerTags));

    int[] emptyWordsSeen = {0};
    for (boolean labelAll : new boolean[] {false, true}) {
      checkFirstSubTokenLabels(new SubwordAligner(miniLm, WNUT_LABELS, labelAll), WNUT_LABELS, sentences, labelAll, emptyWordsSeen);
      checkFirstSubTokenLabels(new SubwordAligner(miniLm, openerLabels, labelAll), openerLabels, opener, labelAll, emptyWordsSeen);
    }
    // wnut17 dev+test hold 7 words that are U+FE0F alone, seen once per labelAll setting.
    assertTrue(emptyWordsSeen[0] >= 14, "expected the U+FE0F-only words of wnut17, saw " + emptyWordsSeen[0]);
  }

  private static void checkFirstSubTokenLabels(
      SubwordAligner aligner, LabelMap labels, List<Sentence> sentences, boolean labelAll, int[] emptyWordsSeen) {
    List<AlignedSentence> all =
        aligner.alignAll(sentences.stream().map(Sentence::words).toList(), sentences.stream().map(Sentence::tags).toList());
    for (int s = 0; s < sentences.size(); s++) {
      Sentence sentence = sentences.get(s);
      AlignedSentence aligned = all.get(s);
      long[] labelIds = aligned.labelIds();
      int wordsWithTokens = 0;
      int subTokensOfWords = 0;
      for (int w = 0; w < sentence.words().size(); w++) {
        if (aligned.isEmptyWord(w)) {
          emptyWordsSeen[0]++;
          continue;
        }
        wordsWithTokens++;
        subTokensOfWords += aligned.wordEnd(w) - aligned.wordStart(w);
        assertEquals(
            labels.id(sentence.tags().get(w)), labelIds[aligned.wordStart(w)],
            "sentence " + s + " word " + w + " " + sentence.words().get(w));
      }
      long labelled = Arrays.stream(labelIds).filter(l -> l != IGNORE_INDEX).count();
      assertEquals(labelAll ? subTokensOfWords : wordsWithTokens, labelled, "sentence " + s + " " + sentence.words());
      assertEquals(sentence.words().size() - aligned.emptyWords().length, wordsWithTokens);
    }
  }

  @Test
  void batchAlignmentEqualsOneByOne() throws IOException {
    List<Sentence> train = ConllSample.read(ConllSample.sharedData("wnut17/train.conll"), -1);
    List<List<String>> words = train.stream().map(Sentence::words).toList();
    List<List<String>> tags = train.stream().map(Sentence::tags).toList();
    SubwordAligner aligner = new SubwordAligner(miniLm, WNUT_LABELS, false);

    long start = System.nanoTime();
    List<AlignedSentence> batch = aligner.alignAll(words, tags);
    long batchNanos = System.nanoTime() - start;
    start = System.nanoTime();
    List<AlignedSentence> single = new ArrayList<>();
    for (int s = 0; s < words.size(); s++) {
      single.add(aligner.align(words.get(s), tags.get(s)));
    }
    long singleNanos = System.nanoTime() - start;
    System.out.printf(
        "wnut17 train, %d sentences: alignAll %.1f ms, one by one %.1f ms%n",
        words.size(), batchNanos / 1e6, singleNanos / 1e6);

    assertEquals(single.size(), batch.size());
    for (int s = 0; s < single.size(); s++) {
      assertArrayEquals(single.get(s).inputIds(), batch.get(s).inputIds());
      assertArrayEquals(single.get(s).wordIds(), batch.get(s).wordIds());
      assertArrayEquals(single.get(s).labelIds(), batch.get(s).labelIds());
    }
  }

  @Test
  void unknownLabelsAreListedTogether() {
    SubwordAligner aligner = new SubwordAligner(miniLm, WNUT_LABELS, false);
    UnknownLabelException e =
        assertThrows(
            UnknownLabelException.class,
            () -> aligner.align(List.of("a", "b", "c", "d"), List.of("B-PER", "O", "I-MISC", "B-PER")));
    assertEquals(Set.of("B-PER", "I-MISC"), e.unknownLabels());
    assertTrue(e.getMessage().contains("B-PER") && e.getMessage().contains("I-MISC"), e.getMessage());

    UnknownLabelException inBatch =
        assertThrows(
            UnknownLabelException.class,
            () -> aligner.alignAll(List.of(List.of("a"), List.of("b")), List.of(List.of("O"), List.of("X"))));
    assertTrue(inBatch.getMessage().startsWith("sentence 1: "), inBatch.getMessage());
  }

  @Test
  void badInputIsRejectedWithWhatWasExpected() {
    SubwordAligner aligner = new SubwordAligner(miniLm, WNUT_LABELS, false);
    IllegalArgumentException count =
        assertThrows(IllegalArgumentException.class, () -> aligner.align(List.of("a", "b"), List.of("O")));
    assertTrue(count.getMessage().contains("1 tags for 2 words"), count.getMessage());
    IllegalArgumentException nullWord =
        assertThrows(IllegalArgumentException.class, () -> aligner.align(Arrays.asList("a", null)));
    assertTrue(nullWord.getMessage().contains("words[1]"), nullWord.getMessage());
    assertThrows(
        IllegalStateException.class,
        () -> new SubwordAligner(miniLm, null, false).align(List.of("a"), List.of("O")));
    assertThrows(
        IllegalArgumentException.class,
        () -> aligner.alignAll(List.of(List.of("a")), List.of()));
    IllegalArgumentException inBatch =
        assertThrows(
            IllegalArgumentException.class,
            () -> aligner.alignAll(List.of(List.of("a"), List.of("b", "c")), List.of(List.of("O"), List.of("O"))));
    assertTrue(inBatch.getMessage().startsWith("sentence 1: got 1 tags for 2 words"), inBatch.getMessage());
    IllegalArgumentException nullInBatch =
        assertThrows(
            IllegalArgumentException.class,
            () -> aligner.alignAll(List.of(List.of("a"), Arrays.asList("b", null)), null));
    assertTrue(nullInBatch.getMessage().startsWith("sentence 1: words[1] is null"), nullInBatch.getMessage());
  }

  @Test
  void untaggedAlignmentHasNoLabels() {
    AlignedSentence aligned = new SubwordAligner(miniLm, null, false).align(List.of("hello", "world"));
    assertFalse(aligned.hasLabels());
    assertThrows(IllegalStateException.class, aligned::labelIds);
    assertArrayEquals(new long[] {101, 7592, 2088, 102}, aligned.inputIds());
  }

  @Test
  void exceedsLengthComparesSubTokensWithSpecialTokens() {
    AlignedSentence aligned =
        new SubwordAligner(miniLm, null, false).align(Collections.nCopies(10, "word"));
    assertEquals(12, aligned.length());
    assertFalse(aligned.exceedsLength(12));
    assertTrue(aligned.exceedsLength(11));
    assertThrows(IllegalArgumentException.class, () -> aligned.exceedsLength(0));
  }

  @Test
  void labelMapRejectsIdsOutsideRangeAndDuplicates() {
    IllegalArgumentException range =
        assertThrows(
            IllegalArgumentException.class,
            () -> LabelMap.ofIds(new java.util.LinkedHashMap<>(java.util.Map.of("O", 0, "B-X", 2))));
    assertTrue(range.getMessage().contains("B-X") && range.getMessage().contains("0 <= id < numLabels = 2"), range.getMessage());
    IllegalArgumentException shared =
        assertThrows(IllegalArgumentException.class, () -> LabelMap.ofIds(java.util.Map.of("O", 0, "B-X", 0)));
    assertTrue(shared.getMessage().contains("both have id 0"), shared.getMessage());
    assertThrows(IllegalArgumentException.class, () -> LabelMap.ofLabels(List.of("O", "O")));
    assertThrows(IllegalArgumentException.class, () -> LabelMap.ofLabels(List.of()));
    LabelMap fromIds = LabelMap.ofIds(java.util.Map.of("I-X", 2, "O", 0, "B-X", 1));
    assertEquals(List.of("O", "B-X", "I-X"), fromIds.labels());
    assertEquals(2, fromIds.continuationId(1));
    assertThrows(IllegalArgumentException.class, () -> fromIds.continuationId(3));
  }
}
