package dev.exprbert.model.attention;

import dev.exprbert.autograd.LayerwiseBackward;
import dev.exprbert.kernels.AttentionWindow;
import org.bytedeco.pytorch.Tensor;

/**
 * Scaled dot-product attention over heads, chosen with {@code --attention} ({@link AttentionImplementation}).
 * Every backend computes {@code softmax(q k^T * scale + mask) v} with dropout on the probabilities in training,
 * and the {@code eager} backend is the reference the others are tested against.
 *
 * <p>[note: attention layout] One layout at this interface, the one the q/k/v projections produce when their
 * hidden dimension is split into heads: padded {@code [batch, seq, heads, head_dim]}, packed
 * {@code [total_tokens, heads, head_dim]}; the context comes back in the same layout. The fused kernel reads and
 * writes exactly that (strided rows, no copy); eager and sdpa transpose to LibTorch's {@code [batch, heads, seq,
 * head_dim]} inside, as transformers' eager and sdpa attention do.
 *
 * <p>A sliding window (local attention, {@link AttentionWindow}) is a per-call choice, because one model mixes
 * global and local layers (ModernBERT): the windowed {@code attend} below. eager, sdpa and fused implement it
 * (eager and sdpa with an explicit [batch, 1, seq, seq] mask, fused inside the kernel, packed batches included);
 * a backend that does not refuses a limited window instead of attending globally.
 */
public interface AttentionBackend {

  /** Which backend this is; {@link AttentionImplementation#supportsPacked()} says whether it takes packed batches. */
  AttentionImplementation implementation();

  /**
   * @param q padded [batch, seq, heads, head_dim], or [total_tokens, heads, head_dim] for a packed mask
   * @param k like q
   * @param v like q
   * @param mask the key-padding mask of the batch (padded or packed)
   * @param dropout probability of dropping an attention weight (applied only when {@code training})
   * @param tape where a backend that is a graph boundary records its backward; null when no gradient
   *     is wanted
   * @return context shaped like q; the caller owns it
   */
  Tensor attend(Tensor q, Tensor k, Tensor v, AttentionMask mask, double dropout, boolean training, LayerwiseBackward tape);

  /**
   * {@link #attend(Tensor, Tensor, Tensor, AttentionMask, double, boolean, LayerwiseBackward)} where query i sees
   * key j only inside {@code window} (and j is a real token); {@link AttentionWindow#NONE} is exactly the call
   * without a window. Outputs at padding query rows are unspecified (the fused kernel gives zeros; eager and sdpa,
   * like Hugging Face, a uniform row where the window holds no real key): callers ignore them.
   *
   * @throws UnsupportedOperationException for a limited window when the backend does not implement windows
   */
  default Tensor attend(Tensor q, Tensor k, Tensor v, AttentionMask mask, AttentionWindow window, double dropout,
      boolean training, LayerwiseBackward tape) {
    if (window.isLimited()) {
      throw new UnsupportedOperationException("--attention " + implementation() + " does not implement a sliding"
          + " attention window (" + window + "); eager, sdpa and fused do");
    }
    return attend(q, k, v, mask, dropout, training, tape);
  }

  /**
   * {@code softmax(q k^T * scale + bias) v}, where the family computes the additive score term {@code bias} itself and
   * puts its own mask in it (DeBERTa: the relative-position c2p and p2c scores and its pairwise padding mask); the
   * backend adds nothing else. Same layout and ownership as {@link #attend(Tensor, Tensor, Tensor, AttentionMask,
   * double, boolean, LayerwiseBackward)}; eager and sdpa implement it (padded batches: a packed batch has no
   * [seq, seq] score matrix to add to).
   *
   * @param bias [batch, heads, seq, seq] (or broadcastable to it) in q's dtype; may require grad (its gradient flows
   *     back to what the family computed it from)
   * @param scale the factor of {@code q k^T}
   * @throws UnsupportedOperationException when the backend computes its scores inside a kernel (fused)
   */
  default Tensor attendWithBias(Tensor q, Tensor k, Tensor v, Tensor bias, double scale, double dropout,
      boolean training, LayerwiseBackward tape) {
    throw new UnsupportedOperationException("--attention " + implementation() + " takes no additive score bias (its"
        + " kernel computes the scores itself); eager and sdpa do");
  }

  /** A new backend called {@code name} (eager, sdpa or fused); the error lists those that exist. */
  static AttentionBackend named(String name) {
    return AttentionImplementation.parse(name).create();
  }
}
