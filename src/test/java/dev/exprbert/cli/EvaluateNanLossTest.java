package dev.exprbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import dev.exprbert.io.Safetensors;
import dev.exprbert.model.ModelDirectory;
import dev.exprbert.testing.TinyModelDirectory;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code exprbert evaluate} on a model whose weights hold a NaN (a diverged run's): the NaN eval_loss is a one-line
 * error (exit 1, no metrics file), unless {@code --allow_nan_loss}, which prints the metrics as strict JSON with
 * {@code "eval_loss": null}.
 */
class EvaluateNanLossTest {
  @TempDir
  Path tmp;

  @Test
  void aNanEvalLossFailsUnlessAllowed() throws Exception {
    Path model = TinyModelDirectory.create(tmp.resolve("model"));
    Path weights = model.resolve(ModelDirectory.SAFETENSORS);
    Map<String, Tensor> tensors = Safetensors.read(weights);
    try {
      tensors.get("classifier.bias").fill_(new Scalar(Double.NaN));
      Safetensors.write(weights, tensors, Map.of("format", "pt"));
    } finally {
      tensors.values().forEach(Tensor::close);
    }
    Path data = Files.writeString(tmp.resolve("dev.conll"), "we\tO\nmet\tO\non\tO\nmonday\tB-TIME\n\nloved\tB-EXPR\nit\tO\n");
    Path metrics = tmp.resolve("metrics.json");

    CliRun refused = CliRun.of("evaluate", "--model", model.toString(), "--validation_file", data.toString(),
        "--output", metrics.toString());
    assertEquals(1, refused.code(), refused.err());
    assertEquals(1, refused.err().strip().lines().count(), "one line: " + refused.err());
    assertTrue(refused.err().contains("eval_loss is NaN") && refused.err().contains("--allow_nan_loss"), refused.err());
    assertFalse(Files.exists(metrics), "no metrics file for a refused evaluation");

    CliRun allowed = CliRun.of("evaluate", "--model", model.toString(), "--validation_file", data.toString(),
        "--allow-nan-loss", "--output", metrics.toString());
    assertEquals(0, allowed.code(), allowed.err());
    JsonReader strict = new JsonReader(new StringReader(Files.readString(metrics)));
    strict.setStrictness(Strictness.STRICT);
    JsonObject json = JsonParser.parseReader(strict).getAsJsonObject();
    assertTrue(json.get("eval_loss").isJsonNull(), "NaN is written as null: " + json);
    assertTrue(json.has("overall_f1"), json.toString());
  }
}
