package dev.exprbert.kernels;

/**
 * Scalars of one attention call: the softmax scale (usually {@code 1 / sqrt(head_dim)}), the attention
 * dropout, whose mask is a pure function of {@code (seed, offset)} (Philox, kernels.h) so the backward
 * regenerates exactly the forward's mask when given the same options, and the sliding window
 * ({@link AttentionWindow#NONE} for full attention), which the backward must get the same as the forward.
 */
public record AttentionOptions(double scale, double dropoutP, long seed, long offset, AttentionWindow window) {
  public AttentionOptions {
    if (!(scale > 0) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException("scale must be finite and > 0, got " + scale);
    }
    if (!(dropoutP >= 0 && dropoutP < 1)) {
      throw new IllegalArgumentException("dropoutP must be in [0, 1), got " + dropoutP);
    }
    if (window == null) {
      throw new IllegalArgumentException("window must not be null (AttentionWindow.NONE for full attention)");
    }
  }

  /** Full attention (no window). */
  public AttentionOptions(double scale, double dropoutP, long seed, long offset) {
    this(scale, dropoutP, seed, offset, AttentionWindow.NONE);
  }

  /** No dropout, scale {@code 1 / sqrt(headDim)}, no window. */
  public static AttentionOptions noDropout(long headDim) {
    return new AttentionOptions(1.0 / Math.sqrt(headDim), 0.0, 0, 0);
  }

  /** These options with {@code window} instead. */
  public AttentionOptions withWindow(AttentionWindow window) {
    return new AttentionOptions(scale, dropoutP, seed, offset, window);
  }
}
