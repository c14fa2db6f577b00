package dev.exprbert.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.report.ModelCard;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The result files of two runs of one job: Hugging Face's files keep their timings, so they differ; without the
 * timing keys ({@link SpeedMetrics}) they are equal; and the model card lists the final metrics without timings, as
 * Hugging Face's card does, per-type and overall keys included.
 */
class RunResultsTest {
  @TempDir
  Path tmp;

  private Path run(String name, List<LabeledSentence> train, List<LabeledSentence> eval) throws IOException {
    Path out = tmp.resolve(name);
    TrainingConfig config = TrainingConfig.builder().set("output_dir", out).set("learning_rate", 1e-3).set("max_steps", 3)
        .set("per_device_train_batch_size", 4).set("logging_steps", 1).set("save_strategy", "no")
        .set("return_entity_level_metrics", true).build();
    try (ModelTokenizer tokenizer = TrainerFixtures.miniLm(tmp);
        EncoderForTokenClassification model = TrainerFixtures.tinyModel(32, 1, TrainerFixtures.labelsOf(train));
        Trainer trainer = new Trainer(config, model, tokenizer, train, eval)) {
      trainer.train();
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> json(Path file) throws IOException {
    return new Gson().fromJson(Files.readString(file), Map.class);
  }

  @Test
  void resultFilesOfTwoRunsOfOneJobDifferOnlyInTheirTimings() throws IOException {
    List<LabeledSentence> train = TrainerFixtures.opener("train", 12);
    List<LabeledSentence> eval = TrainerFixtures.opener("dev", 8);
    Path first = run("first", train, eval);
    Path second = run("second", train, eval);
    for (String file : List.of("eval_results.json", "train_results.json", "all_results.json")) {
      Map<String, Object> a = json(first.resolve(file));
      Map<String, Object> b = json(second.resolve(file));
      assertTrue(a.keySet().stream().anyMatch(SpeedMetrics::isSpeed), file + " keeps Hugging Face's timings: " + a.keySet());
      assertEquals(SpeedMetrics.without(a), SpeedMetrics.without(b), file);
    }
    Map<String, Object> eval1 = json(first.resolve("eval_results.json"));
    assertTrue(eval1.containsKey("eval_runtime") && eval1.containsKey("eval_samples_per_second")
        && eval1.containsKey("eval_steps_per_second") && eval1.containsKey("eval_overall_f1"), eval1.keySet().toString());
    assertNotEquals(eval1, SpeedMetrics.without(eval1));

    String card = Files.readString(first.resolve(ModelCard.FILE_NAME));
    String results = card.substring(card.indexOf("It achieves the following results on the evaluation set:"),
        card.indexOf("## Model description"));
    assertFalse(results.contains("None"), "every listed metric has a value:\n" + results);
    assertTrue(results.contains("- Loss: ") && results.contains("- Overall F1: ") && results.contains("- Overall Accuracy: "),
        results);
    assertFalse(results.contains("Runtime") || results.contains("Per Second"), "no timings in the card:\n" + results);
  }

  @Test
  void speedKeysAreHuggingFacesSpeedMetrics() {
    for (String key : List.of("eval_runtime", "train_samples_per_second", "test_steps_per_second", "runtime")) {
      assertTrue(SpeedMetrics.isSpeed(key), key);
    }
    for (String key : List.of("eval_loss", "eval_f1", "epoch", "total_flos", "train_samples", "eval_EXPR_number")) {
      assertFalse(SpeedMetrics.isSpeed(key), key);
    }
  }
}
