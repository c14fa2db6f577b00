package dev.exprbert.data;

import dev.exprbert.io.ModelTokenizer;

/**
 * How long sentences are cut into windows, the one rule training, evaluation, prediction and the Tagger share
 * (run_ner's limit, plus the sliding windows {@link Featurizer} makes instead of truncating):
 * <ul>
 *   <li>{@code maxSeqLength}: sub-tokens per window, special tokens included. By default the smaller of the model's
 *       {@code max_position_embeddings} and the tokenizer's {@code model_max_length} (what run_ner's tokenizer call
 *       truncates to); an explicit value may not exceed {@code max_position_embeddings}, the positions the model has.
 *   <li>{@code stride}: sub-tokens of overlap between the windows of a long sentence, {@link #DEFAULT_STRIDE} by
 *       default, capped at the window's text budget ({@code maxSeqLength} minus the special tokens) minus one so a
 *       short window still advances.
 * </ul>
 *
 * @param maxSeqLength sub-tokens per window, special tokens included
 * @param stride overlap in sub-tokens, in {@code [0, maxSeqLength - special tokens)}
 */
public record Window(int maxSeqLength, int stride) {
  /** The overlap used when none is given, by training ({@code --stride}), evaluation, predict and the Tagger alike. */
  public static final int DEFAULT_STRIDE = 32;

  /**
   * The window for a model with {@code maxPositionEmbeddings} positions and {@code tokenizer}.
   *
   * @param maxSeqLength the requested window, or null for the model's limit
   * @param stride the requested overlap, or null for {@link #DEFAULT_STRIDE}
   */
  public static Window resolve(Integer maxSeqLength, Integer stride, int maxPositionEmbeddings, ModelTokenizer tokenizer) {
    int limit = Math.min(maxPositionEmbeddings, tokenizer.modelMaxLength().orElse(Integer.MAX_VALUE));
    int length = maxSeqLength != null ? maxSeqLength : limit;
    if (length > maxPositionEmbeddings) {
      throw new IllegalArgumentException("max_seq_length " + length + " exceeds the model's max_position_embeddings "
          + maxPositionEmbeddings);
    }
    int budget = length - tokenizer.specialTokenCount();
    if (budget < 1) {
      throw new IllegalArgumentException("max_seq_length " + length + " leaves no room for text next to the "
          + tokenizer.specialTokenCount() + " special tokens");
    }
    int overlap = stride != null ? stride : DEFAULT_STRIDE;
    if (overlap < 0) {
      throw new IllegalArgumentException("stride must be >= 0, found " + overlap);
    }
    return new Window(length, Math.min(overlap, budget - 1));
  }
}
