package dev.exprbert.metrics;

import java.util.List;
import java.util.Objects;

/**
 * Token-level tallies behind {@code accuracy_score} (every position, O included) and
 * {@code performance_measure}, updated one aligned pair of tags at a time.
 */
final class TokenCounts {
  long correct;
  /** Pairs compared (zipped); seqeval's accuracy_score divides by the gold length instead. */
  long total;
  long tp;
  long fp;
  long fn;
  long tn;

  /** Counts the first {@code min(gold, predicted)} pairs, as Python's zip does. */
  void add(List<String> gold, List<String> predicted) {
    int n = Math.min(gold.size(), predicted.size());
    for (int i = 0; i < n; i++) {
      add(gold.get(i), predicted.get(i));
    }
  }

  void add(String gold, String predicted) {
    boolean equal = Objects.equals(gold, predicted);
    boolean goldO = "O".equals(gold);
    boolean predictedO = "O".equals(predicted);
    total++;
    if (equal) {
      correct++;
    }
    if (equal && (!goldO || !predictedO)) {
      tp++;
    }
    if (!equal && !predictedO) {
      fp++;
    }
    if (!goldO && predictedO) {
      fn++;
    }
    if (equal && goldO) {
      tn++;
    }
  }
}
