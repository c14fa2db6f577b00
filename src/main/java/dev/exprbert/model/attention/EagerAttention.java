package dev.exprbert.model.attention;

import dev.exprbert.autograd.LayerwiseBackward;
import dev.exprbert.kernels.AttentionWindow;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Attention as Hugging Face's eager BertSelfAttention writes it: matmul, scale, additive mask,
 * softmax, dropout, matmul, in LibTorch's [batch, heads, seq, head_dim] layout. The reference every other backend
 * is compared with. A sliding window adds {@code finfo.min} outside each query's window as well
 * ({@link AttentionMask#additive(AttentionWindow)}), as Hugging Face's ModernBERT does. A family's own additive
 * score term (DeBERTa's relative positions, with its mask in it) takes the mask's place ({@link #attendWithBias}).
 */
public final class EagerAttention implements AttentionBackend {
  @Override
  public AttentionImplementation implementation() {
    return AttentionImplementation.EAGER;
  }

  @Override
  public Tensor attend(Tensor q, Tensor k, Tensor v, AttentionMask mask, double dropout, boolean training, LayerwiseBackward tape) {
    return attend(q, k, v, mask, AttentionWindow.NONE, dropout, training, tape);
  }

  @Override
  public Tensor attend(Tensor q, Tensor k, Tensor v, AttentionMask mask, AttentionWindow window, double dropout,
      boolean training, LayerwiseBackward tape) {
    double scale = 1.0 / Math.sqrt(q.size(q.dim() - 1));
    return attend(q, k, v, mask.additive(window), scale, dropout, training); // additive: borrowed from the mask
  }

  @Override
  public Tensor attendWithBias(Tensor q, Tensor k, Tensor v, Tensor bias, double scale, double dropout,
      boolean training, LayerwiseBackward tape) {
    return attend(q, k, v, bias, scale, dropout, training);
  }

  /** {@code softmax(q k^T * scale + additive) v}; q, k, v [batch, seq, heads, head_dim]; the caller owns the result. */
  private static Tensor attend(Tensor q, Tensor k, Tensor v, Tensor additive, double scale, double dropout,
      boolean training) {
    try (Tensor qh = q.transpose(1, 2);
        Tensor kh = k.transpose(1, 2);
        Tensor vh = v.transpose(1, 2);
        Tensor kt = kh.transpose(-1, -2);
        Tensor raw = torch.matmul(qh, kt);
        Scalar s = new Scalar(scale);
        Tensor scaled = raw.mul(s);
        Tensor masked = scaled.add(additive);
        Tensor probs = torch.softmax(masked, -1);
        Tensor dropped = torch.dropout(probs, dropout, training);
        Tensor context = torch.matmul(dropped, vh)) {
      return context.transpose(1, 2);
    }
  }
}
