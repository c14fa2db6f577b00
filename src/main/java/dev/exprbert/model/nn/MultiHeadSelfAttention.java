package dev.exprbert.model.nn;

import dev.exprbert.model.EncoderRun;
import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;

/**
 * Query/key/value projections split into heads, then the chosen attention backend: the self-attention of every
 * BERT-like family, whatever its weights are called (BERT's {@code query/key/value}, DistilBERT's
 * {@code q_lin/k_lin/v_lin}). The projections are viewed as {@code [..., heads, head_dim]} and handed to the backend
 * as they are, padded {@code [batch, seq, heads, head_dim]} or packed {@code [total_tokens, heads, head_dim]}
 * ([note: attention layout] in {@code AttentionBackend}), so the fused path copies nothing.
 */
public final class MultiHeadSelfAttention {
  private final Linear query;
  private final Linear key;
  private final Linear value;
  private final int heads;
  private final double attentionDropout;

  public MultiHeadSelfAttention(Linear query, Linear key, Linear value, int heads, double attentionDropout) {
    this.query = query;
    this.key = key;
    this.value = value;
    this.heads = heads;
    this.attentionDropout = attentionDropout;
  }

  /**
   * x [batch, seq, hidden] -> context [batch, seq, hidden], or packed x [total_tokens, hidden] -> [total_tokens,
   * hidden] (before the output projection); the caller owns the result.
   */
  public Tensor forward(Tensor x, EncoderRun run) {
    long[] shape = x.sizes().vec().get();
    try (Tensor q = splitHeads(query.forward(x), shape, heads);
        Tensor k = splitHeads(key.forward(x), shape, heads);
        Tensor v = splitHeads(value.forward(x), shape, heads);
        Tensor context = run.attend(q, k, v, attentionDropout)) {
      return context.reshape(shape);
    }
  }

  /**
   * A projection [..., hidden] of x (whose shape is {@code shape}) -> [..., heads, head_dim], the backends' layout (a
   * view); closes its argument.
   */
  public static Tensor splitHeads(Tensor projected, long[] shape, int heads) {
    try (projected) {
      long[] split = Arrays.copyOf(shape, shape.length + 1);
      split[shape.length - 1] = heads;
      split[shape.length] = shape[shape.length - 1] / heads;
      return projected.view(split);
    }
  }
}
