package dev.exprbert.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.runtime.Placement;
import dev.exprbert.testing.TinyModelDirectory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tiny fixture model (max_position_embeddings 32, labels O/B-EXPR/I-EXPR/B-TIME/I-TIME). */
class TaggerTest {
  @TempDir static Path tmp;
  private static TokenClassifier classifier;

  private static final List<String> TEXTS = List.of(
      "We met on Monday.",
      "The hotel was very nice, and the staff friendly!",
      "",
      "I loved it",
      "Last night the room was clean; we loved it.");

  @BeforeAll
  static void load() throws Exception {
    classifier = TokenClassifier.load(TinyModelDirectory.create(tmp.resolve("m")), Placement.CPU_FLOAT32, "eager");
  }

  @AfterAll
  static void close() {
    classifier.close();
  }

  private static Tagger tagger(Aggregation aggregation) {
    return new Tagger(classifier, TaggerOptions.defaults().withAggregation(aggregation));
  }

  /** Tags with the sentences' words, sentence by sentence, through TokenClassifier's own first-token path. */
  private static List<List<String>> referenceTags(List<TaggedSentence> tagged) {
    List<List<String>> words = tagged.stream().filter(t -> !t.words().isEmpty())
        .map(t -> t.words().stream().map(Word::text).toList()).toList();
    return classifier.predictTags(words, 1);
  }

  @Test
  void textWordsHaveOffsetsAndFirstTokenTagsMatchTheClassifier() {
    List<TaggedSentence> tagged = tagger(Aggregation.FIRST).tagTexts(TEXTS);
    assertEquals(TEXTS.size(), tagged.size());
    for (int i = 0; i < TEXTS.size(); i++) {
      TaggedSentence t = tagged.get(i);
      assertEquals(TEXTS.get(i), t.text());
      for (Word w : t.words()) {
        assertEquals(w.text(), t.text().substring(w.start(), w.end()));
      }
    }
    assertEquals(List.of("We", "met", "on", "Monday", "."), tagged.get(0).words().stream().map(Word::text).toList());
    assertEquals(List.of(), tagged.get(2).words());
    assertEquals(referenceTags(tagged), tagged.stream().filter(t -> !t.words().isEmpty()).map(TaggedSentence::tags).toList());
  }

  @Test
  void groupedSpansCoverExactlyTheWordsTaggedWithTheirType() {
    int spansSeen = 0;
    for (Aggregation a : List.of(Aggregation.FIRST, Aggregation.AVERAGE, Aggregation.MAX)) {
      for (TaggedSentence t : tagger(a).tagTexts(TEXTS)) {
        boolean[] covered = new boolean[t.words().size()];
        spansSeen += t.spans().size();
        for (Span s : t.spans()) {
          assertEquals(t.text().substring(s.startChar(), s.endChar()), s.text());
          assertEquals(t.words().get(s.startWord()).start(), s.startChar(), a + " " + s);
          assertEquals(t.words().get(s.endWord() - 1).end(), s.endChar(), a + " " + s);
          assertTrue(s.score() > 0 && s.score() <= 1, "score " + s.score());
          assertTrue(Set.of("EXPR", "TIME").contains(s.type()), s.type());
          assertTrue(t.tags().get(s.startWord()).startsWith("B-") || t.tags().get(s.startWord()).startsWith("I-"));
          for (int w = s.startWord(); w < s.endWord(); w++) {
            assertTrue(t.tags().get(w).endsWith("-" + s.type()), a + ": word " + w + " " + t.tags() + " in " + s);
            covered[w] = true;
          }
        }
        for (int w = 0; w < covered.length; w++) {
          assertEquals(!t.tags().get(w).equals("O"), covered[w], a + ": word " + w + " of " + t.tags());
        }
      }
    }
    assertTrue(spansSeen > 5, "the fixture model tags some words, so the checks above ran: " + spansSeen);
  }

  @Test
  void noneGivesOneSpanPerNonOutsideWordWithItsFullLabel() {
    for (TaggedSentence t : tagger(Aggregation.NONE).tagTexts(TEXTS)) {
      List<String> expected = new ArrayList<>();
      for (int w = 0; w < t.words().size(); w++) {
        if (!t.tags().get(w).equals("O")) {
          expected.add(w + ":" + t.tags().get(w) + ":" + t.words().get(w).text());
        }
      }
      assertEquals(expected, t.spans().stream().map(s -> s.startWord() + ":" + s.type() + ":" + s.text()).toList());
      t.spans().forEach(s -> assertEquals(s.startWord() + 1, s.endWord()));
    }
  }

  @Test
  void simpleSplitsAWordIntoItsPiecesWithCharacterOffsets() {
    // "wex0" is "we" + "##x0" in the fixture vocabulary; "é" is one [UNK]
    int[][][] offsets = PieceOffsets.of(classifier.tokenizer(),
        List.of(new Word("We", 0, 2), new Word("wex0", 3, 7), new Word("é", 8, 9)));
    assertArrayEquals(new int[][] {{0, 2}}, offsets[0]);
    assertArrayEquals(new int[][] {{3, 5}, {5, 7}}, offsets[1]);
    assertEquals(1, offsets[2].length);
    TaggedSentence t = tagger(Aggregation.SIMPLE).tagWords(List.of(List.of("we", "wex0", "monday", "nicex3x4"))).get(0);
    assertEquals("we wex0 monday nicex3x4", t.text());
    int[][][] pieces = PieceOffsets.of(classifier.tokenizer(), t.words());
    Set<Integer> starts = new java.util.HashSet<>();
    Set<Integer> ends = new java.util.HashSet<>();
    for (int[][] word : pieces) {
      for (int[] piece : word) {
        starts.add(piece[0]);
        ends.add(piece[1]);
      }
    }
    boolean insideAWord = false;
    for (Span s : t.spans()) {
      assertEquals(t.text().substring(s.startChar(), s.endChar()), s.text());
      assertTrue(starts.contains(s.startChar()) && ends.contains(s.endChar()), "spans start and end on pieces: " + s);
      insideAWord |= t.words().stream().noneMatch(w -> w.start() == s.startChar());
    }
    // the fixture model tags "##x0" B-TIME, so HF's simple strategy starts a span inside "wex0"
    assertTrue(insideAWord, "simple works on sub-tokens: " + t.spans());
  }

  @Test
  void preSplitWordsAreJoinedBySpacesAndTagLikeTheirText() {
    List<List<String>> words = List.of(List.of("We", "met", "on", "Monday", "."), List.of("I", "loved", "it"));
    List<TaggedSentence> fromWords = tagger(Aggregation.FIRST).tagWords(words);
    assertEquals("We met on Monday .", fromWords.get(0).text());
    assertEquals(new Word("Monday", 10, 16), fromWords.get(0).words().get(3));
    List<TaggedSentence> fromText = tagger(Aggregation.FIRST).tagTexts(List.of("We met on Monday.", "I loved it"));
    assertEquals(fromText.get(0).tags(), fromWords.get(0).tags());
    assertEquals(fromText.get(1), fromWords.get(1), "identical text and words give identical results");
  }

  @Test
  void longInputIsWindowedAndEveryWordGetsOneTag() {
    List<String> words = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      words.add(TinyModelDirectory.WORDS.get((i * 7) % TinyModelDirectory.WORDS.size()));
    }
    assertThrows(IllegalArgumentException.class, () -> classifier.predictTags(List.of(words)),
        "the plain classifier refuses what does not fit");
    TaggedSentence t = tagger(Aggregation.FIRST).tagWords(List.of(words)).get(0);
    assertEquals(300, t.tags().size());
    // a window of 16 (stride 4) must agree with the default 32-token windows on the short sentences
    Tagger small = new Tagger(classifier, TaggerOptions.defaults().withWindow(16, 4));
    List<TaggedSentence> a = small.tagTexts(List.of("I loved it", "we met on monday"));
    List<TaggedSentence> b = tagger(Aggregation.FIRST).tagTexts(List.of("I loved it", "we met on monday"));
    assertEquals(b, a);
    assertEquals(300, small.tagWords(List.of(words)).get(0).tags().size());
  }

  @Test
  void batchSizeDoesNotChangeTheAnswer() {
    List<TaggedSentence> one = new Tagger(classifier, TaggerOptions.defaults().withBatchSize(1)).tagTexts(TEXTS);
    List<TaggedSentence> all = new Tagger(classifier, TaggerOptions.defaults().withBatchSize(64)).tagTexts(TEXTS);
    for (int i = 0; i < TEXTS.size(); i++) {
      assertEquals(one.get(i).tags(), all.get(i).tags());
      assertEquals(one.get(i).spans().size(), all.get(i).spans().size());
      for (int s = 0; s < one.get(i).spans().size(); s++) {
        Span x = one.get(i).spans().get(s);
        Span y = all.get(i).spans().get(s);
        assertEquals(x.text() + x.type() + x.startChar(), y.text() + y.type() + y.startChar());
        assertEquals(x.score(), y.score(), 1e-5, "padding changes only rounding");
      }
    }
  }

  @Test
  void concurrentCallersGetTheSingleThreadedResults() throws Exception {
    Tagger tagger = tagger(Aggregation.AVERAGE);
    List<List<TaggedSentence>> expected = new ArrayList<>();
    for (String text : TEXTS) {
      expected.add(tagger.tagTexts(List.of(text, text + " " + text)));
    }
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Future<List<TaggedSentence>>> futures = new ArrayList<>();
      for (int round = 0; round < 8; round++) {
        for (String text : TEXTS) {
          futures.add(pool.submit(() -> tagger.tagTexts(List.of(text, text + " " + text))));
        }
      }
      for (int f = 0; f < futures.size(); f++) {
        assertEquals(expected.get(f % TEXTS.size()), futures.get(f).get(), "call " + f);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void badInputNamesTheProblem() {
    Tagger tagger = tagger(Aggregation.FIRST);
    IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
        () -> tagger.tagWords(List.of(List.of("we", ""))));
    assertTrue(empty.getMessage().contains("sentences[0][1]"), empty.getMessage());
    List<String> withNull = new ArrayList<>(List.of("a"));
    withNull.add(null);
    IllegalArgumentException nullText = assertThrows(IllegalArgumentException.class, () -> tagger.tagTexts(withNull));
    assertTrue(nullText.getMessage().contains("texts[1]"), nullText.getMessage());
    IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
        () -> new Tagger(classifier, TaggerOptions.defaults().withWindow(64, null)));
    assertTrue(tooLong.getMessage().contains("64") && tooLong.getMessage().contains("32"), tooLong.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TaggerOptions.defaults().withBatchSize(0));
    assertEquals(List.of(), tagger.tagTexts(List.of(" ,")).get(0).words().stream().filter(w -> w.text().isBlank()).toList());
  }
}
