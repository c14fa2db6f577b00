package dev.exprbert.kernels;

import org.bytedeco.pytorch.Tensor;

/**
 * How the sequences of an attention call are laid out (kernels.h, {@code exprbert_attention_layout}).
 *
 * <ul>
 *   <li>padded: q, k, v, out are {@code [batch, seq, heads, head_dim]} (any strides, unit innermost), with
 *       optional int32 {@code seqlens [batch]}: keys at or beyond a sequence's length are masked and its padded
 *       query rows get zeros (null = every row is real);
 *   <li>varlen (packed): q, k, v, out are {@code [total_tokens, heads, head_dim]} with int32
 *       {@code cuSeqlens [batch + 1]} (prefix sums of the lengths) and {@code maxSeqlen} at least every length,
 *       so no work is spent on padding.
 * </ul>
 * Borrows its tensors: the caller keeps ownership.
 */
public record AttentionBatch(int layout, Tensor seqlens, Tensor cuSeqlens, Tensor hostCuSeqlens, long maxSeqlen) {

  /** A padded batch; {@code seqlens} (int32 [batch], on the tensors' device) may be null. */
  public static AttentionBatch padded(Tensor seqlens) {
    return new AttentionBatch(KernelsLibrary.EXPRBERT_ATTENTION_PADDED, seqlens, null, null, -1);
  }

  /** A packed batch: {@code cuSeqlens} int32 [batch + 1] on the tensors' device, every length <= maxSeqlen. */
  public static AttentionBatch varlen(Tensor cuSeqlens, long maxSeqlen) {
    return varlen(cuSeqlens, null, maxSeqlen);
  }

  /**
   * {@link #varlen(Tensor, long)} with the same offsets also in host memory ({@code hostCuSeqlens}, int32 CPU,
   * contiguous; may be null), so a CUDA call sizes its launch grid without copying them back from the device.
   */
  public static AttentionBatch varlen(Tensor cuSeqlens, Tensor hostCuSeqlens, long maxSeqlen) {
    if (cuSeqlens == null) {
      throw new IllegalArgumentException("cuSeqlens must be given for a varlen batch, got null");
    }
    if (maxSeqlen < 0) {
      throw new IllegalArgumentException("maxSeqlen must be >= 0, got " + maxSeqlen);
    }
    return new AttentionBatch(KernelsLibrary.EXPRBERT_ATTENTION_VARLEN, null, cuSeqlens, hostCuSeqlens, maxSeqlen);
  }

  public boolean isVarlen() {
    return layout == KernelsLibrary.EXPRBERT_ATTENTION_VARLEN;
  }
}
