package dev.exprbert.train;

import dev.exprbert.data.LabeledSentence;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.model.EncoderForTokenClassification;
import java.nio.file.Path;
import java.util.List;

/**
 * The child process of {@link CheckpointRotationKillTest}: trains with {@code save_total_limit 1} and, while rotation
 * deletes {@code checkpoint-2} (after {@code checkpoint-3} is saved), stops after the first deleted file, says
 * {@code PAUSED} on standard output and waits to be killed.
 */
public final class RotationKillProbe {
  static final long PAUSE_WHILE_DELETING = 2;

  private RotationKillProbe() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]);
    Path scratch = Path.of(args[1]);
    List<LabeledSentence> train = TrainerFixtures.opener("train", 16);
    try (ModelTokenizer tokenizer = TrainerFixtures.miniLm(scratch);
        EncoderForTokenClassification model = TrainerFixtures.tinyModel(32, 1, TrainerFixtures.labelsOf(train));
        Trainer trainer = new Trainer(CheckpointRotationKillTest.config(out, null), model, tokenizer, train, null)) {
      int[] deleted = {0};
      trainer.onCheckpointDelete(file -> {
        String folder = out.relativize(file).getName(0).toString();
        if (folder.startsWith(CheckpointStore.PREFIX + PAUSE_WHILE_DELETING + ".deleting-") && ++deleted[0] == 2) {
          System.out.println("PAUSED " + folder);
          System.out.flush();
          try {
            Thread.sleep(Long.MAX_VALUE);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      });
      trainer.train();
    }
    System.out.println("FINISHED without pausing");
  }
}
