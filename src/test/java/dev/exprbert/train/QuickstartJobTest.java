package dev.exprbert.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** README's first command, now running on the Trainer: it learns, prints its epochs and writes a full run. */
class QuickstartJobTest {
  @TempDir
  Path tmp;

  @Test
  void quickstartTrainsWithTheTrainerAndPrintsEachEpoch() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    QuickstartJob.Result result = QuickstartJob.run(tmp, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String printed = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(4, printed.lines().filter(l -> l.matches("epoch \\d: train loss .*, eval token accuracy .*")).count(), printed);
    assertTrue(result.lastEpochLoss() < result.firstEpochLoss(), printed);
    assertTrue(result.evalTokenAccuracy() > 0.8, printed);
    assertEquals(2, printed.lines().filter(l -> l.startsWith("tagged:")).count(), printed);
    for (String file : new String[] {"config.json", "model.safetensors", "tokenizer.json", "README.md", "trainer_state.json"}) {
      assertTrue(Files.isRegularFile(result.modelDir().resolve(file)), file);
    }
  }
}
