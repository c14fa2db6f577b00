package dev.exprbert.metrics;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Port of seqeval's {@code _precision_recall_fscore_support} (F1 only) from entity counts:
 * sklearn's {@code _prf_divide} for zero denominators and its warnings, F = 2PR/(P+R) with a zero
 * denominator replaced by 1, and numpy's averaging. {@code warnFor} is seqeval's
 * {@code warn_for}: the standalone precision/recall/f1 functions pass only their own metric,
 * the classification report passes all three.
 */
final class PrfCalculator {
  /** seqeval's {@code warn_for} entries. */
  enum Metric {
    PRECISION("Precision"),
    RECALL("Recall"),
    F_SCORE("F-score");

    final String title;

    Metric(String title) {
      this.title = title;
    }
  }

  static final Set<Metric> WARN_FOR_ALL = EnumSet.allOf(Metric.class);

  private PrfCalculator() {}

  /** {@code average=None}: one row per type, in the counts' order. */
  static List<ScoreRow> perType(
      EntityCounts counts, ZeroDivision zeroDivision, Set<Metric> warnFor, MetricWarnings warnings) {
    Arrays a = Arrays.of(counts, false);
    Scores s = divide(a, null, zeroDivision, warnFor, warnings);
    List<ScoreRow> rows = new ArrayList<>(a.tp.length);
    for (int j = 0; j < a.tp.length; j++) {
      rows.add(new ScoreRow(a.names[j], s.precision[j], s.recall[j], s.f1[j], a.support[j]));
    }
    return rows;
  }

  /** {@code average='micro'|'macro'|'weighted'}: the averaged row named "{average} avg". */
  static ScoreRow average(
      EntityCounts counts,
      Average average,
      ZeroDivision zeroDivision,
      Set<Metric> warnFor,
      MetricWarnings warnings) {
    String name = average.name().toLowerCase(java.util.Locale.ROOT) + " avg";
    Arrays a = Arrays.of(counts, average == Average.MICRO);
    Scores s = divide(a, average, zeroDivision, warnFor, warnings);
    long support = 0;
    long predicted = 0;
    for (int j = 0; j < a.tp.length; j++) {
      support += a.support[j];
      predicted += a.predicted[j];
    }
    if (average == Average.WEIGHTED) {
      if (support == 0) {
        // sklearn: precision is zero_division if nothing is predicted, recall always; F like P.
        double z = zeroDivision.value();
        return new ScoreRow(name, predicted == 0 ? z : 0.0, z, predicted == 0 ? z : 0.0, 0);
      }
      double[] weights = new double[a.support.length];
      for (int j = 0; j < weights.length; j++) {
        weights[j] = a.support[j];
      }
      return new ScoreRow(
          name,
          weightedMean(s.precision, weights),
          weightedMean(s.recall, weights),
          weightedMean(s.f1, weights),
          support);
    }
    return new ScoreRow(
        name, NumpySum.mean(s.precision), NumpySum.mean(s.recall), NumpySum.mean(s.f1), support);
  }

  /** {@code np.average(values, weights)}: sum(values * weights) / sum(weights), numpy sums. */
  private static double weightedMean(double[] values, double[] weights) {
    double[] products = new double[values.length];
    for (int j = 0; j < values.length; j++) {
      products[j] = values[j] * weights[j];
    }
    return NumpySum.sum(products) / NumpySum.sum(weights);
  }

  private static Scores divide(
      Arrays a,
      Average average,
      ZeroDivision zeroDivision,
      Set<Metric> warnFor,
      MetricWarnings warnings) {
    double[] precision =
        prfDivide(a.tp, a.predicted, Metric.PRECISION, "predicted", average, warnFor,
            zeroDivision, warnings);
    double[] recall =
        prfDivide(a.tp, a.support, Metric.RECALL, "true", average, warnFor, zeroDivision,
            warnings);
    if (zeroDivision == ZeroDivision.WARN && warnFor.equals(EnumSet.of(Metric.F_SCORE))) {
      for (int j = 0; j < a.tp.length; j++) {
        if (a.support[j] == 0 && a.predicted[j] == 0) {
          warnPrf("true nor predicted", "F-score is", a.tp.length, warnings);
          break;
        }
      }
    }
    double[] f1 = new double[a.tp.length];
    for (int j = 0; j < f1.length; j++) {
      double denominator = 1.0 * precision[j] + recall[j];
      if (denominator == 0.0) {
        denominator = 1;
      }
      f1[j] = 2 * precision[j] * recall[j] / denominator;
    }
    return new Scores(precision, recall, f1);
  }

  /** sklearn {@code _prf_divide}. */
  private static double[] prfDivide(
      long[] numerator,
      long[] denominator,
      Metric metric,
      String modifier,
      Average average,
      Set<Metric> warnFor,
      ZeroDivision zeroDivision,
      MetricWarnings warnings) {
    double[] result = new double[numerator.length];
    boolean anyZero = false;
    for (int j = 0; j < result.length; j++) {
      if (denominator[j] == 0) {
        anyZero = true;
        result[j] = zeroDivision.value();
      } else {
        result[j] = (double) numerator[j] / (double) denominator[j];
      }
    }
    if (!anyZero || zeroDivision != ZeroDivision.WARN || !warnFor.contains(metric)) {
      return result;
    }
    String start =
        warnFor.contains(Metric.F_SCORE)
            ? metric.title + " and F-score are"
            : metric.title + " is";
    warnPrf(modifier, start, result.length, warnings);
    return result;
  }

  /** sklearn {@code _warn_prf} (average is never 'samples' in seqeval). */
  private static void warnPrf(
      String modifier, String messageStart, int resultSize, MetricWarnings warnings) {
    String where = resultSize == 1 ? "due to" : "in labels with";
    warnings.warn(
        messageStart
            + " ill-defined and being set to 0.0 "
            + where
            + " no "
            + modifier
            + " samples. Use `zero_division` parameter to control this behavior.");
  }

  private record Scores(double[] precision, double[] recall, double[] f1) {}

  /** Count columns; micro pools them into one element first, as seqeval does. */
  private record Arrays(String[] names, long[] tp, long[] predicted, long[] support) {
    static Arrays of(EntityCounts counts, boolean pooled) {
      if (pooled) {
        return new Arrays(
            new String[] {"micro"},
            new long[] {counts.truePositives()},
            new long[] {counts.predicted()},
            new long[] {counts.support()});
      }
      List<TypeCounts> rows = counts.byType();
      int n = rows.size();
      Arrays a = new Arrays(new String[n], new long[n], new long[n], new long[n]);
      for (int j = 0; j < n; j++) {
        TypeCounts c = rows.get(j);
        a.names[j] = c.type();
        a.tp[j] = c.truePositives();
        a.predicted[j] = c.predicted();
        a.support[j] = c.support();
      }
      return a;
    }
  }
}
