package dev.exprbert.model.attention;

import dev.exprbert.autograd.LayerwiseBackward;
import org.bytedeco.pytorch.Tensor;

/**
 * Scaled dot-product attention over heads, chosen with {@code --attention}. Every backend computes
 * {@code softmax(q k^T * scale + mask) v} with dropout on the probabilities in training, and the
 * {@code eager} backend is the reference the others are tested against.
 */
public interface AttentionBackend {

  /** The name users pass to {@code --attention}. */
  String name();

  /**
   * Whether {@link #attend} accepts a packed mask ({@link AttentionMask#isPacked()}): q, k, v and the context
   * are then {@code [total_tokens, heads, head_dim]}. Only the fused kernel has a varlen layout; eager and sdpa
   * would need the batch padded again, which is what packing avoids, so they refuse.
   */
  default boolean supportsPacked() {
    return false;
  }

  /**
   * @param q [batch, heads, seq, head_dim], or [total_tokens, heads, head_dim] for a packed mask
   * @param k [batch, heads, seq, head_dim]
   * @param v [batch, heads, seq, head_dim]
   * @param mask the key-padding mask of the batch (padded or packed)
   * @param dropout probability of dropping an attention weight (applied only when {@code training})
   * @param tape where a backend that is a graph boundary records its backward; null when no gradient
   *     is wanted
   * @return context shaped like q; the caller owns it
   */
  Tensor attend(Tensor q, Tensor k, Tensor v, AttentionMask mask, double dropout, boolean training, LayerwiseBackward tape);

  /** The backend named {@code name}; the error lists those that exist. */
  static AttentionBackend named(String name) {
    return switch (name) {
      case "eager" -> new EagerAttention();
      case "sdpa" -> new SdpaAttention();
      case "fused" -> new FusedAttention();
      default -> throw new IllegalArgumentException(
          "unknown attention backend '" + name + "': expected one of eager, sdpa, fused");
    };
  }
}
