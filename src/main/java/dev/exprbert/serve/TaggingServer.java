package dev.exprbert.serve;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.exprbert.infer.Aggregation;
import dev.exprbert.infer.TaggedSentence;
import dev.exprbert.infer.Tagger;
import dev.exprbert.infer.TaggerOptions;
import dev.exprbert.infer.TokenClassifier;
import dev.exprbert.infer.WindowScorer;
import dev.exprbert.model.EncoderConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code exprbert serve}: a token classifier behind HTTP.
 * <ul>
 *   <li>{@code POST /v1/tag}: {@link TagRequest} in; out, per item, the JSON of {@code predict --output-format jsonl}
 *       ({@link TaggedSentenceJson}): one object, or an array for an array;
 *   <li>{@code GET /v1/model}: labels, sizes, max length and the serving settings; {@code GET /health};
 *       {@code GET /metrics} (Prometheus, {@link ServerMetrics}).
 * </ul>
 * Concurrent requests share forward passes through a {@link DynamicBatcher}: packed (no padding computed) when the
 * model's attention is fused, padded otherwise. At most {@code maxQueue} tagging requests are accepted at once; one
 * more gets 503 with {@code Retry-After}. A body over {@code maxRequestBytes} gets 413, a malformed one 400 with a
 * one-line reason, a request that takes longer than {@code requestTimeoutMs} 504. {@link #close()} drains: health
 * turns 503, new tagging requests get 503, accepted ones are answered, then the port closes.
 *
 * <p>[note: the HTTP server] The JDK's own {@code com.sun.net.httpserver} (module jdk.httpserver, a supported API
 * in every JDK since 6): four JSON endpoints need no framework, it adds no dependency, and the time of a request is
 * the model's (milliseconds), not the HTTP layer's. Handlers block while their windows are computed, so the handler
 * pool has a thread for every request that may be accepted, plus a few that answer 503s, health and metrics without
 * waiting. It speaks HTTP/1.1 with keep-alive, without TLS or HTTP/2: put a proxy in front for those.
 */
public final class TaggingServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TaggingServer.class);
  /** Threads beyond maxQueue, so that 503s, health and metrics never wait behind blocked tagging requests. */
  private static final int SPARE_THREADS = 8;
  /** Windows per Tagger call: all of a request's windows reach the batcher at once, which splits them by tokens. */
  private static final int WINDOWS_PER_CALL = 1 << 20;
  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

  private final TokenClassifier classifier;
  private final ServeOptions options;
  private final String backend;
  private final boolean packed;
  private final ServerMetrics metrics = new ServerMetrics();
  private final Set<HttpExchange> counted = ConcurrentHashMap.newKeySet(); // exchanges whose request is counted
  private final DynamicBatcher batcher;
  private final Semaphore admitted;
  private final AtomicInteger accepted = new AtomicInteger();
  private final HttpServer server;
  private final ExecutorService handlers;
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CountDownLatch closed = new CountDownLatch(1);
  private volatile boolean draining;

  private TaggingServer(TokenClassifier classifier, WindowScorer scorer, boolean packed, String backend, ServeOptions options)
      throws IOException {
    this.classifier = classifier;
    this.options = options;
    this.backend = backend;
    this.packed = packed;
    this.admitted = new Semaphore(options.maxQueue());
    this.batcher = new DynamicBatcher(scorer, packed, options.maxBatchTokens(), options.maxWaitMs(), metrics);
    AtomicInteger threadIds = new AtomicInteger();
    int threads = options.maxQueue() + SPARE_THREADS;
    this.handlers = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "exprbert-http-" + threadIds.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    try {
      this.server = HttpServer.create(new InetSocketAddress(options.host(), options.port()), options.maxQueue());
    } catch (IOException e) {
      batcher.close();
      handlers.shutdown();
      throw new IOException("cannot listen on " + options.host() + ":" + options.port() + ": " + e.getMessage(), e);
    }
    server.setExecutor(handlers);
    server.createContext("/", this::dispatch);
    server.start();
  }

  /** Serves {@code classifier} itself (packed batches when its attention is fused); the caller keeps ownership of it. */
  public static TaggingServer start(TokenClassifier classifier, ServeOptions options) throws IOException {
    boolean packed = classifier.model().attention().implementation().supportsPacked();
    return new TaggingServer(classifier, classifier, packed, classifier.model().attention().implementation().hfName(), options);
  }

  /**
   * Serves through another runtime ({@code scorer}, e.g. ONNX Runtime in the serving benchmark) with the same HTTP,
   * tokenization, batching and aggregation; {@code classifier} supplies the tokenizer, config and labels.
   */
  public static TaggingServer start(TokenClassifier classifier, WindowScorer scorer, boolean packed, String backend,
      ServeOptions options) throws IOException {
    return new TaggingServer(classifier, scorer, packed, backend, options);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  ServerMetrics metrics() {
    return metrics;
  }

  private void dispatch(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    int status = 500;
    try {
      status = switch (path) {
        case "/v1/tag" -> method(ex, "POST") ? tag(ex) : 405;
        case "/v1/model" -> method(ex, "GET") ? send(ex, 200, model()) : 405;
        case "/health" -> method(ex, "GET") ? health(ex) : 405;
        case "/metrics" -> method(ex, "GET") ? send(ex, 200, ServerMetrics.CONTENT_TYPE,
            metrics.render().getBytes(StandardCharsets.UTF_8)) : 405;
        default -> error(ex, 404, "no endpoint " + path + "; expected POST /v1/tag, GET /v1/model, GET /health or GET /metrics");
      };
    } catch (IOException e) {
      LOG.debug("{} {}: client went away: {}", ex.getRequestMethod(), path, e.toString());
    } catch (RuntimeException e) {
      LOG.error("{} {} failed", ex.getRequestMethod(), path, e);
      status = error(ex, 500, "internal error: " + e);
    } finally {
      count(ex, status); // an exchange that failed before its answer
      counted.remove(ex);
      ex.close();
    }
  }

  /** Counts the exchange's request once, with its status. */
  private void count(HttpExchange ex, int status) {
    if (counted.add(ex)) { // (the JDK keeps an exchange's attributes in its context, shared by all requests)
      metrics.request(knownPath(ex.getRequestURI().getPath()), status);
    }
  }

  private static String knownPath(String path) {
    return Set.of("/v1/tag", "/v1/model", "/health", "/metrics").contains(path) ? path : "other";
  }

  private boolean method(HttpExchange ex, String expected) throws IOException {
    if (ex.getRequestMethod().equals(expected)) {
      return true;
    }
    ex.getResponseHeaders().set("Allow", expected);
    error(ex, 405, ex.getRequestMethod() + " is not allowed here; expected " + expected);
    return false;
  }

  private int tag(HttpExchange ex) throws IOException {
    long start = System.nanoTime();
    if (draining) {
      ex.getResponseHeaders().set("Retry-After", "1");
      return error(ex, 503, "the server is shutting down");
    }
    if (!admitted.tryAcquire()) {
      ex.getResponseHeaders().set("Retry-After", "1");
      return error(ex, 503, "busy: " + options.maxQueue() + " requests are already being tagged (--max-queue); retry later");
    }
    accepted.incrementAndGet();
    metrics.inFlight.incrementAndGet();
    try {
      byte[] body = readBody(ex);
      if (body == null) {
        return error(ex, 413, "the body is larger than " + options.maxRequestBytes() + " bytes (--max-request-bytes);"
            + " send fewer sentences per request");
      }
      TagRequest request = TagRequest.parse(body, options.aggregation());
      long deadline = start + TimeUnit.MILLISECONDS.toNanos(options.requestTimeoutMs());
      List<JsonObject> answers = tag(request, deadline);
      metrics.sentences.add(answers.size());
      JsonElement out = request.batch() ? toArray(answers) : answers.get(0);
      return send(ex, 200, out);
    } catch (TagRequest.Invalid e) {
      return error(ex, 400, e.getMessage());
    } catch (DynamicBatcher.TimedOut e) {
      return error(ex, 504, "timed out after " + options.requestTimeoutMs() + " ms (--request-timeout-ms): " + e.getMessage());
    } finally {
      metrics.requestSeconds.observe((System.nanoTime() - start) / 1e9);
      metrics.inFlight.decrementAndGet();
      accepted.decrementAndGet();
      admitted.release();
    }
  }

  /** The answers in item order; items are tagged in groups of one kind (text or words) and one aggregation. */
  private List<JsonObject> tag(TagRequest request, long deadline) {
    JsonObject[] out = new JsonObject[request.items().size()];
    Map<Aggregation, List<Integer>> texts = new EnumMap<>(Aggregation.class);
    Map<Aggregation, List<Integer>> words = new EnumMap<>(Aggregation.class);
    for (int i = 0; i < out.length; i++) {
      TagRequest.Item item = request.items().get(i);
      (item.text() != null ? texts : words).computeIfAbsent(item.aggregation(), a -> new ArrayList<>()).add(i);
    }
    WindowScorer scorer = windows -> batcher.score(windows, deadline);
    texts.forEach((aggregation, indices) -> {
      Tagger tagger = new Tagger(classifier, taggerOptions(aggregation), scorer);
      List<TaggedSentence> tagged = tagger.tagTexts(indices.stream().map(i -> request.items().get(i).text()).toList());
      for (int k = 0; k < indices.size(); k++) {
        out[indices.get(k)] = TaggedSentenceJson.of(tagged.get(k));
      }
    });
    words.forEach((aggregation, indices) -> {
      Tagger tagger = new Tagger(classifier, taggerOptions(aggregation), scorer);
      List<TaggedSentence> tagged = tagger.tagWords(indices.stream().map(i -> request.items().get(i).words()).toList());
      for (int k = 0; k < indices.size(); k++) {
        out[indices.get(k)] = TaggedSentenceJson.of(tagged.get(k));
      }
    });
    return List.of(out);
  }

  private static TaggerOptions taggerOptions(Aggregation aggregation) {
    return TaggerOptions.defaults().withAggregation(aggregation).withBatchSize(WINDOWS_PER_CALL);
  }

  /** The body, or null when it is larger than the limit (a declared Content-Length is checked before reading). */
  private byte[] readBody(HttpExchange ex) throws IOException {
    int limit = options.maxRequestBytes();
    String declared = ex.getRequestHeaders().getFirst("Content-Length");
    if (declared != null) {
      try {
        if (Long.parseLong(declared.trim()) > limit) {
          return null;
        }
      } catch (NumberFormatException e) {
        throw new TagRequest.Invalid("Content-Length \"" + declared + "\" is not a number");
      }
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try (InputStream in = ex.getRequestBody()) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        body.write(buffer, 0, n);
        if (body.size() > limit) {
          return null;
        }
      }
    }
    return body.toByteArray();
  }

  private JsonObject model() {
    EncoderConfig c = classifier.config();
    JsonObject o = new JsonObject();
    o.addProperty("model_type", c.modelType());
    o.addProperty("architecture", c.family().tokenClassificationClass());
    JsonArray labels = new JsonArray();
    c.labels().forEach(labels::add);
    o.add("labels", labels);
    o.addProperty("num_labels", c.numLabels());
    o.addProperty("vocab_size", c.vocabSize());
    o.addProperty("hidden_size", c.hiddenSize());
    o.addProperty("num_hidden_layers", c.numHiddenLayers());
    o.addProperty("num_attention_heads", c.numAttentionHeads());
    o.addProperty("intermediate_size", c.intermediateSize());
    o.addProperty("parameters", classifier.model().parameterCount());
    o.addProperty("max_length", Math.min(c.maxSequenceLength(),
        classifier.tokenizer().modelMaxLength().orElse(Integer.MAX_VALUE)));
    o.addProperty("backend", backend);
    o.addProperty("packed", packed);
    o.addProperty("max_batch_tokens", options.maxBatchTokens());
    o.addProperty("max_wait_ms", options.maxWaitMs());
    o.addProperty("max_queue", options.maxQueue());
    o.addProperty("max_request_bytes", options.maxRequestBytes());
    o.addProperty("request_timeout_ms", options.requestTimeoutMs());
    o.addProperty("aggregation", options.aggregation().cliName());
    return o;
  }

  private int health(HttpExchange ex) throws IOException {
    JsonObject o = new JsonObject();
    o.addProperty("status", draining ? "draining" : "ok");
    return send(ex, draining ? 503 : 200, o);
  }

  private static JsonArray toArray(List<JsonObject> objects) {
    JsonArray array = new JsonArray(objects.size());
    objects.forEach(array::add);
    return array;
  }

  private int error(HttpExchange ex, int status, String message) throws IOException {
    JsonObject o = new JsonObject();
    o.addProperty("error", message.replace('\n', ' '));
    return send(ex, status, o);
  }

  private int send(HttpExchange ex, int status, JsonElement json) throws IOException {
    return send(ex, status, "application/json; charset=utf-8", GSON.toJson(json).getBytes(StandardCharsets.UTF_8));
  }

  private int send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
    count(ex, status); // before the answer leaves: a client holding its answer finds it in /metrics
    ex.getResponseHeaders().set("Content-Type", contentType);
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
    return status;
  }

  /**
   * Drains and stops: health answers 503 and new tagging requests get 503 at once, the accepted ones are answered
   * (or time out), then the listening socket and every connection close and the batcher stops. Idempotent; a second
   * caller waits until the first is done.
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      awaitClosed();
      return;
    }
    draining = true;
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.requestTimeoutMs() + 2_000L);
    while (accepted.get() > 0 && System.nanoTime() < until) {
      sleep(5);
    }
    // JDK 17's stop(delay) waits the whole delay when no exchange is open, so the wait above replaces it
    server.stop(0);
    batcher.close();
    handlers.shutdown();
    try {
      handlers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closed.countDown();
  }

  /** Blocks until {@link #close()} has finished. */
  public void awaitClosed() {
    try {
      closed.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
