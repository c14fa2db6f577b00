package dev.exprbert.metrics;

import static dev.exprbert.metrics.Tags.sentences;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Averages, token counts and the text report on small examples worked out by hand. */
class ScoresAndReportTest {
  private static final double EPS = 1e-15;

  /*
   * Gold: B-PER I-PER O B-LOC O B-ORG | B-LOC O B-PER O
   *   -> PER(0,0-2) LOC(0,3-4) ORG(0,5-6) LOC(1,0-1) PER(1,2-3)
   * Pred: B-PER I-PER O B-LOC O O     | B-ORG O B-PER I-PER
   *   -> PER(0,0-2) LOC(0,3-4) ORG(1,0-1) PER(1,2-4)
   * LOC: tp 1, pred 1, gold 2 -> P 1, R 0.5, F 2*1*0.5/1.5 = 2/3
   * ORG: tp 0, pred 1, gold 1 -> P 0, R 0, F 0
   * PER: tp 1 (sentence 0), pred 2, gold 2 -> P 0.5, R 0.5, F 0.5
   * micro: tp 2, pred 4, gold 5 -> P 0.5, R 0.4, F 2*0.5*0.4/0.9 = 4/9
   * macro: P (1+0+0.5)/3 = 0.5, R (0.5+0+0.5)/3 = 1/3, F (2/3+0+0.5)/3 = 7/18
   * weighted by support 2,1,2 (sum 5): P (2+0+1)/5 = 0.6, R (1+0+1)/5 = 0.4,
   *   F (4/3+0+1)/5 = 7/15
   * accuracy: sentence 0 has 5 of 6 equal (B-ORG vs O), sentence 1 has 2 of 4 -> 7/10
   * tokens: TP equal non-O = B-PER I-PER B-LOC | B-PER = 4; FP differing non-O prediction =
   *   B-ORG (gold B-LOC), I-PER (gold O) = 2; FN gold non-O predicted O = B-ORG = 1;
   *   TN both O = 2 + 1 = 3
   */
  private static final List<List<String>> GOLD =
      sentences("B-PER I-PER O B-LOC O B-ORG | B-LOC O B-PER O");
  private static final List<List<String>> PRED =
      sentences("B-PER I-PER O B-LOC O O | B-ORG O B-PER I-PER");

  @Test
  void perTypeMicroMacroWeighted() {
    SeqevalAccumulator acc = Seqeval.accumulate(GOLD, PRED, Mode.DEFAULT);
    List<ScoreRow> types = acc.perType(ZeroDivision.WARN);
    assertEquals(List.of("LOC", "ORG", "PER"), types.stream().map(ScoreRow::name).toList());
    assertRow(types.get(0), 1.0, 0.5, 2.0 / 3, 2);
    assertRow(types.get(1), 0.0, 0.0, 0.0, 1);
    assertRow(types.get(2), 0.5, 0.5, 0.5, 2);

    ClassificationReport report = acc.classificationReport(ZeroDivision.WARN);
    assertRow(report.microAvg(), 0.5, 0.4, 4.0 / 9, 5);
    assertRow(report.macroAvg(), 0.5, 1.0 / 3, 7.0 / 18, 5);
    assertRow(report.weightedAvg(), 0.6, 0.4, 7.0 / 15, 5);

    assertEquals(0.4, acc.recall(Average.MICRO, ZeroDivision.WARN), EPS);
    assertEquals(7.0 / 18, acc.f1(Average.MACRO, ZeroDivision.WARN), EPS);
    assertEquals(0.6, acc.precision(Average.WEIGHTED, ZeroDivision.WARN), EPS);
    assertEquals(0.7, acc.accuracy(), EPS);
    assertEquals(new PerformanceMeasure(4, 2, 1, 3), acc.performanceMeasure());
    assertEquals(new PerformanceMeasure(4, 2, 1, 3), Seqeval.performanceMeasure(GOLD, PRED));
    assertEquals(0.7, Seqeval.accuracyScore(GOLD, PRED), EPS);
  }

  /*
   * seqeval's own docstring examples (their printed outputs are seqeval's numbers):
   * gold MISC(2-4) MISC(4-5) PER; pred MISC(2-4) MISC(4-6) PER -> MISC P = R = 1/2, PER 1;
   * micro 2/3, macro (0.5+1)/2 = 0.75, weighted (0.5*2+1*1)/3 = 2/3.
   */
  @Test
  void seqevalDocstringAverages() {
    var gold = sentences("O O B-MISC I-MISC B-MISC O O | B-PER I-PER O");
    var pred = sentences("O O B-MISC I-MISC B-MISC I-MISC O | B-PER I-PER O");
    assertEquals(0.6666666666666666, Seqeval.f1Score(gold, pred, Mode.DEFAULT));
    assertEquals(
        0.75, Seqeval.f1Score(gold, pred, Mode.DEFAULT, Average.MACRO, ZeroDivision.WARN));
    assertEquals(
        0.6666666666666666,
        Seqeval.precisionScore(gold, pred, Mode.DEFAULT, Average.WEIGHTED, ZeroDivision.WARN));
    assertEquals(
        List.of(new ScoreRow("MISC", 0.5, 0.5, 0.5, 2), new ScoreRow("PER", 1.0, 1.0, 1.0, 1)),
        Seqeval.perTypeScores(gold, pred, Mode.DEFAULT, ZeroDivision.WARN));
  }

  /* seqeval's performance_measure docstring: {'TP': 3, 'FP': 3, 'FN': 1, 'TN': 4}. */
  @Test
  void seqevalDocstringPerformanceMeasure() {
    var gold = sentences("O O O B-MISC I-MISC O B-ORG | B-PER I-PER O B-PER");
    var pred = sentences("O O B-MISC I-MISC I-MISC O O | B-PER I-PER O B-MISC");
    assertEquals(new PerformanceMeasure(3, 3, 1, 4), Seqeval.performanceMeasure(gold, pred));
  }

  /* seqeval's classification_report docstring, byte for byte (MISC 0/0/0, PER 1/1/1, every
   * average 0.5, support 2); the name column is "weighted avg" wide (12). */
  @Test
  void seqevalDocstringReportText() {
    var gold = sentences("O O O B-MISC I-MISC I-MISC O | B-PER I-PER O");
    var pred = sentences("O O B-MISC I-MISC I-MISC I-MISC O | B-PER I-PER O");
    String expected =
        "              precision    recall  f1-score   support\n"
            + "\n"
            + "        MISC       0.00      0.00      0.00         1\n"
            + "         PER       1.00      1.00      1.00         1\n"
            + "\n"
            + "   micro avg       0.50      0.50      0.50         2\n"
            + "   macro avg       0.50      0.50      0.50         2\n"
            + "weighted avg       0.50      0.50      0.50         2\n";
    assertEquals(expected, Seqeval.classificationReport(gold, pred, Mode.DEFAULT).toText());
  }

  /* The worked example above as text: 2/3 -> 0.67, 4/9 -> 0.44, 7/18 = 0.3888 -> 0.39,
   * 7/15 = 0.4666 -> 0.47. */
  @Test
  void reportTextOfWorkedExample() {
    String expected =
        "              precision    recall  f1-score   support\n"
            + "\n"
            + "         LOC       1.00      0.50      0.67         2\n"
            + "         ORG       0.00      0.00      0.00         1\n"
            + "         PER       0.50      0.50      0.50         2\n"
            + "\n"
            + "   micro avg       0.50      0.40      0.44         5\n"
            + "   macro avg       0.50      0.33      0.39         5\n"
            + "weighted avg       0.60      0.40      0.47         5\n";
    assertEquals(expected, Seqeval.classificationReport(GOLD, PRED, Mode.DEFAULT).toText());
  }

  /* A type name longer than "weighted avg" sets the width (19 here, so the header starts with 19 + 2 spaces); digits=4 widens numbers to
   * 6 characters, still right-aligned in 9. Predicted-only types get a row with support 0. */
  @Test
  void reportWidthFollowsLongestTypeAndDigits() {
    var gold = sentences("B-VERY_LONG_TYPE_NAME O");
    var pred = sentences("B-VERY_LONG_TYPE_NAME B-X");
    String text = Seqeval.classificationReport(gold, pred, Mode.DEFAULT).toText(4);
    String expected =
        "                     precision    recall  f1-score   support\n"
            + "\n"
            + "VERY_LONG_TYPE_NAME     1.0000    1.0000    1.0000         1\n"
            + "                  X     0.0000    0.0000    0.0000         0\n"
            + "\n"
            + "          micro avg     0.5000    1.0000    0.6667         1\n"
            + "          macro avg     0.5000    0.5000    0.5000         1\n"
            + "       weighted avg     1.0000    1.0000    1.0000         1\n";
    // VERY_LONG_TYPE_NAME has 19 characters > 12; micro: tp 1, pred 2, gold 1 -> P 0.5, R 1,
    // F 2*0.5/1.5 = 2/3; macro: P (1+0)/2, R (1+0)/2 (X's recall is 0/0 -> 0), F (1+0)/2;
    // weighted by supports 1 and 0 -> the first row.
    assertEquals(expected, text);
    assertThrows(IllegalArgumentException.class, () -> Seqeval.classificationReport(gold, pred, Mode.DEFAULT).toText(-1));
  }

  private static void assertRow(ScoreRow row, double p, double r, double f1, long support) {
    assertEquals(p, row.precision(), EPS, row.name() + " precision");
    assertEquals(r, row.recall(), EPS, row.name() + " recall");
    assertEquals(f1, row.f1(), EPS, row.name() + " f1");
    assertEquals(support, row.support(), row.name() + " support");
  }
}
