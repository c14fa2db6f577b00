package dev.exprbert.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.data.LabeledSentence;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.model.ModelDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * load_best_model_at_end, early stopping and rotation together. The ranking is made predictable by
 * asking for the HIGHEST eval loss (greater_is_better true on a loss that falls at lr 1e-3): the first
 * evaluation is then the best, the second is no improvement, and patience 1 stops the run after epoch 2
 * of 4; the final model must be checkpoint-after-epoch-1's weights, which rotation kept.
 */
class TrainerBestModelTest {
  @TempDir
  Path tmp;

  @Test
  void earlyStoppingEndsTheRunAndTheBestCheckpointIsLoaded() throws Exception {
    List<LabeledSentence> train = TrainerFixtures.opener("train", 32);
    List<LabeledSentence> eval = TrainerFixtures.opener("dev", 16);
    Path out = tmp.resolve("run");
    TrainingConfig config = TrainingConfig.builder().set("output_dir", out).set("learning_rate", 1e-3).set("num_train_epochs", 4)
        .set("per_device_train_batch_size", 8).set("eval_strategy", "epoch").set("save_strategy", "epoch").set("save_total_limit", 1)
        .set("load_best_model_at_end", true).set("metric_for_best_model", "loss").set("greater_is_better", true).set("early_stopping_patience", 1).build();
    TrainResult result;
    try (ModelTokenizer tokenizer = TrainerFixtures.miniLm(tmp);
        EncoderForTokenClassification model = TrainerFixtures.tinyModel(32, 1, TrainerFixtures.labelsOf(train));
        Trainer trainer = new Trainer(config, model, tokenizer, train, eval)) {
      result = trainer.train();
      assertEquals(out.resolve("checkpoint-4").toString(), trainer.state().bestModelCheckpoint());
      assertEquals(4L, trainer.state().bestGlobalStep());
    }
    assertEquals(8, result.globalStep(), "stopped after epoch 2 of 4 (4 steps per epoch)");
    assertEquals(List.of(out.resolve("checkpoint-4"), out.resolve("checkpoint-8")), new CheckpointStore(out).list(),
        "save_total_limit 1 keeps the best and the newest");
    assertArrayEquals(Files.readAllBytes(out.resolve("checkpoint-4").resolve(ModelDirectory.SAFETENSORS)),
        Files.readAllBytes(out.resolve(ModelDirectory.SAFETENSORS)), "the final model is the best checkpoint's");
    RunView state = RunView.read(out.resolve("checkpoint-8").resolve(RunState.TRAINER_STATE));
    assertEquals(1, state.statefulCallbacks().getAsJsonObject(EarlyStopping.NAME).getAsJsonObject("attributes")
        .get("early_stopping_patience_counter").getAsInt());
    assertTrue(result.finalEvaluation().metric("eval_loss") > 0);
  }
}
