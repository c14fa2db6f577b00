package dev.exprbert.train;

import dev.exprbert.runtime.HostReads;
import dev.exprbert.runtime.Placement;
import dev.exprbert.model.NamedParameter;
import java.util.List;
import java.util.function.Supplier;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The NaN/inf guard ({@code nan_policy}): a step whose loss is not finite, or whose gradients hold an inf or NaN (the
 * optimizer's found-inf flag; under fp16 only the loss counts, gradient overflow being the loss scaler's), is a
 * non-finite step. Each step is {@link #observe observed} on the device (the first such step and how many there were),
 * so a step never waits for the device; {@link #check} reads the two numbers at the run's host-read points (a log, an
 * evaluation, before a checkpoint is written, the end of training) and acts:
 * <ul>
 *   <li>{@link NanPolicy#STOP}: throws {@link NonFiniteLossException} naming the first non-finite step. No checkpoint
 *       is written after it (the last one saved before it stays), and the fused AdamW skipped, on the device, every
 *       update whose gradients were not finite, so the weights in memory are those of the last good update (LibTorch's
 *       AdamW writes the NaN into them, as PyTorch does);
 *   <li>{@link NanPolicy#SKIP_STEP}: those updates were skipped (as the fp16 loss scaler skips an overflowing step);
 *       logs a warning with the steps and goes on.
 * </ul>
 * Between two checks the run keeps stepping (a fault stays recorded), so with {@code logging_steps} N a stopped run
 * ends at most N - 1 steps after the fault; set a smaller {@code logging_steps} to stop sooner. Before a checkpoint
 * is written the weights themselves are checked too ({@link #checkWeights}). Owns its tensors.
 */
final class NonFiniteGuard implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(NonFiniteGuard.class);

  private final NanPolicy policy;
  private final boolean gradientsCount;
  private final Supplier<String> lastCheckpoint;
  private final Tensor firstAndCount; // int64 [2] on the device: the first non-finite step (-1: none), how many since

  /**
   * @param gradientsCount whether a set found-inf flag makes a step non-finite (false under fp16)
   * @param lastCheckpoint the last checkpoint saved, for the error (null when none)
   */
  NonFiniteGuard(NanPolicy policy, boolean gradientsCount, Placement placement, Supplier<String> lastCheckpoint) {
    this.policy = policy;
    this.gradientsCount = gradientsCount;
    this.lastCheckpoint = lastCheckpoint;
    try (TensorOptions longs = placement.options(ScalarType.Long)) {
      this.firstAndCount = torch.zeros(new long[] {2}, longs);
    }
    reset();
  }

  /**
   * Records step {@code step} on the device: non-finite when {@code loss} is not finite or (when gradients count)
   * {@code foundInf} is set. {@code foundInf} may be null (an unchecked step: only the loss counts).
   */
  void observe(Tensor loss, Tensor foundInf, long step) {
    try (PointerScope scope = new PointerScope()) {
      Tensor bad = torch.isfinite(loss).logical_not();
      if (gradientsCount && foundInf != null) {
        bad = bad.logical_or(foundInf.ne(new Scalar(0)));
      }
      Tensor first = firstAndCount.select(0, 0);
      Tensor count = firstAndCount.select(0, 1);
      first.masked_fill_(bad.logical_and(first.lt(new Scalar(0))), new Scalar(step));
      count.add_(bad.to(ScalarType.Long));
    }
  }

  /**
   * Reads what the steps since the last check saw (one host read) and applies the policy: throws
   * {@link NonFiniteLossException} under {@code stop}, logs a warning under {@code skip_step}. {@code now} is the
   * global step reached; {@code when} says what the read is for ("before saving checkpoint-8").
   */
  void check(long now, String when) {
    long[] seen = HostReads.toLongs(firstAndCount);
    long first = seen[0];
    long count = seen[1];
    if (first < 0) {
      return;
    }
    if (policy == NanPolicy.STOP) {
      String saved = lastCheckpoint.get();
      throw new NonFiniteLossException(first, "training stopped: the loss or gradient norm became NaN or infinite at"
          + " step " + first + " (" + count + " such step(s) up to step " + now + ", found " + when + "); no checkpoint"
          + " was written after it" + (saved != null ? ", the last good one is " + saved : " and none before it")
          + ". Lower the learning rate, check the data, or pass --nan_policy skip_step to skip such steps");
    }
    LOG.warn("skipped {} update(s) whose loss or gradients were NaN or infinite, the first at step {} (checked at step"
        + " {}; nan_policy skip_step)", count, first, now);
    reset();
  }

  /**
   * Before a checkpoint is written: throws {@link NonFiniteLossException} when any of {@code parameters} holds an
   * inf or NaN (whatever the policy: such weights cannot be trained on, and a checkpoint of them is no good one). One
   * host read; the reduction runs on the device.
   */
  void checkWeights(List<NamedParameter> parameters, long now) {
    boolean finite;
    try (PointerScope scope = new PointerScope()) {
      Tensor[] each = new Tensor[parameters.size()];
      for (int i = 0; i < each.length; i++) {
        each[i] = torch.isfinite(parameters.get(i).tensor()).all();
      }
      finite = each.length == 0 || HostReads.toLong(torch.stack(new TensorVector(each)).all()) != 0;
    }
    if (!finite) {
      String saved = lastCheckpoint.get();
      throw new NonFiniteLossException(now, "training stopped before saving the checkpoint of step " + now + ": the"
          + " model's weights hold NaN or infinite values; no checkpoint was written" + (saved != null
          ? ", the last good one is " + saved : "") + ". Lower the learning rate or check the data");
    }
  }

  private void reset() {
    try (Tensor first = firstAndCount.select(0, 0); Tensor count = firstAndCount.select(0, 1);
        Scalar none = new Scalar(-1)) {
      first.fill_(none);
      count.zero_();
    }
  }

  @Override
  public void close() {
    firstAndCount.close();
  }
}
