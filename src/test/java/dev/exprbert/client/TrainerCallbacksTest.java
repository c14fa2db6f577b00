package dev.exprbert.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.data.LabeledSentence;
import dev.exprbert.infer.TokenClassifier;
import dev.exprbert.runtime.HostReads;
import dev.exprbert.runtime.Placement;
import dev.exprbert.testing.ReadsPerStep;
import dev.exprbert.testing.TinyModelDirectory;
import dev.exprbert.train.RunView;
import dev.exprbert.train.TrainResult;
import dev.exprbert.train.Trainer;
import dev.exprbert.train.TrainerCallback;
import dev.exprbert.train.TrainerControl;
import dev.exprbert.train.TrainingConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Trainer's callback API used from outside its package, as a library user would: a callback that ends the run
 * at a condition of its own and one that records every log entry, added without touching the Trainer; and the
 * promise that a step reads nothing from the device unless it logs.
 */
class TrainerCallbacksTest {
  @TempDir
  Path tmp;

  /** Sentences of the tiny model's vocabulary, "monday" tagged TIME and "loved" / "nice" EXPR. */
  static List<LabeledSentence> sentences(int count, int offset) {
    List<LabeledSentence> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      List<String> words = new ArrayList<>();
      List<String> tags = new ArrayList<>();
      for (int k = 0; k < 5 + i % 4; k++) {
        String word = TinyModelDirectory.WORDS.get((7 * (i + offset) + 3 * k) % TinyModelDirectory.WORDS.size());
        words.add(word);
        tags.add(word.equals("monday") ? "B-TIME" : word.equals("loved") || word.equals("nice") ? "B-EXPR" : "O");
      }
      out.add(new LabeledSentence(words, tags, "generated", i + 1));
    }
    return out;
  }

  private TrainingConfig.Builder config(Path out) {
    return TrainingConfig.builder().set("output_dir", out).set("learning_rate", 1e-3).set("num_train_epochs", 5)
        .set("per_device_train_batch_size", 4).set("save_strategy", "no").set("disable_tqdm", true);
  }

  @Test
  void aCallbackStopsTheRunAtItsOwnConditionAndAnotherRecordsEveryLogEntry() throws Exception {
    Path out = tmp.resolve("run");
    TrainingConfig config = config(out).set("logging_steps", 2).set("eval_strategy", "steps").set("eval_steps", 3).build();
    List<Map<String, Object>> recorded = new ArrayList<>();
    TrainResult result;
    try (TokenClassifier tiny = TokenClassifier.load(TinyModelDirectory.create(tmp.resolve("m")), Placement.CPU_FLOAT32, "sdpa");
        Trainer trainer = new Trainer(config, tiny.model(), tiny.tokenizer(), sentences(16, 0), sentences(8, 100))) {
      trainer.addCallback(new TrainerCallback() {
        private int lossLogs;

        @Override
        public void onLog(RunView run, TrainerControl control, Map<String, Object> entry) {
          if (entry.containsKey("loss") && ++lossLogs == 3) {
            control.requestStop(); // a condition the Trainer knows nothing about: the third training-loss log
          }
        }
      });
      trainer.addCallback(new TrainerCallback() {
        @Override
        public void onLog(RunView run, TrainerControl control, Map<String, Object> entry) {
          recorded.add(new LinkedHashMap<>(entry));
        }
      });
      result = trainer.train();
    }
    assertEquals(6, result.globalStep(), "losses are logged at steps 2, 4 and 6 of 20; the third ends the run");
    List<Map<String, Object>> history = RunView.read(out.resolve("trainer_state.json")).logHistory();
    assertEquals(numbersAsDoubles(history), numbersAsDoubles(recorded), "the recorder saw every entry of log_history");
    assertEquals(List.of("loss", "eval", "loss", "loss", "eval", "summary", "eval"), kinds(recorded),
        "losses at 2, 4, 6, evaluations at 3 and 6, then the summary and the final evaluation");
  }

  /**
   * Loss and gradient norm stay on the device: counting every conversion of a device scalar to a Java number, a step
   * after a step that did not log reads nothing, padded or packed.
   */
  @ParameterizedTest
  @CsvSource({"sdpa, false", "fused, true"})
  void onlyLoggingStepsReadFromTheDevice(String attention, boolean packed) throws Exception {
    TrainingConfig config = config(tmp.resolve("run-" + attention)).set("logging_steps", 3).set("max_steps", 8)
        .set("attn_implementation", attention).set("padding_free", packed).build();
    ReadsPerStep reads = new ReadsPerStep();
    long[] readsAtSummary = {-1};
    try (TokenClassifier tiny = TokenClassifier.load(TinyModelDirectory.create(tmp.resolve("m-" + attention)),
            Placement.CPU_FLOAT32, attention);
        Trainer trainer = new Trainer(config, tiny.model(), tiny.tokenizer(), sentences(16, 0), null)) {
      trainer.addCallback(reads);
      trainer.addCallback(new TrainerCallback() {
        @Override
        public void onLog(RunView run, TrainerControl control, Map<String, Object> entry) {
          if (entry.containsKey("train_runtime")) {
            readsAtSummary[0] = HostReads.count();
          }
        }
      });
      TrainResult result = trainer.train();
      assertEquals(8, result.globalStep());
      assertEquals(readsAtSummary[0] - reads.atStart(), result.metrics().get(Trainer.HOST_READS));
    }
    // train_results.json tells the same count (the logs at steps 3 and 6, the NaN guard's checks there and the
    // summary); that no step between logs reads is held by assertReadsOnlyAfterLogs below
    long written = com.google.gson.JsonParser.parseString(java.nio.file.Files.readString(
        tmp.resolve("run-" + attention).resolve("train_results.json"))).getAsJsonObject().get(Trainer.HOST_READS).getAsLong();
    assertEquals(readsAtSummary[0] - reads.atStart(), written);
    assertTrue(written > 0, "the logs and the summary read from the device: " + written);
    reads.assertReadsOnlyAfterLogs(8, 3, attention + (packed ? " packed" : ""));
  }

  private static List<String> kinds(List<Map<String, Object>> entries) {
    return entries.stream().map(e -> e.containsKey("loss") ? "loss" : e.containsKey("train_loss") ? "summary"
        : e.containsKey("eval_loss") ? "eval" : "?").toList();
  }

  /** JSON read back gives every number as a Double; compare the values, not their Java types. */
  private static List<Map<String, Object>> numbersAsDoubles(List<Map<String, Object>> entries) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map<String, Object> e : entries) {
      Map<String, Object> copy = new LinkedHashMap<>();
      e.forEach((k, v) -> copy.put(k, v instanceof Number n ? (Object) n.doubleValue() : v));
      out.add(copy);
    }
    return out;
  }
}
