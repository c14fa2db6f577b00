package dev.exprbert.train;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * One test per rule between settings ({@link TrainingConfigRules}): each builds a config that breaks exactly that
 * rule and expects the message naming it, then the nearest config that keeps it, which must build.
 */
class TrainingConfigRulesTest {
  private static TrainingConfig.Builder base() {
    return TrainingConfig.builder().set("output_dir", Path.of("out"));
  }

  /** A load_best_model_at_end run that passes every rule, to break one rule at a time. */
  private static TrainingConfig.Builder bestModel() {
    return base().set("load_best_model_at_end", true).set("eval_strategy", "epoch").set("save_strategy", "epoch");
  }

  private static void refused(String expected, Executable build) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
    assertTrue(e.getMessage().contains(expected), "expected \"" + expected + "\" in: " + e.getMessage());
  }

  @Test
  void aRunOfNoStepsIsRefused() {
    refused("num_train_epochs must be > 0 (or max_steps > 0), found 0.0", () -> base().set("num_train_epochs", 0.0).build());
    refused("found NaN", () -> base().set("num_train_epochs", Double.NaN).build());
    assertDoesNotThrow(() -> base().set("num_train_epochs", 0.0).set("max_steps", 5).build());
  }

  @Test
  void configNameIsReadOnlyWithoutAModelToFineTune() {
    refused("config_name is read only without model_name_or_path",
        () -> base().set("model_name_or_path", "model").set("config_name", "config.json").build());
    assertDoesNotThrow(() -> base().set("config_name", "config.json").set("tokenizer_name", "tok").build());
  }

  @Test
  void packedBatchesNeedTheFusedAttention() {
    refused("padding_free (packed batches) needs attn_implementation fused",
        () -> base().set("padding_free", true).set("attn_implementation", "sdpa").build());
    assertDoesNotThrow(() -> base().set("padding_free", true).set("attn_implementation", "fused").build());
  }

  @Test
  void earlyStoppingNeedsEvaluations() {
    refused("early_stopping_patience needs evaluations to compare: set eval_strategy to steps or epoch",
        () -> base().set("early_stopping_patience", 2).set("load_best_model_at_end", true).set("save_strategy", "no").build());
  }

  @Test
  void earlyStoppingNeedsTheBestModelKept() {
    refused("early_stopping_patience requires load_best_model_at_end",
        () -> base().set("early_stopping_patience", 2).set("eval_strategy", "epoch").build());
    assertDoesNotThrow(() -> bestModel().set("early_stopping_patience", 2).build());
  }

  @Test
  void theBestModelNeedsMatchingSaveAndEvalStrategies() {
    refused("load_best_model_at_end requires the save and eval strategy to match and not be 'no', found save_strategy"
        + " steps and eval_strategy epoch", () -> bestModel().set("save_strategy", "steps").build());
    refused("found save_strategy no and eval_strategy no",
        () -> bestModel().set("save_strategy", "no").set("eval_strategy", "no").build());
  }

  @Test
  void theBestModelByStepsNeedsSavesOnEvaluationSteps() {
    refused("save_steps to be a multiple of eval_steps, found save_steps 500 and eval_steps 300",
        () -> bestModel().set("eval_strategy", "steps").set("save_strategy", "steps").set("eval_steps", 300L).build());
    refused("found save_steps 500 and eval_steps 200 (eval_steps defaults to logging_steps)",
        () -> bestModel().set("eval_strategy", "steps").set("save_strategy", "steps").set("logging_steps", 200).build());
    assertDoesNotThrow(() -> bestModel().set("eval_strategy", "steps").set("save_strategy", "steps").set("eval_steps", 250L)
        .build());
  }

  /** The case: {@code --metric_for_best_model bogus} ranked nothing, silently, and the run exited 0. */
  @Test
  void theMetricForTheBestModelIsOneEvaluationProduces() {
    refused("metric_for_best_model bogus is not a metric evaluation produces; expected one of loss, precision, recall,"
        + " f1, accuracy", () -> bestModel().set("metric_for_best_model", "bogus").build());
    refused("metric_for_best_model eval_f2 is not a metric", () -> base().set("metric_for_best_model", "eval_f2").build());
    refused("must name a metric", () -> base().set("metric_for_best_model", " ").build());
    for (String name : List.of("f1", "eval_f1", "loss", "eval_loss", "precision", "recall", "accuracy", "runtime")) {
      assertDoesNotThrow(() -> bestModel().set("metric_for_best_model", name).build(), name);
    }
  }

  @Test
  void overallAndPerTypeMetricsNeedEntityLevelMetrics() {
    refused("metric_for_best_model overall_f1: evaluation logs overall_f1 only with return_entity_level_metrics",
        () -> bestModel().set("metric_for_best_model", "overall_f1").build());
    refused("evaluation logs EXPR_f1 only with return_entity_level_metrics",
        () -> bestModel().set("metric_for_best_model", "eval_EXPR_f1").build());
    TrainingConfig entity = bestModel().set("return_entity_level_metrics", true).set("metric_for_best_model", "EXPR_f1")
        .build();
    assertEquals("eval_EXPR_f1", entity.bestMetricKey());
    assertEquals("eval_overall_f1", bestModel().set("return_entity_level_metrics", true).build().bestMetricKey(),
        "with per-type metrics the default f1 ranks by the overall F1, the only F1 evaluation logs then");
    assertEquals("eval_f1", bestModel().build().bestMetricKey());
  }

  /** The one rule that needs the model's labels: checked when the Trainer is made, before any step. */
  @Test
  void aPerTypeMetricNamesAnEntityTypeOfTheLabels() {
    List<String> labels = List.of("O", "B-EXPR", "I-EXPR", "B-TIME", "I-TIME");
    refused("metric_for_best_model PLACE_f1: the model's labels have no entity type 'PLACE'; their types are [EXPR, TIME]",
        () -> BestMetric.requireKnownType("PLACE_f1", true, labels));
    assertDoesNotThrow(() -> BestMetric.requireKnownType("eval_TIME_recall", true, labels));
    assertDoesNotThrow(() -> BestMetric.requireKnownType("overall_f1", true, labels));
  }
}
