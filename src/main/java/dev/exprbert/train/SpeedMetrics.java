package dev.exprbert.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The timing keys of a run's metrics: Hugging Face's {@code speed_metrics} ({@code <split>_runtime},
 * {@code <split>_samples_per_second}, {@code <split>_steps_per_second}). {@code eval_results.json},
 * {@code train_results.json} and {@code all_results.json} keep them, as Hugging Face writes them, so two runs of the
 * same job never have equal files; without these keys they do (same data, settings and seed, on the CPU). The model
 * card lists the final evaluation without them, by Hugging Face's rule ({@code parse_log_history}), and a caller
 * comparing runs drops them with {@link #without}.
 */
public final class SpeedMetrics {
  /** The key endings {@code speed_metrics} writes, after {@code <split>_}. */
  public static final List<String> SUFFIXES = List.of("runtime", "samples_per_second", "steps_per_second");

  private SpeedMetrics() {}

  /** Whether {@code key} ({@code eval_runtime}, {@code train_samples_per_second}, or a bare {@code runtime}) is a timing. */
  public static boolean isSpeed(String key) {
    for (String suffix : SUFFIXES) {
      if (key.equals(suffix) || key.endsWith("_" + suffix)) {
        return true;
      }
    }
    return false;
  }

  /** A copy of {@code metrics} in the same order, without its timing keys. */
  public static <V> Map<String, V> without(Map<String, V> metrics) {
    Map<String, V> out = new LinkedHashMap<>(metrics);
    out.keySet().removeIf(SpeedMetrics::isSpeed);
    return out;
  }
}
