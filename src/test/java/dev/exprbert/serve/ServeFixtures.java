package dev.exprbert.serve;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.data.ReaderOptions;
import dev.exprbert.data.SentenceReaders;
import dev.exprbert.testing.Cli;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Sentences, reference answers from {@code exprbert predict} and an HTTP client for the server tests. */
final class ServeFixtures {
  static final Path OPENER_DEV = Path.of("..", "shared", "data", "semeval22-opener_en", "expression", "dev.conll");

  private ServeFixtures() {}

  /** The first {@code count} OpeNER_en dev sentences, as word lists. */
  static List<List<String>> sentences(int count) {
    List<LabeledSentence> all = SentenceReaders.readAll(OPENER_DEV, ReaderOptions.DEFAULTS);
    return all.subList(0, count).stream().map(LabeledSentence::words).toList();
  }

  /** {"words": [...]} for one sentence. */
  static String wordsRequest(List<String> words) {
    JsonObject o = new JsonObject();
    JsonArray array = new JsonArray();
    words.forEach(array::add);
    o.add("words", array);
    return o.toString();
  }

  /**
   * What {@code exprbert predict --output-format jsonl} prints for each sentence when it tags them one at a time
   * ({@code --batch-size 1}): the answers the server must give, whatever batches it forms.
   */
  static List<String> predictOneByOne(Path model, List<List<String>> sentences, String attention) throws IOException {
    Path input = Files.createTempFile("exprbert-serve-input", ".txt");
    try {
      Files.write(input, sentences.stream().map(s -> String.join(" ", s)).toList());
      Cli.Run r = Cli.run("predict", "--model", model.toString(), "--input", input.toString(), "--output-format", "jsonl",
          "--attention", attention, "--batch-size", "1");
      if (r.code() != 0) {
        throw new IllegalStateException("predict failed: " + r.err());
      }
      List<String> lines = r.out().lines().toList();
      if (lines.size() != sentences.size()) {
        throw new IllegalStateException(lines.size() + " predictions for " + sentences.size() + " sentences");
      }
      return lines;
    } finally {
      Files.delete(input);
    }
  }

  /**
   * Float rounding of a probability between batch compositions. A batch's matrix products run over however many
   * rows it has, and BLAS picks its blocking (and so the order of additions) by that shape, so the same sentence can
   * come out a few float32 ulps apart in a different batch (measured: 3e-8), for predict's own batches as much as
   * for the server's. Everything else (words, offsets, tags, span boundaries and types) must be identical.
   */
  static final double SCORE_TOLERANCE = 1e-6;

  /** Asserts that two tagged-sentence JSON answers agree: exactly, except scores within {@link #SCORE_TOLERANCE}. */
  static void assertSameAnswer(String expected, String actual, String what) {
    JsonObject want = JsonParser.parseString(expected).getAsJsonObject();
    JsonObject got = JsonParser.parseString(actual).getAsJsonObject();
    for (String key : List.of("text", "words", "offsets", "tags")) {
      if (!want.get(key).equals(got.get(key))) {
        throw new AssertionError(what + ": \"" + key + "\" differs: expected " + want.get(key) + ", got " + got.get(key));
      }
    }
    JsonArray a = want.getAsJsonArray("spans");
    JsonArray b = got.getAsJsonArray("spans");
    if (a.size() != b.size()) {
      throw new AssertionError(what + ": " + a.size() + " spans expected, got " + b.size() + ": " + b);
    }
    for (int i = 0; i < a.size(); i++) {
      JsonObject x = a.get(i).getAsJsonObject().deepCopy();
      JsonObject y = b.get(i).getAsJsonObject().deepCopy();
      double dx = x.remove("score").getAsDouble();
      double dy = y.remove("score").getAsDouble();
      if (!x.equals(y) || Math.abs(dx - dy) > SCORE_TOLERANCE) {
        throw new AssertionError(what + ": span " + i + " differs: expected " + a.get(i) + ", got " + b.get(i));
      }
    }
    if (!want.keySet().equals(got.keySet())) {
      throw new AssertionError(what + ": fields " + got.keySet() + ", expected " + want.keySet());
    }
  }

  static HttpClient client() {
    return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  static HttpResponse<String> post(HttpClient client, int port, String path, String body) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(HttpClient client, int port, String path) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static List<Integer> range(int n) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(i);
    }
    return out;
  }
}
