package dev.exprbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README's first command on a slice of the shipped sample (the full job takes minutes): the converted
 * MiniLM fine-tunes, every epoch is printed with seqeval metrics, the run's files are written and the
 * reloaded model tags the two example sentences into spans.
 */
class QuickstartJobTest {
  @TempDir
  Path tmp;

  @Test
  void quickstartFineTunesMiniLmOnTheShippedSampleAndTagsTheExamples() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    QuickstartJob.Settings small = new QuickstartJob.Settings(128, 32, 2, 16, 2e-4);
    QuickstartJob.Result result = QuickstartJob.run(tmp, new PrintStream(bytes, true, StandardCharsets.UTF_8), small);
    String printed = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(2, printed.lines().filter(l -> l.matches("epoch \\d: train loss .*, f1 .*, token accuracy .*")).count(), printed);
    assertTrue(result.lastEpochLoss() < result.firstEpochLoss(), printed);
    // 16 updates are too few to promise an F1 (the full job reaches 0.94), but the model must have learned
    // something: its eval loss is below that of a uniform guess over the 9 labels, ln 9 = 2.197.
    assertTrue(result.evaluation().metric("eval_loss") < Math.log(9), printed);
    assertTrue(Double.isFinite(result.evaluation().metric("eval_f1")), printed);
    assertTrue(printed.contains("evaluation: loss"), printed);
    assertEquals(2, printed.lines().filter(l -> l.startsWith("tagged: ")).count(), printed);
    assertEquals(QuickstartJob.EXAMPLES.size(), result.examples().size());
    for (String file : new String[] {"config.json", "model.safetensors", "tokenizer.json", "README.md",
        "training_chart.png", "trainer_state.json", "all_results.json"}) {
      assertTrue(Files.isRegularFile(result.modelDir().resolve(file)), file);
    }
  }
}
