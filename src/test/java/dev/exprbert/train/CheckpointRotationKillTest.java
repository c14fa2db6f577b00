package dev.exprbert.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.data.LabeledSentence;
import dev.exprbert.infer.TokenClassifier;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.runtime.Placement;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 in the middle of {@code save_total_limit} rotation: a child JVM ({@link RotationKillProbe}) is stopped
 * while it deletes an old checkpoint, after some of its files are gone, and killed with SIGKILL there. The output
 * directory then holds the newest finished checkpoint and a {@code .deleting-} folder, never a
 * {@code checkpoint-N} with missing files; the finished checkpoint loads, and the next run removes the leftover and
 * resumes from it to the end.
 */
class CheckpointRotationKillTest {
  @TempDir
  Path tmp;

  static TrainingConfig config(Path out, String resume) {
    return TrainingConfig.builder().set("output_dir", out).set("learning_rate", 1e-3).set("max_steps", 4)
        .set("per_device_train_batch_size", 4).set("save_steps", 1).set("save_total_limit", 1).set("logging_steps", 1)
        .set("resume_from_checkpoint", resume).build();
  }

  @Test
  void aRunKilledDuringRotationLeavesItsLastCheckpointAndTheNextRunResumesCleanly() throws Exception {
    Path out = tmp.resolve("run");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
        RotationKillProbe.class.getName(), out.toString(), tmp.toString())
        .directory(Path.of("").toAbsolutePath().toFile()).redirectErrorStream(true).start();
    StringBuilder log = new StringBuilder();
    CompletableFuture<String> paused = CompletableFuture.supplyAsync(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          synchronized (log) {
            log.append(line).append('\n');
          }
          if (line.startsWith("PAUSED ")) {
            return line.substring("PAUSED ".length());
          }
        }
        return null;
      } catch (java.io.IOException e) {
        return null;
      }
    });
    String deleting;
    try {
      deleting = paused.get(4, TimeUnit.MINUTES);
    } finally {
      child.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no finally block runs in the child
      assertTrue(child.waitFor(1, TimeUnit.MINUTES), "the child did not die");
    }
    assertNotNull(deleting, "the child never reached the rotation:\n" + log);
    assertEquals(137, child.exitValue(), "killed by SIGKILL");

    CheckpointStore store = new CheckpointStore(out);
    assertEquals(List.of(out.resolve("checkpoint-3")), store.list(), "the newest finished checkpoint is there");
    assertEquals(List.of(deleting), store.incompleteFolders());
    assertFalse(Files.exists(out.resolve("checkpoint-2")), "no checkpoint-2 with some of its files");
    try (Stream<Path> left = Files.list(out.resolve(deleting))) {
      long files = left.count();
      assertTrue(files > 0, "the kill came mid-delete, with files left to delete");
    }
    try (TokenClassifier loaded = TokenClassifier.load(out.resolve("checkpoint-3"), Placement.CPU_FLOAT32, "eager")) {
      assertEquals(3, RunView.read(out.resolve("checkpoint-3").resolve(RunState.TRAINER_STATE)).globalStep());
      assertFalse(loaded.config().labels().isEmpty());
    }

    List<LabeledSentence> train = TrainerFixtures.opener("train", 16);
    TrainResult resumed;
    try (ModelTokenizer tokenizer = TrainerFixtures.miniLm(tmp);
        EncoderForTokenClassification model = TrainerFixtures.tinyModel(32, 1, TrainerFixtures.labelsOf(train));
        Trainer trainer = new Trainer(config(out, "true"), model, tokenizer, train, null)) {
      resumed = trainer.train();
    }
    assertEquals(4, resumed.globalStep());
    assertEquals(List.of(), store.incompleteFolders(), "the next run removed the leftover");
    assertEquals(List.of(out.resolve("checkpoint-4")), store.list());
    List<Object> steps = RunView.read(out.resolve(RunState.TRAINER_STATE)).logHistory().stream()
        .filter(e -> e.containsKey("loss")).map(e -> e.get("step")).toList();
    assertEquals(List.of(1L, 2L, 3L, 4L), steps, "one loss entry per step, across the kill");
  }
}
