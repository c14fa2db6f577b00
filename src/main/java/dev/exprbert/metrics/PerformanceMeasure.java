package dev.exprbert.metrics;

/**
 * seqeval's {@code performance_measure}: token-level counts over aligned (gold, predicted) tags.
 * They are not a partition of the tokens: TP counts equal tags unless both are O, FP counts a
 * non-O prediction that differs from gold, FN a non-O gold predicted as O, TN both O. A token with
 * gold {@code B-PER} and prediction {@code B-LOC} is an FP only.
 */
public record PerformanceMeasure(long tp, long fp, long fn, long tn) {
  static PerformanceMeasure of(TokenCounts counts) {
    return new PerformanceMeasure(counts.tp, counts.fp, counts.fn, counts.tn);
  }
}
