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
 *
 * <p>[note: error order] seqeval validates whole inputs before it counts anything, so which error
 * it raises for bad input depends on all sentences, not on the first bad one: its score functions
 * ({@code precision_recall_fscore_support} and the {@code *_score} functions) first check that the
 * lengths agree ({@code check_consistent_length}), then read every gold sequence
 * ({@code Entities(y_true)} in strict mode, {@code get_entities(y_true)} in default mode), and only
 * then any predicted one; {@code classification_report} in strict mode reads gold, then predicted,
 * and checks lengths last. Within one side, sentences are read in order, and in strict mode a
 * label without a known prefix (seqeval's KeyError, raised while its {@code Tokens} are built) comes
 * before a prefix the scheme forbids in the same sentence (ValueError, raised during the scan). So
 * {@link #add} never throws for bad labels or lengths: it records the first problem of each kind and
 * keeps validating later sentences, and every result method raises the problem seqeval would raise
 * first. A sentence with a problem adds no entities (results are unavailable anyway).
 */
public final class SeqevalAccumulator {
  private final Mode mode;
  /** Label warnings per side: seqeval reads (and so warns about) all of y_true before y_pred. */
  private final MetricWarnings goldWarnings = new MetricWarnings();
  private final MetricWarnings predictedWarnings = new MetricWarnings();
  private final EntityCollector gold;
  private final EntityCollector predicted;
  private final TokenCounts tokens = new TokenCounts();
  /** Sentences given to {@link #add}, valid or not (seqeval's sent_id of the next one). */
  private int added;
  /** The first problem of each kind; see the note on error order. */
  private RuntimeException lengthError;
  private RuntimeException goldError;
  private RuntimeException predictedError;

  public SeqevalAccumulator(Mode mode) {
    this.mode = Objects.requireNonNull(mode, "mode must be Mode.DEFAULT or Mode.strict(scheme)");
    this.gold = new EntityCollector(mode, "y_true", goldWarnings);
    this.predicted = new EntityCollector(mode, "y_pred", predictedWarnings);
  }

  public Mode mode() {
    return mode;
  }

  /** Sentences added so far, including any with a problem. */
  public int sentences() {
    return added;
  }

  /**
   * Adds one sentence. Both lists should have the same length (seqeval raises "Found input
   * variables with inconsistent numbers of samples") and, in strict mode, valid labels
   * ({@link InvalidTagException}); a problem is recorded, not thrown, and raised by the result
   * methods in seqeval's order (see the note on error order).
   */
  public void add(List<String> goldTags, List<String> predictedTags) {
    Objects.requireNonNull(goldTags, "goldTags");
    Objects.requireNonNull(predictedTags, "predictedTags");
    addSides(goldTags, predictedTags);
  }

  /**
   * A sentence present on one side only (the other is null): what {@link Seqeval} feeds when the
   * two sides hold different numbers of sentences, so that the present side is still validated.
   */
  void addUnpaired(List<String> goldTags, List<String> predictedTags, int goldCount, int predictedCount) {
    if (lengthError == null) {
      lengthError = new IllegalArgumentException(
          "yTrue has " + goldCount + " sentences but yPred has " + predictedCount
              + "; seqeval requires equal numbers (inconsistent numbers of samples)");
    }
    addSides(goldTags, predictedTags);
  }

  private void addSides(List<String> goldTags, List<String> predictedTags) {
    int sentence = added++;
    if (goldTags != null && predictedTags != null && goldTags.size() != predictedTags.size()
        && lengthError == null) {
      lengthError = new IllegalArgumentException(
          String.format(
              "sentence %d: gold has %d tags but prediction has %d; seqeval requires equal lengths"
                  + " (inconsistent numbers of samples)",
              sentence, goldTags.size(), predictedTags.size()));
    }
    List<Entity> goldEntities = goldTags == null ? null : validate(gold, goldTags, sentence, true);
    List<Entity> predictedEntities =
        predictedTags == null ? null : validate(predicted, predictedTags, sentence, false);
    if (goldTags != null && predictedTags != null && goldTags.size() == predictedTags.size()) {
      tokens.add(goldTags, predictedTags); // accuracy_score never looks at labels
    }
    boolean clean = lengthError == null && goldError == null && predictedError == null;
    if (!clean) {
      return; // results will raise; keep validating later sentences only
    }
    if (mode instanceof Mode.Strict) {
      gold.addStrictSentence(goldEntities);
      predicted.addStrictSentence(predictedEntities);
    } else {
      gold.addDefaultSentence(goldTags);
      predicted.addDefaultSentence(predictedTags);
    }
  }

  /**
   * Checks one side of one sentence; returns its strict-mode entities (null in default mode), or
   * null after recording the side's first problem.
   */
  private List<Entity> validate(EntityCollector side, List<String> tags, int sentence, boolean isGold) {
    try {
      side.checkLabels(tags, sentence);
      if (mode instanceof Mode.Strict strict) {
        return StrictEntityExtractor.extract(tags, strict.scheme(), sentence);
      }
      return null;
    } catch (IllegalArgumentException e) {
      if (isGold && goldError == null) {
        goldError = e;
      } else if (!isGold && predictedError == null) {
        predictedError = e;
      }
      return null;
    }
  }

  /** seqeval's score functions: lengths, then gold, then predicted. */
  private void checkForScores() {
    raiseFirst(lengthError, goldError, predictedError);
  }

  /** seqeval's strict classification_report: gold, predicted, then lengths. */
  private void checkForReport() {
    if (mode instanceof Mode.Strict) {
      raiseFirst(goldError, predictedError, lengthError);
    } else {
      checkForScores();
    }
  }

  private static void raiseFirst(RuntimeException... errors) {
    for (RuntimeException error : errors) {
      if (error != null) {
        throw error;
      }
    }
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
    raiseFirst(goldError);
    return gold.entities();
  }

  /** Predicted entities so far. */
  public List<Entity> predictedEntities() {
    raiseFirst(predictedError);
    return predicted.entities();
  }

  public EntityCounts entityCounts() {
    checkForScores();
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
    checkForReport();
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
    // accuracy_score zips flattened sequences and never checks lengths; sentence by sentence we
    // cannot zip across a length mismatch, so that (unlike seqeval) is an error here.
    raiseFirst(lengthError);
    if (tokens.total == 0) {
      throw new IllegalStateException(
          "accuracy: no token was added, so accuracy is undefined (seqeval raises"
              + " ZeroDivisionError)");
    }
    return (double) tokens.correct / (double) tokens.total;
  }

  /** seqeval {@code performance_measure}. */
  public PerformanceMeasure performanceMeasure() {
    raiseFirst(lengthError);
    return PerformanceMeasure.of(tokens);
  }

  /** What Hugging Face {@code evaluate.load("seqeval").compute(...)} returns for this mode. */
  public HfSeqevalReport hfReport(ZeroDivision zeroDivision) {
    checkForReport();
    return HfSeqevalReport.of(classificationReport(zeroDivision), accuracy());
  }

  /** Warnings so far about labels (non-NE tags, BILOU in default mode). */
  public List<String> labelWarnings() {
    return scoreWarnings().messages();
  }

  private MetricWarnings scoreWarnings() {
    MetricWarnings warnings = new MetricWarnings();
    warnings.addAll(goldWarnings);
    warnings.addAll(predictedWarnings);
    return warnings;
  }
}
