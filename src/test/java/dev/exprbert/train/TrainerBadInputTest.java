package dev.exprbert.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.data.LabeledSentence;
import dev.exprbert.infer.TokenClassifier;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.runtime.Placement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bad-input cases that belong to the trainer: an occupied output directory and a full disk. */
class TrainerBadInputTest {
  @TempDir
  Path tmp;
  private List<LabeledSentence> train;
  private List<String> labels;

  @BeforeEach
  void data() {
    train = TrainerFixtures.opener("train", 16);
    labels = TrainerFixtures.labelsOf(train);
  }

  private TrainingConfig.Builder config(Path out) {
    return TrainingConfig.builder().set("output_dir", out).set("learning_rate", 1e-3).set("max_steps", 4).set("per_device_train_batch_size", 4)
        .set("save_steps", 2).set("logging_steps", 2);
  }

  private TrainResult train(TrainingConfig config, Checkpointer.WriteHook hook) throws IOException {
    try (ModelTokenizer tokenizer = TrainerFixtures.miniLm(tmp);
        EncoderForTokenClassification model = TrainerFixtures.tinyModel(32, 1, labels);
        Trainer trainer = new Trainer(config, model, tokenizer, train, null)) {
      if (hook != null) {
        trainer.onCheckpointWrite(hook);
      }
      return trainer.train();
    }
  }

  @Test
  void anOutputDirectoryHoldingARunIsRefusedUnlessOverwriteIsAsked() throws IOException {
    Path out = tmp.resolve("run");
    train(config(out).build(), null);
    Path inProgress = Files.createDirectories(out.resolve("checkpoint-6.tmp-abcdef")); // another process's save?
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> train(config(out).build(), null));
    assertTrue(e.getMessage().contains("already holds a run") && e.getMessage().contains("--overwrite_output_dir"),
        e.getMessage());
    assertTrue(Files.exists(inProgress), "a refused run touches nothing in the folder");
    Files.createDirectories(out.resolve("checkpoint-99"));
    assertEquals(4, train(config(out).set("overwrite_output_dir", true).build(), null).globalStep());
    assertFalse(Files.exists(out.resolve("checkpoint-99")), "overwrite deletes the old run's checkpoints");
    assertFalse(Files.exists(inProgress), "and the leftovers of its saves");
  }

  @Test
  void aDiskFillingDuringASaveLeavesThePreviousCheckpointLoadable() throws IOException {
    Path out = tmp.resolve("run");
    IOException e = assertThrows(IOException.class, () -> train(config(out).build(), file -> {
      if (file.getParent().getFileName().toString().startsWith("checkpoint-4.tmp-")
          && file.getFileName().toString().equals(OptimizerPart.FILE)) {
        throw new IOException("No space left on device (simulated after the model files were written)");
      }
    }));
    assertTrue(e.getMessage().contains("No space left"), e.getMessage());
    assertTrue(e.getMessage().startsWith("cannot write " + OptimizerPart.FILE + " of " + out.resolve("checkpoint-4")),
        "a full disk names the file it could not write: " + e.getMessage());
    try (Stream<Path> entries = Files.list(out)) {
      assertEquals(List.of("checkpoint-2"), entries.map(p -> p.getFileName().toString()).toList(),
          "no checkpoint-4 and no temporary folder is left");
    }
    Path previous = out.resolve("checkpoint-2");
    assertEquals(2, RunView.read(previous.resolve(RunState.TRAINER_STATE)).globalStep());
    try (TokenClassifier loaded = TokenClassifier.load(previous, Placement.CPU_FLOAT32, "eager")) {
      assertEquals(labels, loaded.config().labels());
    }
    // and the run continues from it
    TrainResult resumed = train(config(out).set("resume_from_checkpoint", "true").build(), null);
    assertEquals(4, resumed.globalStep());
    assertTrue(Files.isRegularFile(out.resolve("checkpoint-4").resolve(RunState.TRAINER_STATE)));
  }

  @Test
  void resumingWithAnotherLabelSetIsAnErrorListingBoth() throws IOException {
    Path out = tmp.resolve("run");
    train(config(out).build(), null);
    List<String> saved = labels;
    labels = new java.util.ArrayList<>(labels);
    labels.add("I-Zzz");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> train(config(out).set("resume_from_checkpoint", "true").build(), null));
    assertTrue(e.getMessage().contains(saved.toString()) && e.getMessage().contains(labels.toString()), e.getMessage());
  }

  @Test
  void resumingAFusedAttentionRunWithDropoutFromACheckpointWithoutItsCounterIsRefused() throws IOException {
    Path out = tmp.resolve("run");
    try (ModelTokenizer tokenizer = TrainerFixtures.miniLm(tmp)) {
      for (String resume : new String[] {null, "true"}) {
        try (EncoderForTokenClassification model = TrainerFixtures.tinyModel(32, 1, labels);
            Trainer trainer = new Trainer(config(out).set("resume_from_checkpoint", resume).build(), model, tokenizer, train, null)) {
          model.setAttention(dev.exprbert.model.attention.AttentionBackend.named("fused"));
          if (resume == null) {
            assertEquals(4, trainer.train().globalStep());
            // a checkpoint written before the fused attention's dropout counter was saved
            try (java.util.stream.Stream<Path> dirs = java.nio.file.Files.list(out)) {
              for (Path dir : dirs.filter(d -> d.getFileName().toString().startsWith("checkpoint-")).toList()) {
                Path rng = dir.resolve(RngPart.FILE);
                java.util.Map<String, org.bytedeco.pytorch.Tensor> tensors = dev.exprbert.io.Safetensors.read(rng);
                try {
                  tensors.remove(RngPart.FUSED_ATTENTION_KEY).close();
                  dev.exprbert.io.Safetensors.write(rng, tensors, java.util.Map.of("format", "pt"));
                } finally {
                  tensors.values().forEach(org.bytedeco.pytorch.Tensor::close);
                }
              }
            }
          } else {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, trainer::train);
            assertTrue(e.getMessage().contains(RngPart.FUSED_ATTENTION_KEY) && e.getMessage().contains("attention dropout"),
                e.getMessage());
          }
        }
      }
    }
  }

  @Test
  void resumingWithOtherDataIsRefused() throws IOException {
    Path out = tmp.resolve("run");
    train(config(out).build(), null);
    train = TrainerFixtures.opener("train", 12);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> train(config(out).set("resume_from_checkpoint", out.resolve("checkpoint-2").toString()).build(), null));
    assertTrue(e.getMessage().contains("the data or batch settings changed") && e.getMessage().contains("training features"),
        e.getMessage());
  }

  /**
   * A crash during a first save leaves only {@code checkpoint-N.tmp-*}: no run is there to continue or to protect, so
   * the next run (neither resuming nor overwriting) starts afresh and removes it, as the README says.
   */
  @Test
  void anOutputDirectoryHoldingOnlyAStaleTemporaryCheckpointStartsAfresh() throws IOException {
    Path out = tmp.resolve("run");
    Path stale = Files.createDirectories(out.resolve("checkpoint-2.tmp-0123abcd"));
    Files.writeString(stale.resolve("model.safetensors"), "half written");
    Path deleting = Files.createDirectories(out.resolve("checkpoint-1.deleting-4567ef"));
    Files.writeString(deleting.resolve("optimizer.safetensors"), "half deleted");
    assertEquals(4, train(config(out).build(), null).globalStep());
    assertFalse(Files.exists(stale), "the stale temporary folder is removed");
    assertFalse(Files.exists(deleting), "the half-deleted folder is removed");
    assertTrue(Files.isRegularFile(out.resolve("checkpoint-4").resolve(RunState.TRAINER_STATE)));
  }

  /** A read-only output folder is refused before the first step, not when the first checkpoint is saved. */
  @Test
  void aReadOnlyOutputDirectoryIsRefusedBeforeTheFirstStep() throws Exception {
    Path out = tmp.resolve("read-only");
    int[] steps = {0};
    try (dev.exprbert.testing.ReadOnlyFolder readOnly = dev.exprbert.testing.ReadOnlyFolder.of(out);
        ModelTokenizer tokenizer = TrainerFixtures.miniLm(tmp);
        EncoderForTokenClassification model = TrainerFixtures.tinyModel(32, 1, labels);
        Trainer trainer = new Trainer(config(out).build(), model, tokenizer, train, null)) {
      org.junit.jupiter.api.Assumptions.assumeTrue(readOnly.works(), "this file system lets every write through");
      trainer.addCallback(new TrainerCallback() {
        @Override
        public void onStepEnd(RunView run, TrainerControl control) {
          steps[0]++;
        }
      });
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, trainer::train);
      assertTrue(e.getMessage().startsWith("output_dir " + out + " cannot be written: "), e.getMessage());
    }
    assertEquals(0, steps[0], "no step was trained");
  }
}
