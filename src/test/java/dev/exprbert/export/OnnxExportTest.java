package dev.exprbert.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.exprbert.io.Safetensors;
import dev.exprbert.io.onnx.proto.OnnxProto.ModelProto;
import dev.exprbert.io.onnx.proto.OnnxProto.NodeProto;
import dev.exprbert.model.HiddenActivation;
import dev.exprbert.model.ModelDirectory;
import dev.exprbert.model.bert.BertConfig;
import dev.exprbert.runtime.Tensors;
import dev.exprbert.testing.Cli.Run;
import dev.exprbert.testing.Cli;
import dev.exprbert.testing.RandomTokenClassifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** export-onnx on randomly initialised models: ONNX Runtime's logits against ours, the graph's interface, re-import. */
class OnnxExportTest {
  /** float32 through two layers on two runtimes with different kernels (the brief's bound; measured ~1e-6). */
  static final double TOLERANCE = 1e-4;

  @TempDir Path tmp;

  @Test
  void logitsMatchOnnxRuntimeOnOpenerSentences() throws Exception {
    Path model = RandomTokenClassifier.create(tmp.resolve("model"), RandomTokenClassifier.config(HiddenActivation.GELU), 1);
    Path onnx = tmp.resolve("model.onnx");
    Run r = Cli.run("export-onnx", "--model", model.toString(), "--out", onnx.toString(), "--dynamic-axes");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("opset 17") && r.out().contains("[batch_size, sequence_length]"), r.out());

    OnnxParity.Result parity = OnnxParity.compare(model, onnx, OnnxParity.openerSentences(16, 7), 0);
    System.out.println("random model, gelu, opset 17: max |onnxruntime - exprbert| = " + parity.maxError() + " at "
        + parity.where() + " (" + parity.sentences() + " sentences padded to " + parity.paddedLength() + ")");
    assertTrue(parity.paddedLength() > 20, "real sentences of several lengths: " + parity.paddedLength());
    assertTrue(parity.maxError() <= TOLERANCE, parity.maxError() + " at " + parity.where());
  }

  @Test
  void theGraphHasTheStandardTokenClassificationInterface() throws Exception {
    Path model = RandomTokenClassifier.create(tmp.resolve("model"), RandomTokenClassifier.config(HiddenActivation.GELU), 2);
    Path onnx = tmp.resolve("model.onnx");
    assertEquals(0, Cli.run("export-onnx", "--model", model.toString(), "--out", onnx.toString(), "--dynamic-axes").code());
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession session = env.createSession(onnx.toString(), new OrtSession.SessionOptions())) {
      assertEquals(List.of("input_ids", "attention_mask", "token_type_ids"), new ArrayList<>(session.getInputNames()));
      for (NodeInfo input : session.getInputInfo().values()) {
        TensorInfo info = (TensorInfo) input.getInfo();
        assertEquals(ai.onnxruntime.OnnxJavaType.INT64, info.type, input.getName());
        assertEquals("[-1, -1]", Arrays.toString(info.getShape()), input.getName() + " has symbolic axes");
      }
      assertEquals(List.of("logits"), new ArrayList<>(session.getOutputNames()));
      TensorInfo logits = (TensorInfo) session.getOutputInfo().get("logits").getInfo();
      assertEquals(ai.onnxruntime.OnnxJavaType.FLOAT, logits.type);
      assertEquals("[-1, -1, 5]", Arrays.toString(logits.getShape()));
      assertEquals("exprbert", session.getMetadata().getProducerName());
      assertEquals("{\"0\":\"O\",\"1\":\"B-EXPR\",\"2\":\"I-EXPR\",\"3\":\"B-TIME\",\"4\":\"I-TIME\"}",
          session.getMetadata().getCustomMetadataValue("id2label").orElseThrow());
    }
    ModelProto proto = ModelProto.parseFrom(Files.readAllBytes(onnx));
    assertEquals(8, proto.getIrVersion(), "opset 17 is IR 8");
    List<String> ops = proto.getGraph().getNodeList().stream().map(NodeProto::getOpType).distinct().sorted().toList();
    assertTrue(ops.contains("LayerNormalization") && ops.contains("Erf") && !ops.contains("Dropout"), ops.toString());
    assertTrue(proto.getGraph().getInitializerList().stream().allMatch(t -> t.getName().startsWith("bert.")
        || t.getName().startsWith("classifier.") || t.getName().startsWith("onnx::MatMul_")), "initializers are weights only");
  }

  /** Every activation the config may name, LayerNorm decomposed (opsets below 17) and as one op. */
  @ParameterizedTest(name = "{0} at opset {1}")
  @CsvSource({"gelu_new, 13", "relu, 21", "silu, 14", "quick_gelu, 17", "gelu_pytorch_tanh, 18", "tanh, 16", "gelu, 15"})
  void everyActivationAndOpsetMatchesOnnxRuntime(String activation, int opset) throws Exception {
    BertConfig config = RandomTokenClassifier.config(HiddenActivation.fromHfName(activation));
    Path model = RandomTokenClassifier.create(tmp.resolve("model"), config, opset);
    Path onnx = tmp.resolve("model.onnx");
    Run r = Cli.run("export-onnx", "--model", model.toString(), "--out", onnx.toString(), "--dynamic-axes", "--opset", "" + opset);
    assertEquals(0, r.code(), r.err());
    OnnxParity.Result parity = OnnxParity.compare(model, onnx, OnnxParity.openerSentences(6, 11), 0);
    System.out.println(activation + ", opset " + opset + ": max |onnxruntime - exprbert| = " + parity.maxError());
    assertTrue(parity.maxError() <= TOLERANCE, parity.maxError() + " at " + parity.where());
    ModelProto proto = ModelProto.parseFrom(Files.readAllBytes(onnx));
    assertEquals(opset, proto.getOpsetImport(0).getVersion());
    boolean fusedLayerNorm = proto.getGraph().getNodeList().stream().anyMatch(n -> n.getOpType().equals("LayerNormalization"));
    assertEquals(opset >= 17, fusedLayerNorm, "LayerNormalization exists from opset 17 on");
  }

  @Test
  void withoutDynamicAxesTheShapeIsFixed() throws Exception {
    Path model = RandomTokenClassifier.create(tmp.resolve("model"), RandomTokenClassifier.config(HiddenActivation.GELU), 3);
    Path onnx = tmp.resolve("fixed.onnx");
    Run r = Cli.run("export-onnx", "--model", model.toString(), "--out", onnx.toString(), "--batch-size", "4",
        "--sequence-length", "96");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("[4, 96]"), r.out());
    try (OrtSession session = OrtEnvironment.getEnvironment().createSession(onnx.toString(), new OrtSession.SessionOptions())) {
      TensorInfo ids = (TensorInfo) session.getInputInfo().get("input_ids").getInfo();
      assertEquals("[4, 96]", Arrays.toString(ids.getShape()));
    }
    OnnxParity.Result parity = OnnxParity.compare(model, onnx, OnnxParity.openerSentences(4, 13), 96);
    assertTrue(parity.maxError() <= TOLERANCE, parity.maxError() + " at " + parity.where());
  }

  @Test
  void convertReadsTheExportBackToTheSameWeightsAndLabels() throws Exception {
    Path model = RandomTokenClassifier.create(tmp.resolve("model"), RandomTokenClassifier.config(HiddenActivation.RELU), 4);
    Path onnx = tmp.resolve("model.onnx");
    assertEquals(0, Cli.run("export-onnx", "--model", model.toString(), "--out", onnx.toString(), "--opset", "13").code());
    Path back = tmp.resolve("back");
    Run r = Cli.run("convert", "--onnx", onnx.toString(), "--tokenizer", model.resolve("tokenizer.json").toString(),
        "--out", back.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("BertForTokenClassification"), r.out());
    assertSameWeights(model, back);
    BertConfig original = BertConfig.read(model.resolve(ModelDirectory.CONFIG));
    BertConfig reimported = BertConfig.read(back.resolve(ModelDirectory.CONFIG));
    assertEquals(original.labels(), reimported.labels());
    assertEquals(original.hiddenAct(), reimported.hiddenAct());
    assertEquals(original.layerNormEps(), reimported.layerNormEps(), 1e-15);
    assertEquals(original.numAttentionHeads(), reimported.numAttentionHeads());
    assertEquals(original.maxPositionEmbeddings(), reimported.maxPositionEmbeddings());
    assertEquals(List.of("BertForTokenClassification"), reimported.architectures());
  }

  /** Every tensor of {@code expected}'s checkpoint is in {@code actual}'s, bit for bit, and nothing else is. */
  static void assertSameWeights(Path expected, Path actual) throws Exception {
    Map<String, Tensor> a = Safetensors.read(expected.resolve(ModelDirectory.SAFETENSORS));
    Map<String, Tensor> b = Safetensors.read(actual.resolve(ModelDirectory.SAFETENSORS));
    try {
      assertEquals(new java.util.TreeSet<>(a.keySet()), new java.util.TreeSet<>(b.keySet()));
      for (String name : a.keySet()) {
        assertEquals(Arrays.toString(Tensors.shape(a.get(name))), Arrays.toString(Tensors.shape(b.get(name))), name);
        float[] x = Tensors.toFloatArray(a.get(name));
        float[] y = Tensors.toFloatArray(b.get(name));
        for (int i = 0; i < x.length; i++) {
          if (Float.floatToIntBits(x[i]) != Float.floatToIntBits(y[i])) {
            throw new AssertionError(name + "[" + i + "]: " + x[i] + " became " + y[i]);
          }
        }
      }
    } finally {
      a.values().forEach(Tensor::close);
      b.values().forEach(Tensor::close);
    }
  }
}
