package dev.exprbert.train;

import dev.exprbert.data.LabeledSentence;
import dev.exprbert.model.bert.BertConfig;
import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.model.CheckpointLoader;
import dev.exprbert.model.attention.AttentionBackend;
import dev.exprbert.runtime.HostReads;
import dev.exprbert.runtime.Natives;
import dev.exprbert.runtime.Placement;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The runs {@link DataParallelTrainingTest} compares: each trained by two ranks with batch 4 ({@link DataParallelProbe},
 * in child JVMs) and by one process with batch 8 (in the test), on opener_en slices and a tiny BERT without dropout.
 * {@code trainSentences} 36 makes the fifth global batch short (4 features: rank 0 gets them all, rank 1 none).
 */
final class DataParallelScenarios {
  record Scenario(String name, String optim, String attention, boolean paddingFree, int accumulation,
      boolean groupByLength, int trainSentences) {

    TrainingConfig config(Path out, int perDeviceBatch) {
      return TrainingConfig.builder().set("output_dir", out).set("optim", optim).set("attn_implementation", attention)
          .set("padding_free", paddingFree).set("gradient_accumulation_steps", accumulation)
          .set("group_by_length", groupByLength).set("per_device_train_batch_size", perDeviceBatch)
          .set("per_device_eval_batch_size", 8).set("learning_rate", 1e-3).set("warmup_ratio", 0.2)
          .set("weight_decay", 0.01).set("max_steps", STEPS).set("logging_steps", 1).set("save_strategy", "no")
          .set("eval_strategy", "no").set("return_entity_level_metrics", true).set("disable_tqdm", true).build();
    }
  }

  static final int STEPS = 5;
  static final int EVAL_SENTENCES = 20; // 3 evaluation batches of 8: rank 0 runs two, rank 1 one
  static final List<Scenario> ALL = List.of(
      new Scenario("fused-adamw", "adamw_torch_fused", "sdpa", false, 1, false, 36),
      new Scenario("torch-adamw-accumulation", "adamw_torch", "sdpa", false, 2, false, 48),
      new Scenario("padding-free", "adamw_torch_fused", "fused", true, 2, false, 48),
      new Scenario("group-by-length", "adamw_torch", "eager", false, 1, true, 40));

  private DataParallelScenarios() {}

  static List<LabeledSentence> train(Scenario s) {
    return TrainerFixtures.opener("train", s.trainSentences());
  }

  static List<LabeledSentence> eval() {
    return TrainerFixtures.opener("dev", EVAL_SENTENCES);
  }

  /** The tiny model (seed 42), with dropout off when {@code dropout} is false. */
  static EncoderForTokenClassification model(List<String> labels, String attention, boolean dropout) {
    Natives.init();
    BertConfig config = TrainerFixtures.tinyConfig(32, 2, labels);
    if (!dropout) {
      config = config.toBuilder().hiddenDropoutProb(0).attentionProbsDropoutProb(0).build();
    }
    return new EncoderForTokenClassification(config, CheckpointLoader.initialize(config, Placement.CPU_FLOAT32, 42),
        Placement.CPU_FLOAT32, AttentionBackend.named(attention));
  }

  /** Records every step's loss (the run's, summed over the ranks), read from the device. */
  static final class StepLosses implements TrainerCallback {
    final List<Double> values = new ArrayList<>();

    @Override
    public void onStepEnd(RunView run, TrainerControl control) {
      values.add(HostReads.toDouble(((RunState) run).lastStep().loss()));
    }
  }
}
