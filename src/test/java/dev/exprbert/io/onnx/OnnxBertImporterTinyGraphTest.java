package dev.exprbert.io.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.io.onnx.proto.OnnxProto.ModelProto;
import dev.exprbert.io.onnx.proto.OnnxProto.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.OptionalInt;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The importer on small synthetic exports ({@link TinyBertOnnx}), one graph variant per test. */
class OnnxBertImporterTinyGraphTest {
  @TempDir Path dir;

  @Test
  void importsHfNamesAndTheArchitecture() {
    TinyBertOnnx tiny = new TinyBertOnnx();
    try (ImportedEncoder enc = OnnxBertImporter.importEncoder(tiny.write(dir))) {
      assertEquals(new ArrayList<>(BertEncoderLayout.parameters(11, 8, 2, 12, 7, 2, false).keySet()),
          new ArrayList<>(enc.weights().keySet()));
      assertEquals(11, enc.vocabSize());
      assertEquals(8, enc.hiddenSize());
      assertEquals(2, enc.numLayers());
      assertEquals(2, enc.numHeads());
      assertEquals(12, enc.intermediateSize());
      assertEquals(7, enc.maxPositions());
      assertEquals(2, enc.typeVocabSize());
      assertEquals(1e-12, enc.layerNormEps(), 0.0);
      assertEquals("gelu", enc.hiddenAct());
      assertFalse(enc.hasPooler());
    }
  }

  @Test
  void matMulWeightsBecomeOutByIn() {
    TinyBertOnnx tiny = new TinyBertOnnx();
    ModelProto model = tiny.build();
    try (ImportedEncoder enc = OnnxBertImporter.importEncoder(tiny.write(dir))) {
      // intermediate.dense: ONNX [in=8, out=12] -> HF [out=12, in=8]; output.dense: [12, 8] -> [8, 12]
      assertTransposed(model, "/encoder/layer.1/intermediate/dense/MatMul", enc.weights().get("encoder.layer.1.intermediate.dense.weight"));
      assertTransposed(model, "/encoder/layer.0/output/dense/MatMul", enc.weights().get("encoder.layer.0.output.dense.weight"));
      assertTransposed(model, "/encoder/layer.0/attention/self/key/MatMul", enc.weights().get("encoder.layer.0.attention.self.key.weight"));
    }
  }

  @Test
  void hfNamedWeightFedToAMatMulIsStillTransposed() {
    TinyBertOnnx tiny = new TinyBertOnnx();
    tiny.hfNamedMatMulWeights = true;
    ModelProto model = tiny.build();
    try (ImportedEncoder enc = OnnxBertImporter.importEncoder(tiny.write(dir))) {
      assertTransposed(model, "/encoder/layer.1/intermediate/dense/MatMul", enc.weights().get("encoder.layer.1.intermediate.dense.weight"));
      assertTransposed(model, "/encoder/layer.0/attention/self/value/MatMul", enc.weights().get("encoder.layer.0.attention.self.value.weight"));
    }
  }

  @Test
  void taskModelPrefixIsDroppedAndThePoolerKept() {
    TinyBertOnnx tiny = new TinyBertOnnx();
    tiny.prefix = "bert";
    tiny.pooler = true;
    try (ImportedEncoder enc = OnnxBertImporter.importEncoder(tiny.write(dir))) {
      assertEquals(new ArrayList<>(BertEncoderLayout.parameters(11, 8, 2, 12, 7, 2, true).keySet()),
          new ArrayList<>(enc.weights().keySet()));
      assertTrue(enc.hasPooler());
      assertEquals("gelu", enc.hiddenAct(), "the pooler's Tanh is not the intermediate activation");
    }
  }

  @Test
  void layerNormalizationOpGivesEpsilonAndTanhGivesGeluNew() {
    TinyBertOnnx tiny = new TinyBertOnnx();
    tiny.layerNormalizationOp = true;
    tiny.eps = 1e-5f;
    tiny.activation = "Tanh";
    try (ImportedEncoder enc = OnnxBertImporter.importEncoder(tiny.write(dir))) {
      assertEquals(1e-5, enc.layerNormEps(), 0.0);
      assertEquals("gelu_new", enc.hiddenAct());
    }
  }

  @Test
  void float16WeightsAreWidenedToFloat32() {
    TinyBertOnnx tiny = new TinyBertOnnx();
    tiny.weightDataType = TensorProto.DataType.FLOAT16_VALUE;
    try (ImportedEncoder enc = OnnxBertImporter.importEncoder(tiny.write(dir))) {
      Tensor words = enc.weights().get("embeddings.word_embeddings.weight"); // first tensor written: seed 0
      FloatPointer values = new FloatPointer(words.data_ptr()).capacity(11 * 8);
      for (int i = 0; i < 11 * 8; i++) {
        float written = TinyBertOnnx.valueAt(0, i);
        assertEquals(written, values.get(i), Math.max(1e-6, written * 2e-3), "element " + i + " (half keeps 11 significant bits)");
      }
    }
  }

  @Test
  void headCountComesFromTheOverrideWhenTheGraphHidesIt() {
    TinyBertOnnx tiny = new TinyBertOnnx();
    tiny.constantHeadCount = false; // Reshape to [b, s, <runtime>, -1]
    Path file = tiny.write(dir);
    OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxBertImporter.importEncoder(file));
    assertTrue(e.getMessage().contains("pass numHeads"), e.getMessage());
    try (ImportedEncoder enc = OnnxBertImporter.importEncoder(file, OptionalInt.of(4))) {
      assertEquals(4, enc.numHeads());
    }
  }

  @Test
  void overrideThatContradictsTheGraphIsRefused() {
    Path file = new TinyBertOnnx().write(dir);
    OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxBertImporter.importEncoder(file, OptionalInt.of(4)));
    assertTrue(e.getMessage().contains("numHeads 4 was given") && e.getMessage().contains("split 2 heads"), e.getMessage());
    OnnxImportException notDivisor = assertThrows(OnnxImportException.class,
        () -> OnnxBertImporter.importEncoder(file, OptionalInt.of(3)));
    assertTrue(notDivisor.getMessage().contains("does not divide hidden size 8"), notDivisor.getMessage());
  }

  private static void assertTransposed(ModelProto model, String matMulNode, Tensor imported) {
    String weightName = model.getGraph().getNodeList().stream().filter(n -> n.getName().equals(matMulNode)).findFirst()
        .orElseThrow().getInput(1);
    TensorProto stored = model.getGraph().getInitializerList().stream().filter(t -> t.getName().equals(weightName))
        .findFirst().orElseThrow();
    int in = (int) stored.getDims(0);
    int out = (int) stored.getDims(1);
    assertEquals(out, imported.size(0), matMulNode + " rows");
    assertEquals(in, imported.size(1), matMulNode + " columns");
    ByteBuffer raw = stored.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    FloatPointer values = new FloatPointer(imported.data_ptr()).capacity((long) in * out);
    for (int i = 0; i < in; i++) {
      for (int o = 0; o < out; o++) {
        assertEquals(raw.getFloat((i * out + o) * Float.BYTES), values.get((long) o * in + i), 0.0f, matMulNode + " [" + o + "," + i + "]");
      }
    }
  }
}
