package dev.exprbert.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class BioCheckerTest {
  private static LabeledSentence sentence(long line, String... tags) {
    List<String> words = java.util.stream.IntStream.range(0, tags.length)
        .mapToObj(i -> "w" + i).toList();
    return new LabeledSentence(words, List.of(tags), "train.conll", line);
  }

  @Test
  void wellFormedBioHasNoViolations() {
    BioReport report = BioChecker.check(List.of(
        sentence(1, "B-X", "I-X", "I-X", "O", "B-Y", "B-Y", "I-Y"),
        sentence(9, "O", "O")), 5);
    assertTrue(report.isWellFormed());
    assertEquals(2, report.sentences());
    assertEquals(0, report.illFormed());
  }

  @Test
  void countsEveryIllFormedInsideTagAndKeepsTheFirstExamples() {
    BioReport report = BioChecker.check(List.of(
        sentence(1, "I-X", "I-X"),          // starts the sentence: 1 (the second continues it)
        sentence(4, "O", "I-X"),            // after O: 1
        sentence(7, "B-X", "I-Y", "O"),     // type change: 1
        sentence(11, "O", "I-Z")), 2);      // after O: 1
    assertEquals(4, report.illFormed());
    assertEquals(2, report.firstExamples().size());
    BioViolation first = report.firstExamples().get(0);
    assertEquals("train.conll:1", first.sentence());
    assertEquals(0, first.tokenIndex());
    assertNull(first.previousTag());
    BioViolation second = report.firstExamples().get(1);
    assertEquals("train.conll:4 word 2 \"w1\": I-X after O", second.toString());
    assertTrue(report.summary().startsWith("4 ill-formed I- tag(s)"), report.summary());
  }

  @Test
  void streamingCheckerAccumulatesAcrossSentences() {
    BioChecker checker = new BioChecker(0);
    checker.accept(sentence(1, "B-A", "I-B"));
    checker.accept(sentence(3, "I-C"));
    assertEquals(2, checker.report().illFormed());
    assertTrue(checker.report().firstExamples().isEmpty());
  }
}
