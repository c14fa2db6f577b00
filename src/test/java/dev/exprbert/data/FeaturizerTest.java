package dev.exprbert.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.io.TokenizerLoader;
import dev.exprbert.testing.TestTokenizers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeaturizerTest {
  @TempDir static Path tmp;
  private static ModelTokenizer tokenizer;
  private static final LabelMap LABELS = LabelMap.ofLabels(List.of("O", "B-TIME", "I-TIME"));

  @BeforeAll
  static void load() throws Exception {
    tokenizer = TokenizerLoader.load(TestTokenizers.miniLm(tmp));
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  /** A sentence of n words, every 7th word "yesterday" tagged B-TIME, some words split into pieces. */
  private static LabeledSentence longSentence(int n) {
    List<String> words = new ArrayList<>();
    List<String> tags = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      boolean time = i % 7 == 3;
      words.add(time ? "yesterday" : (i % 5 == 0 ? "tokenization" : "room"));
      tags.add(time ? "B-TIME" : "O");
    }
    return new LabeledSentence(words, tags, "test", 1);
  }

  @Test
  void shortSentencesGiveOneFeatureOwningEveryWord() {
    Featurizer f = new Featurizer(tokenizer, LABELS, false, 128, 32);
    Featurizer.Result r = f.featurize(List.of(longSentence(10)), false);
    assertEquals(1, r.features().size());
    assertEquals(0, r.sentencesWithWindows());
    assertEquals(10, r.features().get(0).ownedWords().length);
  }

  @Test
  void aFiveThousandWordSentenceIsWindowedAndEveryWordIsPredictedExactlyOnce() {
    int n = 5000;
    Featurizer f = new Featurizer(tokenizer, LABELS, false, 64, 16);
    Featurizer.Result r = f.featurize(List.of(longSentence(n)), false);
    assertEquals(1, r.sentencesWithWindows());
    assertTrue(r.features().size() > 100, "windows: " + r.features().size());
    int[] owners = new int[n];
    long labelled = 0;
    for (Feature feature : r.features()) {
      assertTrue(feature.length() <= 64, "window longer than max_seq_length: " + feature.length());
      for (int w : feature.ownedWords()) {
        owners[w]++;
      }
      for (long id : feature.encoding().labelIds()) {
        labelled += id >= 0 ? 1 : 0;
      }
    }
    for (int w = 0; w < n; w++) {
      assertEquals(1, owners[w], "word " + w + " must be owned by exactly one window");
    }
    assertEquals(n, labelled, "evaluation features label each word once");
  }

  @Test
  void trainingWindowsKeepEveryLabelAndOverlap() {
    Featurizer f = new Featurizer(tokenizer, LABELS, false, 64, 16);
    Featurizer.Result r = f.featurize(List.of(longSentence(400)), true);
    long labelled = 0;
    for (Feature feature : r.features()) {
      for (long id : feature.encoding().labelIds()) {
        labelled += id >= 0 ? 1 : 0;
      }
    }
    assertTrue(labelled > 400, "overlapping training windows repeat some labels: " + labelled);
  }

  @Test
  void mergedWindowPredictionsEqualTheGoldLabelsWhenEachWindowPredictsItsLabels() {
    LabeledSentence s = longSentence(700);
    Featurizer f = new Featurizer(tokenizer, LABELS, false, 48, 8);
    Featurizer.Result r = f.featurize(List.of(s, longSentence(5)), false);
    List<long[]> predictions = new ArrayList<>();
    for (Feature feature : r.features()) {
      // a perfect model: the gold label of each sub-token's word (from the full training alignment)
      long[] labels = feature.encoding().labelIds();
      int[] wordIds = feature.encoding().wordIds();
      long[] predicted = new long[labels.length];
      LabeledSentence src = feature.sentenceIndex() == 0 ? s : longSentence(5);
      for (int i = 0; i < predicted.length; i++) {
        predicted[i] = wordIds[i] < 0 ? 0 : LABELS.id(src.tags().get(wordIds[i]));
      }
      predictions.add(predicted);
    }
    List<int[]> merged = Featurizer.mergeWordPredictions(r.features(), predictions, new int[] {700, 5});
    assertArrayEquals(LABELS.ids(s.tags()), merged.get(0));
    assertArrayEquals(LABELS.ids(longSentence(5).tags()), merged.get(1));
  }

  @Test
  void wordsWithoutSubTokensAreCountedAndMergeToMinusOne() {
    LabeledSentence s = new LabeledSentence(List.of("we", "\uFE0F", "left"), List.of("O", "O", "O"), "t", 1);
    Featurizer f = new Featurizer(tokenizer, LABELS, false, 32, 0);
    Featurizer.Result r = f.featurize(List.of(s), false);
    assertEquals(1, r.emptyWords());
    List<int[]> merged = Featurizer.mergeWordPredictions(r.features(), List.of(new long[r.features().get(0).length()]), new int[] {3});
    assertArrayEquals(new int[] {0, -1, 0}, merged.get(0));
  }

  @Test
  void strideMustLeaveRoomForProgress() {
    assertThrows(IllegalArgumentException.class, () -> new Featurizer(tokenizer, LABELS, false, 32, 30));
    assertThrows(IllegalArgumentException.class, () -> new Featurizer(tokenizer, LABELS, false, 2, 0));
  }

  @Test
  void unknownLabelsNameTheSentenceLocation() {
    LabeledSentence s = new LabeledSentence(List.of("a"), List.of("B-PER"), "train.conll", 17);
    UnknownLabelException e = assertThrows(UnknownLabelException.class,
        () -> new Featurizer(tokenizer, LABELS, false, 32, 0).featurize(List.of(s), true));
    assertTrue(e.getMessage().contains("train.conll:17") && e.getMessage().contains("B-PER"), e.getMessage());
  }

  @Test
  void mergedWordProbabilitiesHoldEveryPieceOfEachWordFromItsOwningWindow() {
    LabeledSentence s = longSentence(700);
    Featurizer f = new Featurizer(tokenizer, LABELS, false, 48, 8);
    Featurizer.Result r = f.featurize(List.of(longSentence(3), s), false);
    List<float[][]> tables = new ArrayList<>();
    List<long[]> argmax = new ArrayList<>();
    for (int fi = 0; fi < r.features().size(); fi++) {
      AlignedSentence enc = r.features().get(fi).encoding();
      int[] wordIds = enc.wordIds();
      float[][] rows = new float[enc.length() + 2][]; // two padding rows, as a padded batch has
      long[] best = new long[rows.length];
      for (int t = 0; t < rows.length; t++) {
        int w = t < wordIds.length ? wordIds[t] : -1;
        int piece = w < 0 ? -1 : t - enc.wordStart(w);
        // a recognisable row: which word, which piece, which window
        rows[t] = new float[] {w, piece, fi};
        best[t] = w < 0 ? 0 : w % 3;
      }
      tables.add(rows);
      argmax.add(best);
    }
    List<float[][][]> merged = Featurizer.mergeWordProbabilities(r.features(), tables, new int[] {3, 700});
    List<int[]> mergedIds = Featurizer.mergeWordPredictions(r.features(), argmax, new int[] {3, 700});
    AlignedSentence full = new SubwordAligner(tokenizer, null, false).align(s.words());
    for (int w = 0; w < 700; w++) {
      float[][] pieces = merged.get(1)[w];
      assertEquals(full.wordEnd(w) - full.wordStart(w), pieces.length, "pieces of word " + w);
      int owner = -1;
      final int word = w;
      for (int fi = 0; fi < r.features().size(); fi++) {
        Feature feature = r.features().get(fi);
        if (feature.sentenceIndex() == 1 && java.util.Arrays.stream(feature.ownedWords()).anyMatch(x -> x == word)) {
          owner = fi;
        }
      }
      for (int k = 0; k < pieces.length; k++) {
        assertArrayEquals(new float[] {w, k, owner}, pieces[k], "word " + w + " piece " + k);
      }
      assertEquals(w % 3, mergedIds.get(1)[w], "the first piece is the one mergeWordPredictions reads");
    }
    assertEquals(3, merged.get(0).length);
    assertThrows(IllegalArgumentException.class,
        () -> Featurizer.mergeWordProbabilities(r.features(), tables.subList(1, tables.size()), new int[] {3, 700}));
  }

  @Test
  void wordsWithoutSubTokensGetNoProbabilityRows() {
    LabeledSentence s = new LabeledSentence(List.of("we", "\uFE0F", "left"), null, "t", 1);
    Featurizer.Result r = new Featurizer(tokenizer, LABELS, false, 32, 0).featurize(List.of(s), false);
    float[][] rows = new float[r.features().get(0).length()][5];
    float[][][] words = Featurizer.mergeWordProbabilities(r.features(), List.<float[][]>of(rows), new int[] {3}).get(0);
    assertEquals(1, words[0].length);
    assertEquals(0, words[1].length);
    assertEquals(1, words[2].length);
  }
}
