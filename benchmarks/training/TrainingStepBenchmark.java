package benchmarks.training;

import dev.exprbert.data.BatchLayout;
import dev.exprbert.data.Feature;
import dev.exprbert.data.Featurizer;
import dev.exprbert.data.LabelMap;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.data.ReaderOptions;
import dev.exprbert.data.SentenceReaders;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.io.TokenizerLoader;
import dev.exprbert.kernels.NativeKernels;
import dev.exprbert.model.CheckpointLoader;
import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.model.attention.AttentionBackend;
import dev.exprbert.model.bert.BertConfig;
import dev.exprbert.optim.AdamWSettings;
import dev.exprbert.optim.FusedAdamW;
import dev.exprbert.optim.Optimizer;
import dev.exprbert.optim.ParameterGroups;
import dev.exprbert.runtime.Natives;
import dev.exprbert.runtime.Placement;
import dev.exprbert.train.TrainingStep;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.bytedeco.pytorch.global.torch;

/**
 * One full training step as the Trainer runs it ({@link TrainingStep}: batch building, forward, summed loss /
 * labelled tokens, layer-wise backward, fused AdamW step with clipping at 1.0, zero_grad) of the all-MiniLM-L6
 * architecture (hidden 384, 6
 * layers, 12 heads of dim 32, intermediate 1536, vocab 30522; random init) with a 9-label head, in train mode
 * (dropout 0.1 as BERT's default), on CPU float32.
 *
 * <p>Data: the real sentences of ../shared/data/semeval22-opener_en/expression/train.conll, featurized with
 * MiniLM's tokenizer (max_seq_length 256, as the Trainer would), in a seeded random order (no length grouping,
 * like Hugging Face's default sampler), cut into consecutive batches of B. Every case runs the same batches; the
 * cases take turns step by step (round robin), so load from other processes hits them alike.
 *
 * <p>Cases: padded eager (the baseline: padded to the batch's longest, like DataCollatorForTokenClassification),
 * padded sdpa, padded fused, packed fused (padding_free). Reports the median ms/step over the measured steps,
 * real tokens/s (tokens of the measured batches / their summed time) and the ratio against padded eager. The step's
 * loss and gradient norm are read once per step, as a Trainer logging every step would.
 *
 * <p>Usage: {@code TrainingStepBenchmark [batchSize:steps ...]}, default {@code 8:12 32:6}; 2 warm-up steps each;
 * {@code -Dbench.threads=N} sets LibTorch's intra-op threads.
 */
public final class TrainingStepBenchmark {
  private static final int WARMUP = 2;
  private static final List<String> LABELS = List.of("O", "B-EXPR", "I-EXPR", "B-X3", "I-X3", "B-X5", "I-X5", "B-X7",
      "I-X7");

  private record Case(String name, String attention, boolean packed) {}

  private static final List<Case> ALL_CASES = List.of(new Case("padded eager", "eager", false),
      new Case("padded sdpa", "sdpa", false), new Case("padded fused", "fused", false),
      new Case("packed fused", "fused", true));

  /** {@code -Dbench.cases=packed fused,padded sdpa} runs only those (the first is the ratio's baseline). */
  private static final List<Case> CASES = selectedCases(System.getProperty("bench.cases"));

  private static List<Case> selectedCases(String names) {
    if (names == null || names.isBlank()) {
      return ALL_CASES;
    }
    List<Case> chosen = new ArrayList<>();
    for (String name : names.split(",")) {
      chosen.add(ALL_CASES.stream().filter(c -> c.name().equals(name.strip())).findFirst().orElseThrow(
          () -> new IllegalArgumentException("bench.cases: unknown case '" + name + "', expected one of " + ALL_CASES)));
    }
    return chosen;
  }

  public static void main(String[] args) throws Exception {
    Natives.init();
    NativeKernels.load();
    String[] specs = args.length > 0 ? args : new String[] {"8:12", "32:6"};
    Integer threads = Integer.getInteger("bench.threads"); // -Dbench.threads=N overrides LibTorch's intra-op threads
    if (threads != null) {
      Natives.requestThreads(threads);
    }
    System.out.printf("threads: %s; load average at start: %s%n", Natives.threads().describe(), loadAverage());
    List<Feature> features = features();
    for (String spec : specs) {
      String[] parts = spec.split(":");
      run(features, Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
    }
    System.out.printf("load average at end: %s%n", loadAverage());
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (Exception e) {
      return "unknown";
    }
  }

  static List<Feature> features() throws Exception {
    Path opener = Path.of("..", "shared", "data", "semeval22-opener_en", "expression", "train.conll");
    Path tok = Files.createTempDirectory("exprbert-bench-tok");
    try (InputStream in = TrainingStepBenchmark.class.getResourceAsStream("/all-minilm-l6-v2-tokenizer.json")) {
      Files.copy(in, tok.resolve("tokenizer.json"));
    }
    List<LabeledSentence> sentences = SentenceReaders.readAll(opener, ReaderOptions.DEFAULTS);
    List<Feature> features;
    try (ModelTokenizer tokenizer = TokenizerLoader.load(tok)) {
      features = new ArrayList<>(new Featurizer(tokenizer, LabelMap.ofLabels(LABELS), false, 256, 32)
          .featurize(sentences, true).features());
    }
    Collections.shuffle(features, new Random(42));
    return features;
  }

  static EncoderForTokenClassification model(Case c) {
    return model(c.attention());
  }

  static EncoderForTokenClassification model(String attention) {
    BertConfig config = BertConfig.builder().vocabSize(30522).hiddenSize(384).numHiddenLayers(6).numAttentionHeads(12)
        .intermediateSize(1536).maxPositionEmbeddings(512).labels(LABELS).padTokenId(0).build();
    return new EncoderForTokenClassification(config, CheckpointLoader.initialize(config, Placement.CPU_FLOAT32, 42),
        Placement.CPU_FLOAT32, AttentionBackend.named(attention));
  }

  static void run(List<Feature> features, int batchSize, int steps) {
    List<List<Feature>> batches = new ArrayList<>();
    for (int start = 0; start + batchSize <= features.size() && batches.size() < WARMUP + steps; start += batchSize) {
      batches.add(features.subList(start, start + batchSize));
    }
    long real = 0;
    long padded = 0;
    for (List<Feature> b : batches.subList(WARMUP, batches.size())) {
      int longest = 0;
      for (Feature f : b) {
        real += f.length();
        longest = Math.max(longest, f.length());
      }
      padded += (long) longest * b.size();
    }
    System.out.printf("%nbatch %d, %d measured steps after %d warm-up: %d real tokens, %d padded (real %.1f%%)%n",
        batchSize, steps, WARMUP, real, padded, 100.0 * real / padded);
    List<EncoderForTokenClassification> models = new ArrayList<>();
    List<Optimizer> optimizers = new ArrayList<>();
    double[][] ms = new double[CASES.size()][steps];
    try {
      for (Case c : CASES) {
        EncoderForTokenClassification m = model(c);
        m.train(true);
        models.add(m);
        optimizers.add(new FusedAdamW(ParameterGroups.huggingFace(m.weights().parameters(), 0.01),
            new AdamWSettings(0.9, 0.999, 1e-8)));
      }
      torch.manual_seed(0);
      for (int step = 0; step < batches.size(); step++) {
        for (int c = 0; c < CASES.size(); c++) {
          long start = System.nanoTime();
          step(models.get(c), optimizers.get(c), CASES.get(c).packed(), batches.get(step));
          double elapsed = (System.nanoTime() - start) / 1e6;
          if (step >= WARMUP) {
            ms[c][step - WARMUP] = elapsed;
          }
        }
      }
    } finally {
      optimizers.forEach(Optimizer::close);
      models.forEach(EncoderForTokenClassification::close);
    }
    double baseline = median(ms[0]);
    System.out.printf("| case | median ms/step | real tokens/s | vs %s |%n|---|---|---|---|%n", CASES.get(0).name());
    for (int c = 0; c < CASES.size(); c++) {
      double total = Arrays.stream(ms[c]).sum();
      System.out.printf("| B=%d %s | %.0f | %.0f | %.2fx |%n", batchSize, CASES.get(c).name(), median(ms[c]),
          real / (total / 1e3), baseline / median(ms[c]));
    }
  }

  /** One Trainer step with gradient_accumulation_steps 1, its loss and gradient norm read as a logging step does. */
  public static void step(EncoderForTokenClassification model, Optimizer optimizer, boolean packed, List<Feature> batch) {
    Integer pad = model.config().padTokenId(); // RoBERTa pads with 1, its padding_idx
    TrainingStep step = new TrainingStep(model, optimizer, packed ? BatchLayout.PACKED : BatchLayout.PADDED,
        pad == null ? 0 : pad, 1.0);
    try (TrainingStep.Output out = step.run(List.of(batch), 1e-5)) {
      out.loss().item_double();
      out.gradNorm().item_double();
    }
  }

  public static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
