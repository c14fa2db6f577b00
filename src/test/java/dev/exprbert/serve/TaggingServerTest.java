package dev.exprbert.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.exprbert.infer.TokenClassifier;
import dev.exprbert.model.HiddenActivation;
import dev.exprbert.runtime.Placement;
import dev.exprbert.testing.RandomTokenClassifier;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server end to end on a small random model: concurrency, overload, bad requests, limits, timeout, drain. */
class TaggingServerTest {
  static final int SENTENCES = 200;
  @TempDir static Path tmp;
  static Path model;
  static List<List<String>> sentences;
  static List<String> expected;
  static TokenClassifier classifier;

  @BeforeAll
  static void setUp() throws Exception {
    model = RandomTokenClassifier.create(tmp.resolve("model"), RandomTokenClassifier.config(HiddenActivation.GELU), 7);
    sentences = ServeFixtures.sentences(SENTENCES);
    expected = ServeFixtures.predictOneByOne(model, sentences, "fused");
    classifier = TokenClassifier.load(model, Placement.CPU_FLOAT32, "fused");
  }

  @AfterAll
  static void tearDown() {
    classifier.close();
  }

  private static ServeOptions options() {
    return ServeOptions.defaults().withPort(0);
  }

  @Test
  void concurrentClientsGetExactlyWhatPredictSaysForEachSentence() throws Exception {
    int threads = 16;
    int perThread = 200;
    try (TaggingServer server = TaggingServer.start(classifier, options().withBatching(2048, 2))) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        results.add(pool.submit(() -> {
          HttpClient client = ServeFixtures.client();
          go.await();
          int ok = 0;
          for (int i = 0; i < perThread; i++) {
            int s = (thread * 37 + i * 11) % SENTENCES;
            HttpResponse<String> r = ServeFixtures.post(client, server.port(), "/v1/tag",
                ServeFixtures.wordsRequest(sentences.get(s)));
            assertEquals(200, r.statusCode(), r.body());
            ServeFixtures.assertSameAnswer(expected.get(s), r.body(), "sentence " + s + " from thread " + thread);
            ok++;
          }
          return ok;
        }));
      }
      go.countDown();
      int total = 0;
      for (Future<Integer> f : results) {
        total += f.get(120, TimeUnit.SECONDS);
      }
      pool.shutdown();
      assertEquals(threads * perThread, total);
      ServerMetrics m = server.metrics();
      assertEquals(threads * perThread, m.requests("/v1/tag", 200));
      long batches = m.batches.sum();
      System.out.println(total + " requests in " + batches + " forward passes (" + (double) total / batches + " sentences each)");
      assertTrue(batches < total, "requests shared forward passes: " + batches + " batches for " + total + " requests");
      assertEquals(0, m.paddingTokens.sum(), "fused attention: packed batches, no padding computed");
    }
  }

  @Test
  void aListOfItemsGetsAListOfAnswersInOrderWithTheirAggregation() throws Exception {
    try (TaggingServer server = TaggingServer.start(classifier, options())) {
      JsonArray body = new JsonArray();
      body.add(JsonParser.parseString(ServeFixtures.wordsRequest(sentences.get(3))));
      JsonObject text = new JsonObject();
      text.addProperty("text", String.join(" ", sentences.get(4)));
      body.add(text);
      JsonObject none = JsonParser.parseString(ServeFixtures.wordsRequest(sentences.get(5))).getAsJsonObject();
      none.addProperty("aggregation", "none");
      body.add(none);
      HttpResponse<String> r = ServeFixtures.post(ServeFixtures.client(), server.port(), "/v1/tag", body.toString());
      assertEquals(200, r.statusCode(), r.body());
      JsonArray answers = JsonParser.parseString(r.body()).getAsJsonArray();
      assertEquals(3, answers.size());
      ServeFixtures.assertSameAnswer(expected.get(3), answers.get(0).toString(), "item 0");
      assertEquals(String.join(" ", sentences.get(4)), answers.get(1).getAsJsonObject().get("text").getAsString());
      for (var span : answers.get(2).getAsJsonObject().getAsJsonArray("spans")) {
        String type = span.getAsJsonObject().get("type").getAsString();
        assertTrue(type.startsWith("B-") || type.startsWith("I-"), "aggregation none keeps full labels: " + type);
      }
    }
  }

  @Test
  void overloadGets503WithRetryAfterAndLosesNoAcceptedRequest() throws Exception {
    int clients = 24;
    try (TaggingServer server = TaggingServer.start(classifier, options().withBatching(4096, 1000).withLimits(3, 1 << 20, 30_000))) {
      ExecutorService pool = Executors.newFixedThreadPool(clients);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<HttpResponse<String>>> responses = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        int s = c;
        responses.add(pool.submit(() -> {
          go.await();
          return ServeFixtures.post(ServeFixtures.client(), server.port(), "/v1/tag", ServeFixtures.wordsRequest(sentences.get(s)));
        }));
      }
      go.countDown();
      int ok = 0;
      int busy = 0;
      for (int c = 0; c < clients; c++) {
        HttpResponse<String> r = responses.get(c).get(60, TimeUnit.SECONDS);
        if (r.statusCode() == 200) {
          ServeFixtures.assertSameAnswer(expected.get(c), r.body(), "accepted request " + c);
          ok++;
        } else {
          assertEquals(503, r.statusCode(), r.body());
          assertEquals("1", r.headers().firstValue("Retry-After").orElse(null));
          assertTrue(r.body().contains("--max-queue"), r.body());
          busy++;
        }
      }
      pool.shutdown();
      assertEquals(clients, ok + busy);
      assertTrue(ok >= 3 && busy > 0, ok + " answered, " + busy + " refused");
      assertEquals(busy, server.metrics().requests("/v1/tag", 503));
      assertEquals(ok, server.metrics().requests("/v1/tag", 200));
    }
  }

  @Test
  void malformedRequestsGet400WithAOneLineReason() throws Exception {
    String[][] cases = {
      {"{\"text\": ", "not valid JSON"},
      {"{text: \"a\"}", "not valid JSON"},
      {"", "empty"},
      {"42", "a number"},
      {"[]", "empty"},
      {"[1]", "item 0 is a number"},
      {"{\"text\": 5}", "\"text\" is a number"},
      {"{\"words\": \"a b\"}", "\"words\" is a string"},
      {"{\"words\": [\"a\", 3]}", "\"words\"[1] is a number"},
      {"{\"words\": [\"a\", \"\"]}", "\"words\"[1] is empty"},
      {"{\"text\": \"a\", \"words\": [\"a\"]}", "both"},
      {"{\"aggregation\": \"first\"}", "neither"},
      {"{\"text\": \"a\", \"lang\": \"en\"}", "unknown field \"lang\""},
      {"{\"text\": \"a\", \"aggregation\": \"mean\"}", "unknown aggregation strategy \"mean\""},
      {"{\"text\": \"a\"} {}", "malformed JSON at line 1 column 16"},
      {"[{\"text\": \"a\"}, {\"text\": null}]", "item 1: \"text\" is null"},
    };
    try (TaggingServer server = TaggingServer.start(classifier, options())) {
      HttpClient client = ServeFixtures.client();
      for (String[] c : cases) {
        HttpResponse<String> r = ServeFixtures.post(client, server.port(), "/v1/tag", c[0]);
        assertEquals(400, r.statusCode(), c[0] + " -> " + r.body());
        String error = JsonParser.parseString(r.body()).getAsJsonObject().get("error").getAsString();
        assertTrue(error.contains(c[1]) && !error.contains("\n"), c[0] + " -> " + error);
      }
      HttpResponse<String> invalidUtf8 = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
          + "/v1/tag")).POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {'"', (byte) 0xC3, '"'})).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(400, invalidUtf8.statusCode());
      assertTrue(invalidUtf8.body().contains("UTF-8"), invalidUtf8.body());
      assertEquals(405, ServeFixtures.get(client, server.port(), "/v1/tag").statusCode());
      assertEquals(404, ServeFixtures.get(client, server.port(), "/v2/tag").statusCode());
      assertEquals(16 + 1, server.metrics().requests("/v1/tag", 400));
    }
  }

  @Test
  void aBodyOverTheLimitGets413WithOrWithoutContentLength() throws Exception {
    try (TaggingServer server = TaggingServer.start(classifier, options().withLimits(8, 300, 30_000))) {
      HttpClient client = ServeFixtures.client();
      String big = "{\"text\": \"" + "word ".repeat(100) + "\"}";
      HttpResponse<String> declared = ServeFixtures.post(client, server.port(), "/v1/tag", big);
      assertEquals(413, declared.statusCode(), declared.body());
      assertTrue(declared.body().contains("300 bytes"), declared.body());
      HttpResponse<String> chunked = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
          + "/v1/tag")).POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big.getBytes())))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(413, chunked.statusCode(), chunked.body());
      HttpResponse<String> small = ServeFixtures.post(client, server.port(), "/v1/tag", "{\"text\": \"fine\"}");
      assertEquals(200, small.statusCode(), small.body());
    }
  }

  @Test
  void aRequestOverItsTimeoutGets504AndIsNotComputed() throws Exception {
    try (TaggingServer server = TaggingServer.start(classifier, options().withBatching(4096, 1500).withLimits(8, 1 << 20, 200))) {
      long start = System.nanoTime();
      HttpResponse<String> r = ServeFixtures.post(ServeFixtures.client(), server.port(), "/v1/tag", "{\"text\": \"slow\"}");
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertEquals(504, r.statusCode(), r.body());
      assertTrue(r.body().contains("--request-timeout-ms") && ms < 1400, ms + " ms: " + r.body());
      Thread.sleep(1600);
      assertEquals(0, server.metrics().batches.sum(), "the timed-out request was dropped, not computed");
    }
  }

  @Test
  void aRequestIsCountedBeforeItsAnswerArrives() throws Exception {
    try (TaggingServer server = TaggingServer.start(classifier, options())) {
      HttpClient client = ServeFixtures.client();
      for (int i = 1; i <= 40; i++) {
        assertEquals(200, ServeFixtures.get(client, server.port(), "/health").statusCode());
        assertEquals(i, server.metrics().requests("/health", 200), "request " + i + " answered but not counted yet");
      }
    }
  }

  @Test
  void modelHealthAndMetricsDescribeTheServer() throws Exception {
    try (TaggingServer server = TaggingServer.start(classifier, options())) {
      HttpClient client = ServeFixtures.client();
      JsonObject info = JsonParser.parseString(ServeFixtures.get(client, server.port(), "/v1/model").body()).getAsJsonObject();
      assertEquals(RandomTokenClassifier.LABELS.toString().replace(" ", ""),
          info.getAsJsonArray("labels").toString().replace("\"", ""));
      assertEquals(48, info.get("hidden_size").getAsInt());
      assertEquals(128, info.get("max_length").getAsInt());
      assertEquals("fused", info.get("backend").getAsString());
      assertTrue(info.get("packed").getAsBoolean());
      HttpResponse<String> health = ServeFixtures.get(client, server.port(), "/health");
      assertEquals(200, health.statusCode());
      assertEquals("{\"status\":\"ok\"}", health.body());
      for (int s = 0; s < 5; s++) {
        assertEquals(200, ServeFixtures.post(client, server.port(), "/v1/tag", ServeFixtures.wordsRequest(sentences.get(s)))
            .statusCode());
      }
      HttpResponse<String> metrics = ServeFixtures.get(client, server.port(), "/metrics");
      assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
      String text = metrics.body();
      assertTrue(text.contains("exprbert_requests_total{path=\"/v1/tag\",code=\"200\"} 5"), text);
      assertTrue(text.contains("exprbert_sentences_total 5"), text);
      assertTrue(text.contains("exprbert_padding_tokens_total 0"), text);
      assertTrue(text.contains("exprbert_request_duration_seconds_count 5"), text);
      assertTrue(text.contains("exprbert_batch_sequences_bucket{le=\"+Inf\"}"), text);
      assertTrue(text.contains("# TYPE exprbert_queue_seconds histogram"), text);
      long tokens = Long.parseLong(text.lines().filter(l -> l.startsWith("exprbert_tokens_total ")).findFirst().orElseThrow()
          .split(" ")[1]);
      assertTrue(tokens >= 5 * 3, "at least CLS, SEP and a word per sentence: " + tokens);
    }
  }

  @Test
  void paddedBackendsBatchTooAndCountTheirPadding() throws Exception {
    try (TokenClassifier sdpa = TokenClassifier.load(model, Placement.CPU_FLOAT32, "sdpa");
        TaggingServer server = TaggingServer.start(sdpa, options().withBatching(4096, 1500))) {
      ExecutorService pool = Executors.newFixedThreadPool(6);
      List<Future<HttpResponse<String>>> responses = new ArrayList<>();
      for (int s = 0; s < 6; s++) {
        int sentence = s;
        responses.add(pool.submit(() -> ServeFixtures.post(ServeFixtures.client(), server.port(), "/v1/tag",
            ServeFixtures.wordsRequest(sentences.get(sentence)))));
      }
      for (int s = 0; s < 6; s++) {
        HttpResponse<String> r = responses.get(s).get(30, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode(), r.body());
        JsonObject got = JsonParser.parseString(r.body()).getAsJsonObject();
        JsonObject want = JsonParser.parseString(expected.get(s)).getAsJsonObject();
        assertEquals(want.get("tags"), got.get("tags"), "sentence " + s);
      }
      pool.shutdown();
      assertTrue(server.metrics().paddingTokens.sum() > 0, "mixed lengths in one padded batch compute padding");
      assertTrue(server.metrics().batches.sum() < 6, "the six requests shared forward passes");
    }
  }

  @Test
  void closeDrainsAcceptedRequestsAndRefusesNewOnes() throws Exception {
    TaggingServer server = TaggingServer.start(classifier, options().withBatching(4096, 3000));
    int port = server.port();
    ExecutorService pool = Executors.newFixedThreadPool(7);
    List<Future<HttpResponse<String>>> inFlight = new ArrayList<>();
    for (int s = 0; s < 6; s++) {
      int sentence = s;
      inFlight.add(pool.submit(() -> ServeFixtures.post(ServeFixtures.client(), port, "/v1/tag",
          ServeFixtures.wordsRequest(sentences.get(sentence)))));
    }
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (server.metrics().inFlight.get() < 6 && System.nanoTime() < until) {
      Thread.sleep(5);
    }
    assertEquals(6, server.metrics().inFlight.get(), "six requests accepted and waiting for their batch");
    Future<?> closing = pool.submit(server::close);
    Thread.sleep(100);
    HttpClient client = ServeFixtures.client();
    HttpResponse<String> late = ServeFixtures.post(client, port, "/v1/tag", "{\"text\": \"late\"}");
    assertEquals(503, late.statusCode(), late.body());
    assertTrue(late.body().contains("shutting down"), late.body());
    assertEquals(503, ServeFixtures.get(client, port, "/health").statusCode());
    for (int s = 0; s < 6; s++) {
      HttpResponse<String> r = inFlight.get(s).get(30, TimeUnit.SECONDS);
      assertEquals(200, r.statusCode(), r.body());
      ServeFixtures.assertSameAnswer(expected.get(s), r.body(), "in-flight request " + s);
    }
    closing.get(30, TimeUnit.SECONDS);
    pool.shutdown();
    assertThrows(ConnectException.class, () -> ServeFixtures.get(ServeFixtures.client(), port, "/health"));
  }
}
