package dev.exprbert.metrics;

/**
 * Entity counts of one type: {@code truePositives} predicted entities that match a gold one
 * exactly, {@code predicted} predicted entities, {@code support} gold entities.
 */
public record TypeCounts(String type, long truePositives, long predicted, long support) {
  public TypeCounts {
    if (truePositives < 0 || truePositives > predicted || truePositives > support) {
      throw new IllegalArgumentException(
          "counts of type '"
              + type
              + "' need 0 <= truePositives <= min(predicted, support), got tp="
              + truePositives
              + " predicted="
              + predicted
              + " support="
              + support);
    }
  }
}
