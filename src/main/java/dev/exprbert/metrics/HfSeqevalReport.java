package dev.exprbert.metrics;

import com.google.gson.Gson;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What Hugging Face {@code evaluate.load("seqeval").compute(...)} returns:
 * {@code {TYPE: {precision, recall, f1, number}, overall_precision, overall_recall, overall_f1,
 * overall_accuracy}}, types in sorted order. The overall scores are the micro average; number is
 * the gold support; accuracy is token accuracy with O.
 *
 * <p>{@link #computeMetrics} is what Hugging Face's run_ner {@code compute_metrics} makes of it,
 * and {@link #trainerLog} the {@code eval_}-prefixed keys the Trainer logs.
 */
public record HfSeqevalReport(
    Map<String, TypeMetrics> types,
    double overallPrecision,
    double overallRecall,
    double overallF1,
    double overallAccuracy) {
  /** One type's entry; {@code number} is the count of gold entities of the type. */
  public record TypeMetrics(double precision, double recall, double f1, long number) {}

  public HfSeqevalReport {
    types = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(types));
  }

  /** The wrapper's reshaping of seqeval's {@code classification_report(output_dict=True)}. */
  public static HfSeqevalReport of(ClassificationReport report, double accuracy) {
    Map<String, TypeMetrics> types = new LinkedHashMap<>();
    for (ScoreRow row : report.types()) {
      types.put(
          row.name(), new TypeMetrics(row.precision(), row.recall(), row.f1(), row.support()));
    }
    ScoreRow micro = report.microAvg();
    return new HfSeqevalReport(types, micro.precision(), micro.recall(), micro.f1(), accuracy);
  }

  /** The nested dictionary with the wrapper's exact keys. */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    types.forEach(
        (type, m) -> {
          Map<String, Number> entry = new LinkedHashMap<>();
          entry.put("precision", m.precision());
          entry.put("recall", m.recall());
          entry.put("f1", m.f1());
          entry.put("number", m.number());
          map.put(type, entry);
        });
    // As in the Python dict, an entity type literally named "overall_f1" would be overwritten.
    map.put("overall_precision", overallPrecision);
    map.put("overall_recall", overallRecall);
    map.put("overall_f1", overallF1);
    map.put("overall_accuracy", overallAccuracy);
    return map;
  }

  /** {@link #toMap()} as JSON (gson), keys in the wrapper's order. */
  public String toJson() {
    return new Gson().toJson(toMap());
  }

  /**
   * run_ner's {@code compute_metrics}: with {@code returnEntityLevelMetrics} every nested value is
   * flattened to {@code TYPE_precision}, {@code TYPE_recall}, {@code TYPE_f1},
   * {@code TYPE_number} next to the four {@code overall_*} keys; without it (run_ner's default)
   * only {@code precision, recall, f1, accuracy} from the overall scores.
   */
  public Map<String, Number> computeMetrics(boolean returnEntityLevelMetrics) {
    Map<String, Number> metrics = new LinkedHashMap<>();
    if (!returnEntityLevelMetrics) {
      metrics.put("precision", overallPrecision);
      metrics.put("recall", overallRecall);
      metrics.put("f1", overallF1);
      metrics.put("accuracy", overallAccuracy);
      return metrics;
    }
    types.forEach(
        (type, m) -> {
          metrics.put(type + "_precision", m.precision());
          metrics.put(type + "_recall", m.recall());
          metrics.put(type + "_f1", m.f1());
          metrics.put(type + "_number", m.number());
        });
    metrics.put("overall_precision", overallPrecision);
    metrics.put("overall_recall", overallRecall);
    metrics.put("overall_f1", overallF1);
    metrics.put("overall_accuracy", overallAccuracy);
    return metrics;
  }

  /**
   * {@link #computeMetrics} as the Trainer logs it: every key gets the {@code eval_} prefix
   * ({@code eval_precision}, ... or {@code eval_overall_f1}, {@code eval_PER_f1}, ...), unless it
   * already starts with it, as Trainer.evaluate does with metric_key_prefix "eval".
   */
  public Map<String, Number> trainerLog(boolean returnEntityLevelMetrics) {
    return prefixed("eval", returnEntityLevelMetrics);
  }

  /** {@link #computeMetrics} with Trainer's {@code metric_key_prefix} (e.g. "test" for predict). */
  public Map<String, Number> prefixed(String metricKeyPrefix, boolean returnEntityLevelMetrics) {
    if (metricKeyPrefix == null || metricKeyPrefix.isEmpty()) {
      throw new IllegalArgumentException(
          "metricKeyPrefix must be non-empty like \"eval\" or \"test\", got '"
              + metricKeyPrefix
              + "'");
    }
    String prefix = metricKeyPrefix + "_";
    Map<String, Number> logged = new LinkedHashMap<>();
    computeMetrics(returnEntityLevelMetrics)
        .forEach((key, value) -> logged.put(key.startsWith(prefix) ? key : prefix + key, value));
    return logged;
  }
}
