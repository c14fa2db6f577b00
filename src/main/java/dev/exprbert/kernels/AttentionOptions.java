package dev.exprbert.kernels;

/**
 * Scalars of one attention call: the softmax scale (usually {@code 1 / sqrt(head_dim)}) and the attention
 * dropout, whose mask is a pure function of {@code (seed, offset)} (Philox, kernels.h) so the backward
 * regenerates exactly the forward's mask when given the same options.
 */
public record AttentionOptions(double scale, double dropoutP, long seed, long offset) {
  public AttentionOptions {
    if (!(scale > 0) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException("scale must be finite and > 0, got " + scale);
    }
    if (!(dropoutP >= 0 && dropoutP < 1)) {
      throw new IllegalArgumentException("dropoutP must be in [0, 1), got " + dropoutP);
    }
  }

  /** No dropout, scale {@code 1 / sqrt(headDim)}. */
  public static AttentionOptions noDropout(long headDim) {
    return new AttentionOptions(1.0 / Math.sqrt(headDim), 0.0, 0, 0);
  }
}
