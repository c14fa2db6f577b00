package dev.exprbert.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.io.Safetensors;
import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.runtime.HostReads;
import dev.exprbert.runtime.Natives;
import dev.exprbert.runtime.Placement;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The NaN/inf guard ({@code nan_policy}): a crafted NaN (a weight poisoned between two steps) stops the run at the
 * step whose loss it makes NaN, with a message naming that step and the last good checkpoint, which stays the newest
 * one; {@code skip_step} skips that update and trains on; every JSON file a run writes stays valid JSON (a non-finite
 * number is {@code null}); fp16 gradient overflow is the loss scaler's, not the guard's.
 */
class NonFiniteGuardTest {
  private static final String POISONED = "classifier.weight";

  @TempDir
  Path tmp;

  @Test
  void aNanLossStopsTheRunAtItsStepAndKeepsTheLastGoodCheckpoint() throws Exception {
    Path out = tmp.resolve("stop");
    // poisoned after step 3: step 4's loss is NaN, found at step 4's save (save_steps 2)
    NonFiniteLossException e = assertThrows(NonFiniteLossException.class,
        () -> train(config(out).set("save_steps", 2).build(), 3, -1));
    assertEquals(4, e.step());
    assertTrue(e.getMessage().contains("became NaN or infinite at step 4"), e.getMessage());
    assertTrue(e.getMessage().contains("the last good one is " + out.resolve("checkpoint-2")), e.getMessage());
    assertTrue(e.getMessage().contains("--nan_policy skip_step"), e.getMessage());
    assertTrue(Files.isRegularFile(out.resolve("checkpoint-2").resolve(RunState.TRAINER_STATE)));
    assertFalse(Files.exists(out.resolve("checkpoint-4")), "no checkpoint after the fault");
    assertFalse(Files.exists(out.resolve("train_results.json")), "a stopped run writes no final results");
    assertEveryJsonFileIsStrictJson(out);
  }

  @Test
  void withLogsFarApartTheRunStopsAtTheNextReadAndStillNamesTheStep() throws Exception {
    Path out = tmp.resolve("late");
    NonFiniteLossException e = assertThrows(NonFiniteLossException.class,
        () -> train(config(out).set("logging_steps", 5).set("save_strategy", "no").build(), 1, -1));
    assertEquals(2, e.step(), "the first NaN loss was step 2's");
    assertTrue(e.getMessage().contains("up to step 5") && e.getMessage().contains("none before it"), e.getMessage());
  }

  @Test
  void aPoisonedWeightNeverReachesACheckpoint() throws Exception {
    Path out = tmp.resolve("weights");
    // poisoned at the end of step 2, right before its checkpoint: every loss so far was finite
    NonFiniteLossException e = assertThrows(NonFiniteLossException.class,
        () -> train(config(out).set("save_steps", 2).build(), 2, -1));
    assertEquals(2, e.step());
    assertTrue(e.getMessage().contains("weights hold NaN or infinite values"), e.getMessage());
    assertFalse(Files.exists(out.resolve("checkpoint-2")));
  }

  @Test
  void skipStepSkipsTheUpdateAndTrainsOnWithValidJsonEverywhere() throws Exception {
    Path out = tmp.resolve("skip");
    // poisoned after step 3 and repaired after step 4: step 4's update is the one to skip
    TrainResult result = train(config(out).set("nan_policy", "skip_step").set("logging_nan_inf_filter", false)
        .set("save_steps", 4).build(), 3, 4);
    assertEquals(8, result.globalStep());
    Map<String, Tensor> optimizer = Safetensors.read(out.resolve("checkpoint-8").resolve(OptimizerPart.FILE));
    try {
      assertEquals(7, optimizer.get("step").item_long(), "one of the 8 updates was skipped");
    } finally {
      optimizer.values().forEach(Tensor::close);
    }
    JsonObject state = strictJson(out.resolve(RunState.TRAINER_STATE)).getAsJsonObject();
    JsonObject step4 = state.getAsJsonArray("log_history").get(3).getAsJsonObject();
    assertEquals(4, step4.get("step").getAsInt());
    assertTrue(step4.get("loss").isJsonNull(), "a NaN loss is logged as null (no filter): " + step4);
    assertTrue(step4.get("grad_norm").isJsonNull(), "so is its gradient norm: " + step4);
    assertTrue(strictJson(out.resolve("train_results.json")).getAsJsonObject().get("train_loss").isJsonNull(),
        "the mean over a NaN step is NaN, written as null");
    JsonObject step5 = state.getAsJsonArray("log_history").get(4).getAsJsonObject();
    assertTrue(Double.isFinite(step5.get("loss").getAsDouble()), "training goes on: " + step5);
    assertEveryJsonFileIsStrictJson(out);
    Path bare = Files.writeString(tmp.resolve("bare.json"), "{\"loss\": NaN}");
    assertThrows(AssertionError.class, () -> strictJson(bare), "the check itself must reject what Hugging Face writes");
  }

  @Test
  void theNanFilterLogsTheWindowMeanInsteadOfANanLoss() throws Exception {
    Path out = tmp.resolve("filter");
    train(config(out).set("nan_policy", "skip_step").set("logging_steps", 2).set("save_strategy", "no").build(), 2, 3);
    JsonObject state = strictJson(out.resolve(RunState.TRAINER_STATE)).getAsJsonObject();
    // steps 3 (NaN) and 4 logged together: HF's filter counts step 3 as the window's mean so far, 0 / 1
    double logged = state.getAsJsonArray("log_history").get(1).getAsJsonObject().get("loss").getAsDouble();
    assertTrue(Double.isFinite(logged) && logged > 0, "a finite mean despite the NaN step: " + logged);
    assertTrue(Double.isFinite(strictJson(out.resolve("train_results.json")).getAsJsonObject().get("train_loss")
        .getAsDouble()));
  }

  @Test
  void gradientOverflowCountsOnlyWhenGradientsCount() {
    Natives.init();
    try (Tensor loss = torch.ones(new long[] {}); Tensor overflow = torch.ones(new long[] {});
        NonFiniteGuard fp16 = new NonFiniteGuard(NanPolicy.STOP, false, Placement.CPU_FLOAT32, () -> null);
        NonFiniteGuard fp32 = new NonFiniteGuard(NanPolicy.STOP, true, Placement.CPU_FLOAT32, () -> null)) {
      long reads = HostReads.count();
      fp16.observe(loss, overflow, 1);
      fp32.observe(loss, overflow, 1);
      assertEquals(reads, HostReads.count(), "observing reads nothing");
      fp16.check(1, "now"); // the loss scaler's business: no fault
      assertEquals(1, assertThrows(NonFiniteLossException.class, () -> fp32.check(1, "now")).step());
      try (Tensor nan = torch.full(new long[] {}, new Scalar(Double.NaN))) {
        fp16.observe(loss, null, 2);
        fp16.observe(nan, null, 3);
        assertEquals(3, assertThrows(NonFiniteLossException.class, () -> fp16.check(3, "now")).step(),
            "a NaN loss is a fault under fp16 too");
      }
    }
  }

  private static TrainingConfig.Builder config(Path out) {
    return TrainingConfig.builder().set("output_dir", out).set("max_steps", 8).set("per_device_train_batch_size", 8)
        .set("learning_rate", 1e-3).set("logging_steps", 1).set("attn_implementation", "fused");
  }

  /**
   * Trains the tiny fixture on 48 sentences; {@code poisonAfter}: the step at whose end one classifier weight becomes
   * NaN; {@code repairAfter}: the step at whose end it gets its value back (-1: never).
   */
  private TrainResult train(TrainingConfig config, long poisonAfter, long repairAfter) throws Exception {
    List<LabeledSentence> train = TrainerFixtures.opener("train", 48);
    List<String> labels = TrainerFixtures.labelsOf(train);
    try (ModelTokenizer tokenizer = TrainerFixtures.miniLm(tmp);
        EncoderForTokenClassification model = TrainerFixtures.tinyModel(32, 2, labels);
        Trainer trainer = new Trainer(config, model, tokenizer, train, null)) {
      model.setAttention(TrainingSetup.attention(config, model.config()));
      Tensor weight = model.weights().get(POISONED);
      float[] kept = new float[1];
      trainer.addCallback(new TrainerCallback() {
        @Override
        public void onStepEnd(RunView run, TrainerControl control) {
          try (NoGradGuard noGrad = new NoGradGuard(); Tensor flat = weight.view(-1); Tensor element = flat.narrow(0, 0, 1)) {
            if (run.globalStep() == poisonAfter) {
              kept[0] = element.item_float();
              element.fill_(new Scalar(Double.NaN));
            } else if (run.globalStep() == repairAfter) {
              element.fill_(new Scalar(kept[0]));
            }
          }
        }
      });
      return trainer.train();
    }
  }

  /** Every .json file under {@code root} parses as strict JSON (no NaN, Infinity or other extensions). */
  static void assertEveryJsonFileIsStrictJson(Path root) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(root)) {
      files = walk.filter(p -> p.toString().endsWith(".json")).toList();
    }
    assertFalse(files.isEmpty(), "no JSON file under " + root);
    for (Path file : files) {
      strictJson(file);
    }
  }

  static JsonElement strictJson(Path file) throws IOException {
    try (Reader in = Files.newBufferedReader(file); JsonReader reader = new JsonReader(in)) {
      reader.setStrictness(Strictness.STRICT);
      return JsonParser.parseReader(reader);
    } catch (RuntimeException e) {
      throw new AssertionError(file + " is not strict JSON: " + e.getMessage(), e);
    }
  }
}
