package dev.exprbert.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.model.bert.BertConfig;
import dev.exprbert.report.sink.TfEventFileReader;
import dev.exprbert.testing.TestTokenizers;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * run_ner's flow ({@link NerRun}): do_train / do_eval / do_predict with their files, the max_*_samples limits,
 * report_to's metric files holding the logged values, data_seed, and class weights under gradient accumulation.
 */
class NerRunTest {
  @TempDir
  Path tmp;

  /** The first {@code sentences} sentences of an opener_en expression split, as a CoNLL file. */
  private Path slice(String split, int sentences) throws IOException {
    List<String> lines = new ArrayList<>();
    int seen = 0;
    try (BufferedReader reader = Files.newBufferedReader(TrainerFixtures.OPENER.resolve(split + ".conll"))) {
      for (String line = reader.readLine(); line != null && seen < sentences; line = reader.readLine()) {
        lines.add(line);
        seen += line.isBlank() ? 1 : 0;
      }
    }
    return Files.write(tmp.resolve(split + "-" + sentences + ".conll"), lines);
  }

  /** A tiny BERT config without dropout, so runs that batch differently compute the same thing. */
  private Path tinyConfig() throws IOException {
    Path file = tmp.resolve("bert-config.json");
    if (!Files.exists(file)) {
      BertConfig.builder().vocabSize(TrainerFixtures.MINILM_VOCAB).hiddenSize(32).numHiddenLayers(1)
          .numAttentionHeads(2).intermediateSize(64).maxPositionEmbeddings(128).padTokenId(0).hiddenDropoutProb(0)
          .attentionProbsDropoutProb(0).build().write(file);
    }
    return file;
  }

  private TrainingConfig.Builder fromScratch(String outputDir) throws IOException {
    return TrainingConfig.builder().set("config_name", tinyConfig().toString())
        .set("tokenizer_name", TestTokenizers.miniLm(tmp).toString()).set("output_dir", tmp.resolve(outputDir))
        .set("learning_rate", "1e-3").set("save_strategy", "no").set("logging_steps", "1").set("disable_tqdm", "true");
  }

  private static JsonObject json(Path file) throws IOException {
    return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
  }

  @Test
  void trainEvaluateAndPredictLeaveRunNersFilesAndTheMetricFiles() throws Exception {
    Path train = slice("train", 40);
    Path dev = slice("dev", 20);
    Path test = slice("test", 20);
    TrainingConfig config = fromScratch("run").set("train_file", train).set("validation_file", dev)
        .set("test_file", test).set("max_train_samples", "16").set("max_eval_samples", "8")
        .set("max_predict_samples", "6").set("num_train_epochs", "1").set("eval_strategy", "epoch")
        .set("report_to", "all").build();
    NerRun.Result result = NerRun.run(config, List.of());
    Path out = config.outputDir();
    assertEquals(new RunSteps(true, true, true), result.steps());
    assertEquals(16, json(out.resolve("train_results.json")).get("train_samples").getAsInt());
    assertEquals(8, json(out.resolve("eval_results.json")).get("eval_samples").getAsInt());
    JsonObject predict = json(out.resolve("predict_results.json"));
    assertEquals(List.of("predict_accuracy", "predict_f1", "predict_loss", "predict_precision", "predict_recall",
        "predict_runtime", "predict_samples_per_second", "predict_steps_per_second"), List.copyOf(predict.keySet()));
    JsonObject all = json(out.resolve("all_results.json"));
    for (String key : List.of("train_loss", "train_samples", "eval_f1", "eval_samples", "predict_f1", "predict_loss")) {
      assertTrue(all.has(key), key + " missing from all_results.json: " + all.keySet());
    }
    List<String> lines = Files.readAllLines(out.resolve("predictions.txt"));
    assertEquals(6, lines.size());
    List<LabeledSentence> gold = TrainingData.read("test_file", test, TrainingData.readerOptions(config), 6);
    List<String> labels = BertConfig.read(out.resolve("config.json")).labels();
    for (int s = 0; s < 6; s++) {
      List<String> tags = List.of(lines.get(s).split(" "));
      assertEquals(gold.get(s).size(), tags.size(), "one predicted tag per word of test sentence " + s);
      assertEquals(result.prediction().scoredTags().get(s), tags);
      assertTrue(labels.containsAll(tags), tags + " are not all labels of the model " + labels);
    }

    checkMetricFiles(out, RunView.read(out.resolve("trainer_state.json")).logHistory());

    // the saved model, evaluated and used for prediction without training: the same numbers and predictions
    TrainingConfig again = TrainingConfig.builder().set("model_name_or_path", out.toString())
        .set("output_dir", tmp.resolve("eval-only")).set("do_eval", "true").set("do_predict", "true")
        .set("validation_file", dev).set("test_file", test).set("max_eval_samples", "8").set("max_predict_samples", "6")
        .set("report_to", "jsonl").build();
    NerRun.Result reloaded = NerRun.run(again, List.of());
    assertEquals(new RunSteps(false, true, true), reloaded.steps());
    assertNull(reloaded.training());
    JsonObject eval = json(again.outputDir().resolve("eval_results.json"));
    assertFalse(eval.has("epoch"), "nothing was trained, so no epoch: " + eval);
    assertEquals(result.evaluation().metric("eval_f1"), eval.get("eval_f1").getAsDouble());
    assertEquals(result.evaluation().metric("eval_loss"), eval.get("eval_loss").getAsDouble(), 1e-6);
    assertEquals(lines, Files.readAllLines(again.outputDir().resolve("predictions.txt")));
    List<String> logged = Files.readAllLines(onlyFolder(again.outputDir().resolve("runs")).resolve("metrics.jsonl"));
    assertEquals(1, logged.size(), "the evaluation's log entry");
    JsonObject entry = JsonParser.parseString(logged.get(0)).getAsJsonObject();
    assertEquals(0, entry.get("step").getAsLong());
    assertEquals(eval.get("eval_f1").getAsDouble(), entry.get("eval_f1").getAsDouble());
  }

  private static Path onlyFolder(Path runs) throws IOException {
    try (Stream<Path> folders = Files.list(runs)) {
      List<Path> all = folders.toList();
      assertEquals(1, all.size(), "folders in " + runs + ": " + all);
      assertTrue(all.get(0).getFileName().toString().matches("[A-Z][a-z]{2}\\d{2}_\\d{2}-\\d{2}-\\d{2}_.+"),
          "Hugging Face's <Mon DD_HH-MM-SS>_<host> name: " + all.get(0));
      return all.get(0);
    }
  }

  /** Every numeric value of every log entry is in the TensorBoard, CSV and JSON Lines files, at its step. */
  private static void checkMetricFiles(Path out, List<Map<String, Object>> history) throws IOException {
    Path folder = onlyFolder(out.resolve("runs"));
    List<String> jsonl = Files.readAllLines(folder.resolve("metrics.jsonl"));
    List<String> csv = Files.readAllLines(folder.resolve("metrics.csv"));
    Path events;
    try (Stream<Path> files = Files.list(folder)) {
      events = files.filter(f -> f.getFileName().toString().startsWith("events.out.tfevents.")).findFirst().orElseThrow();
    }
    List<TfEventFileReader.Event> tensorBoard = TfEventFileReader.read(events);
    assertEquals("brain.Event:2", tensorBoard.get(0).fileVersion());
    assertEquals(history.size(), jsonl.size(), "one JSON line per log entry");
    assertEquals(history.size() + 1, csv.size(), "a CSV header and one row per log entry");
    assertEquals(history.size() + 1, tensorBoard.size(), "the version record and one event per log entry");
    List<String> header = List.of(csv.get(0).split(","));
    assertEquals(List.of("step", "wall_time"), header.subList(0, 2));
    int evaluations = 0;
    for (int i = 0; i < history.size(); i++) {
      Map<String, Object> entry = history.get(i);
      JsonObject line = JsonParser.parseString(jsonl.get(i)).getAsJsonObject();
      TfEventFileReader.Event event = tensorBoard.get(i + 1);
      String[] row = csv.get(i + 1).split(",", -1);
      long step = ((Number) entry.get("step")).longValue();
      assertEquals(step, line.get("step").getAsLong());
      assertEquals(step, event.step());
      assertEquals(Long.toString(step), row[0]);
      for (Map.Entry<String, Object> e : entry.entrySet()) {
        if (e.getKey().equals("step") || !(e.getValue() instanceof Number number)) {
          continue;
        }
        double value = number.doubleValue();
        JsonElement inLine = line.get(e.getKey());
        if (Double.isFinite(value)) {
          assertEquals(value, inLine.getAsDouble(), 0.0, e.getKey() + " in metrics.jsonl");
          assertEquals(value, Double.parseDouble(row[header.indexOf(e.getKey())]), 0.0, e.getKey() + " in metrics.csv");
        } else {
          assertTrue(inLine.isJsonNull(), e.getKey() + " (not finite) is null in JSON Lines");
        }
        String tag = MetricReporter.tensorBoardName(e.getKey());
        assertEquals((float) value, event.scalars().get(tag), 0.0f, tag + " in the event file");
      }
      evaluations += entry.containsKey("eval_f1") ? 1 : 0;
    }
    assertEquals(2, evaluations, "the epoch's evaluation and the final one");
    List<TfEventFileReader.Event> scalars = tensorBoard.subList(1, tensorBoard.size());
    assertTrue(scalars.stream().anyMatch(ev -> ev.scalars().containsKey("eval/f1")), "Hugging Face's rewrite_logs names");
    assertTrue(scalars.stream().anyMatch(ev -> ev.scalars().containsKey("train/loss")));
  }

  @Test
  void aFailedRunLeavesTheMetricFilesWithWhatWasLogged() throws Exception {
    TrainingConfig config = fromScratch("failed").set("train_file", slice("train", 24)).set("max_steps", "3")
        .set("per_device_train_batch_size", "4").set("report_to", "jsonl,csv").build();
    TrainerCallback failing = new TrainerCallback() {
      @Override
      public void onStepEnd(RunView run, TrainerControl control) {
        if (run.globalStep() == 2) {
          throw new IllegalStateException("stopped by the test at step 2");
        }
      }
    };
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> NerRun.run(config, List.of(failing)));
    assertEquals("stopped by the test at step 2", e.getMessage());
    Path folder = onlyFolder(config.outputDir().resolve("runs"));
    List<String> jsonl = Files.readAllLines(folder.resolve("metrics.jsonl"));
    assertEquals(1, jsonl.size(), "step 1's log entry: " + jsonl);
    assertEquals(1, JsonParser.parseString(jsonl.get(0)).getAsJsonObject().get("step").getAsLong());
    assertEquals(2, Files.readAllLines(folder.resolve("metrics.csv")).size());
    MetricReporter closed = new MetricReporter(ReportTo.parse("csv"), tmp.resolve("closed"));
    closed.close();
    assertThrows(IllegalStateException.class, () -> closed.write(1, Map.of("loss", 1.0)));
    assertFalse(Files.exists(tmp.resolve("closed")), "files are created at the first event, not before");
  }

  @Test
  void theDataOrderComesFromDataSeedAndDefaultsToSeed() throws Exception {
    Path train = slice("train", 48);
    List<Object> byDefault = losses(fromScratch("a").set("train_file", train).set("max_steps", "3"));
    List<Object> sameAsSeed = losses(fromScratch("b").set("train_file", train).set("max_steps", "3")
        .set("data_seed", "42"));
    List<Object> otherOrder = losses(fromScratch("c").set("train_file", train).set("max_steps", "3")
        .set("data_seed", "7"));
    assertEquals(byDefault, sameAsSeed, "data_seed defaults to seed (42)");
    assertNotEquals(byDefault, otherOrder, "another data_seed, another batch order, other losses");
    assertEquals(byDefault.get(0).getClass(), Double.class);
  }

  private static List<Object> losses(TrainingConfig.Builder builder) throws IOException {
    TrainingConfig config = builder.build();
    NerRun.run(config, List.of());
    List<Object> losses = new ArrayList<>();
    for (Map<String, Object> entry : RunView.read(config.outputDir().resolve("trainer_state.json")).logHistory()) {
      if (entry.containsKey("loss")) {
        losses.add(entry.get("loss"));
      }
    }
    assertEquals(3, losses.size());
    return losses;
  }

  @Test
  void classWeightsAndSmoothingKeepAccumulationEqualToOneBigBatch() throws Exception {
    Path train = slice("train", 16);
    double oneBatch = firstStepLoss(fromScratch("big").set("train_file", train).set("per_device_train_batch_size", "8"));
    double accumulated = firstStepLoss(fromScratch("acc").set("train_file", train)
        .set("per_device_train_batch_size", "4").set("gradient_accumulation_steps", "2"));
    assertEquals(oneBatch, accumulated, 1e-5 * oneBatch, "two micro-batches over one weighted denominator");
    TrainingConfig plainConfig = fromScratch("plain").set("train_file", train).set("per_device_train_batch_size", "8")
        .set("max_steps", "1").build();
    double plain = NerRun.run(plainConfig, List.of()).training().trainingLoss();
    assertNotEquals(plain, oneBatch, 1e-3, "the weights and smoothing change the loss");
  }

  private static double firstStepLoss(TrainingConfig.Builder builder) throws IOException {
    TrainingConfig config = builder.set("max_steps", "1").set("class_weights", "auto")
        .set("label_smoothing_factor", "0.1").build();
    return NerRun.run(config, List.of()).training().trainingLoss();
  }

  @Test
  void runStepsFollowRunNerOnceAnyIsGiven() {
    TrainingConfig.Builder files = TrainingConfig.builder().set("output_dir", "runs/x").set("train_file", "t.conll")
        .set("validation_file", "d.conll");
    assertEquals(new RunSteps(true, true, false), RunSteps.of(files.build()), "none given: train, and evaluate");
    assertEquals(new RunSteps(true, false, false), RunSteps.of(files.set("do_train", "true").build()),
        "do_train alone: the validation file is not used, as in run_ner");
    assertEquals(new RunSteps(true, true, false), RunSteps.of(files.set("eval_strategy", "epoch").build()),
        "an eval_strategy sets do_eval");
    IllegalArgumentException noTest = assertThrows(IllegalArgumentException.class,
        () -> RunSteps.of(files.set("do_predict", "true").build()));
    assertEquals("do_predict requires a test dataset: test_file", noTest.getMessage());
    IllegalArgumentException nothing = assertThrows(IllegalArgumentException.class, () -> RunSteps.of(
        TrainingConfig.builder().set("output_dir", "runs/x").set("do_train", "false").build()));
    assertTrue(nothing.getMessage().startsWith("nothing to do"), nothing.getMessage());
    IllegalArgumentException noModel = assertThrows(IllegalArgumentException.class, () -> RunSteps.of(
        TrainingConfig.builder().set("output_dir", "runs/x").set("do_eval", "true").set("validation_file", "d.conll")
            .build()));
    assertTrue(noModel.getMessage().contains("model_name_or_path must name the trained model"), noModel.getMessage());
  }
}
