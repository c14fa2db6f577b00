package dev.exprbert.model.modernbert;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * HF {@code ModernBertRotaryEmbedding} with its default RoPE: per layer type, {@code inv_freq = 1 / theta^(2i / d)}
 * for i < d/2, angles {@code position * inv_freq}, {@code emb = cat(angles, angles)}, all in float32 whatever the
 * model's precision; cos and sin are then rounded to the compute dtype as transformers hands them on. It has no
 * weights (transformers' {@code inv_freq} buffers are not saved).
 */
public final class ModernBertRotaryEmbedding {
  private final long headDim;

  public ModernBertRotaryEmbedding(ModernBertConfig config) {
    this.headDim = config.headDim();
  }

  /**
   * The rotation of every token of a batch.
   *
   * @param positionIds each token's position in its sequence: [seq] for a padded batch, [total_tokens] restarting at 0
   *     per sequence for a packed one (so a packed sequence is rotated as it would be alone)
   * @param theta the layer type's RoPE theta
   * @param computeType the dtype of q and k
   */
  public Rotation forward(Tensor positionIds, double theta, ScalarType computeType) {
    long n = positionIds.size(0);
    try (TensorOptions base = positionIds.options();
        ScalarTypeOptional f32 = new ScalarTypeOptional(ScalarType.Float);
        TensorOptions floats = base.dtype(f32);
        Scalar zero = new Scalar(0);
        Scalar end = new Scalar(headDim);
        Scalar two = new Scalar(2);
        Scalar dim = new Scalar((double) headDim);
        Scalar thetaScalar = new Scalar(theta);
        Tensor steps = torch.arange(zero, end, two, floats);
        Tensor exponent = steps.div(dim);
        Tensor power = torch.pow(thetaScalar, exponent);
        Tensor invFreq = power.reciprocal();                 // [d/2]
        Tensor positions = positionIds.to(ScalarType.Float);
        Tensor column = positions.unsqueeze(1);
        Tensor row = invFreq.unsqueeze(0);
        Tensor freqs = column.mul(row);                      // [n, d/2]
        TensorVector halves = new TensorVector(freqs, freqs);
        Tensor emb = torch.cat(halves, -1);                  // [n, d]
        Tensor cos = emb.cos();
        Tensor sin = emb.sin()) {
      return new Rotation(rounded(cos, computeType, n), rounded(sin, computeType, n));
    }
  }

  /** [n, d] float32 -> [n, 1, d] float32 holding values of {@code computeType} (HF: {@code cos.to(x.dtype)}). */
  private Tensor rounded(Tensor t, ScalarType computeType, long n) {
    try (Tensor cast = t.to(computeType); Tensor back = cast.to(ScalarType.Float)) {
      return back.view(n, 1, headDim);
    }
  }

  /**
   * cos and sin of one batch's tokens, [tokens, 1, head_dim] float32 (broadcast over heads, and over the batch of a
   * padded [batch, seq, heads, head_dim] q). Owns them.
   */
  public static final class Rotation implements AutoCloseable {
    private final Tensor cos;
    private final Tensor sin;

    Rotation(Tensor cos, Tensor sin) {
      this.cos = cos;
      this.sin = sin;
    }

    /**
     * {@code x * cos + rotate_half(x) * sin} in float32, returned in x's dtype, where {@code rotate_half(x) =
     * cat(-x[d/2:], x[:d/2])} (halves, not interleaved pairs).
     *
     * @param x [batch, seq, heads, head_dim] or [total_tokens, heads, head_dim]; the caller keeps it
     * @return a new tensor shaped like x; the caller owns it
     */
    public Tensor apply(Tensor x) {
      long half = x.size(x.dim() - 1) / 2;
      try (Tensor xf = x.to(ScalarType.Float);
          Tensor first = xf.narrow(-1, 0, half);
          Tensor second = xf.narrow(-1, half, half);
          Tensor negated = second.neg();
          TensorVector parts = new TensorVector(negated, first);
          Tensor rotated = torch.cat(parts, -1);
          Tensor straight = xf.mul(cos);
          Tensor turned = rotated.mul(sin);
          Tensor sum = straight.add(turned)) {
        return sum.to(x.scalar_type());
      }
    }

    @Override
    public void close() {
      cos.close();
      sin.close();
    }
  }
}
