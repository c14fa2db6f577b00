package dev.exprbert.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.exprbert.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where in the data a checkpoint was taken, and the running loss sums the next log needs, saved as
 * {@code trainer_position.json} so a resumed run continues with the same batch and logs the same
 * numbers. The batch order itself is not saved: {@code Batcher.epoch(e)} depends only on (seed, e), so
 * the shape fields below are checked instead, and a mismatch (other data, batch size or seed) is an error.
 *
 * @param epoch 0-based epoch of the next update
 * @param updateInEpoch optimizer updates already done in that epoch
 */
record TrainingPosition(long epoch, long updateInEpoch, long batchesPerEpoch, long gradientAccumulationSteps,
    long trainFeatures, long seed, double lossSinceLog, long stepsSinceLog, double totalLoss, long tokensSinceLog) {
  static final String FILE = "trainer_position.json";
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

  void write(Path file) throws IOException {
    AtomicFiles.writeString(file, GSON.toJson(this) + "\n");
  }

  static TrainingPosition read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("checkpoint " + file.getParent() + " has no " + FILE
          + ": it was not written by this trainer, so the data position cannot be restored");
    }
    JsonObject o = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
    return GSON.fromJson(o, TrainingPosition.class);
  }

  /** Fails when the run being resumed would see other batches than the one that saved this position. */
  void requireSameData(TrainingPosition now, Path checkpoint) {
    StringBuilder diff = new StringBuilder();
    compare(diff, "batches per epoch", batchesPerEpoch, now.batchesPerEpoch);
    compare(diff, "gradient_accumulation_steps", gradientAccumulationSteps, now.gradientAccumulationSteps);
    compare(diff, "training features", trainFeatures, now.trainFeatures);
    compare(diff, "seed", seed, now.seed);
    if (diff.length() > 0) {
      throw new IllegalArgumentException("cannot resume from " + checkpoint + ": the data or batch settings changed since"
          + " it was saved (" + diff + "); resume with the same train_file, batch size, accumulation and seed");
    }
  }

  private static void compare(StringBuilder diff, String name, long saved, long now) {
    if (saved != now) {
      diff.append(diff.length() > 0 ? "; " : "").append(name).append(": checkpoint ").append(saved).append(", now ").append(now);
    }
  }
}
