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

  /** x [batch, seq, hidden] -> context [batch, seq, hidden]; the caller owns it. */
  Tensor forward(Tensor x, AttentionMask mask, AttentionBackend backend, boolean training, LayerwiseBackward tape) {
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

  /** [batch, seq, hidden] -> [batch, heads, seq, head_dim]; closes its argument. */
  private Tensor splitHeads(Tensor projected, long batch, long seq) {
    try (projected; Tensor split = projected.view(batch, seq, heads, projected.size(2) / heads)) {
      return split.transpose(1, 2);
    }
  }
}
