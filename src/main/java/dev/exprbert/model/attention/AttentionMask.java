package dev.exprbert.model.attention;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The key-padding mask of a padded batch in the two forms backends want: the 0/1 mask as given
 * ([batch, seq], 1 = real token) and Hugging Face's additive extended mask
 * {@code (1 - mask) * finfo(dtype).min} of shape [batch, 1, 1, seq] in the compute dtype.
 * Owns both tensors.
 */
public final class AttentionMask implements AutoCloseable {
  private final Tensor keep;      // [batch, seq], int64, 1 = attend
  private final Tensor additive;  // [batch, 1, 1, seq], compute dtype
  private Tensor lengths;         // [batch], int32, computed on first use (fused attention)

  private AttentionMask(Tensor keep, Tensor additive) {
    this.keep = keep;
    this.additive = additive;
  }

  /** From a [batch, seq] 0/1 attention mask; {@code computeType} is the dtype of the scores. */
  public static AttentionMask fromPadding(Tensor attentionMask, ScalarType computeType) {
    if (attentionMask.dim() != 2) {
      throw new IllegalArgumentException("attention_mask must be [batch, seq], got " + attentionMask.dim() + " dims");
    }
    long b = attentionMask.size(0);
    long s = attentionMask.size(1);
    try (Tensor asFloat = attentionMask.to(computeType);
        Scalar minusOne = new Scalar(-1.0);
        Scalar one = new Scalar(1.0);
        Scalar min = new Scalar(lowest(computeType));
        Tensor inverted = asFloat.mul(minusOne).add_(one);
        Tensor scaled = inverted.mul(min)) {
      return new AttentionMask(attentionMask.clone(), scaled.view(b, 1, 1, s));
    }
  }

  /** {@code torch.finfo(dtype).min}, what Hugging Face fills masked scores with. */
  static double lowest(ScalarType type) {
    if (type.value == ScalarType.Float.value) {
      return -Float.MAX_VALUE;
    } else if (type.value == ScalarType.BFloat16.value) {
      return -3.3895313892515355e38;
    } else if (type.value == ScalarType.Half.value) {
      return -65504.0;
    } else if (type.value == ScalarType.Double.value) {
      return -Double.MAX_VALUE;
    }
    throw new IllegalArgumentException("attention scores must be floating point, got " + type);
  }

  /** [batch, seq] int64, 1 where the key is a real token. Borrowed: do not close. */
  public Tensor keep() {
    return keep;
  }

  /** [batch, 1, 1, seq] additive mask in the compute dtype. Borrowed: do not close. */
  public Tensor additive() {
    return additive;
  }

  /**
   * [batch] int32 real lengths, for kernels that take lengths instead of a mask (fused attention). Borrowed:
   * do not close. Throws IllegalArgumentException when the mask is not right-padded (ones, then zeros only),
   * which a length cannot express.
   */
  public Tensor lengths() {
    if (lengths == null) {
      try (Tensor counts = keep.sum(1);
          Scalar seqEnd = new Scalar(keep.size(1));
          TensorOptions longs = keep.options();
          Tensor positions = torch.arange(seqEnd, longs);
          Scalar zero = new Scalar(0);
          Tensor column = counts.unsqueeze(1);
          Tensor prefix = positions.lt(column);
          Tensor keepBool = keep.ne(zero);
          Tensor same = prefix.eq(keepBool);
          Tensor all = same.all()) {
        if (!all.item_bool()) {
          throw new IllegalArgumentException("attention_mask must be right-padded (1s, then only 0s in every row) for "
              + "lengths-based attention (--attention fused); found a 0 before a 1");
        }
        lengths = counts.to(ScalarType.Int);
      }
    }
    return lengths;
  }

  @Override
  public void close() {
    keep.close();
    additive.close();
    if (lengths != null) {
      lengths.close();
    }
  }
}
