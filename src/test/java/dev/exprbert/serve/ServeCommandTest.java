package dev.exprbert.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.model.HiddenActivation;
import dev.exprbert.testing.Cli;
import dev.exprbert.testing.RandomTokenClassifier;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code exprbert serve} as a process: it prints its address, answers, and drains on SIGTERM. */
class ServeCommandTest {
  @TempDir Path tmp;

  @Test
  void sigtermLetsTheRequestInFlightFinish() throws Exception {
    Path model = RandomTokenClassifier.create(tmp.resolve("model"), RandomTokenClassifier.config(HiddenActivation.GELU), 11);
    List<List<String>> sentences = ServeFixtures.sentences(1);
    String expected = ServeFixtures.predictOneByOne(model, sentences, "fused").get(0);
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
        "-cp", System.getProperty("java.class.path"), "dev.exprbert.cli.ExprbertCommand", "serve", "--model", model.toString(),
        "--port", "0", "--max-wait-ms", "1500", "--threads", "1");
    pb.redirectErrorStream(true);
    Process server = pb.start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
      Pattern address = Pattern.compile("serving .* on http://127\\.0\\.0\\.1:(\\d+)");
      int port = -1;
      StringBuilder seen = new StringBuilder();
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        seen.append(line).append('\n');
        Matcher m = address.matcher(line);
        if (m.find()) {
          port = Integer.parseInt(m.group(1));
          break;
        }
      }
      assertTrue(port > 0, "the server prints where it listens:\n" + seen);
      // no --attention: the family's fastest backend (TokenClassifier.load's rule), named as it runs
      assertTrue(seen.toString().contains("(fused attention, packed batches, 1 threads)"), seen.toString());
      int listening = port;
      CompletableFuture<HttpResponse<String>> inFlight = CompletableFuture.supplyAsync(() -> {
        try {
          return ServeFixtures.post(ServeFixtures.client(), listening, "/v1/tag", ServeFixtures.wordsRequest(sentences.get(0)));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!ServeFixtures.get(ServeFixtures.client(), listening, "/metrics").body().contains("exprbert_inflight_requests 1")) {
        assertTrue(System.nanoTime() < until, "the request never reached the server");
        Thread.sleep(10);
      }
      server.destroy(); // SIGTERM while the request waits for its batch (--max-wait-ms 1500)
      HttpResponse<String> r = inFlight.get(30, TimeUnit.SECONDS);
      assertEquals(200, r.statusCode(), r.body());
      ServeFixtures.assertSameAnswer(expected, r.body(), "the request in flight at SIGTERM");
      assertTrue(server.waitFor(30, TimeUnit.SECONDS), "the process exits after draining");
      assertEquals(143, server.exitValue(), "128 + SIGTERM, as for any JVM ended by a signal");
      assertThrows(ConnectException.class, () -> ServeFixtures.get(ServeFixtures.client(), listening, "/health"));
    } finally {
      server.destroyForcibly();
    }
  }

  @Test
  void badOptionsAreUsageErrors() {
    Cli.Run r = Cli.run("serve", "--model", tmp.toString(), "--max-batch-tokens", "0");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("--max-batch-tokens"), r.err());
  }
}
