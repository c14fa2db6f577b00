package dev.exprbert.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.testing.TinyModelDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line reads HF_ENDPOINT, HF_HUB_CACHE and HF_HUB_OFFLINE from its environment (a child JVM here). */
class HubCommandLineTest {
  @TempDir Path tmp;

  private record Run(int code, String out, String err) {}

  private Run exprbert(Map<String, String> env, String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "dev.exprbert.cli.ExprbertCommand"));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().keySet().removeIf(k -> k.startsWith("HF_") || k.equals("TRANSFORMERS_OFFLINE"));
    pb.environment().put("HF_HOME", tmp.resolve("hf-home").toString()); // no token file of the machine is read
    pb.environment().putAll(env);
    Path out = tmp.resolve("out.txt");
    Path err = tmp.resolve("err.txt");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("exprbert " + String.join(" ", args) + " did not finish in 60 s");
    }
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  @Test
  void infoDownloadsByNameAndThenWorksOffline() throws Exception {
    Map<String, byte[]> files = new LinkedHashMap<>();
    Path model = TinyModelDirectory.create(tmp.resolve("model"));
    try (Stream<Path> list = Files.list(model)) {
      for (Path p : list.toList()) {
        files.put(p.getFileName().toString(), Files.readAllBytes(p));
      }
    }
    try (FakeHub hub = new FakeHub()) {
      hub.commit("acme/tiny-ner", "4".repeat(40), files, "main");
      Map<String, String> env = Map.of("HF_ENDPOINT", hub.endpoint(), "HF_HUB_CACHE", tmp.resolve("cache").toString());
      Run online = exprbert(env, "info", "--model", "acme/tiny-ner");
      assertEquals(0, online.code(), online.err());
      assertTrue(online.out().contains("O B-EXPR I-EXPR B-TIME I-TIME"), online.out());
      assertTrue(online.out().contains("models--acme--tiny-ner/snapshots/" + "4".repeat(40)), online.out());
      int requests = hub.log.size();

      Map<String, String> offline = new LinkedHashMap<>(env);
      offline.put("HF_HUB_OFFLINE", "1");
      Run cached = exprbert(offline, "info", "--model", "acme/tiny-ner");
      assertEquals(0, cached.code(), cached.err());
      assertEquals(requests, hub.log.size(), "offline: no request");
      Run missing = exprbert(offline, "info", "--model", "acme/tiny-ner@v2");
      assertEquals(1, missing.code(), missing.out());
      String line = missing.err().lines().filter(l -> l.startsWith("exprbert info:")).findFirst().orElse(missing.err());
      assertTrue(line.contains("acme/tiny-ner@v2") && line.contains("HF_HUB_OFFLINE"), missing.err());
    }
  }
}
