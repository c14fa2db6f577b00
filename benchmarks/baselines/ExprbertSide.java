package benchmarks.baselines;

import benchmarks.training.TrainingStepBenchmark;
import dev.exprbert.data.BatchLayout;
import dev.exprbert.data.Feature;
import dev.exprbert.data.Featurizer;
import dev.exprbert.data.LabelMap;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.data.ReaderOptions;
import dev.exprbert.data.SentenceReaders;
import dev.exprbert.infer.TokenClassifier;
import dev.exprbert.model.attention.AttentionImplementation;
import dev.exprbert.optim.AdamWSettings;
import dev.exprbert.optim.FusedAdamW;
import dev.exprbert.optim.Optimizer;
import dev.exprbert.optim.ParameterGroups;
import dev.exprbert.runtime.Natives;
import dev.exprbert.runtime.Placement;
import dev.exprbert.train.TrainingStep;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The ExprBERT side of benchmarks/baselines/run.sh, with default settings (no performance flag: the family's fastest
 * attention, packed batches when it is fused, the fused AdamW, the one compute pool).
 *
 * <pre>
 * ExprbertSide train MODEL_DIR TRAIN.conll ORDER.json WARMUP [sdpa]   median ms per optimizer step on ORDER's batches
 * ExprbertSide infer MODEL_DIR DEV.conll BATCH PASSES                  median ms per pass over DEV (tokenisation included)
 * ExprbertSide minilm                                                  the path of all-MiniLM-L6-v2 converted from Maven Central's copy
 * </pre>
 * {@code sdpa} pins padded sdpa (the equal-padding comparison with the Hugging Face Trainer). Prints one JSON line.
 */
public final class ExprbertSide {
  private ExprbertSide() {}

  public static void main(String[] args) throws Exception {
    if (args[0].equals("minilm")) {
      System.out.println(dev.exprbert.convert.PretrainedMiniLm.ensureConverted());
      return;
    }
    Natives.init();
    if (args[0].equals("train")) {
      train(Path.of(args[1]), Path.of(args[2]), Path.of(args[3]), Integer.parseInt(args[4]), args.length > 5 ? args[5] : null);
    } else {
      infer(Path.of(args[1]), Path.of(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
    }
  }

  static void train(Path model, Path data, Path orderFile, int warmup, String attention) throws Exception {
    JsonObject order = JsonParser.parseString(Files.readString(orderFile)).getAsJsonObject();
    int batchSize = order.get("batch").getAsInt();
    List<LabeledSentence> all = SentenceReaders.readAll(data, ReaderOptions.DEFAULTS);
    List<LabeledSentence> ordered = new ArrayList<>();
    for (var batch : order.getAsJsonArray("batches")) {
      for (var index : (JsonArray) batch) {
        ordered.add(all.get(index.getAsInt()));
      }
    }
    try (TokenClassifier classifier = TokenClassifier.load(model, Placement.CPU_FLOAT32, attention)) {
      var m = classifier.model();
      m.train(true);
      List<Feature> features = new Featurizer(classifier.tokenizer(), LabelMap.ofLabels(m.config().labels()), false, 512, 32)
          .featurize(ordered, true).features();
      AttentionImplementation impl = m.attention().implementation();
      BatchLayout layout = BatchLayout.forTraining(impl, (Boolean) null);
      int steps = features.size() / batchSize;
      double[] ms = new double[steps - warmup];
      try (Optimizer optimizer = new FusedAdamW(ParameterGroups.huggingFace(m.weights().parameters(), 0.0),
          new AdamWSettings(0.9, 0.999, 1e-8))) {
        for (int s = 0; s < steps; s++) {
          List<Feature> batch = features.subList(s * batchSize, (s + 1) * batchSize);
          long start = System.nanoTime();
          TrainingStepBenchmark.step(m, optimizer, layout == BatchLayout.PACKED, batch);
          if (s >= warmup) {
            ms[s - warmup] = (System.nanoTime() - start) / 1e6;
          }
        }
      }
      System.out.printf("{\"side\": \"exprbert\", \"attention\": \"%s\", \"layout\": \"%s\", \"threads\": %d, \"batch\": %d,"
          + " \"steps\": %d, \"median_ms\": %.2f, \"min_ms\": %.2f}%n", impl, layout, Natives.threads().intraOp(), batchSize,
          ms.length, TrainingStepBenchmark.median(ms), Arrays.stream(ms).min().orElse(0));
    }
  }

  static void infer(Path model, Path data, int batchSize, int passes) throws Exception {
    List<List<String>> sentences = SentenceReaders.readAll(data, ReaderOptions.DEFAULTS).stream()
        .map(LabeledSentence::words).toList();
    try (TokenClassifier classifier = TokenClassifier.load(model, Placement.CPU_FLOAT32, (String) null)) {
      classifier.predictTags(sentences, batchSize); // warm-up
      double[] ms = new double[passes];
      for (int p = 0; p < passes; p++) {
        long start = System.nanoTime();
        classifier.predictTags(sentences, batchSize);
        ms[p] = (System.nanoTime() - start) / 1e6;
      }
      System.out.printf("{\"side\": \"exprbert\", \"attention\": \"%s\", \"threads\": %d, \"batch\": %d, \"sentences\": %d,"
          + " \"passes\": %d, \"median_ms\": %.2f, \"min_ms\": %.2f}%n", classifier.model().attention().implementation(),
          Natives.threads().intraOp(), batchSize, sentences.size(), passes, TrainingStepBenchmark.median(ms),
          Arrays.stream(ms).min().orElse(0));
    }
  }
}
