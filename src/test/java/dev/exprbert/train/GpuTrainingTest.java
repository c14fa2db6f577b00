package dev.exprbert.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.exprbert.data.LabeledSentence;
import dev.exprbert.dist.DistributedContext;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.io.Safetensors;
import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.model.CheckpointLoader;
import dev.exprbert.model.attention.AttentionBackend;
import dev.exprbert.runtime.Placement;
import dev.exprbert.runtime.PrecisionSupport;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Context;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.cuda.WarningState;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch_cuda;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The training path on a CUDA device (tag {@code gpu}: left out of the default run, selected with
 * {@code -Dgroups=gpu}; each test also skips where LibTorch sees no CUDA device). float32 on the GPU follows the CPU
 * within 1e-4; bf16 and fp16 follow the GPU's float32 within the CPU's bounds ([note: mixed-precision tolerance] in
 * {@link MixedPrecisionTrainingTest}); a step reads nothing to the host unless it logs, and nothing in it waits for the
 * GPU (LibTorch's sync debug mode); the CUDA generator's state
 * goes into rng_state.safetensors and comes back; --tf32 sets LibTorch's TF32 flags.
 */
@Tag("gpu")
class GpuTrainingTest {
  private static final Placement CUDA = new Placement("cuda", Placement.Precision.FLOAT32);
  private static final double FLOAT32_CPU_TOLERANCE = 1e-4;

  @TempDir
  Path tmp;

  @BeforeAll
  static void requireCuda() {
    assumeTrue(Placement.cudaAvailable(), "no CUDA device visible to LibTorch");
  }

  @ParameterizedTest
  @CsvSource({"sdpa, false", "fused, false", "fused, true"})
  void float32FollowsTheCpuAndBf16AndFp16FollowFloat32(String attention, boolean paddingFree) throws Exception {
    List<LabeledSentence> train = TrainerFixtures.opener("train", 64);
    List<String> labels = TrainerFixtures.labelsOf(train);
    try (ModelTokenizer tokenizer = TrainerFixtures.miniLm(tmp)) {
      List<Double> cpu = MixedPrecisionTrainingTest.losses(Placement.CPU_FLOAT32, tokenizer, train, labels, attention,
          paddingFree, Placement.Precision.FLOAT32);
      List<Double> fp32 = losses(tokenizer, train, labels, attention, paddingFree, Placement.Precision.FLOAT32);
      List<Double> bf16 = losses(tokenizer, train, labels, attention, paddingFree, Placement.Precision.BFLOAT16);
      List<Double> fp16 = losses(tokenizer, train, labels, attention, paddingFree, Placement.Precision.FLOAT16);
      double cpuDiff = MixedPrecisionTrainingTest.maxRelativeDifference(cpu, fp32);
      double bf16Diff = MixedPrecisionTrainingTest.maxRelativeDifference(fp32, bf16);
      double fp16Diff = MixedPrecisionTrainingTest.maxRelativeDifference(fp32, fp16);
      System.out.printf("cuda %s packed=%s: max relative loss difference: fp32 vs cpu %.2e, bf16 %.2e, fp16 %.2e%n",
          attention, paddingFree, cpuDiff, bf16Diff, fp16Diff);
      assertTrue(cpuDiff <= FLOAT32_CPU_TOLERANCE, "cuda fp32 " + fp32 + " vs cpu " + cpu);
      assertTrue(bf16Diff > 0 && bf16Diff <= MixedPrecisionTrainingTest.BF16_TOLERANCE, "bf16 " + bf16 + " vs " + fp32);
      assertTrue(fp16Diff > 0 && fp16Diff <= MixedPrecisionTrainingTest.FP16_TOLERANCE, "fp16 " + fp16 + " vs " + fp32);
    }
  }

  @ParameterizedTest
  @CsvSource({"bf16", "fp16"})
  void aGpuStepReadsNothingFromTheDeviceUnlessItLogs(String precision) throws Exception {
    MixedPrecisionTrainingTest.assertReadsOnlyAtLogs(CUDA, precision, tmp);
  }

  /**
   * LibTorch's sync debug mode set to error for steps 2-4 of a run that neither logs nor saves there: any call that
   * waits for the GPU (an item(), a blocking copy, a stream or device synchronisation), ours or LibTorch's, fails the
   * run and names itself.
   */
  @ParameterizedTest
  @CsvSource({"fused, true, bf16", "fused, false, fp16", "sdpa, false, bf16"})
  void stepsBetweenLogsNeverWaitForTheGpu(String attention, boolean paddingFree, String precision) throws Exception {
    List<LabeledSentence> train = TrainerFixtures.opener("train", 48);
    List<String> labels = TrainerFixtures.labelsOf(train);
    TrainingConfig config = TrainingConfig.builder().set("output_dir", tmp.resolve("sync")).set(precision, true)
        .set("attn_implementation", attention).set("padding_free", paddingFree).set("max_steps", 5)
        .set("per_device_train_batch_size", 8).set("logging_steps", 100).set("save_strategy", "no").build();
    WarningState warnings = torch_cuda.warning_state();
    try (ModelTokenizer tokenizer = TrainerFixtures.miniLm(tmp);
        EncoderForTokenClassification model = MixedPrecisionTrainingTest.dropoutFreeModel(CUDA, labels, attention);
        Trainer trainer = new Trainer(config, model, tokenizer, train, null)) {
      trainer.addCallback(new TrainerCallback() {
        @Override
        public void onStepEnd(RunView run, TrainerControl control) {
          if (run.globalStep() == 1) {
            warnings.set_sync_debug_mode(torch_cuda.SyncDebugMode.L_ERROR);
          } else if (run.globalStep() == 4) {
            warnings.set_sync_debug_mode(torch_cuda.SyncDebugMode.L_DISABLED);
          }
        }
      });
      assertEquals(5, trainer.train().globalStep());
    } finally {
      warnings.set_sync_debug_mode(torch_cuda.SyncDebugMode.L_DISABLED);
    }
  }

  @Test
  void theCudaGeneratorStateIsCheckpointedAndRestored() throws Exception {
    List<LabeledSentence> train = TrainerFixtures.opener("train", 32);
    List<String> labels = TrainerFixtures.labelsOf(train);
    Path out = tmp.resolve("run");
    TrainingConfig config = TrainingConfig.builder().set("output_dir", out).set("max_steps", 2).set("save_steps", 2)
        .set("per_device_train_batch_size", 8).set("attn_implementation", "sdpa").build();
    try (ModelTokenizer tokenizer = TrainerFixtures.miniLm(tmp);
        EncoderForTokenClassification model = new EncoderForTokenClassification(TrainerFixtures.tinyConfig(32, 2, labels),
            CheckpointLoader.initialize(TrainerFixtures.tinyConfig(32, 2, labels), CUDA, 42), CUDA,
            AttentionBackend.named("sdpa"));
        Trainer trainer = new Trainer(config, model, tokenizer, train, null)) {
      trainer.train(); // dropout on the GPU draws from the CUDA generator
      Path checkpoint = out.resolve("checkpoint-2");
      Map<String, Tensor> saved = Safetensors.read(checkpoint.resolve(RngPart.FILE));
      try (Generator cuda = cudaGenerator()) {
        Tensor state = saved.get(RngPart.CUDA_KEY_PREFIX + 0);
        assertTrue(state != null, "rng_state.safetensors holds " + saved.keySet());
        torch.manual_seed(12345); // move every generator away from the saved state
        new RngPart(model, DistributedContext.single()).check(checkpoint);
        new RngPart(model, DistributedContext.single()).restore(checkpoint);
        try (Tensor now = cuda.get_state()) {
          assertTrue(torch.equal(state, now), "the CUDA generator is back at its saved state");
        }
      } finally {
        saved.values().forEach(Tensor::close);
      }
    }
  }

  @Test
  void tf32SetsLibTorchsFlags() {
    Context context = torch.globalContext();
    boolean cublas = context.allowTF32CuBLAS();
    boolean cudnn = context.allowTF32CuDNN();
    try {
      PrecisionSupport.applyTf32(CUDA, true);
      assertTrue(context.allowTF32CuBLAS() && context.allowTF32CuDNN());
      PrecisionSupport.applyTf32(CUDA, false);
      assertTrue(!context.allowTF32CuBLAS() && !context.allowTF32CuDNN());
    } finally {
      context.setAllowTF32CuBLAS(cublas);
      context.setAllowTF32CuDNN(cudnn);
    }
  }

  private static List<Double> losses(ModelTokenizer tokenizer, List<LabeledSentence> train, List<String> labels,
      String attention, boolean paddingFree, Placement.Precision precision) {
    return MixedPrecisionTrainingTest.losses(CUDA, tokenizer, train, labels, attention, paddingFree, precision);
  }

  private static Generator cudaGenerator() {
    try (Device device = new Device("cuda:0")) {
      return torch.globalContext().defaultGenerator(device);
    }
  }
}
