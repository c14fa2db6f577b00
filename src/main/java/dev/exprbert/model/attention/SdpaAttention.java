package dev.exprbert.model.attention;

import dev.exprbert.autograd.LayerwiseBackward;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * LibTorch's {@code scaled_dot_product_attention} (FlashAttention / memory-efficient / cuDNN kernels
 * on GPU, a fused math path on CPU) with Hugging Face's additive mask, as transformers' "sdpa"
 * attention implementation calls it.
 */
public final class SdpaAttention implements AttentionBackend {
  @Override
  public String name() {
    return "sdpa";
  }

  @Override
  public Tensor attend(Tensor q, Tensor k, Tensor v, AttentionMask mask, double dropout, boolean training, LayerwiseBackward tape) {
    try (TensorOptional attnMask = new TensorOptional(mask.additive());
        DoubleOptional defaultScale = new DoubleOptional()) {
      return torch.scaled_dot_product_attention(q, k, v, attnMask, training ? dropout : 0.0, false, defaultScale, false);
    }
  }
}
