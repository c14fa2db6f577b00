package dev.exprbert.io.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.exprbert.io.TokenizerJsonVocabulary;
import dev.exprbert.io.onnx.proto.OnnxProto.ModelProto;
import dev.exprbert.io.onnx.proto.OnnxProto.NodeProto;
import dev.exprbert.io.onnx.proto.OnnxProto.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Imports the real all-MiniLM-L6-v2 ONNX export and checks it against the original file run by onnxruntime. */
class OnnxBertImporterMiniLmTest {
  private static final String[] SENTENCES = {
    "The quick brown fox jumps over the lazy dog.",
    "Sentence embeddings map each text to a single vector that can be compared with cosine similarity.",
    "Paris is the capital of France.",
  };
  /** float32 through 6 layers on two runtimes with different kernels; the brief's bound for the import check. */
  private static final double TOLERANCE = 1e-4;

  private static ImportedEncoder encoder;

  @BeforeAll
  static void importOnce() {
    encoder = OnnxBertImporter.importEncoder(MiniLmFiles.onnx());
  }

  @AfterAll
  static void free() {
    if (encoder != null) {
      encoder.close();
    }
  }

  @Test
  void readsTheArchitectureOffTheGraph() {
    assertEquals(30522, encoder.vocabSize());
    assertEquals(384, encoder.hiddenSize());
    assertEquals(6, encoder.numLayers());
    assertEquals(12, encoder.numHeads());
    assertEquals(1536, encoder.intermediateSize());
    assertEquals(512, encoder.maxPositions());
    assertEquals(2, encoder.typeVocabSize());
    assertEquals(1e-12, encoder.layerNormEps(), 0.0);
    assertEquals("gelu", encoder.hiddenAct());
    assertFalse(encoder.hasPooler(), "this export ends at last_hidden_state, with no pooler");
  }

  @Test
  void importsExactlyTheBertModelWeightsWithTheirShapes() {
    LinkedHashMap<String, long[]> expected = BertEncoderLayout.parameters(30522, 384, 6, 1536, 512, 2, false);
    assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(encoder.weights().keySet()),
        "names and state_dict order, nothing missing and nothing extra");
    assertEquals(5 + 6 * 16, encoder.weights().size());
    for (Map.Entry<String, long[]> e : expected.entrySet()) {
      Tensor t = encoder.weights().get(e.getKey());
      long[] shape = new long[(int) t.dim()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = t.size(i);
      }
      assertArrayEquals(e.getValue(), shape, e.getKey());
      assertEquals(ScalarType.Float.value, t.scalar_type().value, e.getKey() + " dtype");
      assertTrue(t.is_contiguous(), e.getKey() + " contiguous");
    }
  }

  @Test
  void linearWeightsAreTheMatMulInitializersTransposedBack() throws Exception {
    ModelProto model = ModelProto.parseFrom(Files.readAllBytes(MiniLmFiles.onnx()));
    NodeProto query = model.getGraph().getNodeList().stream()
        .filter(n -> n.getName().equals("/encoder/layer.3/intermediate/dense/MatMul")).findFirst().orElseThrow();
    TensorProto stored = model.getGraph().getInitializerList().stream()
        .filter(t -> t.getName().equals(query.getInput(1))).findFirst().orElseThrow();
    assertEquals(List.of(384L, 1536L), stored.getDimsList(), "ONNX keeps [in, out]");
    ByteBuffer raw = stored.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    Tensor imported = encoder.weights().get("encoder.layer.3.intermediate.dense.weight"); // [out=1536, in=384]
    FloatPointer values = new FloatPointer(imported.data_ptr()).capacity(1536L * 384);
    for (int in = 0; in < 384; in += 37) {
      for (int out = 0; out < 1536; out += 101) {
        assertEquals(raw.getFloat((in * 1536 + out) * Float.BYTES), values.get(out * 384L + in), 0.0f, "[" + out + "," + in + "]");
      }
    }
  }

  @Test
  void lastHiddenStateMatchesOnnxRuntimeOnTheOriginalFile() throws Exception {
    long[][] ids;
    long[][] mask;
    long[][] types;
    try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(MiniLmFiles.tokenizerJson())) {
      Encoding[] encodings = tokenizer.batchEncode(SENTENCES);
      int seq = 0;
      for (Encoding e : encodings) {
        seq = Math.max(seq, e.getIds().length);
      }
      ids = new long[SENTENCES.length][seq];
      mask = new long[SENTENCES.length][seq];
      types = new long[SENTENCES.length][seq];
      for (int b = 0; b < encodings.length; b++) { // pad on the right; tokenizer.json may already have
        System.arraycopy(encodings[b].getIds(), 0, ids[b], 0, encodings[b].getIds().length);
        System.arraycopy(encodings[b].getAttentionMask(), 0, mask[b], 0, encodings[b].getAttentionMask().length);
        System.arraycopy(encodings[b].getTypeIds(), 0, types[b], 0, encodings[b].getTypeIds().length);
      }
    }
    assertTrue(sum(mask[2]) < sum(mask[1]), "the sentences differ in length, so the mask is exercised");
    assertEquals(101L, ids[0][0], "[CLS] first: the tokenizer applied BERT's post-processor");

    float[][][] expected;
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession session = env.createSession(MiniLmFiles.onnx().toString(), new OrtSession.SessionOptions());
        OnnxTensor idsT = OnnxTensor.createTensor(env, ids);
        OnnxTensor maskT = OnnxTensor.createTensor(env, mask);
        OnnxTensor typesT = OnnxTensor.createTensor(env, types);
        OrtSession.Result result = session.run(Map.of("input_ids", idsT, "attention_mask", maskT, "token_type_ids", typesT))) {
      expected = (float[][][]) result.get("last_hidden_state").orElseThrow().getValue();
    }

    float[][][] actual = ReferenceBertForward.lastHiddenState(encoder, ids, mask, types);

    double maxError = 0;
    String where = "";
    for (int b = 0; b < ids.length; b++) {
      for (int s = 0; s < ids[b].length; s++) {
        for (int h = 0; h < encoder.hiddenSize(); h++) {
          double err = Math.abs(expected[b][s][h] - actual[b][s][h]);
          if (err > maxError) {
            maxError = err;
            where = "[" + b + "," + s + "," + h + "] onnxruntime=" + expected[b][s][h] + " imported=" + actual[b][s][h];
          }
        }
      }
    }
    System.out.println("max |onnxruntime - imported| = " + maxError + " at " + where);
    assertTrue(maxError <= TOLERANCE, "max |onnxruntime - imported| = " + maxError + " at " + where + ", over " + TOLERANCE);
  }

  @Test
  void bundledTokenizerFitsTheEmbeddingTable() {
    int size = TokenizerJsonVocabulary.size(MiniLmFiles.tokenizerJson());
    assertEquals(30522, size);
    encoder.checkTokenizerVocabulary(size, MiniLmFiles.tokenizerJson().toString());

    IllegalArgumentException bigger = assertThrows(IllegalArgumentException.class,
        () -> encoder.checkTokenizerVocabulary(50265, "roberta/tokenizer.json"));
    assertTrue(bigger.getMessage().contains("roberta/tokenizer.json") && bigger.getMessage().contains("50265")
        && bigger.getMessage().contains("30522") && bigger.getMessage().contains("index past"), bigger.getMessage());
    IllegalArgumentException smaller = assertThrows(IllegalArgumentException.class,
        () -> encoder.checkTokenizerVocabulary(28996, "cased/tokenizer.json"));
    assertTrue(smaller.getMessage().contains("another model"), smaller.getMessage());
  }

  private static long sum(long[] values) {
    long s = 0;
    for (long v : values) {
      s += v;
    }
    return s;
  }
}
