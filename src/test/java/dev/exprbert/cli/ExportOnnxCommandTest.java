package dev.exprbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.io.Safetensors;
import dev.exprbert.model.ModelDirectory;
import dev.exprbert.testing.Cli;
import dev.exprbert.testing.Cli.Run;
import dev.exprbert.testing.TinyModelDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** export-onnx's refusals: each one line on stderr, exit code 1 (2 for usage), and no file left behind. */
class ExportOnnxCommandTest {
  @TempDir Path tmp;

  private void assertRefused(Run r, Path out, String... fragments) {
    assertEquals(1, r.code(), r.out() + r.err());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    for (String f : fragments) {
      assertTrue(r.err().contains(f), "expected '" + f + "' in: " + r.err());
    }
    assertFalse(Files.exists(out), "nothing written at " + out);
  }

  @Test
  void exportsTheTinyFixture() throws Exception {
    Path model = TinyModelDirectory.create(tmp.resolve("m"));
    Path out = tmp.resolve("m.onnx");
    Run r = Cli.run("export-onnx", "--model", model.toString(), "--out", out.toString(), "--dynamic-axes");
    assertEquals(0, r.code(), r.err());
    assertTrue(Files.size(out) > 21_605 * 4, "the 21,605 float32 parameters are inside the file");
    assertTrue(r.out().contains("21,605 parameters") && r.out().contains("labels O B-EXPR I-EXPR B-TIME I-TIME"), r.out());
  }

  @Test
  void aMissingModelDirectoryIsNamed() {
    Path out = tmp.resolve("x.onnx");
    assertRefused(Cli.run("export-onnx", "--model", tmp.resolve("nope").toString(), "--out", out.toString()), out, "nope",
        "no such model directory");
  }

  @Test
  void aDirectoryWithoutConfigOrWeightsIsNamed() throws Exception {
    Path model = TinyModelDirectory.create(tmp.resolve("m"));
    Path out = tmp.resolve("x.onnx");
    Files.delete(model.resolve(ModelDirectory.SAFETENSORS));
    assertRefused(Cli.run("export-onnx", "--model", model.toString(), "--out", out.toString()), out, "model.safetensors");
    Files.delete(model.resolve(ModelDirectory.CONFIG));
    assertRefused(Cli.run("export-onnx", "--model", model.toString(), "--out", out.toString()), out, "config.json");
  }

  @Test
  void aCheckpointWithoutItsClassifierIsNotExported() throws Exception {
    Path model = TinyModelDirectory.withRenamedWeights(tmp.resolve("m"), k -> k.startsWith("classifier.") ? null : k);
    Path out = tmp.resolve("x.onnx");
    assertRefused(Cli.run("export-onnx", "--model", model.toString(), "--out", out.toString()), out, "has no tensor 'classifier.weight'");
  }

  @Test
  void otherModelTypesAndBadConfigsAreRefused() throws Exception {
    Path model = TinyModelDirectory.create(tmp.resolve("m"));
    Path out = tmp.resolve("x.onnx");
    String config = Files.readString(model.resolve(ModelDirectory.CONFIG));
    Files.writeString(model.resolve(ModelDirectory.CONFIG), config.replace("\"bert\"", "\"roberta\""));
    assertRefused(Cli.run("export-onnx", "--model", model.toString(), "--out", out.toString()), out, "config.json", "model_type",
        "roberta");
    Files.writeString(model.resolve(ModelDirectory.CONFIG), config.replaceFirst("\"hidden_act\": *\"[a-z_]+\"",
        "\"hidden_act\": \"mish\""));
    assertRefused(Cli.run("export-onnx", "--model", model.toString(), "--out", out.toString()), out, "hidden_act", "mish");
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({"roberta, RobertaForTokenClassification",
      "xlm-roberta, XLMRobertaForTokenClassification", "distilbert, DistilBertForTokenClassification",
      "electra, ElectraForTokenClassification", "deberta-v2, DebertaV2ForTokenClassification",
      "modernbert, ModernBertForTokenClassification"})
  void otherFamiliesAreRefusedNamingTheirClass(String modelType, String className) throws Exception {
    Path fixture = Path.of("..", "shared", "fixtures", modelType + "-parity");
    Path model = Files.createDirectories(tmp.resolve(modelType));
    Files.copy(fixture.resolve(ModelDirectory.CONFIG), model.resolve(ModelDirectory.CONFIG));
    Files.copy(fixture.resolve(ModelDirectory.SAFETENSORS), model.resolve(ModelDirectory.SAFETENSORS));
    Path out = tmp.resolve(modelType + ".onnx");
    assertRefused(Cli.run("export-onnx", "--model", model.toString(), "--out", out.toString()), out,
        "model_type \"" + modelType + "\" (" + className + ") cannot be exported", "\"bert\" graphs only");
  }

  @Test
  void badOptionsAreRefused() throws Exception {
    Path model = TinyModelDirectory.create(tmp.resolve("m"));
    Path out = tmp.resolve("x.onnx");
    assertRefused(Cli.run("export-onnx", "--model", model.toString(), "--out", out.toString(), "--opset", "11"), out,
        "--opset 11", "13 to 21");
    assertRefused(Cli.run("export-onnx", "--model", model.toString(), "--out", out.toString(), "--sequence-length", "4096"), out,
        "max_position_embeddings");
    assertRefused(Cli.run("export-onnx", "--model", model.toString(), "--out", tmp.toString()), tmp.resolve("never"), "is a directory");
    Path noFolder = tmp.resolve("missing/x.onnx");
    assertRefused(Cli.run("export-onnx", "--model", model.toString(), "--out", noFolder.toString()), noFolder, "does not exist");
  }

  @Test
  void aShapeMismatchBetweenConfigAndWeightsIsNamed() throws Exception {
    Path model = TinyModelDirectory.create(tmp.resolve("m"));
    Map<String, Tensor> weights = Safetensors.read(model.resolve(ModelDirectory.SAFETENSORS));
    LinkedHashMap<String, Tensor> cut = new LinkedHashMap<>(weights);
    try (Tensor narrow = weights.get("classifier.bias").narrow(0, 0, 3)) {
      cut.put("classifier.bias", narrow);
      Safetensors.write(model.resolve(ModelDirectory.SAFETENSORS), cut, Map.of("format", "pt"));
    } finally {
      weights.values().forEach(Tensor::close);
    }
    Path out = tmp.resolve("x.onnx");
    assertRefused(Cli.run("export-onnx", "--model", model.toString(), "--out", out.toString()), out, "classifier.bias");
  }
}
