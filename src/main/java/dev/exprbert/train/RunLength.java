package dev.exprbert.train;

import dev.exprbert.data.Feature;
import java.util.List;

/**
 * How long a run is, as Hugging Face's Trainer counts it: optimizer updates per epoch (batches grouped by
 * {@code gradient_accumulation_steps}, the last group possibly shorter), the total steps ({@code max_steps} when
 * given, else {@code num_train_epochs} worth, rounded up) and the epochs that takes.
 */
record RunLength(long updatesPerEpoch, long maxSteps, long numEpochs, int accumulation) {

  static RunLength of(TrainingConfig config, int batchesPerEpoch) {
    int accumulation = config.gradientAccumulationSteps();
    long updates = Math.max(1, (batchesPerEpoch + accumulation - 1) / accumulation);
    if (config.maxSteps() > 0) {
      return new RunLength(updates, config.maxSteps(), (config.maxSteps() + updates - 1) / updates, accumulation);
    }
    return new RunLength(updates, (long) Math.ceil(config.numTrainEpochs() * updates),
        (long) Math.ceil(config.numTrainEpochs()), accumulation);
  }

  /** The batches of update {@code update} of an epoch. */
  List<List<Feature>> group(List<List<Feature>> batches, long update) {
    int from = (int) (update * accumulation);
    return batches.subList(from, batchesDone(update, batches.size()));
  }

  /** Batches of the epoch done after update {@code update}. */
  int batchesDone(long update, int batchesInEpoch) {
    return (int) Math.min(batchesInEpoch, (update + 1) * accumulation);
  }
}
