package dev.exprbert.runtime;

import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.pytorch.Tensor;

/**
 * Every conversion of a one-element tensor to a Java number on the training and evaluation paths goes through here
 * and is counted. On a GPU each such read waits for the device to finish everything queued before it, so the
 * training loop reads the loss and the gradient norm only at logging steps (and where a feature needs them: a
 * checkpoint's loss sums, the final summary); {@link #count()} lets a test hold it to that.
 */
public final class HostReads {
  private static final AtomicLong COUNT = new AtomicLong();

  private HostReads() {}

  /** {@code scalar.item()} as a double (float tensors keep their float value exactly). */
  public static double toDouble(Tensor scalar) {
    COUNT.incrementAndGet();
    return scalar.item_double();
  }

  /** {@code scalar.item()} as a long. */
  public static long toLong(Tensor scalar) {
    COUNT.incrementAndGet();
    return scalar.item_long();
  }

  /** Every value of a small integer tensor as longs, in one read (one wait for the device). */
  public static long[] toLongs(Tensor t) {
    COUNT.incrementAndGet();
    return Tensors.toLongArray(t);
  }

  /** How many reads this process has made so far (all threads). */
  public static long count() {
    return COUNT.get();
  }
}
