package dev.exprbert.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.data.LabeledSentence;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.io.Safetensors;
import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.model.ModelDirectory;
import dev.exprbert.testing.ChildJvms;
import dev.exprbert.train.DataParallelScenarios.Scenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data parallel on two processes (Gloo over loopback), against one process: 2 ranks x batch 4 train like 1 rank x
 * batch 8 (loss of every step and every parameter after 5 steps within 1e-6; both optimizers, accumulation 2,
 * padding-free, group-by-length, a short last batch that leaves rank 1 empty); the sharded evaluation equals the
 * single-process one exactly; the ranks end with the same weights; a 2-rank run resumed from a checkpoint ends bit for
 * bit where the uninterrupted 2-rank run ends (dropout on). The two ranks run once, in child JVMs
 * ({@link DataParallelProbe}); each test reads what they wrote.
 */
class DataParallelTrainingTest {
  private static final double TOLERANCE = 1e-6;

  @TempDir
  static Path tmp;
  private static Path work;

  @BeforeAll
  static void runTwoRanks() throws Exception {
    work = tmp.resolve("ranks");
    Files.createDirectories(work);
    ChildJvms.Result result = ChildJvms.runRanks(2, DataParallelProbe.class, List.of(work.toString()), 300);
    assertEquals(List.of(0, 0), result.exitCodes(), "the ranks failed:\n" + result.output());
  }

  @Test
  void twoRanksOfBatchFourTrainLikeOneProcessOfBatchEight() throws Exception {
    try (ModelTokenizer tokenizer = TrainerFixtures.miniLm(tmp)) {
      for (Scenario s : DataParallelScenarios.ALL) {
        List<LabeledSentence> train = DataParallelScenarios.train(s);
        DataParallelScenarios.StepLosses losses = new DataParallelScenarios.StepLosses();
        Map<String, float[]> single = new LinkedHashMap<>();
        try (EncoderForTokenClassification model = DataParallelScenarios.model(TrainerFixtures.labelsOf(train), s.attention(), false);
            Trainer trainer = new Trainer(s.config(tmp.resolve(s.name()), 8), model, tokenizer, train,
                DataParallelScenarios.eval())) {
          trainer.addCallback(losses);
          trainer.train();
          model.weights().asMap().forEach((k, v) -> single.put(k, dev.exprbert.runtime.Tensors.toFloatArray(v)));
        }
        Path dir = work.resolve(s.name());
        List<Double> ranked = Files.readAllLines(dir.resolve("losses-rank0.txt")).stream().map(Double::valueOf).toList();
        assertEquals(DataParallelScenarios.STEPS, losses.values.size());
        assertEquals(Files.readAllLines(dir.resolve("losses-rank1.txt")), Files.readAllLines(dir.resolve("losses-rank0.txt")),
            s.name() + ": both ranks log the same (global) loss");
        double worstLoss = 0;
        for (int step = 0; step < losses.values.size(); step++) {
          assertEquals(losses.values.get(step), ranked.get(step), TOLERANCE, s.name() + ": loss of step " + (step + 1));
          worstLoss = Math.max(worstLoss, Math.abs(losses.values.get(step) - ranked.get(step)));
        }
        Map<String, Tensor> two = Safetensors.read(dir.resolve("weights-rank0.safetensors"));
        try {
          double worst = 0;
          for (Map.Entry<String, float[]> e : single.entrySet()) {
            float[] b = dev.exprbert.runtime.Tensors.toFloatArray(two.get(e.getKey()));
            for (int i = 0; i < b.length; i++) {
              worst = Math.max(worst, Math.abs(b[i] - e.getValue()[i]));
            }
          }
          assertTrue(worst <= TOLERANCE, s.name() + ": largest parameter difference " + worst);
          System.out.printf("%s: 2 ranks x 4 vs 1 x 8, largest step-loss difference %.3g, parameter difference %.3g%n",
              s.name(), worstLoss, worst);
        } finally {
          two.values().forEach(Tensor::close);
        }
        assertArrayEquals(Files.readAllBytes(dir.resolve("weights-rank0.safetensors")),
            Files.readAllBytes(dir.resolve("weights-rank1.safetensors")), s.name() + ": the ranks hold the same weights");
      }
    }
  }

  @Test
  void theShardedEvaluationIsTheSingleProcessOneExactly() throws Exception {
    for (Scenario s : DataParallelScenarios.ALL) {
      Path dir = work.resolve(s.name());
      String sharded = Files.readString(dir.resolve("eval-sharded.json"));
      assertTrue(sharded.contains("\"eval_loss\"") && sharded.contains("\"eval_overall_f1\"") && sharded.contains("\"eval_EXPR_f1\""), sharded);
      assertEquals(Files.readString(dir.resolve("eval-single.json")), sharded, s.name());
    }
  }

  @Test
  void onlyRankZeroWritesTheRun() {
    for (Scenario s : DataParallelScenarios.ALL) {
      Path run = work.resolve(s.name()).resolve("run");
      assertTrue(Files.isRegularFile(run.resolve(ModelDirectory.SAFETENSORS)), run.toString());
      assertTrue(Files.isRegularFile(run.resolve("eval_predictions.conll")), run.toString());
      assertFalse(Files.exists(work.resolve(s.name()).resolve("run-rank1")), "rank 1 wrote into its output_dir");
    }
  }

  @Test
  void aResumedTwoRankRunEndsBitForBitWhereTheUninterruptedOneEnds() throws Exception {
    Path dir = work.resolve(DataParallelProbe.RESUME);
    Path checkpoint = dir.resolve("parts").resolve("checkpoint-" + DataParallelProbe.STOP_AT);
    assertTrue(Files.isRegularFile(checkpoint.resolve(RngPart.fileOf(0, 2))), "rank 0's RNG state");
    assertTrue(Files.isRegularFile(checkpoint.resolve(RngPart.fileOf(1, 2))), "rank 1's RNG state");
    assertFalse(Files.exists(checkpoint.resolve(RngPart.FILE)), "one file per rank, none for a single process");
    assertEquals(DataParallelProbe.RESUME_STEPS, RunView.read(dir.resolve("parts").resolve(RunState.TRAINER_STATE)).globalStep());
    assertArrayEquals(Files.readAllBytes(dir.resolve("whole").resolve(ModelDirectory.SAFETENSORS)),
        Files.readAllBytes(dir.resolve("parts").resolve(ModelDirectory.SAFETENSORS)), "final weights differ");
    assertArrayEquals(Files.readAllBytes(dir.resolve("whole").resolve("checkpoint-6").resolve(OptimizerPart.FILE)),
        Files.readAllBytes(dir.resolve("parts").resolve("checkpoint-6").resolve(OptimizerPart.FILE)), "optimizer state differs");
    assertEquals(withoutTimings(RunView.read(dir.resolve("whole").resolve(RunState.TRAINER_STATE)).logHistory()),
        withoutTimings(RunView.read(dir.resolve("parts").resolve(RunState.TRAINER_STATE)).logHistory()));
  }

  private static List<Map<String, Object>> withoutTimings(List<Map<String, Object>> history) {
    return history.stream().map(e -> {
      Map<String, Object> copy = new LinkedHashMap<>(e);
      copy.keySet().removeIf(k -> k.endsWith("_runtime") || k.endsWith("_per_second"));
      return copy;
    }).map(m -> (Map<String, Object>) m).toList();
  }
}
