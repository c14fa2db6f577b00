package dev.exprbert.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.model.EncoderConfig;
import dev.exprbert.model.ModelDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cached conversion of the bundled all-MiniLM-L6-v2: converted once, never used half-written, safe under a race. */
class PretrainedMiniLmTest {
  @TempDir Path tmp;

  @Test
  void convertsOnceReusesTheCacheAndRedoesADamagedOne() throws Exception {
    Path dir = tmp.resolve("cache/all-MiniLM-L6-v2");
    assertEquals(dir, PretrainedMiniLm.ensureConverted(dir));
    assertEquals(List.of(".exprbert-complete", "config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"),
        names(dir));
    EncoderConfig config = ModelDirectory.readConfig(dir);
    assertEquals(384, config.hiddenSize());
    assertEquals(6, config.numHiddenLayers());

    FileTime written = FileTime.fromMillis(1_000_000L);
    Files.setLastModifiedTime(dir.resolve("model.safetensors"), written);
    PretrainedMiniLm.ensureConverted(dir);
    assertEquals(written, Files.getLastModifiedTime(dir.resolve("model.safetensors")), "a complete cache is not rewritten");

    Files.writeString(dir.resolve("tokenizer.json"), "{}"); // damaged after the fact: checksums no longer match
    assertFalse(CompletionMarker.isComplete(dir, PretrainedMiniLm.MARKER_HEADER));
    PretrainedMiniLm.ensureConverted(dir);
    assertTrue(CompletionMarker.isComplete(dir, PretrainedMiniLm.MARKER_HEADER));
    assertTrue(Files.size(dir.resolve("tokenizer.json")) > 100_000, "tokenizer.json was restored");
    assertEquals(List.of("all-MiniLM-L6-v2"), names(tmp.resolve("cache")), "no staging, sources or replaced directory left");
  }

  @Test
  void aDirectoryWithoutMarkerIsNeverUsed() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("half"));
    Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"bert\"}"); // as if a copy had stopped half-way
    PretrainedMiniLm.ensureConverted(dir);
    assertTrue(CompletionMarker.isComplete(dir, PretrainedMiniLm.MARKER_HEADER));
    assertEquals(384, ModelDirectory.readConfig(dir).hiddenSize());
  }

  @Test
  void racingConvertersBothGetTheOneCompleteDirectory() throws Exception {
    Path dir = tmp.resolve("race/all-MiniLM-L6-v2");
    Callable<Path> convert = () -> PretrainedMiniLm.ensureConverted(dir);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<Path> a = pool.submit(convert);
      Future<Path> b = pool.submit(convert);
      assertEquals(dir, a.get());
      assertEquals(dir, b.get());
    } finally {
      pool.shutdownNow();
    }
    assertTrue(CompletionMarker.isComplete(dir, PretrainedMiniLm.MARKER_HEADER));
    assertEquals(List.of("all-MiniLM-L6-v2"), names(tmp.resolve("race")), "the loser deleted its copy");
  }

  @Test
  void theCacheDirectoryFollowsTheSystemProperty() {
    String before = System.getProperty(PretrainedMiniLm.DIR_PROPERTY);
    try {
      System.setProperty(PretrainedMiniLm.DIR_PROPERTY, tmp.resolve("elsewhere").toString());
      assertEquals(tmp.resolve("elsewhere"), PretrainedMiniLm.defaultDirectory());
      System.clearProperty(PretrainedMiniLm.DIR_PROPERTY);
      if (System.getenv(PretrainedMiniLm.DIR_ENV) == null) {
        assertEquals(Path.of(System.getProperty("user.home"), ".cache", "exprbert", "all-MiniLM-L6-v2"),
            PretrainedMiniLm.defaultDirectory());
      }
    } finally {
      if (before != null) {
        System.setProperty(PretrainedMiniLm.DIR_PROPERTY, before);
      }
    }
  }

  private static List<String> names(Path dir) throws Exception {
    try (Stream<Path> list = Files.list(dir)) {
      return list.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
