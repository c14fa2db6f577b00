package dev.exprbert.model.attention;

import dev.exprbert.autograd.LayerwiseBackward;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Attention as Hugging Face's eager BertSelfAttention writes it: matmul, scale, additive mask,
 * softmax, dropout, matmul. The reference every other backend is compared with.
 */
public final class EagerAttention implements AttentionBackend {
  @Override
  public String name() {
    return "eager";
  }

  @Override
  public Tensor attend(Tensor q, Tensor k, Tensor v, AttentionMask mask, double dropout, boolean training, LayerwiseBackward tape) {
    double scale = 1.0 / Math.sqrt(q.size(3));
    try (Tensor kt = k.transpose(-1, -2);
        Tensor raw = torch.matmul(q, kt);
        Scalar s = new Scalar(scale);
        Tensor scaled = raw.mul(s);
        Tensor masked = scaled.add(mask.additive());
        Tensor probs = torch.softmax(masked, -1);
        Tensor dropped = torch.dropout(probs, dropout, training)) {
      return torch.matmul(dropped, v);
    }
  }
}
