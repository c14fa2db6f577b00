package dev.exprbert.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * seqeval 1.2.2's metrics over whole lists of sentences, one method per Python function, with the
 * mode always explicit ({@link Mode#DEFAULT} or {@link Mode#strict(Scheme)}). Unless a method says
 * otherwise, {@code yTrue} and {@code yPred} must hold the same number of sentences with equal
 * lengths, as seqeval checks. For evaluation loops use {@link SeqevalAccumulator} directly; these
 * methods are thin wrappers over it.
 */
public final class Seqeval {
  private Seqeval() {}

  /**
   * seqeval {@code get_entities(seq)} on one flat sequence (default mode); entities are in
   * sentence 0 with exclusive ends.
   */
  public static List<Entity> getEntities(List<String> sequence) {
    return entities(List.of(sequence), Mode.DEFAULT);
  }

  /** The entities of {@code sentences} in the given mode. */
  public static List<Entity> entities(List<List<String>> sentences, Mode mode) {
    Objects.requireNonNull(mode, "mode must be Mode.DEFAULT or Mode.strict(scheme)");
    EntityCollector collector = new EntityCollector(mode, "sequence", new MetricWarnings());
    for (int s = 0; s < sentences.size(); s++) {
      List<String> sentence = sentences.get(s);
      collector.checkLabels(sentence);
      if (mode instanceof Mode.Strict strict) {
        collector.addStrictSentence(StrictEntityExtractor.extract(sentence, strict.scheme(), s));
      } else {
        collector.addDefaultSentence(sentence);
      }
    }
    return collector.entities();
  }

  /**
   * seqeval's {@code auto_detect}: IOB2, IOE2, IOBES or BILOU from the exact set of prefixes in
   * {@code yTrue}.
   *
   * @throws IllegalArgumentException when the prefixes fit none of them (all O, IOB1-style I/O
   *     only, mixed schemes) or a label has no known prefix
   */
  public static Scheme autoDetectScheme(List<List<String>> yTrue) {
    return SchemeDetector.detect(yTrue);
  }

  /** seqeval {@code precision_score} (micro, zero_division "warn"). */
  public static double precisionScore(List<List<String>> yTrue, List<List<String>> yPred, Mode mode) {
    return precisionScore(yTrue, yPred, mode, Average.MICRO, ZeroDivision.WARN);
  }

  public static double precisionScore(
      List<List<String>> yTrue,
      List<List<String>> yPred,
      Mode mode,
      Average average,
      ZeroDivision zeroDivision) {
    return accumulate(yTrue, yPred, mode).precision(average, zeroDivision);
  }

  /** seqeval {@code recall_score} (micro, zero_division "warn"). */
  public static double recallScore(List<List<String>> yTrue, List<List<String>> yPred, Mode mode) {
    return recallScore(yTrue, yPred, mode, Average.MICRO, ZeroDivision.WARN);
  }

  public static double recallScore(
      List<List<String>> yTrue,
      List<List<String>> yPred,
      Mode mode,
      Average average,
      ZeroDivision zeroDivision) {
    return accumulate(yTrue, yPred, mode).recall(average, zeroDivision);
  }

  /** seqeval {@code f1_score} (micro, zero_division "warn"). */
  public static double f1Score(List<List<String>> yTrue, List<List<String>> yPred, Mode mode) {
    return f1Score(yTrue, yPred, mode, Average.MICRO, ZeroDivision.WARN);
  }

  public static double f1Score(
      List<List<String>> yTrue,
      List<List<String>> yPred,
      Mode mode,
      Average average,
      ZeroDivision zeroDivision) {
    return accumulate(yTrue, yPred, mode).f1(average, zeroDivision);
  }

  /** seqeval {@code precision_recall_fscore_support(average=None)}: one row per type. */
  public static List<ScoreRow> perTypeScores(
      List<List<String>> yTrue, List<List<String>> yPred, Mode mode, ZeroDivision zeroDivision) {
    return accumulate(yTrue, yPred, mode).perType(zeroDivision);
  }

  /** seqeval {@code classification_report} (zero_division "warn"); {@code toText()} prints it. */
  public static ClassificationReport classificationReport(
      List<List<String>> yTrue, List<List<String>> yPred, Mode mode) {
    return classificationReport(yTrue, yPred, mode, ZeroDivision.WARN);
  }

  public static ClassificationReport classificationReport(
      List<List<String>> yTrue, List<List<String>> yPred, Mode mode, ZeroDivision zeroDivision) {
    return accumulate(yTrue, yPred, mode).classificationReport(zeroDivision);
  }

  /**
   * seqeval {@code accuracy_score}, quirk included: both sides are flattened and zipped, so
   * lengths are not checked; the count of equal pairs is divided by the number of gold tokens.
   *
   * @throws IllegalArgumentException when {@code yTrue} has no token (seqeval: ZeroDivisionError)
   */
  public static double accuracyScore(List<List<String>> yTrue, List<List<String>> yPred) {
    List<String> gold = flatten(yTrue);
    TokenCounts counts = new TokenCounts();
    counts.add(gold, flatten(yPred));
    if (gold.isEmpty()) {
      throw new IllegalArgumentException(
          "accuracyScore: yTrue has no token, so accuracy is undefined (seqeval raises"
              + " ZeroDivisionError)");
    }
    return (double) counts.correct / (double) gold.size();
  }

  /** seqeval {@code performance_measure}: flattened and zipped like {@link #accuracyScore}. */
  public static PerformanceMeasure performanceMeasure(
      List<List<String>> yTrue, List<List<String>> yPred) {
    TokenCounts counts = new TokenCounts();
    counts.add(flatten(yTrue), flatten(yPred));
    return PerformanceMeasure.of(counts);
  }

  /** What Hugging Face {@code evaluate}'s seqeval returns for these inputs in this mode. */
  public static HfSeqevalReport hfReport(
      List<List<String>> yTrue, List<List<String>> yPred, Mode mode) {
    return accumulate(yTrue, yPred, mode).hfReport(ZeroDivision.WARN);
  }

  /**
   * A filled accumulator. Sentences are paired in order; when one side has more, the extra ones are
   * still validated, and the count mismatch is raised where seqeval raises it (see the accumulator's
   * note on error order).
   */
  public static SeqevalAccumulator accumulate(
      List<List<String>> yTrue, List<List<String>> yPred, Mode mode) {
    Objects.requireNonNull(yTrue, "yTrue");
    Objects.requireNonNull(yPred, "yPred");
    SeqevalAccumulator accumulator = new SeqevalAccumulator(mode);
    int n = Math.max(yTrue.size(), yPred.size());
    for (int s = 0; s < n; s++) {
      List<String> gold = s < yTrue.size() ? yTrue.get(s) : null;
      List<String> pred = s < yPred.size() ? yPred.get(s) : null;
      if (gold != null && pred != null) {
        accumulator.add(gold, pred);
      } else {
        accumulator.addUnpaired(gold, pred, yTrue.size(), yPred.size());
      }
    }
    return accumulator;
  }

  private static List<String> flatten(List<List<String>> sentences) {
    List<String> flat = new ArrayList<>();
    for (List<String> sentence : sentences) {
      flat.addAll(sentence);
    }
    return flat;
  }
}
