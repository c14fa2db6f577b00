package dev.exprbert.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.infer.TokenClassifier;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.runtime.Placement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small random-init BERT (hidden 64, 2 layers) trained on 200 opener_en expression sentences with
 * MiniLM's tokenizer for 3 epochs, evaluated on 60 dev sentences each epoch: the logged loss goes down,
 * every metric key Hugging Face's run_ner logs exists, and the run leaves the files a Hugging Face run leaves.
 */
class TrainerIntegrationTest {
  @TempDir
  Path tmp;

  @Test
  void smallBertOnOpenerSliceLearnsAndWritesAHuggingFaceRun() throws Exception {
    List<LabeledSentence> train = TrainerFixtures.opener("train", 200);
    List<LabeledSentence> eval = TrainerFixtures.opener("dev", 60);
    List<String> labels = TrainerFixtures.labelsOf(train);
    Path out = tmp.resolve("run");
    TrainingConfig config = TrainingConfig.builder().set("output_dir", out).set("learning_rate", 1e-3).set("num_train_epochs", 3)
        .set("per_device_train_batch_size", 16).set("warmup_ratio", 0.1).set("weight_decay", 0.01).set("logging_steps", 5).set("eval_strategy", "epoch")
        .set("save_strategy", "epoch").set("save_total_limit", 1).build();
    TrainResult result;
    try (ModelTokenizer tokenizer = TrainerFixtures.miniLm(tmp);
        EncoderForTokenClassification model = TrainerFixtures.tinyModel(64, 2, labels);
        Trainer trainer = new Trainer(config, model, tokenizer, train, eval)) {
      assertEquals(13, trainer.stepsPerEpoch(), "ceil(200 / 16) optimizer steps per epoch");
      result = trainer.train();
    }
    assertEquals(39, result.globalStep());
    RunView state = RunView.read(out.resolve(RunState.TRAINER_STATE));
    List<Double> losses = state.logHistory().stream().filter(e -> e.containsKey("loss"))
        .map(e -> ((Number) e.get("loss")).doubleValue()).toList();
    assertTrue(losses.size() >= 7, "logged every 5 steps: " + losses);
    assertTrue(losses.get(losses.size() - 1) < losses.get(0) * 0.8, "training loss should fall by 20%: " + losses);
    for (Map<String, Object> e : state.logHistory()) {
      if (e.containsKey("loss")) {
        assertEquals(List.of("epoch", "grad_norm", "learning_rate", "loss", "step"), List.copyOf(e.keySet()));
      }
    }
    List<Map<String, Object>> evals = state.logHistory().stream().filter(e -> e.containsKey("eval_loss")).toList();
    assertEquals(4, evals.size(), "one evaluation per epoch plus the final one");
    for (String key : List.of("eval_loss", "eval_precision", "eval_recall", "eval_f1", "eval_accuracy", "eval_runtime",
        "eval_samples_per_second", "eval_steps_per_second", "epoch", "step")) {
      assertTrue(evals.get(0).containsKey(key), key + " missing from " + evals.get(0).keySet());
    }
    double firstEvalLoss = ((Number) evals.get(0).get("eval_loss")).doubleValue();
    double lastEvalLoss = ((Number) evals.get(2).get("eval_loss")).doubleValue();
    assertTrue(lastEvalLoss < firstEvalLoss, "eval loss should fall: " + firstEvalLoss + " -> " + lastEvalLoss);
    assertTrue(result.finalEvaluation().metric("eval_accuracy") > 0.5, result.finalEvaluation().metrics().toString());

    for (String file : List.of("config.json", "model.safetensors", "tokenizer.json", "training_args.json",
        "trainer_state.json", "train_results.json", "eval_results.json", "all_results.json", RunOutputs.PREDICTIONS,
        dev.exprbert.report.ModelCard.FILE_NAME, dev.exprbert.report.RunReport.CHART)) {
      assertTrue(Files.isRegularFile(out.resolve(file)), file + " missing in " + out);
    }
    Path checkpoint = out.resolve("checkpoint-39");
    for (String file : List.of("config.json", "model.safetensors", "tokenizer.json", OptimizerPart.FILE,
        SchedulerPart.FILE, RngPart.FILE, RunState.POSITION, Checkpointer.TRAINING_ARGS,
        RunState.TRAINER_STATE)) {
      assertTrue(Files.isRegularFile(checkpoint.resolve(file)), file + " missing in " + checkpoint);
    }
    // save_total_limit 1 keeps the newest checkpoint, and the best one when that is another
    for (Path kept : new CheckpointStore(out).list()) {
      assertTrue(kept.equals(checkpoint) || kept.toString().equals(state.bestModelCheckpoint()),
          kept + " should have been deleted; best is " + state.bestModelCheckpoint());
    }
    assertTrue(new CheckpointStore(out).list().size() <= 2);
    JsonObject args = JsonParser.parseString(Files.readString(out.resolve("training_args.json"))).getAsJsonObject();
    assertEquals(1e-3, args.get("learning_rate").getAsDouble());
    assertEquals("epoch", args.get("eval_strategy").getAsString());
    JsonObject all = JsonParser.parseString(Files.readString(out.resolve("all_results.json"))).getAsJsonObject();
    for (String key : List.of("epoch", "eval_f1", "eval_loss", "eval_samples", "train_loss", "train_runtime", "train_samples")) {
      assertTrue(all.has(key), key + " missing from all_results.json: " + all.keySet());
    }
    String card = Files.readString(out.resolve(dev.exprbert.report.ModelCard.FILE_NAME));
    assertTrue(card.contains("| 3.0   | 39   |") || card.contains("| 39 "), "the card's results table lists epoch 3:\n" + card);
    List<String> predictions = Files.readAllLines(out.resolve(RunOutputs.PREDICTIONS));
    assertEquals(eval.stream().mapToInt(s -> s.size() + 1).sum(), predictions.size(), "word<TAB>gold<TAB>pred lines + blanks");
    try (TokenClassifier reloaded = TokenClassifier.load(out, Placement.CPU_FLOAT32, "eager")) {
      assertEquals(labels, reloaded.config().labels());
      assertEquals(result.finalEvaluation().predictedTags().get(0), reloaded.predictTags(List.of(eval.get(0).words())).get(0));
    }
  }
}
