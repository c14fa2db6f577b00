package dev.exprbert.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code class_weights}: scikit-learn's "balanced" weights, and a JSON file of weights with every mistake named. */
class ClassWeightsTest {
  @TempDir
  Path tmp;

  private static final List<String> LABELS = List.of("O", "B-EXPR", "I-EXPR", "B-TIME");

  @Test
  void autoIsScikitLearnsBalancedWeights() {
    // compute_class_weight("balanced", classes=[0, 1, 2, 3], y=[0]*6 + [1]*2 + [2] + [3]) = n / (C * bincount)
    assertArrayEquals(new double[] {10 / 24.0, 10 / 8.0, 10 / 4.0, 10 / 4.0},
        ClassWeights.balanced(LABELS, new long[] {6, 2, 1, 1}), 1e-15);
    IllegalArgumentException absent = assertThrows(IllegalArgumentException.class,
        () -> ClassWeights.balanced(LABELS, new long[] {6, 2, 0, 1}));
    assertTrue(absent.getMessage().contains("[I-EXPR] never occur"), absent.getMessage());
    IllegalArgumentException noTraining = assertThrows(IllegalArgumentException.class,
        () -> ClassWeights.resolve("auto", LABELS, null));
    assertTrue(noTraining.getMessage().contains("this run does not train"), noTraining.getMessage());
    assertNull(ClassWeights.resolve(null, LABELS, null));
    assertNull(ClassWeights.resolve("none", LABELS, null));
  }

  @Test
  void aFileGivesOneWeightPerLabelAndNamesWhatIsWrong() throws Exception {
    Path good = Files.writeString(tmp.resolve("w.json"), "{\"B-TIME\": 3, \"O\": 0.5, \"I-EXPR\": 2, \"B-EXPR\": 2}");
    assertArrayEquals(new double[] {0.5, 2, 2, 3}, ClassWeights.resolve(good.toString(), LABELS, null));
    assertMessage(Files.writeString(tmp.resolve("missing.json"), "{\"O\": 1, \"B-EXPR\": 2}"),
        "no weight for label(s) [I-EXPR, B-TIME]");
    assertMessage(Files.writeString(tmp.resolve("unknown.json"),
        "{\"O\": 1, \"B-EXPR\": 2, \"I-EXPR\": 1, \"B-TIME\": 1, \"B-PER\": 4}"), "label(s) [B-PER] the model does not have");
    assertMessage(Files.writeString(tmp.resolve("negative.json"),
        "{\"O\": -1, \"B-EXPR\": 2, \"I-EXPR\": 1, \"B-TIME\": 1}"), "\"O\": expected a finite weight >= 0, found -1");
    assertMessage(Files.writeString(tmp.resolve("list.json"), "[1, 2]"), "expected a JSON object");
    assertMessage(tmp.resolve("absent.json"), "expected auto or a JSON file of label weights");
  }

  private static void assertMessage(Path file, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ClassWeights.resolve(file.toString(), LABELS, null));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
