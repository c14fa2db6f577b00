package dev.exprbert.metrics;

/**
 * seqeval's {@code zero_division}: the value of a precision (no predicted entity) or recall (no
 * gold entity) whose denominator is 0. {@link #WARN}, the default, gives 0 and warns
 * "... ill-defined and being set to 0.0 ..." (sklearn's UndefinedMetricWarning).
 */
public enum ZeroDivision {
  WARN,
  ZERO,
  ONE;

  double value() {
    return this == ONE ? 1.0 : 0.0;
  }
}
