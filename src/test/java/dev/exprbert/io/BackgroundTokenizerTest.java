package dev.exprbert.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackgroundTokenizerTest {
  @TempDir
  Path tmp;

  @Test
  void hasTheSameTokenizerAsALoadOnTheCallersThread() throws Exception {
    Path dir = dev.exprbert.testing.TinyModelDirectory.create(tmp.resolve("m"));
    try (BackgroundTokenizer background = BackgroundTokenizer.start(dir);
        ModelTokenizer here = TokenizerLoader.load(dir);
        ModelTokenizer there = background.take()) {
      List<String> words = List.of("the", "hotel", "was", "nice");
      assertTrue(java.util.Arrays.equals(here.encodeWords(words).inputIds(), there.encodeWords(words).inputIds()));
    }
  }

  @Test
  void aFailedLoadIsThrownByTakeOnTheCallersThread() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    try (BackgroundTokenizer background = BackgroundTokenizer.start(empty.resolve("missing"))) {
      NoSuchFileException e = assertThrows(NoSuchFileException.class, background::take);
      assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }
  }
}
