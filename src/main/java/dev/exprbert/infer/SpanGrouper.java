package dev.exprbert.infer;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The grouping half of Hugging Face's token-classification pipeline ({@code aggregate_word},
 * {@code group_entities}, {@code group_sub_entities}), over units that are sub-tokens (simple) or words
 * (first/average/max).
 *
 * <p>Grouping: a unit joins the group before it when both have the same type and the unit's label does
 * not start with {@code B-}; a label without a B-/I- prefix counts as I- of itself (so O units group,
 * and an I-X after O starts a new X span, as in HF). A group's score is the mean of its units' scores;
 * groups whose type is ignored ("O") are dropped. One deliberate difference: the type is the label minus
 * its B-/I- prefix, where HF's {@code group_sub_entities} takes the text after the last '-' (which cuts
 * labels such as {@code B-Polar-Exp} to {@code Exp}).
 */
final class SpanGrouper {
  private SpanGrouper() {}

  /** One unit to group: its label, that label's probability, its characters and its word. */
  record Unit(String label, double score, int startChar, int endChar, int word) {}

  static List<Span> group(List<Unit> units, String text, Set<String> ignoredTypes) {
    List<Span> spans = new ArrayList<>();
    List<Unit> current = new ArrayList<>();
    for (Unit unit : units) {
      if (!current.isEmpty()) {
        String[] tag = splitTag(unit.label());
        String[] last = splitTag(current.get(current.size() - 1).label());
        if (!(tag[1].equals(last[1]) && !tag[0].equals("B"))) {
          emit(current, text, ignoredTypes, spans);
          current = new ArrayList<>();
        }
      }
      current.add(unit);
    }
    emit(current, text, ignoredTypes, spans);
    return spans;
  }

  /** Units as they are, one span each with the full label ({@link Aggregation#NONE}). */
  static List<Span> ungrouped(List<Unit> units, String text, Set<String> ignoredLabels) {
    List<Span> spans = new ArrayList<>();
    for (Unit u : units) {
      if (!ignoredLabels.contains(u.label())) {
        spans.add(new Span(u.label(), u.startChar(), u.endChar(), text.substring(u.startChar(), u.endChar()),
            u.score(), u.word(), u.word() + 1));
      }
    }
    return spans;
  }

  private static void emit(List<Unit> group, String text, Set<String> ignoredTypes, List<Span> out) {
    if (group.isEmpty()) {
      return;
    }
    String type = splitTag(group.get(0).label())[1];
    if (ignoredTypes.contains(type)) {
      return;
    }
    double sum = 0;
    for (Unit u : group) {
      sum += u.score();
    }
    Unit first = group.get(0);
    Unit last = group.get(group.size() - 1);
    out.add(new Span(type, first.startChar(), last.endChar(), text.substring(first.startChar(), last.endChar()),
        sum / group.size(), first.word(), last.word() + 1));
  }

  /** HF's {@code get_tag}: {"B", X} for B-X, {"I", X} for I-X, {"I", label} for anything else. */
  static String[] splitTag(String label) {
    if (label.startsWith("B-")) {
      return new String[] {"B", label.substring(2)};
    }
    if (label.startsWith("I-")) {
      return new String[] {"I", label.substring(2)};
    }
    return new String[] {"I", label};
  }

  /** A label id and its probability. */
  record Choice(int label, double score) {}

  /** A word's label and score from its pieces' probability rows (HF {@code aggregate_word}). */
  static Choice wordChoice(float[][] pieces, Aggregation strategy) {
    switch (strategy) {
      case NONE, SIMPLE, FIRST -> {
        int best = argmax(pieces[0]);
        return new Choice(best, pieces[0][best]);
      }
      case MAX -> {
        // the piece whose top probability is highest (the first of equals, like Python's max)
        float[] chosen = pieces[0];
        for (float[] p : pieces) {
          if (p[argmax(p)] > chosen[argmax(chosen)]) {
            chosen = p;
          }
        }
        int best = argmax(chosen);
        return new Choice(best, chosen[best]);
      }
      case AVERAGE -> {
        double[] mean = new double[pieces[0].length];
        for (float[] p : pieces) {
          for (int l = 0; l < mean.length; l++) {
            mean[l] += p[l];
          }
        }
        int best = 0;
        for (int l = 0; l < mean.length; l++) {
          mean[l] /= pieces.length;
          if (mean[l] > mean[best]) {
            best = l;
          }
        }
        return new Choice(best, mean[best]);
      }
      default -> throw new IllegalStateException("unhandled aggregation " + strategy);
    }
  }

  /** numpy's argmax: the first index of the largest value. */
  static int argmax(float[] row) {
    int best = 0;
    for (int i = 1; i < row.length; i++) {
      if (row[i] > row[best]) {
        best = i;
      }
    }
    return best;
  }
}
