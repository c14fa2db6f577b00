package dev.exprbert.train;

import dev.exprbert.report.sink.MetricSinks;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code report_to} setting: which metric files receive every log entry ({@link MetricReporter}). Hugging
 * Face's spellings: one name, a list ({@code tensorboard,csv}, {@code tensorboard csv}, or a JSON array), {@code all}
 * (every sink ExprBERT has: tensorboard, csv, jsonl) and {@code none}. Hugging Face's other integrations (wandb,
 * mlflow, ...) are named in the error, so a pasted command says what is missing rather than "unknown".
 *
 * @param names the sinks, each of {@link MetricSinks#NAMES}, without repeats, in the order given; empty for none
 */
public record ReportTo(List<String> names) {
  /** Hugging Face's integrations that have no sink here. */
  private static final Set<String> HF_ONLY = Set.of("azure_ml", "clearml", "codecarbon", "comet_ml", "dagshub",
      "dvclive", "flyte", "mlflow", "neptune", "swanlab", "trackio", "wandb", "kubeflow");

  public static final ReportTo NONE = new ReportTo(List.of());

  public ReportTo {
    names = List.copyOf(names);
    for (String name : names) {
      if (!MetricSinks.NAMES.contains(name)) {
        throw new IllegalArgumentException("report_to: unknown sink '" + name + "'; expected one of " + MetricSinks.NAMES);
      }
    }
  }

  /** Parses {@code text}: names separated by commas or spaces; {@code all}, {@code none}; any case. */
  public static ReportTo parse(String text) {
    Set<String> names = new LinkedHashSet<>();
    for (String part : text.strip().split("[,\\s]+")) {
      String name = part.strip().toLowerCase(Locale.ROOT);
      if (name.isEmpty() || name.equals("none")) {
        continue;
      }
      if (name.equals("all")) {
        names.addAll(MetricSinks.NAMES);
      } else if (HF_ONLY.contains(name)) {
        throw new IllegalArgumentException("report_to: " + name + " is a Hugging Face integration ExprBERT does not"
            + " have; it writes " + String.join(", ", MetricSinks.NAMES) + " (or all, or none)");
      } else if (!MetricSinks.NAMES.contains(name)) {
        throw new IllegalArgumentException("report_to: expected " + String.join(", ", MetricSinks.NAMES)
            + ", all or none, found '" + part.strip() + "'");
      } else {
        names.add(name);
      }
    }
    return new ReportTo(new ArrayList<>(names));
  }

  public boolean isNone() {
    return names.isEmpty();
  }

  /** The names joined by commas, or {@code none}; {@link #parse} reads it back. */
  @Override
  public String toString() {
    return names.isEmpty() ? "none" : String.join(",", names);
  }
}
