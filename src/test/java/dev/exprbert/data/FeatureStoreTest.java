package dev.exprbert.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

/**
 * The compact feature store reads back every feature exactly as the featurizer made it (each array, the owned words,
 * the sentence index), on real data with windows, in training and evaluation form, with and without
 * label_all_tokens; parts it normally derives are kept when they do not follow the rule; batches over a store are
 * the batches over the features themselves.
 */
class FeatureStoreTest {
  static final Path OPENER_TRAIN = Path.of("..", "shared", "data", "semeval22-opener_en", "expression", "train.conll");
  private static final LabelMap LABELS = LabelMap.ofLabels(List.of("O", "B-EXPR", "I-EXPR"));

  @TempDir static Path tmp;
  private static ModelTokenizer tokenizer;
  private static List<LabeledSentence> sentences;

  @BeforeAll
  static void load() throws Exception {
    tokenizer = TokenizerLoader.load(TestTokenizers.miniLm(tmp));
    sentences = new ArrayList<>(SentenceReaders.readAll(OPENER_TRAIN, ReaderOptions.DEFAULTS).subList(0, 400));
    // one sentence far over the window, with an emoji variation selector that becomes no sub-token
    List<String> words = new ArrayList<>();
    List<String> tags = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      words.add(i % 11 == 5 ? "\uFE0F" : i % 3 == 0 ? "tokenization" : "room");
      tags.add(i % 7 == 2 ? "B-EXPR" : i % 7 == 3 ? "I-EXPR" : "O");
    }
    sentences.add(new LabeledSentence(words, tags, "long", 1));
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  /** The features as the featurizer makes them before they are stored: aligned, then windowed. */
  private static List<Feature> unstored(Featurizer featurizer, SubwordAligner aligner, boolean training) {
    List<Feature> out = new ArrayList<>();
    for (int i = 0; i < sentences.size(); i++) {
      LabeledSentence s = sentences.get(i);
      out.addAll(featurizer.windows(i, aligner.align(s.words(), s.tags()), training));
    }
    return out;
  }

  static void assertSameFeature(Feature expected, Feature actual, String where) {
    assertEquals(expected.sentenceIndex(), actual.sentenceIndex(), where);
    assertArrayEquals(expected.ownedWords(), actual.ownedWords(), where + " owned words");
    AlignedSentence e = expected.encoding();
    AlignedSentence a = actual.encoding();
    assertArrayEquals(e.inputIds(), a.inputIds(), where + " input ids");
    assertArrayEquals(e.tokenTypeIds(), a.tokenTypeIds(), where + " token type ids");
    assertArrayEquals(e.attentionMask(), a.attentionMask(), where + " attention mask");
    assertArrayEquals(e.wordIds(), a.wordIds(), where + " word ids");
    assertEquals(e.hasLabels(), a.hasLabels(), where + " labelled");
    if (e.hasLabels()) {
      assertArrayEquals(e.labelIds(), a.labelIds(), where + " label ids");
    }
    assertEquals(e.wordCount(), a.wordCount(), where + " words");
    for (int w = 0; w < e.wordCount(); w++) {
      assertEquals(e.wordStart(w), a.wordStart(w), where + " start of word " + w);
      assertEquals(e.wordEnd(w), a.wordEnd(w), where + " end of word " + w);
    }
    assertEquals(e.cutAtStart(), a.cutAtStart(), where + " cut at start");
    assertEquals(e.cutAtEnd(), a.cutAtEnd(), where + " cut at end");
  }

  @Test
  void featuresReadBackExactlyInEveryFeaturizerMode() {
    for (boolean labelAll : new boolean[] {false, true}) {
      for (boolean training : new boolean[] {true, false}) {
        Featurizer featurizer = new Featurizer(tokenizer, LABELS, labelAll, 48, 8);
        List<Feature> expected = unstored(featurizer, new SubwordAligner(tokenizer, LABELS, labelAll), training);
        FeatureStore store = featurizer.featurize(sentences, training).features();
        String mode = "label_all_tokens " + labelAll + ", training " + training;
        assertEquals(expected.size(), store.size(), mode);
        assertTrue(expected.size() > sentences.size() + 5, "the long sentence and some OpeNER ones are windowed");
        long tokens = 0;
        int cutStarts = 0;
        int cutEnds = 0;
        for (int i = 0; i < expected.size(); i++) {
          assertSameFeature(expected.get(i), store.get(i), mode + ", feature " + i);
          cutStarts += store.get(i).encoding().cutAtStart() ? 1 : 0;
          cutEnds += store.get(i).encoding().cutAtEnd() ? 1 : 0;
          assertEquals(expected.get(i).length(), store.length(i));
          assertEquals(expected.get(i).sentenceIndex(), store.sentenceIndex(i));
          tokens += expected.get(i).length();
        }
        assertEquals(tokens, store.tokenCount());
        assertTrue(cutStarts > 0 && cutEnds > 0, mode + ": windows keep where they cut their sentence (the CRF reads it)");
        // ids and labels as ints, the words inside each window, offsets: about 18 bytes, where objects take over 50
        double perToken = (double) store.heapBytes() / tokens;
        assertTrue(perToken < 19, mode + ": " + perToken + " bytes per sub-token");
      }
    }
  }

  @Test
  void unlabelledFeaturesHaveNoLabelsAfterTheStore() {
    Featurizer featurizer = new Featurizer(tokenizer, null, false, 48, 8);
    List<LabeledSentence> untagged = sentences.stream()
        .map(s -> new LabeledSentence(s.words(), null, s.source(), s.line())).toList();
    FeatureStore store = featurizer.featurize(untagged, false).features();
    SubwordAligner aligner = new SubwordAligner(tokenizer, null, false);
    int at = 0;
    for (int i = 0; i < untagged.size(); i++) {
      for (Feature expected : featurizer.windows(i, aligner.align(untagged.get(i).words()), false)) {
        assertFalse(store.get(at).encoding().hasLabels());
        assertSameFeature(expected, store.get(at), "feature " + at);
        at++;
      }
    }
    assertEquals(store.size(), at);
  }

  /** Token types, a mask with zeros, word ids that the ranges do not give, owned words of another window. */
  @Test
  void partsThatBreakTheDerivationRulesAreKeptAsTheyWere() {
    long[] ids = {101, 7, 8, 9, 102};
    int[] starts = {1, 2};
    int[] ends = {2, 4};
    List<Feature> odd = List.of(
        new Feature(0, new AlignedSentence(ids, new long[] {0, 0, 1, 1, 1}, new long[] {1, 1, 1, 1, 1},
            new int[] {-1, 0, 1, 1, -1}, new long[] {-100, 1, 2, -100, -100}, starts, ends), new int[] {0, 1}),
        new Feature(1, new AlignedSentence(ids, new long[5], new long[] {1, 1, 1, 1, 0},
            new int[] {-1, 0, 1, 1, -1}, null, starts, ends), new int[] {0, 1}),
        new Feature(2, new AlignedSentence(ids, new long[5], new long[] {1, 1, 1, 1, 1},
            new int[] {-1, 0, 0, 1, -1}, new long[] {-100, 1, 1, 2, -100}, starts, ends), new int[] {0, 1}),
        new Feature(2, new AlignedSentence(ids, new long[5], new long[] {1, 1, 1, 1, 1},
            new int[] {-1, 0, 1, 1, -1}, new long[] {-100, -100, 2, -100, -100}, starts, ends), new int[] {1}),
        new Feature(3, new AlignedSentence(new long[] {101, 102}, new long[2], new long[] {1, 1}, new int[] {-1, -1},
            new long[] {-100, -100}, new int[] {1}, new int[] {1}), new int[0]));
    FeatureStore store = FeatureStore.of(odd);
    assertEquals(odd.size(), store.size());
    for (int i = 0; i < odd.size(); i++) {
      assertSameFeature(odd.get(i), store.get(i), "feature " + i);
    }
    Feature tooBig = new Feature(0, new AlignedSentence(new long[] {101, 1L << 40, 102}, new long[3],
        new long[] {1, 1, 1}, new int[] {-1, 0, -1}, null, new int[] {1}, new int[] {2}), new int[] {0});
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FeatureStore.of(List.of(tooBig)));
    assertTrue(e.getMessage().contains("input id 1099511627776 at sub-token 1"), e.getMessage());
  }

  @Test
  void batchesOverTheStoreAreTheBatchesOverItsFeatures() {
    FeatureStore store = new Featurizer(tokenizer, LABELS, false, 48, 8).featurize(sentences, true).features();
    List<Feature> objects = new ArrayList<>(store);
    for (boolean groupByLength : new boolean[] {false, true}) {
      for (int world : new int[] {1, 2}) {
        for (int rank = 0; rank < world; rank++) {
          List<List<Feature>> fromStore = new Batcher(store, 8, true, groupByLength, 5, rank, world).epoch(2);
          List<List<Feature>> fromObjects = new Batcher(objects, 8, true, groupByLength, 5, rank, world).epoch(2);
          assertEquals(fromObjects.size(), fromStore.size());
          for (int b = 0; b < fromObjects.size(); b++) {
            assertEquals(fromObjects.get(b).size(), fromStore.get(b).size());
            for (int k = 0; k < fromObjects.get(b).size(); k++) {
              assertSameFeature(fromObjects.get(b).get(k), fromStore.get(b).get(k),
                  "group " + groupByLength + " rank " + rank + "/" + world + " batch " + b + " item " + k);
            }
          }
        }
      }
    }
  }

  @Test
  void columnsSpanPagesAndTrimTheirLastOne() {
    IntColumn column = new IntColumn();
    int n = (1 << 20) * 2 + 12345;
    int[] chunk = new int[1000];
    for (int i = 0; i < n; ) {
      int count = Math.min(chunk.length, n - i);
      for (int k = 0; k < count; k++) {
        chunk[k] = i + k;
      }
      column.addAll(chunk, count);
      i += count;
    }
    column.add(-5);
    column.trimToSize();
    assertEquals(n + 1L, column.size());
    assertEquals(4L * (n + 1), column.capacityBytes());
    long from = (1L << 20) - 3;
    long[] across = new long[10];
    column.readLongs(from, across, 10);
    for (int k = 0; k < 10; k++) {
      assertEquals(from + k, across[k]);
    }
    int[] tail = new int[2];
    column.readInts(n - 1, tail, 0, 2);
    assertArrayEquals(new int[] {n - 1, -5}, tail);
    column.add(7); // adding after a trim grows the last page again
    assertEquals(7, column.get(n + 1L));
    assertThrows(IndexOutOfBoundsException.class, () -> column.get(n + 2L));
    assertThrows(IndexOutOfBoundsException.class, () -> column.readInts(n, new int[5], 0, 5));
  }
}
