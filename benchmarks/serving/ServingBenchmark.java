package benchmarks.serving;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.exprbert.convert.PretrainedMiniLm;
import dev.exprbert.data.AlignedSentence;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.data.ReaderOptions;
import dev.exprbert.data.SentenceReaders;
import dev.exprbert.export.OnnxExport;
import dev.exprbert.infer.TokenClassifier;
import dev.exprbert.infer.WindowScorer;
import dev.exprbert.io.TokenizerLoader;
import dev.exprbert.model.CheckpointLoader;
import dev.exprbert.model.EncoderConfig;
import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.model.ModelDirectory;
import dev.exprbert.model.attention.AttentionBackend;
import dev.exprbert.runtime.Placement;
import dev.exprbert.serve.ComputeThreads;
import dev.exprbert.serve.ServeOptions;
import dev.exprbert.serve.TaggingServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.pytorch.Tensor;

/**
 * {@code exprbert serve} against an ONNX Runtime baseline, under the same load, in the same run.
 *
 * <p>Both sides are the same server ({@link TaggingServer}: JDK HTTP, JSON, tokenization, windowing, dynamic
 * batching with the same --max-batch-tokens and --max-wait-ms, aggregation); only the forward pass differs:
 * <ul>
 *   <li>exprbert: the model in LibTorch with the fused attention kernel, batches packed (no padding computed);
 *   <li>onnxruntime: the same model exported by {@code export-onnx} (opset 17), run by ONNX Runtime Java (CPU EP,
 *       all graph optimizations) on the batch padded to its longest window ({@link OrtPaddedScorer}).
 * </ul>
 * Load: C closed-loop clients (one HTTP/1.1 keep-alive connection each), each sending one OpeNER_en dev sentence
 * per request ({"words": [...]}, the 249 sentences cycled from a per-client offset), for a warm-up then a measured
 * window. Reported per run: requests/s, p50 and p99 latency, sentences and token positions per forward pass
 * (positions: real tokens when packed, batch x longest when padded), the padding share of those positions, the
 * mean time of one forward pass, and the model's share of the wall time (time inside the forward passes / window).
 * The sides alternate A B A B at each client count so that load from other processes hits both alike.
 *
 * <p>Model: all-MiniLM-L6-v2 (converted from Maven Central's copy) with a 3-label head (B-EXPR, I-EXPR, O; the
 * head's weights do not change the cost), or {@code --model DIR}.
 *
 * <p>Usage: {@code ServingBenchmark [--model DIR] [--clients 1,8,32] [--seconds 15] [--warmup 3] [--rounds 2]
 * [--threads 1] [--max-batch-tokens 8192] [--max-wait-ms 5]}
 */
public final class ServingBenchmark {
  static final Path OPENER = Path.of("..", "shared", "data", "semeval22-opener_en", "expression");

  record Run(String side, int clients, double seconds, long requests, double rps, double p50, double p99, double perBatch,
      double paddingShare, double modelShare, double msPerPass, double positionsPerPass) {}

  /** Wraps a model to time its forward passes. */
  static final class Timed implements WindowScorer {
    final WindowScorer inner;
    final AtomicLong nanos = new AtomicLong();

    Timed(WindowScorer inner) {
      this.inner = inner;
    }

    @Override
    public List<float[][]> tokenProbabilities(List<AlignedSentence> windows) {
      long start = System.nanoTime();
      try {
        return inner.tokenProbabilities(windows);
      } finally {
        nanos.addAndGet(System.nanoTime() - start);
      }
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = arguments(args);
    int[] levels = Arrays.stream(a.getOrDefault("clients", "1,8,32").split(",")).mapToInt(Integer::parseInt).toArray();
    int seconds = Integer.parseInt(a.getOrDefault("seconds", "15"));
    int warmup = Integer.parseInt(a.getOrDefault("warmup", "3"));
    int rounds = Integer.parseInt(a.getOrDefault("rounds", "2"));
    int threads = Integer.parseInt(a.getOrDefault("threads", "1"));
    ServeOptions options = ServeOptions.defaults().withPort(0).withBatching(Integer.parseInt(a.getOrDefault("max-batch-tokens",
        "8192")), Integer.parseInt(a.getOrDefault("max-wait-ms", "5")));

    ComputeThreads.set(threads);
    Path work = Files.createDirectories(Path.of("target", "bench-serving"));
    Path model = a.containsKey("model") ? Path.of(a.get("model")) : miniLmClassifier(work.resolve("minilm-opener"));
    Path onnx = work.resolve("model.onnx");
    OnnxExport.export(model, onnx, new OnnxExport.Options(17, true, 1, null));
    List<String> bodies = new ArrayList<>();
    for (LabeledSentence s : SentenceReaders.readAll(OPENER.resolve("dev.conll"), ReaderOptions.DEFAULTS)) {
      JsonArray words = new JsonArray();
      s.words().forEach(words::add);
      JsonObject body = new JsonObject();
      body.add("words", words);
      bodies.add(body.toString());
    }
    System.out.printf("model %s, %d sentences, LibTorch and onnxruntime with %d intra-op threads, %d cores available,"
        + " --max-batch-tokens %d --max-wait-ms %d, %ds measured after %ds warm-up%n", model, bodies.size(), threads,
        Runtime.getRuntime().availableProcessors(), options.maxBatchTokens(), options.maxWaitMs(), seconds, warmup);

    List<Run> runs = new ArrayList<>();
    try (TokenClassifier classifier = TokenClassifier.load(model, Placement.CPU_FLOAT32, "fused");
        OrtPaddedScorer ort = new OrtPaddedScorer(onnx, threads, classifier.tokenizer().padTokenId())) {
      checkAgreement(classifier, ort, options, bodies.subList(0, 200));
      for (int clients : levels) {
        for (int round = 0; round < rounds; round++) {
          for (String side : List.of("exprbert", "onnxruntime")) {
            Timed timed = new Timed(side.equals("exprbert") ? classifier : ort);
            try (TaggingServer server = side.equals("exprbert")
                ? TaggingServer.start(classifier, timed, true, "fused", options)
                : TaggingServer.start(classifier, timed, false, "onnxruntime", options)) {
              Run run = load(side, server.port(), clients, bodies, warmup, seconds, timed);
              runs.add(run);
              System.out.printf(Locale.ROOT, "%-11s clients %2d: %7.1f req/s  p50 %7.1f ms  p99 %7.1f ms  %5.1f sentences/pass"
                  + "  %6.0f positions/pass (padding %4.1f%%)  %6.1f ms/pass  model %4.1f%% of wall%n", side, clients, run.rps(),
                  run.p50(), run.p99(), run.perBatch(), run.positionsPerPass(), 100 * run.paddingShare(), run.msPerPass(),
                  100 * run.modelShare());
            }
          }
        }
      }
    }
    summary(runs, levels);
  }

  /** Both servers tag the same sentences with the same tags (a check that they do the same work). */
  static void checkAgreement(TokenClassifier classifier, OrtPaddedScorer ort, ServeOptions options, List<String> bodies)
      throws Exception {
    List<String> tags = new ArrayList<>();
    for (WindowScorer scorer : List.of((WindowScorer) classifier, ort)) {
      try (TaggingServer server = TaggingServer.start(classifier, scorer, scorer == classifier, "check", options)) {
        HttpClient client = client();
        StringBuilder all = new StringBuilder();
        for (String body : bodies) {
          HttpResponse<String> r = post(client, server.port(), body);
          all.append(JsonParser.parseString(r.body()).getAsJsonObject().get("tags")).append('\n');
        }
        tags.add(all.toString());
      }
    }
    long differing = 0;
    String[] x = tags.get(0).split("\n");
    String[] y = tags.get(1).split("\n");
    for (int i = 0; i < x.length; i++) {
      differing += x[i].equals(y[i]) ? 0 : 1;
    }
    System.out.println("agreement check: " + (x.length - differing) + " of " + x.length + " sentences tagged identically");
  }

  static Run load(String side, int port, int clients, List<String> bodies, int warmup, int seconds, Timed timed)
      throws Exception {
    long start = System.nanoTime();
    long measureFrom = start + warmup * 1_000_000_000L;
    long measureTo = measureFrom + seconds * 1_000_000_000L;
    Map<String, Double> before = new LinkedHashMap<>();
    long[] modelBefore = new long[1];
    ExecutorService pool = Executors.newFixedThreadPool(clients + 1);
    Future<?> snapshot = pool.submit(() -> {
      sleepUntil(measureFrom);
      before.putAll(metrics(port));
      modelBefore[0] = timed.nanos.get();
      return null;
    });
    List<Future<List<Long>>> results = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      int offset = c * bodies.size() / clients;
      results.add(pool.submit(() -> {
        HttpClient client = client();
        List<Long> latencies = new ArrayList<>();
        for (int i = offset; System.nanoTime() < measureTo; i++) {
          long t0 = System.nanoTime();
          HttpResponse<String> r = post(client, port, bodies.get(i % bodies.size()));
          long t1 = System.nanoTime();
          if (r.statusCode() != 200) {
            throw new IllegalStateException(side + ": HTTP " + r.statusCode() + " " + r.body());
          }
          if (t0 >= measureFrom && t1 <= measureTo) {
            latencies.add(t1 - t0);
          }
        }
        return latencies;
      }));
    }
    snapshot.get();
    long modelNanos;
    Map<String, Double> after;
    List<Long> all = new ArrayList<>();
    for (Future<List<Long>> f : results) {
      all.addAll(f.get());
    }
    after = metrics(port);
    modelNanos = timed.nanos.get() - modelBefore[0];
    pool.shutdown();
    all.sort(null);
    double batches = after.get("exprbert_batches_total") - before.get("exprbert_batches_total");
    double sentences = after.get("exprbert_sentences_total") - before.get("exprbert_sentences_total");
    double tokens = after.get("exprbert_tokens_total") - before.get("exprbert_tokens_total");
    double padding = after.get("exprbert_padding_tokens_total") - before.get("exprbert_padding_tokens_total");
    return new Run(side, clients, seconds, all.size(), all.size() / (double) seconds, percentile(all, 0.50), percentile(all, 0.99),
        sentences / Math.max(1, batches), padding / Math.max(1, tokens + padding), modelNanos / 1e9 / seconds,
        modelNanos / 1e6 / Math.max(1, batches), (tokens + padding) / Math.max(1, batches));
  }

  static double percentile(List<Long> sorted, double q) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(q * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index))) / 1e6;
  }

  static void summary(List<Run> runs, int[] levels) {
    System.out.println();
    System.out.println("| clients | exprbert req/s | onnxruntime req/s | ratio per round | exprbert p50 / p99 ms"
        + " | onnxruntime p50 / p99 ms | sentences/pass (exprbert, ort) | ms/pass (exprbert, ort) | padding share (ort) |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    for (int clients : levels) {
      List<Run> ours = runs.stream().filter(r -> r.clients() == clients && r.side().equals("exprbert")).toList();
      List<Run> theirs = runs.stream().filter(r -> r.clients() == clients && r.side().equals("onnxruntime")).toList();
      StringBuilder ratios = new StringBuilder();
      for (int i = 0; i < Math.min(ours.size(), theirs.size()); i++) {
        ratios.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2fx", ours.get(i).rps() / theirs.get(i).rps()));
      }
      System.out.printf(Locale.ROOT, "| %d | %s | %s | %s | %s | %s | %.1f, %.1f | %.1f, %.1f | %.0f%% |%n", clients,
          values(ours, Run::rps, "%.1f"), values(theirs, Run::rps, "%.1f"), ratios, latency(ours), latency(theirs),
          mean(ours, Run::perBatch), mean(theirs, Run::perBatch), mean(ours, Run::msPerPass), mean(theirs, Run::msPerPass),
          100 * mean(theirs, Run::paddingShare));
    }
  }

  private static String latency(List<Run> runs) {
    StringBuilder s = new StringBuilder();
    for (Run r : runs) {
      s.append(s.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.0f / %.0f", r.p50(), r.p99()));
    }
    return s.toString();
  }

  private static String values(List<Run> runs, java.util.function.ToDoubleFunction<Run> f, String format) {
    StringBuilder s = new StringBuilder();
    for (Run r : runs) {
      s.append(s.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, format, f.applyAsDouble(r)));
    }
    return s.toString();
  }

  private static double mean(List<Run> runs, java.util.function.ToDoubleFunction<Run> f) {
    return runs.stream().mapToDouble(f).average().orElse(Double.NaN);
  }

  /** MiniLM with a fresh 3-label head (the labels of OpeNER_en expressions), saved as a token-classifier directory. */
  static Path miniLmClassifier(Path dir) throws Exception {
    if (Files.isRegularFile(dir.resolve(ModelDirectory.SAFETENSORS))) {
      return dir;
    }
    Path encoder = PretrainedMiniLm.ensureConverted();
    EncoderConfig config = ModelDirectory.readConfig(encoder).withLabels(List.of("B-EXPR", "I-EXPR", "O"));
    Map<String, Tensor> weights = ModelDirectory.readWeights(encoder);
    CheckpointLoader.Loaded loaded;
    try {
      loaded = CheckpointLoader.load(config, weights, Placement.CPU_FLOAT32, 42, false, encoder.toString());
    } finally {
      weights.values().forEach(Tensor::close);
    }
    try (TokenClassifier classifier = new TokenClassifier(new EncoderForTokenClassification(config, loaded.weights(),
        Placement.CPU_FLOAT32, AttentionBackend.named("fused")), TokenizerLoader.load(encoder))) {
      classifier.save(dir);
    }
    return dir;
  }

  static Map<String, Double> metrics(int port) throws Exception {
    HttpResponse<String> r = client().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    Map<String, Double> out = new LinkedHashMap<>();
    for (String line : r.body().split("\n")) {
      if (!line.startsWith("#") && !line.contains("{")) {
        String[] kv = line.split(" ");
        out.put(kv[0], Double.parseDouble(kv[1]));
      }
    }
    return out;
  }

  static HttpClient client() {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
  }

  static HttpResponse<String> post(HttpClient client, int port, String body) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/tag"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void sleepUntil(long nanos) throws InterruptedException {
    long left = nanos - System.nanoTime();
    if (left > 0) {
      Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
    }
  }

  private static Map<String, String> arguments(String[] args) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --name value pairs, got " + Arrays.toString(args));
      }
      out.put(args[i].substring(2), args[++i]);
    }
    return out;
  }

  private ServingBenchmark() {}
}
