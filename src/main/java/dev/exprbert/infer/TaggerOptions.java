package dev.exprbert.infer;

import java.util.Set;

/**
 * How a {@link Tagger} runs.
 *
 * @param aggregation how sub-token predictions become spans (default {@link Aggregation#FIRST}: the
 *     run_ner convention the models are trained with, labels on each word's first sub-token)
 * @param batchSize windows per forward pass, at least 1
 * @param maxSeqLength sub-tokens per window, special tokens included; {@code null} for the model's limit
 *     (the smaller of max_position_embeddings and the tokenizer's model_max_length; {@link dev.exprbert.data.Window})
 * @param stride sub-tokens of overlap between windows of a long sentence; {@code null} for
 *     {@link dev.exprbert.data.Window#DEFAULT_STRIDE}, as in training and evaluation
 * @param ignoredTypes span types (or full labels, for {@link Aggregation#NONE}) left out of the spans
 */
public record TaggerOptions(
    Aggregation aggregation, int batchSize, Integer maxSeqLength, Integer stride, Set<String> ignoredTypes) {

  public TaggerOptions {
    if (aggregation == null) {
      throw new IllegalArgumentException("aggregation is null; expected none, simple, first, average or max");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
    }
    ignoredTypes = ignoredTypes == null ? Set.of("O") : Set.copyOf(ignoredTypes);
  }

  /** First-sub-token aggregation, 32 windows per batch, the model's length limit, "O" ignored. */
  public static TaggerOptions defaults() {
    return new TaggerOptions(Aggregation.FIRST, 32, null, null, Set.of("O"));
  }

  public TaggerOptions withAggregation(Aggregation value) {
    return new TaggerOptions(value, batchSize, maxSeqLength, stride, ignoredTypes);
  }

  public TaggerOptions withBatchSize(int value) {
    return new TaggerOptions(aggregation, value, maxSeqLength, stride, ignoredTypes);
  }

  public TaggerOptions withWindow(Integer maxSeqLengthValue, Integer strideValue) {
    return new TaggerOptions(aggregation, batchSize, maxSeqLengthValue, strideValue, ignoredTypes);
  }
}
