package dev.exprbert.train;

import java.util.function.IntConsumer;
import org.bytedeco.pytorch.Tensor;

/**
 * What a {@link TrainingStep} shares with the other ranks of a data-parallel run; nothing in a single process
 * ({@link #LOCAL}). A step calls it at three points: at its start, to turn this rank's token counts into the global
 * ones (the loss of every micro-batch is divided by the labelled tokens of all ranks, so N ranks with batch b train
 * exactly like one process with batch N x b); during the backward of its last micro-batch, as each backward group's
 * gradients become final (so their all-reduce overlaps the backward of the groups below); and before the optimizer,
 * to sum the gradients and the loss over the ranks.
 */
public interface GradientSync {
  /** A single process: the counts are global already, nothing is reduced. */
  GradientSync LOCAL = new GradientSync() {
    @Override
    public long[] sumCounts(long[] counts) {
      return counts;
    }

    @Override
    public IntConsumer onGroupDone() {
      return null;
    }

    @Override
    public void finish(Tensor loss) {}
  };

  /** {@code counts} summed over the ranks (every rank passes the same number of them). */
  long[] sumCounts(long[] counts);

  /**
   * For the backward of the step's last micro-batch: told each backward group's index as its gradients become final
   * ({@code EncoderForTokenClassification.backwardGroups()}); null when nothing is to be done then.
   */
  IntConsumer onGroupDone();

  /**
   * After the last backward: every gradient, and {@code loss} (a device scalar holding this rank's share of the
   * step's loss), become their sums over the ranks, in place.
   */
  void finish(Tensor loss);
}
