package benchmarks.startup;

import dev.exprbert.infer.TokenClassifier;
import dev.exprbert.runtime.Placement;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;

/**
 * Time from JVM start to the first prediction, by phase: JVM start to main, {@code TokenClassifier.load} with the
 * default attention (LibTorch and our kernel library with the JavaCPP cache already filled, config, weights,
 * tokenizer), the first prediction of one sentence. One JSON line; run it a few times (the first run of a
 * fresh machine also fills the caches).
 *
 * <p>Usage: {@code StartupProbe MODEL_DIR}
 */
public final class StartupProbe {
  private StartupProbe() {}

  public static void main(String[] args) throws Exception {
    long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
    long t0 = System.currentTimeMillis();
    try (TokenClassifier classifier = TokenClassifier.load(Path.of(args[0]), Placement.CPU_FLOAT32, (String) null)) {
      long t1 = System.currentTimeMillis();
      List<List<String>> tags = classifier.predictTags(List.of(List.of("The", "staff", "was", "very", "friendly", ".")));
      long t2 = System.currentTimeMillis();
      System.out.printf("{\"jvm_to_main_ms\": %d, \"load_ms\": %d, \"first_prediction_ms\": %d, \"total_ms\": %d,"
          + " \"tags\": %d}%n", t0 - jvmStart, t1 - t0, t2 - t1, t2 - jvmStart, tags.get(0).size());
    }
  }
}
