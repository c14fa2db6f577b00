package dev.exprbert.data;

import dev.exprbert.model.attention.AttentionImplementation;
import java.util.List;

/**
 * Padded or packed model batches: the one place that builds a {@link ModelBatch}, chosen once per run from the
 * attention backend ({@link AttentionImplementation#supportsPacked()}).
 */
public enum BatchLayout {
  PADDED,
  PACKED;

  /** Inference and evaluation: packed whenever the backend takes packed batches (no work on padding). */
  public static BatchLayout forInference(AttentionImplementation attention) {
    return attention.supportsPacked() ? PACKED : PADDED;
  }

  /**
   * Training with {@code padding_free} left unset (null): packed whenever the backend takes packed batches, as in
   * inference, since packing skips all the Linear, LayerNorm and GELU work on padding; otherwise as
   * {@link #forTraining(AttentionImplementation, boolean)}.
   */
  public static BatchLayout forTraining(AttentionImplementation attention, Boolean paddingFree) {
    return paddingFree == null ? forInference(attention) : forTraining(attention, paddingFree.booleanValue());
  }

  /**
   * Training: packed when asked ({@code padding_free}); the model's backend must take packed batches.
   *
   * @throws IllegalArgumentException naming padding_free and the backend, when it cannot
   */
  public static BatchLayout forTraining(AttentionImplementation attention, boolean paddingFree) {
    if (paddingFree && !attention.supportsPacked()) {
      throw new IllegalArgumentException("padding_free (packed batches) needs attn_implementation fused, but the model"
          + " runs attention '" + attention + "'; build the model with --attention fused");
    }
    return paddingFree ? PACKED : PADDED;
  }

  /** A batch of {@code sentences} in this layout ({@code padTokenId} fills padded rows). */
  public ModelBatch batch(List<AlignedSentence> sentences, long padTokenId) {
    return this == PACKED ? PackedBatch.ofSentences(sentences) : new PaddedBatch(sentences, padTokenId);
  }

  /**
   * The tokens the model computes for a batch of {@code features} in this layout ({@link ModelBatch#computedTokens()}),
   * without building it: every row padded to the longest, or only the real tokens when packed.
   */
  public long computedTokens(List<Feature> features) {
    long real = 0;
    int longest = 0;
    for (Feature f : features) {
      real += f.length();
      longest = Math.max(longest, f.length());
    }
    return this == PACKED ? real : (long) longest * features.size();
  }

  /** A batch of the encodings of {@code features}. */
  public ModelBatch batchOf(List<Feature> features, long padTokenId) {
    return batch(features.stream().map(Feature::encoding).toList(), padTokenId);
  }
}
