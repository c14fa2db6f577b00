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
    Tensor additive = mask.additive(window); // borrowed from the mask
    try (TensorOptional attnMask = new TensorOptional(additive);
        DoubleOptional defaultScale = new DoubleOptional();
        Tensor qh = q.transpose(1, 2);
        Tensor kh = k.transpose(1, 2);
        Tensor vh = v.transpose(1, 2);
        Tensor context = torch.scaled_dot_product_attention(qh, kh, vh, attnMask, training ? dropout : 0.0, false,
            defaultScale, false)) {
      return context.transpose(1, 2);
    }
  }
}
