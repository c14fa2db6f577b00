package dev.exprbert.train;

/**
 * Training stopped because a step's loss or gradient norm was NaN or infinite ({@code nan_policy stop},
 * {@link NonFiniteGuard}); the message names the step and the last good checkpoint.
 */
public final class NonFiniteLossException extends IllegalStateException {
  private final long step;

  NonFiniteLossException(long step, String message) {
    super(message);
    this.step = step;
  }

  /** The first global step whose loss or gradient norm was not finite. */
  public long step() {
    return step;
  }
}
