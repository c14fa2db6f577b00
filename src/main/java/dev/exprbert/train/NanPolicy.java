package dev.exprbert.train;

import java.util.Locale;

/**
 * What training does when a step's loss or gradient norm is not finite ({@code nan_policy}); see
 * {@link NonFiniteGuard}.
 */
public enum NanPolicy {
  /** Stop with an error naming the step; the model is not updated from that step on and no later checkpoint is saved. */
  STOP,
  /** Skip that step's update (as the fp16 loss scaler skips an overflowing step), warn, and go on. */
  SKIP_STEP;

  /** The policy named {@code value} ({@code stop} or {@code skip_step}, any case, dashes allowed). */
  public static NanPolicy parse(String value) {
    String v = value.strip().toLowerCase(Locale.ROOT).replace('-', '_');
    for (NanPolicy p : values()) {
      if (p.toString().equals(v)) {
        return p;
      }
    }
    throw new IllegalArgumentException("nan_policy: expected stop or skip_step, found '" + value + "'");
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
