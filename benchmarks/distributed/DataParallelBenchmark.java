package benchmarks.distributed;

import dev.exprbert.data.LabelSets;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.data.ReaderOptions;
import dev.exprbert.data.SentenceReaders;
import dev.exprbert.dist.BucketedAllReduce;
import dev.exprbert.dist.DistributedBackend;
import dev.exprbert.dist.DistributedContext;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.io.TokenizerLoader;
import dev.exprbert.model.bert.BertConfig;
import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.model.CheckpointLoader;
import dev.exprbert.model.attention.AttentionBackend;
import dev.exprbert.runtime.Placement;
import dev.exprbert.train.RunView;
import dev.exprbert.train.Trainer;
import dev.exprbert.train.TrainerCallback;
import dev.exprbert.train.TrainerControl;
import dev.exprbert.train.TrainingConfig;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bytedeco.pytorch.global.torch;

/**
 * Data-parallel training on the CPU: 2 ranks x 1 thread (Gloo over loopback) against 1 process x 2 threads, the
 * same global batch (2 x 8 against 16) of the same OpeNER_en sentences, the all-MiniLM-L6 architecture (random init,
 * which does not change the speed; sdpa attention, padded batches), through the Trainer. Arms, each a fresh set of
 * JVMs, in the order A B C A B C: A = 1 process x 2 threads; B = 2 ranks x 1 thread; C = B with the bucket all-reduce
 * started only after the backward (no overlap), whose wait is then the whole all-reduce time.
 *
 * <p>Per arm, over the measured steps (after the warm-up ones): global real tokens per second, mean step time, and
 * (B, C) the time rank 0 waited for the gradient sums ({@link BucketedAllReduce#waitNanos}). The overlap hides
 * {@code 1 - wait(B) / wait(C)} of the all-reduce.
 *
 * <p>Usage (after building, class path as in benchmarks/README.md): {@code DataParallelBenchmark [steps] [rounds]},
 * default 8 measured steps after 2 warm-up steps, 2 rounds.
 */
public final class DataParallelBenchmark {
  private static final int WARMUP = 2;
  private static final String RESULT = "RESULT ";

  private DataParallelBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (System.getenv("BENCH_ARM") != null) {
      arm(System.getenv("BENCH_ARM"), Integer.parseInt(System.getenv("BENCH_STEPS")));
      return;
    }
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    System.out.printf("load average at start: %s%n", loadAverage());
    List<String[]> rows = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      for (String arm : List.of("1x2", "2x1", "2x1-no-overlap")) {
        String result = launch(arm, steps);
        System.out.printf("round %d %s: %s%n", round, arm, result);
        rows.add(new String[] {"" + round, arm, result});
      }
    }
    System.out.printf("load average at end: %s%n", loadAverage());
    System.out.println("| round | arm | tokens/s | ms/step | all-reduce wait ms/step | wait share of step |");
    System.out.println("|---|---|---|---|---|---|");
    for (String[] r : rows) {
      Map<String, Double> v = parse(r[2]);
      System.out.printf("| %s | %s | %.0f | %.0f | %s | %s |%n", r[0], r[1], v.get("tokens_per_second"), v.get("ms_per_step"),
          v.containsKey("wait_ms_per_step") ? String.format("%.0f", v.get("wait_ms_per_step")) : "-",
          v.containsKey("wait_ms_per_step") ? String.format("%.1f%%", 100 * v.get("wait_ms_per_step") / v.get("ms_per_step")) : "-");
    }
    for (int round = 1; round <= rounds; round++) {
      Map<String, Double> one = parse(rows.get(3 * (round - 1))[2]);
      Map<String, Double> two = parse(rows.get(3 * (round - 1) + 1)[2]);
      Map<String, Double> noOverlap = parse(rows.get(3 * (round - 1) + 2)[2]);
      System.out.printf("round %d: 2 ranks x 1 thread / 1 process x 2 threads = %.2fx tokens/s; the overlap hides %.0f%%"
          + " of the all-reduce (wait %.0f ms/step against %.0f ms/step without overlap)%n", round,
          two.get("tokens_per_second") / one.get("tokens_per_second"),
          100 * (1 - two.get("wait_ms_per_step") / noOverlap.get("wait_ms_per_step")), two.get("wait_ms_per_step"),
          noOverlap.get("wait_ms_per_step"));
    }
  }

  /** Starts the JVMs of one arm and returns rank 0's result line. */
  private static String launch(String arm, int steps) throws Exception {
    int ranks = arm.startsWith("2") ? 2 : 1;
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    List<Process> processes = new ArrayList<>();
    for (int r = 0; r < ranks; r++) {
      ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx4g",
          "-cp", System.getProperty("java.class.path"), DataParallelBenchmark.class.getName());
      pb.environment().put("BENCH_ARM", arm);
      pb.environment().put("BENCH_STEPS", "" + steps);
      pb.environment().put("OMP_NUM_THREADS", ranks == 2 ? "1" : "2");
      if (ranks == 2) {
        pb.environment().putAll(Map.of("RANK", "" + r, "WORLD_SIZE", "2", "MASTER_ADDR", "127.0.0.1", "MASTER_PORT", "" + port));
      }
      processes.add(pb.redirectErrorStream(true).start());
    }
    String result = null;
    List<String> output = new ArrayList<>();
    for (String line : new String(processes.get(0).getInputStream().readAllBytes()).split("\n")) {
      output.add(line);
      if (line.startsWith(RESULT)) {
        result = line.substring(RESULT.length());
      }
    }
    for (Process p : processes) {
      if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new IllegalStateException("arm " + arm + " failed:\n" + String.join("\n", output));
      }
    }
    if (result == null) {
      throw new IllegalStateException("arm " + arm + " printed no result:\n" + String.join("\n", output));
    }
    return result;
  }

  /** One rank (or the single process) of an arm: trains WARMUP + steps steps, rank 0 prints the result line. */
  private static void arm(String arm, int steps) throws Exception {
    boolean twoRanks = arm.startsWith("2");
    Path work = Files.createTempDirectory("exprbert-dp-bench");
    try (DistributedContext context = DistributedContext.fromEnvironment(DistributedBackend.GLOO, Placement.CPU_FLOAT32,
        Duration.ofMinutes(10))) {
      torch.set_num_threads(twoRanks ? 1 : 2);
      Path tok = Files.createDirectories(work.resolve("tokenizer"));
      try (InputStream in = DataParallelBenchmark.class.getResourceAsStream("/all-minilm-l6-v2-tokenizer.json")) {
        Files.copy(in, tok.resolve("tokenizer.json"));
      }
      List<LabeledSentence> train = SentenceReaders.readAll(Path.of("..", "shared", "data", "semeval22-opener_en",
          "expression", "train.conll"), ReaderOptions.DEFAULTS);
      BertConfig config = BertConfig.builder().vocabSize(30522).hiddenSize(384).numHiddenLayers(6).numAttentionHeads(12)
          .intermediateSize(1536).maxPositionEmbeddings(512).labels(LabelSets.collect(train)).padTokenId(0).build();
      TrainingConfig settings = TrainingConfig.builder().set("output_dir", work.resolve("run"))
          .set("per_device_train_batch_size", twoRanks ? 8 : 16).set("max_steps", WARMUP + steps)
          .set("max_seq_length", 256).set("logging_steps", 1000).set("save_strategy", "no").set("disable_tqdm", true)
          .set("learning_rate", 1e-5).build();
      try (ModelTokenizer tokenizer = TokenizerLoader.load(tok);
          EncoderForTokenClassification model = new EncoderForTokenClassification(config,
              CheckpointLoader.initialize(config, Placement.CPU_FLOAT32, 42), Placement.CPU_FLOAT32,
              AttentionBackend.named("sdpa"));
          Trainer trainer = new Trainer(settings, model, tokenizer, train, null, context)) {
        BucketedAllReduce buckets = trainer.gradientBuckets();
        if (buckets != null) {
          buckets.overlap(!arm.endsWith("no-overlap"));
        }
        long[] mark = new long[3]; // nanos, tokens and wait at the end of the warm-up
        long[] end = new long[3];
        trainer.addCallback(new TrainerCallback() {
          @Override
          public void onStepEnd(RunView run, TrainerControl control) {
            long[] at = run.globalStep() == WARMUP ? mark : run.globalStep() == WARMUP + steps ? end : null;
            if (at != null) {
              at[0] = System.nanoTime();
              at[1] = run.tokensSeen();
              at[2] = buckets != null ? buckets.waitNanos() : 0;
            }
          }
        });
        trainer.train();
        if (context.isMain()) {
          double seconds = (end[0] - mark[0]) / 1e9;
          System.out.printf("%s{\"tokens_per_second\": %.1f, \"ms_per_step\": %.1f%s, \"threads\": %d}%n", RESULT,
              (end[1] - mark[1]) / seconds, 1e3 * seconds / steps,
              buckets != null ? String.format(", \"wait_ms_per_step\": %.1f", (end[2] - mark[2]) / 1e6 / steps) : "",
              torch.get_num_threads());
        }
      }
    }
  }

  private static Map<String, Double> parse(String json) {
    Map<String, Double> out = new java.util.LinkedHashMap<>();
    for (String part : json.replaceAll("[{}\"]", "").split(",")) {
      String[] kv = part.split(":");
      out.put(kv[0].strip(), Double.valueOf(kv[1].strip()));
    }
    return out;
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (Exception e) {
      return "unknown";
    }
  }
}
