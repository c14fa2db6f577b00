package dev.exprbert.model;

import dev.exprbert.autograd.LayerwiseBackward;
import dev.exprbert.model.attention.AttentionBackend;
import dev.exprbert.model.attention.AttentionMask;
import org.bytedeco.pytorch.Tensor;

/**
 * Query/key/value projections, split into heads, and the chosen attention backend (HF BertSelfAttention). The
 * projections are viewed as {@code [..., heads, head_dim]} and handed to the backend as they are, padded
 * {@code [batch, seq, heads, head_dim]} or packed {@code [total_tokens, heads, head_dim]} ([note: attention layout]
 * in {@link AttentionBackend}), so the fused path copies nothing.
 */
final class BertSelfAttention {
  private final Linear query;
  private final Linear key;
  private final Linear value;
  private final int heads;
  private final double attentionDropout;

  BertSelfAttention(ModelWeights weights, WeightPath path, BertConfig config) {
    this.query = new Linear(weights, path.child("query"));
    this.key = new Linear(weights, path.child("key"));
    this.value = new Linear(weights, path.child("value"));
    this.heads = config.numAttentionHeads();
    this.attentionDropout = config.attentionProbsDropoutProb();
  }

  /**
   * x [batch, seq, hidden] -> context [batch, seq, hidden], or for a packed mask x [total_tokens, hidden] ->
   * [total_tokens, hidden]; the caller owns the result.
   */
  Tensor forward(Tensor x, AttentionMask mask, AttentionBackend backend, boolean training, LayerwiseBackward tape) {
    long[] shape = x.sizes().vec().get();
    try (Tensor q = splitHeads(query.forward(x), shape);
        Tensor k = splitHeads(key.forward(x), shape);
        Tensor v = splitHeads(value.forward(x), shape);
        Tensor context = backend.attend(q, k, v, mask, attentionDropout, training, tape)) {
      return context.reshape(shape);
    }
  }

  /** [..., hidden] -> [..., heads, head_dim] (a view); closes its argument. */
  private Tensor splitHeads(Tensor projected, long[] shape) {
    try (projected) {
      long[] split = java.util.Arrays.copyOf(shape, shape.length + 1);
      split[shape.length - 1] = heads;
      split[shape.length] = shape[shape.length - 1] / heads;
      return projected.view(split);
    }
  }
}
