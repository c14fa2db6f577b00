package dev.exprbert.metrics;

import static dev.exprbert.metrics.Tags.sentence;
import static dev.exprbert.metrics.Tags.sentences;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which error bad input raises, in seqeval's order (seqeval 1.2.2, read from its source): the
 * score functions run check_consistent_length, then Entities(y_true) over every gold sentence, then
 * Entities(y_pred); the strict classification_report builds Entities(y_true), Entities(y_pred) and
 * checks lengths last; default mode reads all of y_true (warning as it goes) before y_pred. A
 * sentence-by-sentence check would name the first bad label in stream order instead.
 */
class ErrorOrderTest {
  private static final Mode IOB2 = Mode.strict(Scheme.IOB2);

  /* Gold sentence 2 has E-PER (not allowed in IOB2), predicted sentence 0 has S-LOC: seqeval
   * reads every gold sentence first and names E-PER. */
  @Test
  void everyGoldSentenceIsValidatedBeforeAnyPrediction() {
    var gold = sentences("B-LOC | O | B-PER E-PER");
    var pred = sentences("S-LOC | O | B-PER I-PER");
    for (Runnable call : List.<Runnable>of(
        () -> Seqeval.f1Score(gold, pred, IOB2),
        () -> Seqeval.classificationReport(gold, pred, IOB2),
        () -> Seqeval.hfReport(gold, pred, IOB2))) {
      InvalidTagException ex = assertThrows(InvalidTagException.class, call::run);
      assertEquals("E-PER", ex.label());
      assertEquals(2, ex.sentence());
      assertEquals(1, ex.position());
    }
    // Streaming gives the same answer although the bad prediction comes first.
    SeqevalAccumulator acc = new SeqevalAccumulator(IOB2);
    for (int s = 0; s < gold.size(); s++) {
      acc.add(gold.get(s), pred.get(s));
    }
    assertEquals("E-PER", assertThrows(InvalidTagException.class, () -> acc.precision(Average.MICRO,
        ZeroDivision.WARN)).label());
  }

  /* Within one sentence an unknown prefix (KeyError while Tokens are built) beats a disallowed one
   * that comes earlier (ValueError during the scan). */
  @Test
  void unknownPrefixBeatsDisallowedPrefixInTheSameSentence() {
    InvalidTagException ex = assertThrows(InvalidTagException.class,
        () -> Seqeval.f1Score(sentences("E-PER PER"), sentences("O O"), IOB2));
    assertEquals("PER", ex.label());
    assertTrue(ex.getMessage().contains("KeyError"), ex.getMessage());
  }

  /* Score functions check lengths before labels; the strict report reads labels first. */
  @Test
  void lengthsComeFirstForScoresAndLastForTheStrictReport() {
    var gold = sentences("B-PER | O O");
    var pred = sentences("X-PER | O");
    IllegalArgumentException forScores =
        assertThrows(IllegalArgumentException.class, () -> Seqeval.f1Score(gold, pred, IOB2));
    assertFalse(forScores instanceof InvalidTagException, forScores.getMessage());
    assertTrue(forScores.getMessage().contains("inconsistent numbers of samples"), forScores.getMessage());
    InvalidTagException forReport = assertThrows(InvalidTagException.class,
        () -> Seqeval.classificationReport(gold, pred, IOB2));
    assertEquals("X-PER", forReport.label());
    // With valid labels the report still refuses the mismatch, last.
    IllegalArgumentException lengths = assertThrows(IllegalArgumentException.class,
        () -> Seqeval.classificationReport(gold, sentences("B-PER | O"), IOB2));
    assertTrue(lengths.getMessage().contains("inconsistent numbers of samples"), lengths.getMessage());
  }

  /* More gold sentences than predicted ones: the extra gold sentence is still read by the report,
   * so its bad label is named before the count mismatch. */
  @Test
  void unpairedSentencesAreStillValidated() {
    var gold = sentences("O | Z-PER");
    var pred = sentences("O");
    assertEquals("Z-PER", assertThrows(InvalidTagException.class,
        () -> Seqeval.classificationReport(gold, pred, IOB2)).label());
    IllegalArgumentException forScores =
        assertThrows(IllegalArgumentException.class, () -> Seqeval.recallScore(gold, pred, IOB2));
    assertTrue(forScores.getMessage().contains("yPred has 1"), forScores.getMessage());
  }

  /* Default mode never raises for labels, but an empty one cannot be read; gold first again. */
  @Test
  void defaultModeNamesTheGoldSideFirst() {
    SeqevalAccumulator acc = new SeqevalAccumulator(Mode.DEFAULT);
    acc.add(sentence("O"), List.of(""));
    acc.add(List.of(""), sentence("O"));
    IllegalArgumentException ex =
        assertThrows(IllegalArgumentException.class, () -> acc.f1(Average.MICRO, ZeroDivision.WARN));
    assertTrue(ex.getMessage().startsWith("y_true: label at sentence 1"), ex.getMessage());
  }

  /* get_entities(y_true) warns before get_entities(y_pred) runs. */
  @Test
  void goldWarningsComeBeforePredictedOnes() {
    SeqevalAccumulator acc = Seqeval.accumulate(sentences("O | BAR"), sentences("FOO | O"), Mode.DEFAULT);
    assertEquals(List.of("BAR seems not to be NE tag.", "FOO seems not to be NE tag."), acc.labelWarnings());
  }

  /* IOBES and BILOU are strict schemes here as in seqeval; an IOBES label under BILOU is named. */
  @Test
  void iobesAndBilouValidateTheirOwnPrefixes() {
    assertEquals(1.0, Seqeval.f1Score(sentences("B-PER L-PER U-LOC"), sentences("B-PER L-PER U-LOC"),
        Mode.strict(Scheme.BILOU)));
    assertEquals(1.0, Seqeval.f1Score(sentences("B-PER E-PER S-LOC"), sentences("B-PER E-PER S-LOC"),
        Mode.strict(Scheme.IOBES)));
    assertEquals("S-LOC", assertThrows(InvalidTagException.class, () -> Seqeval.f1Score(
        sentences("B-PER L-PER S-LOC"), sentences("O O O"), Mode.strict(Scheme.BILOU))).label());
  }
}
