package dev.exprbert.metrics;

import java.util.List;

/**
 * Streaming token accuracy over the positions that carry a label: label id
 * {@link #IGNORE_INDEX} (-100, special tokens and non-first sub-tokens) is skipped, exactly the
 * positions Hugging Face's run_ner keeps before computing {@code overall_accuracy}. Every other
 * position counts, O included, as in seqeval's {@code accuracy_score}.
 */
public final class TokenAccuracy {
  /** The label id that marks a position without a label (PyTorch CrossEntropyLoss default). */
  public static final int IGNORE_INDEX = -100;

  private long correct;
  private long total;

  /** Adds one sequence of predicted and gold label ids; gold -100 positions are skipped. */
  public void add(int[] predictedIds, int[] goldIds) {
    if (predictedIds.length != goldIds.length) {
      throw new IllegalArgumentException(
          "token accuracy: predictedIds and goldIds must have the same length, got "
              + predictedIds.length
              + " and "
              + goldIds.length);
    }
    for (int i = 0; i < goldIds.length; i++) {
      if (goldIds[i] == IGNORE_INDEX) {
        continue;
      }
      total++;
      if (predictedIds[i] == goldIds[i]) {
        correct++;
      }
    }
  }

  /** Adds one sentence of tags; every position has a label. */
  public void add(List<String> predicted, List<String> gold) {
    if (predicted.size() != gold.size()) {
      throw new IllegalArgumentException(
          "token accuracy: predicted and gold tags must have the same length, got "
              + predicted.size()
              + " and "
              + gold.size());
    }
    total += gold.size();
    for (int i = 0; i < gold.size(); i++) {
      if (gold.get(i).equals(predicted.get(i))) {
        correct++;
      }
    }
  }

  public long correct() {
    return correct;
  }

  public long total() {
    return total;
  }

  /**
   * correct / total.
   *
   * @throws IllegalStateException when no labelled position was added (seqeval raises
   *     ZeroDivisionError)
   */
  public double accuracy() {
    if (total == 0) {
      throw new IllegalStateException(
          "token accuracy: no labelled position was added (all were -100 or nothing was"
              + " added), so accuracy is undefined");
    }
    return (double) correct / (double) total;
  }
}
