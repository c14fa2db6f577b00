package dev.exprbert.model.attention;

import dev.exprbert.autograd.LayerwiseBackward;
import dev.exprbert.kernels.AttentionWindow;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * LibTorch's {@code scaled_dot_product_attention} (FlashAttention / memory-efficient / cuDNN kernels
 * on GPU, a fused math path on CPU) with Hugging Face's additive mask, as transformers' "sdpa"
 * attention implementation calls it, in LibTorch's [batch, heads, seq, head_dim] layout. A sliding window goes in
 * the same additive mask ({@link AttentionMask#additive(AttentionWindow)}).
 */
public final class SdpaAttention implements AttentionBackend {
  @Override
  public AttentionImplementation implementation() {
    return AttentionImplementation.SDPA;
  }

  @Override
  public Tensor attend(Tensor q, Tensor k, Tensor v, AttentionMask mask, double dropout, boolean training, LayerwiseBackward tape) {
    return attend(q, k, v, mask, AttentionWindow.NONE, dropout, training, tape);
  }

  @Override
  public Tensor attend(Tensor q, Tensor k, Tensor v, AttentionMask mask, AttentionWindow window, double dropout,
      boolean training, LayerwiseBackward tape) {
    try (DoubleOptional defaultScale = new DoubleOptional()) {
      return attend(q, k, v, mask.additive(window), defaultScale, dropout, training); // the mask is borrowed
    }
  }

  /**
   * The family's additive term as sdpa's float {@code attn_mask}: LibTorch adds it to the scaled scores and
   * back-propagates into it (the math kernel runs when it requires grad).
   */
  @Override
  public Tensor attendWithBias(Tensor q, Tensor k, Tensor v, Tensor bias, double scale, double dropout,
      boolean training, LayerwiseBackward tape) {
    try (DoubleOptional explicitScale = new DoubleOptional(scale)) {
      return attend(q, k, v, bias, explicitScale, dropout, training);
    }
  }

  /** sdpa in LibTorch's layout; q, k, v [batch, seq, heads, head_dim]; the caller owns the result. */
  private static Tensor attend(Tensor q, Tensor k, Tensor v, Tensor additive, DoubleOptional scale, double dropout,
      boolean training) {
    try (TensorOptional attnMask = new TensorOptional(additive);
        Tensor qh = q.transpose(1, 2);
        Tensor kh = k.transpose(1, 2);
        Tensor vh = v.transpose(1, 2);
        Tensor context = torch.scaled_dot_product_attention(qh, kh, vh, attnMask, training ? dropout : 0.0, false,
            scale, false)) {
      return context.transpose(1, 2);
    }
  }
}
