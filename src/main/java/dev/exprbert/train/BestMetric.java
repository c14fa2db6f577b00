package dev.exprbert.train;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code metric_for_best_model}: which key of an evaluation it names, and whether evaluation produces that key at all.
 * Hugging Face finds out at the first evaluation ({@code KeyError} in {@code Trainer._determine_best_metric}); a
 * name that no evaluation produces would otherwise rank nothing, so no best checkpoint, no
 * {@code load_best_model_at_end} and no early stopping, silently. So the name is checked when the config is built,
 * and an entity type in it when the model's labels are known ({@link #requireKnownType}).
 *
 * <p>The keys an evaluation produces (run_ner's {@code compute_metrics} with the {@code eval_} prefix, which the name
 * may leave out): {@code loss}, {@code runtime}, {@code samples_per_second}, {@code steps_per_second}, and
 * <ul>
 *   <li>without {@code return_entity_level_metrics}: {@code precision}, {@code recall}, {@code f1}, {@code accuracy};
 *   <li>with it: {@code overall_precision}, {@code overall_recall}, {@code overall_f1}, {@code overall_accuracy} and
 *       per entity type {@code TYPE_precision}, {@code TYPE_recall}, {@code TYPE_f1}, {@code TYPE_number}. There
 *       {@code precision}, {@code recall}, {@code f1} and {@code accuracy} name the {@code overall_} keys, so the
 *       default {@code f1} still ranks runs that log per-type metrics.
 * </ul>
 */
final class BestMetric {
  private static final Set<String> ALWAYS = Set.of("loss", "runtime", "samples_per_second", "steps_per_second");
  private static final List<String> OVERALL = List.of("precision", "recall", "f1", "accuracy");
  private static final Pattern PER_TYPE = Pattern.compile("(.+)_(precision|recall|f1|number)");

  private BestMetric() {}

  /** {@code name} without an {@code eval_} prefix. */
  private static String bare(String name) {
    return name.startsWith("eval_") ? name.substring(5) : name;
  }

  /** The evaluation key {@code name} ranks by ({@code eval_f1}, {@code eval_overall_f1}, {@code eval_EXPR_f1}, ...). */
  static String key(String name, boolean entityLevelMetrics) {
    String bare = bare(name);
    if (entityLevelMetrics && OVERALL.contains(bare)) {
      return "eval_overall_" + bare;
    }
    return "eval_" + bare;
  }

  /** Refuses a name that evaluation never produces with these settings; the message lists what it produces. */
  static void require(String name, boolean entityLevelMetrics) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("metric_for_best_model must name a metric such as f1 or loss");
    }
    String bare = bare(name);
    if (ALWAYS.contains(bare) || OVERALL.contains(bare)) {
      return;
    }
    boolean overall = bare.startsWith("overall_") && OVERALL.contains(bare.substring(8));
    Matcher perType = PER_TYPE.matcher(bare);
    if (entityLevelMetrics && (overall || perType.matches())) {
      return;
    }
    if (overall || perType.matches()) {
      throw new IllegalArgumentException("metric_for_best_model " + name + ": evaluation logs " + bare
          + " only with return_entity_level_metrics; add it, or rank by one of " + produced(false));
    }
    throw new IllegalArgumentException("metric_for_best_model " + name + " is not a metric evaluation produces;"
        + " expected one of " + produced(entityLevelMetrics) + " (an eval_ prefix is allowed)");
  }

  /**
   * Refuses a per-type name ({@code TYPE_f1}) whose type is not among the model's labels, which the config alone
   * does not know; {@code labels} are BIO-style ({@code B-EXPR}, {@code I-EXPR}, {@code O}).
   */
  static void requireKnownType(String name, boolean entityLevelMetrics, List<String> labels) {
    String bare = bare(name);
    Matcher perType = PER_TYPE.matcher(bare);
    if (!entityLevelMetrics || ALWAYS.contains(bare) || bare.startsWith("overall_") || !perType.matches()) {
      return;
    }
    Set<String> types = entityTypes(labels);
    if (!types.contains(perType.group(1))) {
      throw new IllegalArgumentException("metric_for_best_model " + name + ": the model's labels have no entity type '"
          + perType.group(1) + "'; their types are " + types);
    }
  }

  /** The entity types of BIO / IOBES / BILOU labels ({@code B-EXPR} -> {@code EXPR}), in label order. */
  static Set<String> entityTypes(List<String> labels) {
    Set<String> types = new LinkedHashSet<>();
    for (String label : labels) {
      if (label.length() > 2 && "BIESLU".indexOf(label.charAt(0)) >= 0 && label.charAt(1) == '-') {
        types.add(label.substring(2));
      }
    }
    return types;
  }

  private static String produced(boolean entityLevelMetrics) {
    List<String> names = new ArrayList<>(List.of("loss"));
    if (entityLevelMetrics) {
      OVERALL.forEach(n -> names.add("overall_" + n));
      names.add("TYPE_precision, TYPE_recall, TYPE_f1, TYPE_number for an entity TYPE of the labels");
    } else {
      names.addAll(OVERALL);
    }
    names.add("runtime, samples_per_second, steps_per_second");
    return String.join(", ", names);
  }
}
