package dev.exprbert.model;

import dev.exprbert.autograd.LayerwiseBackward;
import dev.exprbert.model.attention.AttentionBackend;
import dev.exprbert.model.attention.AttentionMask;
import org.bytedeco.pytorch.Tensor;

/** Query/key/value projections, split into heads, and the chosen attention backend (HF BertSelfAttention). */
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
    if (mask.isPacked()) {
      return forwardPacked(x, mask, backend, training, tape);
    }
    long batch = x.size(0);
    long seq = x.size(1);
    long hidden = x.size(2);
    try (Tensor q = splitHeads(query.forward(x), batch, seq);
        Tensor k = splitHeads(key.forward(x), batch, seq);
        Tensor v = splitHeads(value.forward(x), batch, seq);
        Tensor context = backend.attend(q, k, v, mask, attentionDropout, training, tape);
        Tensor merged = context.transpose(1, 2);
        Tensor contiguous = merged.contiguous()) {
      return contiguous.view(batch, seq, hidden);
    }
  }

  /** Packed: the [total, hidden] projections viewed as [total, heads, head_dim] go to the varlen kernel as they are. */
  private Tensor forwardPacked(Tensor x, AttentionMask mask, AttentionBackend backend, boolean training,
      LayerwiseBackward tape) {
    long total = x.size(0);
    long hidden = x.size(1);
    try (Tensor q = packedHeads(query.forward(x), total);
        Tensor k = packedHeads(key.forward(x), total);
        Tensor v = packedHeads(value.forward(x), total);
        Tensor context = backend.attend(q, k, v, mask, attentionDropout, training, tape)) {
      return context.reshape(total, hidden);
    }
  }

  /** [batch, seq, hidden] -> [batch, heads, seq, head_dim]; closes its argument. */
  private Tensor splitHeads(Tensor projected, long batch, long seq) {
    try (projected; Tensor split = projected.view(batch, seq, heads, projected.size(2) / heads)) {
      return split.transpose(1, 2);
    }
  }

  /** [total, hidden] -> [total, heads, head_dim]; closes its argument. */
  private Tensor packedHeads(Tensor projected, long total) {
    try (projected) {
      return projected.view(total, heads, projected.size(1) / heads);
    }
  }
}
