package dev.exprbert.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.data.BioChecker;
import dev.exprbert.data.BioReport;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.data.ReaderOptions;
import dev.exprbert.data.SentenceReaders;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped sample: exactly what the generator writes, readable, well-formed BIO, and varied enough to learn from. */
class ReviewSampleTest {
  private static final Path SAMPLE = Path.of("src", "main", "resources", "dev", "exprbert", "sample");
  private static final String REGENERATE = "; the sample is generated, not edited: run"
      + " `java -cp target/test-classes:target/classes dev.exprbert.sample.ReviewSampleGenerator` from the project root"
      + " (after `mvn test-compile`) to rewrite it";

  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"train.conll", "dev.conll"})
  void committedFilesAreByteForByteWhatTheGeneratorWrites(String name) throws Exception {
    ReviewSampleGenerator.write(tmp);
    byte[] expected = Files.readAllBytes(tmp.resolve(name));
    assertArrayEquals(expected, Files.readAllBytes(SAMPLE.resolve(name)), SAMPLE.resolve(name) + " differs" + REGENERATE);
    try (InputStream onClasspath = getClass().getResourceAsStream("/dev/exprbert/sample/" + name)) {
      assertArrayEquals(expected, onClasspath.readAllBytes(), "the classpath copy of " + name + " differs" + REGENERATE);
    }
  }

  @Test
  void sentenceCountsLabelsAndBioAreAsDocumented() {
    List<LabeledSentence> train = read("train.conll");
    List<LabeledSentence> dev = read("dev.conll");
    assertEquals(ReviewSampleGenerator.TRAIN_SENTENCES, train.size());
    assertEquals(ReviewSampleGenerator.DEV_SENTENCES, dev.size());
    assertTrue(train.size() >= 800 && dev.size() >= 200);
    for (List<LabeledSentence> set : List.of(train, dev)) {
      BioReport report = BioChecker.check(set, 5);
      assertTrue(report.isWellFormed(), report.summary());
      Set<String> labels = new TreeSet<>();
      set.forEach(s -> labels.addAll(s.tags()));
      assertEquals(new TreeSet<>(ReviewSampleGenerator.LABELS), labels, "every label appears in each split");
    }
  }

  @Test
  void devSharesNoSentenceWithTrain() {
    Set<String> trainText = new HashSet<>();
    read("train.conll").forEach(s -> trainText.add(String.join(" ", s.words())));
    assertEquals(ReviewSampleGenerator.TRAIN_SENTENCES, trainText.size(), "train sentences are distinct");
    for (LabeledSentence s : read("dev.conll")) {
      assertTrue(!trainText.contains(String.join(" ", s.words())), "dev sentence also in train: " + s.words());
    }
  }

  @Test
  void spansVaryInLengthAndLookAlikeWordsAppearOutsideSpans() {
    List<LabeledSentence> train = read("train.conll");
    Map<String, Set<Integer>> lengths = new HashMap<>();
    int noSpan = 0;
    for (LabeledSentence s : train) {
      List<String> tags = s.tags();
      boolean any = false;
      for (int i = 0; i < tags.size(); i++) {
        if (tags.get(i).startsWith("B-")) {
          any = true;
          int end = i + 1;
          while (end < tags.size() && tags.get(end).equals("I-" + tags.get(i).substring(2))) {
            end++;
          }
          lengths.computeIfAbsent(tags.get(i).substring(2), k -> new TreeSet<>()).add(end - i);
        }
      }
      noSpan += any ? 0 : 1;
    }
    for (String type : List.of("POS", "NEG", "TIME", "MWE")) {
      assertTrue(lengths.get(type).size() >= 3, type + " span lengths " + lengths.get(type));
    }
    assertTrue(noSpan >= 20, "sentences without any expression: " + noSpan);
    assertTrue(taggedOutside(train, "great", "O") && taggedOutside(train, "great", "B-POS"),
        "'great' occurs both as praise and as a plain word (the great hall)");
    assertTrue(taggedOutside(train, "Friday", "O") && taggedOutside(train, "Friday", "B-TIME"));
  }

  private static boolean taggedOutside(List<LabeledSentence> sentences, String word, String tag) {
    for (LabeledSentence s : sentences) {
      for (int i = 0; i < s.size(); i++) {
        if (s.words().get(i).equals(word) && s.tags().get(i).equals(tag)) {
          return true;
        }
      }
    }
    return false;
  }

  private static List<LabeledSentence> read(String name) {
    return SentenceReaders.readAll(SAMPLE.resolve(name), ReaderOptions.DEFAULTS);
  }
}
