package dev.exprbert.train;

import dev.exprbert.data.LabeledSentence;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.model.EncoderForTokenClassification;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs 200 training steps of a tiny BERT and prints {@code step rssKiB} every 25 steps. Started by
 * {@link TrainerNativeMemoryTest} in its own JVM with a fixed, pre-touched heap, so the resident set
 * it prints moves only with native memory (LibTorch tensors, JavaCPP objects) and JIT code.
 */
public final class NativeMemoryProbe {
  private NativeMemoryProbe() {}

  public static void main(String[] args) throws Exception {
    Path tmp = Path.of(args[0]);
    List<LabeledSentence> train = TrainerFixtures.opener("train", 64);
    TrainingConfig config = TrainingConfig.builder().set("output_dir", tmp.resolve("run")).set("learning_rate", 1e-4).set("max_steps", 200)
        .set("per_device_train_batch_size", 4).set("logging_steps", 50).set("save_strategy", "no").build();
    try (ModelTokenizer tokenizer = TrainerFixtures.miniLm(tmp);
        EncoderForTokenClassification model = TrainerFixtures.tinyModel(32, 2, TrainerFixtures.labelsOf(train));
        Trainer trainer = new Trainer(config, model, tokenizer, train, null)) {
      trainer.addCallback(new TrainerCallback() {
        @Override
        public void onStepEnd(RunView state, TrainerControl control) {
          if (state.globalStep() % 25 == 0) {
            System.out.println("RSS " + state.globalStep() + " " + residentKib());
          }
        }
      });
      trainer.train();
    }
  }

  /** This process's resident set in KiB, from /proc/self/status (Linux, where CI runs). */
  static long residentKib() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc/self/status: this probe needs Linux", e);
    }
    throw new IllegalStateException("/proc/self/status has no VmRSS line");
  }
}
