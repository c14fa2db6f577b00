package dev.exprbert.metrics;

import static dev.exprbert.metrics.Tags.sentences;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Hugging Face evaluate wrapper's keys, run_ner's compute_metrics and Trainer's eval_ keys. */
class HfSeqevalReportTest {
  /*
   * Gold: B-PER I-PER O B-LOC | O B-PER   -> PER(0,0-2) LOC(0,3-4) PER(1,1-2)
   * Pred: B-PER I-PER O O     | O B-PER   -> PER(0,0-2) PER(1,1-2)
   * LOC: tp 0, pred 0, gold 1 -> P 0 (0/0), R 0, F 0, number 1
   * PER: tp 2, pred 2, gold 2 -> 1, 1, 1, number 2
   * overall (micro): tp 2, pred 2, gold 3 -> P 1, R 2/3, F 2*(2/3)/(5/3) = 0.8
   * accuracy: 5 of 6 tokens equal (B-LOC vs O) -> 5/6
   */
  private final HfSeqevalReport report =
      Seqeval.hfReport(
          sentences("B-PER I-PER O B-LOC | O B-PER"),
          sentences("B-PER I-PER O O | O B-PER"),
          Mode.DEFAULT);

  @Test
  void jsonHasTheWrapperKeys() {
    JsonObject json = JsonParser.parseString(report.toJson()).getAsJsonObject();
    assertEquals(
        List.of("LOC", "PER", "overall_precision", "overall_recall", "overall_f1",
            "overall_accuracy"),
        List.copyOf(json.keySet()));
    JsonObject loc = json.getAsJsonObject("LOC");
    assertEquals(List.of("precision", "recall", "f1", "number"), List.copyOf(loc.keySet()));
    assertEquals(1, loc.get("number").getAsLong());
    assertEquals(0.0, loc.get("f1").getAsDouble());
    assertEquals(1.0, json.getAsJsonObject("PER").get("recall").getAsDouble());
    assertEquals(1.0, json.get("overall_precision").getAsDouble());
    assertEquals(2.0 / 3, json.get("overall_recall").getAsDouble(), 1e-15);
    assertEquals(0.8, json.get("overall_f1").getAsDouble(), 1e-15);
    assertEquals(5.0 / 6, json.get("overall_accuracy").getAsDouble(), 1e-15);
  }

  @Test
  void computeMetricsAndTrainerLogKeys() {
    assertEquals(
        List.of("precision", "recall", "f1", "accuracy"),
        List.copyOf(report.computeMetrics(false).keySet()));
    Map<String, Number> logged = report.trainerLog(false);
    assertEquals(
        List.of("eval_precision", "eval_recall", "eval_f1", "eval_accuracy"),
        List.copyOf(logged.keySet()));
    assertEquals(0.8, logged.get("eval_f1").doubleValue(), 1e-15);

    Map<String, Number> entityLevel = report.trainerLog(true);
    assertEquals(
        List.of(
            "eval_LOC_precision", "eval_LOC_recall", "eval_LOC_f1", "eval_LOC_number",
            "eval_PER_precision", "eval_PER_recall", "eval_PER_f1", "eval_PER_number",
            "eval_overall_precision", "eval_overall_recall", "eval_overall_f1",
            "eval_overall_accuracy"),
        List.copyOf(entityLevel.keySet()));
    assertEquals(2L, entityLevel.get("eval_PER_number"));
    assertEquals(
        List.of("test_precision", "test_recall", "test_f1", "test_accuracy"),
        List.copyOf(report.prefixed("test", false).keySet()));
    assertThrows(IllegalArgumentException.class, () -> report.prefixed("", false));
  }

  /* evaluate with mode="strict" and no scheme goes through classification_report, which detects
   * IOB2 here: I-PER I-PER predicts nothing -> overall F1 0, while default mode gives 1. */
  @Test
  void evaluateStrictWithoutSchemeUsesDetection() {
    var gold = sentences("B-PER I-PER");
    var pred = sentences("I-PER I-PER");
    Mode mode = SeqevalModes.forClassificationReport("strict", null, gold);
    assertEquals(0.0, Seqeval.hfReport(gold, pred, mode).overallF1());
    assertEquals(1.0, Seqeval.hfReport(gold, pred, Mode.DEFAULT).overallF1());
  }
}
