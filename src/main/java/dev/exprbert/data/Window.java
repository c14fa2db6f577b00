package dev.exprbert.data;

import dev.exprbert.io.ModelTokenizer;

/**
 * How long sentences are cut into windows, the one rule training, evaluation, prediction and the Tagger share
 * (run_ner's limit, plus the sliding windows {@link Featurizer} makes instead of truncating):
 * <ul>
 *   <li>{@code maxSeqLength}: sub-tokens per window, special tokens included. By default the smaller of the model's
 *       longest sequence ({@code max_position_embeddings}; RoBERTa's less padding_idx + 1) and the tokenizer's
 *       {@code model_max_length} (what run_ner's tokenizer call truncates to); an explicit value may not exceed the
 *       model's longest sequence, the positions the model has.
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
   * The window for a model whose sequences hold at most {@code maxSequenceLength} tokens (its max_position_embeddings,
   * less the positions its family never uses: RoBERTa's first padding_idx + 1) and {@code tokenizer}.
   *
   * @param maxSeqLength the requested window, or null for the model's limit
   * @param stride the requested overlap, or null for {@link #DEFAULT_STRIDE}
   */
  public static Window resolve(Integer maxSeqLength, Integer stride, int maxSequenceLength, ModelTokenizer tokenizer) {
    int limit = Math.min(maxSequenceLength, tokenizer.modelMaxLength().orElse(Integer.MAX_VALUE));
    int length = maxSeqLength != null ? maxSeqLength : limit;
    if (length > maxSequenceLength) {
      throw new IllegalArgumentException("max_seq_length " + length + " exceeds the model's max_position_embeddings "
          + "limit of " + maxSequenceLength + " tokens");
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
