package dev.exprbert.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.exprbert.report.EpochRow;
import dev.exprbert.report.RunReport;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingSummaryTest {
  @TempDir Path tmp;

  /** run_ner's --return_entity_level_metrics logs overall_* keys; the card's table and F1 curve read them as well. */
  @Test
  void entityLevelRunsFillTheCardFromTheOverallMetrics() {
    TrainingConfig config = TrainingConfig.builder().set("output_dir", tmp.resolve("run")).build();
    List<Map<String, Object>> history = List.of(
        Map.of("step", 10, "epoch", 1.0, "loss", 0.9),
        Map.of("step", 10, "epoch", 1.0, "eval_loss", 0.5, "eval_overall_precision", 0.6, "eval_overall_recall", 0.7,
            "eval_overall_f1", 0.65, "eval_overall_accuracy", 0.8, "eval_EXPR_f1", 0.65),
        Map.of("step", 20, "epoch", 2.0, "loss", 0.4),
        Map.of("step", 20, "epoch", 2.0, "eval_loss", 0.3, "eval_precision", 0.7, "eval_recall", 0.8, "eval_f1", 0.75,
            "eval_accuracy", 0.9));
    RunReport report = TrainingSummary.of(config, TrainerFixtures.tinyConfig(32, 1, List.of("B-EXPR", "I-EXPR", "O")),
        history, null);
    assertEquals(List.of(new EpochRow(0.9, 1.0, 10, 0.5, 0.6, 0.7, 0.65, 0.8), new EpochRow(0.4, 2.0, 20, 0.3, 0.7, 0.8,
        0.75, 0.9)), report.card().epochs());
    assertEquals(List.of(0.65, 0.75), report.evalF1().stream().map(p -> p.value()).toList());
  }
}
