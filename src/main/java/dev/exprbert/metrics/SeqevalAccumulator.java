package dev.exprbert.metrics;

import dev.exprbert.metrics.PrfCalculator.Metric;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Streaming seqeval: add one sentence's gold and predicted tags at a time, ask for any metric at
 * any point. Only the entities and a few token counters are kept, never the tag sequences, and the
 * numbers equal seqeval's on the concatenated input (default mode keeps seqeval's flattening,
 * strict mode its per-sentence extraction).
 *
 * <p>Each metric method mirrors the seqeval function of the same name, including which
 * zero-division warnings it emits ({@code warn_for}).
 */
public final class SeqevalAccumulator {
  private final Mode mode;
  private final MetricWarnings labelWarnings = new MetricWarnings();
  private final EntityCollector gold;
  private final EntityCollector predicted;
  private final TokenCounts tokens = new TokenCounts();

  public SeqevalAccumulator(Mode mode) {
    this.mode = Objects.requireNonNull(mode, "mode must be Mode.DEFAULT or Mode.strict(scheme)");
    this.gold = new EntityCollector(mode, "y_true", labelWarnings);
    this.predicted = new EntityCollector(mode, "y_pred", labelWarnings);
  }

  public Mode mode() {
    return mode;
  }

  /** Sentences added so far. */
  public int sentences() {
    return gold.sentences();
  }

  /**
   * Adds one sentence. Both lists must have the same length (seqeval raises "Found input variables
   * with inconsistent numbers of samples"). In strict mode an invalid label throws
   * {@link InvalidTagException} and the sentence is not added.
   */
  public void add(List<String> goldTags, List<String> predictedTags) {
    Objects.requireNonNull(goldTags, "goldTags");
    Objects.requireNonNull(predictedTags, "predictedTags");
    if (goldTags.size() != predictedTags.size()) {
      throw new IllegalArgumentException(
          String.format(
              "sentence %d: gold has %d tags but prediction has %d; seqeval requires equal lengths"
                  + " (inconsistent numbers of samples)",
              sentences(), goldTags.size(), predictedTags.size()));
    }
    gold.checkLabels(goldTags);
    predicted.checkLabels(predictedTags);
    if (mode instanceof Mode.Strict strict) {
      // Extract both sides before adding either, so an invalid label leaves no half-added sentence.
      List<Entity> goldEntities =
          StrictEntityExtractor.extract(goldTags, strict.scheme(), sentences());
      List<Entity> predictedEntities =
          StrictEntityExtractor.extract(predictedTags, strict.scheme(), sentences());
      gold.addStrictSentence(goldEntities);
      predicted.addStrictSentence(predictedEntities);
    } else {
      gold.addDefaultSentence(goldTags);
      predicted.addDefaultSentence(predictedTags);
    }
    tokens.add(goldTags, predictedTags);
  }

  /**
   * Adds one sequence of label ids the way Hugging Face's run_ner {@code compute_metrics} does:
   * positions whose gold id is -100 are dropped from both sides, the rest are mapped through
   * {@code id2label}.
   */
  public void addIds(int[] predictedIds, int[] goldIds, List<String> id2label) {
    if (predictedIds.length != goldIds.length) {
      throw new IllegalArgumentException(
          String.format(
              "sentence %d: predictedIds has %d positions but goldIds has %d",
              sentences(), predictedIds.length, goldIds.length));
    }
    List<String> goldTags = new ArrayList<>();
    List<String> predictedTags = new ArrayList<>();
    for (int i = 0; i < goldIds.length; i++) {
      if (goldIds[i] == TokenAccuracy.IGNORE_INDEX) {
        continue;
      }
      goldTags.add(label(id2label, goldIds[i], "goldIds", i));
      predictedTags.add(label(id2label, predictedIds[i], "predictedIds", i));
    }
    add(goldTags, predictedTags);
  }

  private String label(List<String> id2label, int id, String name, int position) {
    if (id < 0 || id >= id2label.size()) {
      throw new IllegalArgumentException(
          String.format(
              "sentence %d: %s[%d] = %d is not a label id; id2label has ids 0..%d",
              sentences(), name, position, id, id2label.size() - 1));
    }
    return id2label.get(id);
  }

  /** Gold entities so far (seqeval's {@code get_entities}/{@code Entities} of y_true). */
  public List<Entity> goldEntities() {
    return gold.entities();
  }

  /** Predicted entities so far. */
  public List<Entity> predictedEntities() {
    return predicted.entities();
  }

  public EntityCounts entityCounts() {
    return EntityCounts.of(gold.entities(), predicted.entities());
  }

  /** seqeval {@code precision_score(average=...)}. */
  public double precision(Average average, ZeroDivision zeroDivision) {
    return score(average, zeroDivision, EnumSet.of(Metric.PRECISION)).precision();
  }

  /** seqeval {@code recall_score(average=...)}. */
  public double recall(Average average, ZeroDivision zeroDivision) {
    return score(average, zeroDivision, EnumSet.of(Metric.RECALL)).recall();
  }

  /** seqeval {@code f1_score(average=...)}. */
  public double f1(Average average, ZeroDivision zeroDivision) {
    return score(average, zeroDivision, EnumSet.of(Metric.F_SCORE)).f1();
  }

  /** seqeval {@code precision_recall_fscore_support(average=...)}. */
  public ScoreRow precisionRecallF1Support(Average average, ZeroDivision zeroDivision) {
    return score(average, zeroDivision, PrfCalculator.WARN_FOR_ALL);
  }

  /** seqeval {@code precision_recall_fscore_support(average=None)}: one row per type. */
  public List<ScoreRow> perType(ZeroDivision zeroDivision) {
    return PrfCalculator.perType(
        entityCounts(), zeroDivision, PrfCalculator.WARN_FOR_ALL, scoreWarnings());
  }

  private ScoreRow score(Average average, ZeroDivision zeroDivision, Set<Metric> warnFor) {
    Objects.requireNonNull(average, "average must be MICRO, MACRO or WEIGHTED");
    return PrfCalculator.average(entityCounts(), average, zeroDivision, warnFor, scoreWarnings());
  }

  /** seqeval {@code classification_report} as a structure; render with {@code toText()}. */
  public ClassificationReport classificationReport(ZeroDivision zeroDivision) {
    MetricWarnings warnings = scoreWarnings();
    EntityCounts counts = entityCounts();
    Set<Metric> all = PrfCalculator.WARN_FOR_ALL;
    List<ScoreRow> types = PrfCalculator.perType(counts, zeroDivision, all, warnings);
    ScoreRow micro = PrfCalculator.average(counts, Average.MICRO, zeroDivision, all, warnings);
    ScoreRow macro = PrfCalculator.average(counts, Average.MACRO, zeroDivision, all, warnings);
    ScoreRow weighted =
        PrfCalculator.average(counts, Average.WEIGHTED, zeroDivision, all, warnings);
    return new ClassificationReport(types, micro, macro, weighted, warnings.messages());
  }

  /**
   * seqeval {@code accuracy_score}: equal tags over all tokens, O included.
   *
   * @throws IllegalStateException when no token was added (seqeval: ZeroDivisionError)
   */
  public double accuracy() {
    if (tokens.total == 0) {
      throw new IllegalStateException(
          "accuracy: no token was added, so accuracy is undefined (seqeval raises"
              + " ZeroDivisionError)");
    }
    return (double) tokens.correct / (double) tokens.total;
  }

  /** seqeval {@code performance_measure}. */
  public PerformanceMeasure performanceMeasure() {
    return PerformanceMeasure.of(tokens);
  }

  /** What Hugging Face {@code evaluate.load("seqeval").compute(...)} returns for this mode. */
  public HfSeqevalReport hfReport(ZeroDivision zeroDivision) {
    return HfSeqevalReport.of(classificationReport(zeroDivision), accuracy());
  }

  /** Warnings so far about labels (non-NE tags, BILOU in default mode). */
  public List<String> labelWarnings() {
    return labelWarnings.messages();
  }

  private MetricWarnings scoreWarnings() {
    MetricWarnings warnings = new MetricWarnings();
    warnings.addAll(labelWarnings);
    return warnings;
  }
}
