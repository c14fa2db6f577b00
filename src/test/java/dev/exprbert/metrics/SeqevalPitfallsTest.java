package dev.exprbert.metrics;

import static dev.exprbert.metrics.Tags.e;
import static dev.exprbert.metrics.Tags.sentences;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One test per numbered pitfall of ../shared/notes/seqeval-semantics.md section 3.2. */
class SeqevalPitfallsTest {
  private static boolean anyContains(List<String> warnings, String text) {
    return warnings.stream().anyMatch(w -> w.contains(text));
  }

  /* 1. B-PER I-PER vs I-PER I-PER: default mode reads I after O as a start, so both sides are
   * PER 0-2 and F1 = 1; strict IOB2 finds no predicted entity: tp 0 -> P = R = F1 = 0. */
  @Test
  void pitfall1IllFormedChunksCountInDefaultMode() {
    var gold = sentences("B-PER I-PER");
    var pred = sentences("I-PER I-PER");
    assertEquals(1.0, Seqeval.f1Score(gold, pred, Mode.DEFAULT));
    assertEquals(0.0, Seqeval.f1Score(gold, pred, Mode.strict(Scheme.IOB2)));
  }

  /* 2. mode='strict' without scheme: f1_score falls back to default (1.0, see pitfall 1) while
   * classification_report detects IOB2 from y_true {B, I} and reports micro F1 0.0. */
  @Test
  void pitfall2StrictWithoutSchemeIsInconsistentInSeqeval() {
    var gold = sentences("B-PER I-PER");
    var pred = sentences("I-PER I-PER");
    Mode scoreMode = SeqevalModes.forScoreFunctions("strict", null);
    Mode reportMode = SeqevalModes.forClassificationReport("strict", null, gold);
    assertEquals(Mode.DEFAULT, scoreMode);
    assertEquals(Mode.strict(Scheme.IOB2), reportMode);
    assertEquals(1.0, Seqeval.f1Score(gold, pred, scoreMode));
    assertEquals(0.0, Seqeval.classificationReport(gold, pred, reportMode).microAvg().f1());
    // With a scheme both agree; any mode string other than "strict" is default mode.
    assertEquals(Mode.strict(Scheme.IOB1), SeqevalModes.forScoreFunctions("strict", Scheme.IOB1));
    assertEquals(Mode.DEFAULT, SeqevalModes.forClassificationReport(null, Scheme.IOB1, gold));
  }

  @Test
  void pitfall2AutoDetectRejectsMixedOrUnsupportedPrefixSets() {
    assertEquals(Scheme.IOB2, Seqeval.autoDetectScheme(sentences("B-PER I-PER O")));
    assertEquals(Scheme.IOE2, Seqeval.autoDetectScheme(sentences("I-PER E-PER O")));
    assertEquals(Scheme.IOBES, Seqeval.autoDetectScheme(sentences("S-PER | B-LOC E-LOC")));
    assertEquals(Scheme.BILOU, Seqeval.autoDetectScheme(sentences("U-PER O | B-LOC L-LOC")));
    for (String unsupported :
        List.of("B-PER E-PER U-PER", "I-PER O", "O O", "B-PER S-PER U-PER")) {
      IllegalArgumentException ex =
          assertThrows(
              IllegalArgumentException.class,
              () -> Seqeval.autoDetectScheme(sentences(unsupported)));
      assertTrue(ex.getMessage().contains("not supported"), ex.getMessage());
    }
    InvalidTagException unknown =
        assertThrows(
            InvalidTagException.class, () -> Seqeval.autoDetectScheme(sentences("O | O PER")));
    assertEquals("PER", unknown.label());
    assertEquals(1, unknown.sentence());
    assertEquals(1, unknown.position());
  }

  /* 3. Strict raises on E- under IOB2 and on unprefixed labels; default only warns. */
  @Test
  void pitfall3StrictRaisesDefaultWarns() {
    assertThrows(
        InvalidTagException.class,
        () -> Seqeval.f1Score(sentences("B-PER E-PER"), sentences("O O"), Mode.strict(Scheme.IOB2)));
    InvalidTagException inPrediction =
        assertThrows(
            InvalidTagException.class,
            () ->
                Seqeval.f1Score(
                    sentences("O | B-PER"), sentences("O | PER"), Mode.strict(Scheme.IOB2)));
    assertEquals("PER", inPrediction.label());
    assertEquals(1, inPrediction.sentence());

    SeqevalAccumulator acc = Seqeval.accumulate(
        sentences("B-PER E-PER"), sentences("PER O"), Mode.DEFAULT);
    assertTrue(anyContains(acc.labelWarnings(), "PER seems not to be NE tag."));
    // E- is a known default-mode tag: no warning for it.
    assertTrue(!anyContains(acc.labelWarnings(), "E-PER seems"));
  }

  /* An invalid label is recorded, not thrown by add: the sentence adds no entities, later sentences
   * are still validated, and every result raises it (see ErrorOrderTest for which one wins). */
  @Test
  void pitfall3StrictErrorIsRaisedByResults() {
    SeqevalAccumulator acc = new SeqevalAccumulator(Mode.strict(Scheme.IOB2));
    acc.add(Tags.sentence("B-PER"), Tags.sentence("B-PER"));
    acc.add(Tags.sentence("B-LOC"), Tags.sentence("S-LOC"));
    assertEquals(2, acc.sentences());
    assertEquals(List.of(e("PER", 0, 1)), acc.goldEntities());
    InvalidTagException ex =
        assertThrows(InvalidTagException.class, () -> acc.f1(Average.MICRO, ZeroDivision.WARN));
    assertEquals("S-LOC", ex.label());
    assertEquals(1, ex.sentence());
    assertThrows(InvalidTagException.class, () -> acc.classificationReport(ZeroDivision.WARN));
    assertThrows(InvalidTagException.class, acc::predictedEntities);
    // accuracy_score never reads labels: 1 of 2 tokens equal.
    assertEquals(0.5, acc.accuracy());
  }

  /* 4. No B-/I- prefix: the first character is taken as the tag, so "PER" is type "ER". */
  @Test
  void pitfall4UnprefixedLabelLosesItsFirstLetter() {
    SeqevalAccumulator acc =
        Seqeval.accumulate(sentences("LOC LOC O"), sentences("LOC LOC O"), Mode.DEFAULT);
    assertEquals(List.of(e("OC", 0, 2)), acc.goldEntities());
    assertEquals("OC", acc.classificationReport(ZeroDivision.WARN).types().get(0).name());
    assertTrue(anyContains(acc.labelWarnings(), "LOC seems not to be NE tag."));
  }

  /* 5. Bare B / I get type "_" (seqeval issue #46 fixed the crash). */
  @Test
  void pitfall5BareTagsHaveUnderscoreType() {
    assertEquals(List.of(e("_", 0, 1), e("_", 1, 3)), Seqeval.getEntities(Tags.sentence("B B I")));
    assertEquals(
        List.of(e("_", 0, 1), e("_", 1, 3)),
        Seqeval.entities(sentences("S B E"), Mode.strict(Scheme.IOBES)));
  }

  /* 6. Sentences are joined with an O in between: B-PER I-PER | I-PER O is two entities, while the
   * same tags as one sentence are one PER 0-3. */
  @Test
  void pitfall6NoEntityCrossesASentenceBoundary() {
    assertEquals(
        List.of(e("PER", 0, 0, 2), e("PER", 1, 0, 1)),
        Seqeval.entities(sentences("B-PER I-PER | I-PER O"), Mode.DEFAULT));
    assertEquals(List.of(e("PER", 0, 3)), Seqeval.getEntities(Tags.sentence("B-PER I-PER I-PER O")));
  }

  /* 6 (edge). With malformed labels seqeval's default mode can still span the separator: in
   * B-X O | U B-Y O (+ final O), bare U (tag U, type _) neither starts a chunk after O nor is
   * closed by it, so at B-Y the type change closes a '_' chunk from the stale begin 0 to stream
   * position 2: sentence 0, start 0, end 3 (past the sentence's length of 1). */
  @Test
  void pitfall6DefaultModeCrossSentenceQuirkIsReproduced() {
    assertEquals(
        List.of(e("X", 0, 0, 1), e("_", 0, 0, 3), e("Y", 1, 1, 2)),
        Seqeval.entities(sentences("B-X | U B-Y"), Mode.DEFAULT));
  }

  /* 7. accuracy_score zips flattened sequences and never checks lengths: [O, B-PER] vs [O]
   * compares one pair (equal) and divides by 2 gold tokens -> 0.5; f1 rejects the same input. */
  @Test
  void pitfall7AccuracyZipsWithoutLengthCheck() {
    assertEquals(0.5, Seqeval.accuracyScore(sentences("O B-PER"), sentences("O")));
    // Sentence borders do not matter either: both flatten to A B C -> 3 / 3.
    assertEquals(1.0, Seqeval.accuracyScore(sentences("A B | C"), sentences("A | B C")));
    IllegalArgumentException ex =
        assertThrows(
            IllegalArgumentException.class,
            () -> Seqeval.f1Score(sentences("O B-PER"), sentences("O"), Mode.DEFAULT));
    assertTrue(ex.getMessage().contains("inconsistent numbers of samples"), ex.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> Seqeval.f1Score(sentences("O | O"), sentences("O"), Mode.DEFAULT));
  }

  /* 8. Sentences without entities add no support; no entity anywhere: the text report raises
   * (seqeval: max() arg is an empty sequence), the dict has micro 0, macro NaN, weighted 0. */
  @Test
  void pitfall8SupportAndEmptyReports() {
    ClassificationReport withEmptySentence =
        Seqeval.classificationReport(sentences("O O | B-PER"), sentences("O O | B-PER"), Mode.DEFAULT);
    assertEquals(1, withEmptySentence.microAvg().support());

    ClassificationReport nothing =
        Seqeval.classificationReport(sentences("O O"), sentences("O O"), Mode.DEFAULT);
    IllegalStateException ex = assertThrows(IllegalStateException.class, nothing::toText);
    assertTrue(ex.getMessage().contains("max() arg is an empty sequence"), ex.getMessage());
    Map<String, Map<String, Number>> dict = nothing.toDict();
    assertEquals(List.of("micro avg", "macro avg", "weighted avg"), List.copyOf(dict.keySet()));
    assertEquals(0.0, dict.get("micro avg").get("f1-score"));
    assertTrue(Double.isNaN(dict.get("macro avg").get("precision").doubleValue()));
    assertEquals(0.0, dict.get("weighted avg").get("recall"));
    assertEquals(0L, dict.get("weighted avg").get("support"));
  }

  /* 8 (issue #60). All-O gold with a predicted PER: no ZeroDivisionError. PER: tp 0 / pred 1 ->
   * P 0; recall 0 / 0 -> 0 with a warning; support 0. Weighted: support sums to 0 and something
   * was predicted -> (0, 0, 0). */
  @Test
  void pitfall8AllOutsideGoldIsDefined() {
    ClassificationReport report =
        Seqeval.classificationReport(sentences("O O"), sentences("B-PER O"), Mode.DEFAULT);
    assertEquals(new ScoreRow("PER", 0.0, 0.0, 0.0, 0), report.types().get(0));
    assertEquals(new ScoreRow("weighted avg", 0.0, 0.0, 0.0, 0), report.weightedAvg());
    assertTrue(anyContains(report.warnings(), "Recall and F-score are ill-defined"));
    // zero_division=1: recall 1; weighted: precision 0 because something was predicted.
    ClassificationReport ones =
        Seqeval.classificationReport(
            sentences("O O"), sentences("B-PER O"), Mode.DEFAULT, ZeroDivision.ONE);
    assertEquals(new ScoreRow("weighted avg", 0.0, 1.0, 0.0, 0), ones.weightedAvg());
  }

  /* 9. Undefined precision (nothing predicted) is 0 with a warning by default, 1 with ONE, 0
   * silently with ZERO. Gold B-PER, prediction O: micro P = 0/0, R = 0/1 = 0. */
  @Test
  void pitfall9ZeroDivision() {
    var gold = sentences("B-PER");
    var pred = sentences("O");
    SeqevalAccumulator acc = Seqeval.accumulate(gold, pred, Mode.DEFAULT);
    assertEquals(0.0, acc.precision(Average.MICRO, ZeroDivision.WARN));
    assertEquals(1.0, acc.precision(Average.MICRO, ZeroDivision.ONE));
    assertEquals(0.0, acc.precision(Average.MICRO, ZeroDivision.ZERO));
    assertEquals(0.0, acc.recall(Average.MICRO, ZeroDivision.ONE));
    // F1 with P = 1, R = 0: 2 * 1 * 0 / (1 + 0) = 0.
    assertEquals(0.0, acc.f1(Average.MICRO, ZeroDivision.ONE));

    ClassificationReport warned = acc.classificationReport(ZeroDivision.WARN);
    assertTrue(
        warned.warnings().contains(
            "Precision and F-score are ill-defined and being set to 0.0 due to no predicted"
                + " samples. Use `zero_division` parameter to control this behavior."),
        warned.warnings().toString());
    assertTrue(acc.classificationReport(ZeroDivision.ZERO).warnings().isEmpty());
  }

  /* 9 (f1_score alone). Nothing on either side: P and R are 0/0 but f1_score warns only about
   * the F-score, "due to no true nor predicted samples"; with ONE, P = R = 1 -> F1 = 2/2 = 1. */
  @Test
  void pitfall9F1OnlyWarning() {
    SeqevalAccumulator acc = Seqeval.accumulate(sentences("O"), sentences("O"), Mode.DEFAULT);
    assertEquals(0.0, acc.f1(Average.MICRO, ZeroDivision.WARN));
    assertEquals(1.0, acc.f1(Average.MICRO, ZeroDivision.ONE));
    assertEquals(1.0, acc.precisionRecallF1Support(Average.MICRO, ZeroDivision.ONE).recall());
  }

  /* 10. BILOU in default mode: U-PER U-PER is one PER 0-2, B-PER L-PER B-PER L-PER keeps only
   * the second PER (L closes nothing, so the second B restarts the chunk), with a warning; IOBES
   * works in default mode for the same shapes; strict BILOU finds all. */
  @Test
  void pitfall10BilouLosesEntitiesInDefaultMode() {
    SeqevalAccumulator units =
        Seqeval.accumulate(sentences("U-PER U-PER"), sentences("U-PER U-PER"), Mode.DEFAULT);
    assertEquals(List.of(e("PER", 0, 2)), units.goldEntities());
    assertTrue(anyContains(units.labelWarnings(), "Mode.strict(Scheme.BILOU)"));
    assertEquals(
        List.of(e("PER", 2, 4)), Seqeval.getEntities(Tags.sentence("B-PER L-PER B-PER L-PER")));
    assertEquals(
        List.of(e("PER", 0, 2), e("PER", 2, 4)),
        Seqeval.entities(sentences("B-PER L-PER B-PER L-PER"), Mode.strict(Scheme.BILOU)));

    assertEquals(List.of(e("PER", 0, 1), e("PER", 1, 2)), Seqeval.getEntities(Tags.sentence("S-PER S-PER")));
    assertEquals(
        List.of(e("PER", 0, 2), e("PER", 2, 4)),
        Seqeval.getEntities(Tags.sentence("B-PER E-PER B-PER E-PER")));
    SeqevalAccumulator iobes =
        Seqeval.accumulate(sentences("S-PER S-PER"), sentences("S-PER S-PER"), Mode.DEFAULT);
    assertTrue(iobes.labelWarnings().isEmpty(), iobes.labelWarnings().toString());
  }
}
