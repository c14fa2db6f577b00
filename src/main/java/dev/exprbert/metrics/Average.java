package dev.exprbert.metrics;

/** seqeval's {@code average} values other than None (per-type scores have their own methods). */
public enum Average {
  /** Pool true positives, predictions and gold entities over all types, then divide. */
  MICRO,
  /** Unweighted mean of the per-type scores (NaN when no type exists, as numpy gives). */
  MACRO,
  /** Mean of the per-type scores weighted by gold support. */
  WEIGHTED
}
