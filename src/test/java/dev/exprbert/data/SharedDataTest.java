package dev.exprbert.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Reads every CoNLL file of the shared datasets (never copied into this repository) and checks
 * sentence and token counts, the label lists, and that the BIO is well-formed, against numbers
 * computed independently in the shell from /work/shared/data:
 *
 * <pre>
 * # sentences (a run of non-blank lines; NF==0 also covers whitespace-only lines), then tokens:
 * for f in *&#47;*.conll *&#47;*&#47;*.conll; do echo "$f $(awk 'NF==0{if(n)s++;n=0;next}{n=1}END{if(n)s++;print s}' $f) $(grep -c '[^[:space:]]' $f)"; done
 * # labels of a train file, in Python's sorted() order (byte order = code point order for UTF-8):
 * cut -f2 train.conll | grep . | LC_ALL=C sort -u
 * </pre>
 *
 * The token counts matter: WNUT-17, STREUSLE and NoReC contain rows whose token is {@code #} or
 * {@code #hashtag}, which a reader that drops every {@code #} line as a comment would lose. The
 * counts agree with each dataset's SOURCE.md. None of these files has comments or -DOCSTART-.
 */
class SharedDataTest {
  private static final Path DATA = Path.of("../shared/data");

  /** file (relative to DATA) -> {sentences, tokens}. */
  private static final Map<String, long[]> COUNTS = new TreeMap<>();

  static {
    COUNTS.put("streusle/train.conll", new long[] {2725, 44811});
    COUNTS.put("streusle/dev.conll", new long[] {554, 5396});
    COUNTS.put("streusle/test.conll", new long[] {535, 5381});
    COUNTS.put("wikiwars_timex3/train.conll", new long[] {3839, 90785});
    COUNTS.put("wikiwars_timex3/dev.conll", new long[] {488, 12857});
    COUNTS.put("wikiwars_timex3/test.conll", new long[] {592, 13742});
    COUNTS.put("wnut17/train.conll", new long[] {3394, 62730});
    COUNTS.put("wnut17/dev.conll", new long[] {1009, 15733});
    COUNTS.put("wnut17/test.conll", new long[] {1287, 23394});
    // The three views of each SemEval-2022 dataset share sentences and tokens; only tags differ.
    for (String view : List.of("expression", "full", "polarity")) {
      COUNTS.put("semeval22-opener_en/" + view + "/train.conll", new long[] {1744, 26089});
      COUNTS.put("semeval22-opener_en/" + view + "/dev.conll", new long[] {249, 3634});
      COUNTS.put("semeval22-opener_en/" + view + "/test.conll", new long[] {499, 7874});
      COUNTS.put("semeval22-multibooked_ca/" + view + "/train.conll", new long[] {1174, 19417});
      COUNTS.put("semeval22-multibooked_ca/" + view + "/dev.conll", new long[] {167, 2354});
      COUNTS.put("semeval22-multibooked_ca/" + view + "/test.conll", new long[] {335, 5218});
      COUNTS.put("semeval22-norec/" + view + "/train.conll", new long[] {8634, 147944});
      COUNTS.put("semeval22-norec/" + view + "/dev.conll", new long[] {1531, 26487});
      COUNTS.put("semeval22-norec/" + view + "/test.conll", new long[] {1272, 22266});
    }
  }

  private static final List<String> EXPRESSION = List.of("B-EXPR", "I-EXPR", "O");
  private static final List<String> FULL =
      List.of("B-EXPR", "B-HOLDER", "B-TARGET", "I-EXPR", "I-HOLDER", "I-TARGET", "O");
  private static final List<String> POLARITY =
      List.of("B-Negative", "B-Positive", "I-Negative", "I-Positive", "O");

  /** Train-file label lists, from the cut | sort one-liner above. */
  private static final Map<String, List<String>> TRAIN_LABELS = Map.ofEntries(
      Map.entry("streusle/train.conll", List.of("B-ADP", "B-NOUN", "B-OTHER", "B-VERB", "I-ADP",
          "I-NOUN", "I-OTHER", "I-VERB", "O")),
      Map.entry("wikiwars_timex3/train.conll", List.of("B-DATE", "B-DURATION", "B-SET", "B-TIME",
          "I-DATE", "I-DURATION", "I-SET", "I-TIME", "O")),
      Map.entry("wnut17/train.conll", List.of("B-corporation", "B-creative-work", "B-group",
          "B-location", "B-person", "B-product", "I-corporation", "I-creative-work", "I-group",
          "I-location", "I-person", "I-product", "O")),
      Map.entry("semeval22-opener_en/expression/train.conll", EXPRESSION),
      Map.entry("semeval22-opener_en/full/train.conll", FULL),
      Map.entry("semeval22-opener_en/polarity/train.conll", POLARITY),
      Map.entry("semeval22-multibooked_ca/expression/train.conll", EXPRESSION),
      Map.entry("semeval22-multibooked_ca/full/train.conll", FULL),
      Map.entry("semeval22-multibooked_ca/polarity/train.conll", POLARITY),
      Map.entry("semeval22-norec/expression/train.conll", EXPRESSION),
      Map.entry("semeval22-norec/full/train.conll", FULL),
      Map.entry("semeval22-norec/polarity/train.conll", POLARITY));

  @Test
  void everySharedConllFileIsCountedHere() throws IOException {
    assumeTrue(Files.isDirectory(DATA), "shared datasets not present at " + DATA.toAbsolutePath());
    TreeSet<String> onDisk = new TreeSet<>();
    try (Stream<Path> files = Files.walk(DATA, 3)) {
      files.filter(f -> f.toString().endsWith(".conll"))
          .forEach(f -> onDisk.add(DATA.relativize(f).toString().replace('\\', '/')));
    }
    assertEquals(COUNTS.keySet(), onDisk,
        "a dataset file was added or removed: count it with the one-liner and update COUNTS");
  }

  @Test
  void everySharedConllFileReadsWithVerifiedCountsAndWellFormedBio() {
    assumeTrue(Files.isDirectory(DATA), "shared datasets not present at " + DATA.toAbsolutePath());
    for (Map.Entry<String, long[]> expected : COUNTS.entrySet()) {
      Path file = DATA.resolve(expected.getKey());
      long sentences = 0;
      long tokens = 0;
      TreeSet<String> labels = new TreeSet<>(LabelSets.PYTHON_ORDER);
      BioChecker bio = new BioChecker(3);
      try (SentenceReader reader = SentenceReaders.open(file, ReaderOptions.DEFAULTS)) {
        while (reader.hasNext()) {
          LabeledSentence sentence = reader.next();
          sentences++;
          tokens += sentence.size();
          labels.addAll(sentence.tags());
          bio.accept(sentence);
        }
      }
      String name = expected.getKey();
      assertEquals(expected.getValue()[0], sentences, name + " sentences");
      assertEquals(expected.getValue()[1], tokens, name + " tokens");
      assertTrue(bio.report().isWellFormed(), name + ": " + bio.report().summary());
      List<String> trainLabels = TRAIN_LABELS.get(name);
      if (trainLabels != null) {
        assertEquals(trainLabels, List.copyOf(labels), name + " labels");
      }
    }
  }

  @Test
  void labelListOfOpenerExpressionTrainIsRunNerOrder() {
    assumeTrue(Files.isDirectory(DATA), "shared datasets not present at " + DATA.toAbsolutePath());
    Path file = DATA.resolve("semeval22-opener_en/expression/train.conll");
    try (SentenceReader reader = SentenceReaders.open(file)) {
      assertEquals(EXPRESSION, LabelSets.collect(reader));
    }
  }

  @Test
  void hashTokensOfWnutTrainSurvive() {
    assumeTrue(Files.isDirectory(DATA), "shared datasets not present at " + DATA.toAbsolutePath());
    // grep -c '^#' wnut17/train.conll -> 828 rows whose token starts with '#'
    long hashTokens = 0;
    try (SentenceReader reader = SentenceReaders.open(DATA.resolve("wnut17/train.conll"))) {
      while (reader.hasNext()) {
        hashTokens += reader.next().words().stream().filter(w -> w.startsWith("#")).count();
      }
    }
    assertEquals(828, hashTokens);
  }
}
