package dev.exprbert.io.onnx;

import com.google.protobuf.ByteString;
import dev.exprbert.io.onnx.proto.OnnxProto.AttributeProto;
import dev.exprbert.io.onnx.proto.OnnxProto.GraphProto;
import dev.exprbert.io.onnx.proto.OnnxProto.ModelProto;
import dev.exprbert.io.onnx.proto.OnnxProto.NodeProto;
import dev.exprbert.io.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.exprbert.io.onnx.proto.OnnxProto.TensorProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Builds a small ONNX graph shaped like a torch.onnx export of BertModel (opset 11 style: decomposed
 * LayerNorm, Erf GELU, head-splitting Reshape fed by a Concat, Linear weights as transposed
 * {@code onnx::MatMul_N} initializers), with knobs to break one thing at a time. The graph is
 * structurally what the importer reads, not meant to be executed. Weight element i of a tensor
 * holds {@code seed + i / 1000} so tests can check where each value landed.
 */
public final class TinyBertOnnx {
  int vocab = 11;
  int hidden = 8;
  int layers = 2;
  int heads = 2;
  int intermediate = 12;
  int maxPositions = 7;
  int typeVocab = 2;
  float eps = 1e-12f;
  boolean pooler;
  boolean layerNormalizationOp;
  String activation = "Erf";
  String prefix = "";
  boolean constantHeadCount = true;
  /** Name the [in, out] MatMul weights after the HF parameter instead of onnx::MatMul_N. */
  boolean hfNamedMatMulWeights;
  int weightDataType = TensorProto.DataType.FLOAT_VALUE;
  final Map<String, String> renameNodes = new HashMap<>();
  final Set<String> dropInitializers = new HashSet<>();
  final Map<String, Float> epsOverrides = new HashMap<>(); // LayerNorm scope -> epsilon

  private GraphProto.Builder graph;
  private int matMulCounter;
  private float seed;

  ModelProto build() {
    graph = GraphProto.newBuilder().setName("tiny_bert");
    matMulCounter = 100;
    seed = 0;
    String p = prefix.isEmpty() ? "" : prefix + ".";
    String scope = prefix.isEmpty() ? "" : "/" + prefix;
    weight(p + "embeddings.word_embeddings.weight", vocab, hidden);
    weight(p + "embeddings.position_embeddings.weight", maxPositions, hidden);
    weight(p + "embeddings.token_type_embeddings.weight", typeVocab, hidden);
    TensorProto.Builder positionIds = TensorProto.newBuilder().setName(p + "embeddings.position_ids")
        .setDataType(TensorProto.DataType.INT64_VALUE).addDims(1).addDims(maxPositions);
    for (int i = 0; i < maxPositions; i++) {
      positionIds.addInt64Data(i);
    }
    initializer(positionIds.build());
    node("Gather", scope + "/embeddings/word_embeddings/Gather", new String[] {p + "embeddings.word_embeddings.weight", "input_ids"},
        "emb");
    String x = layerNorm(scope + "/embeddings/LayerNorm", p + "embeddings.LayerNorm", "emb");
    for (int l = 0; l < layers; l++) {
      String s = scope + "/encoder/layer." + l;
      String n = p + "encoder.layer." + l + ".";
      String q = linear(s + "/attention/self/query", n + "attention.self.query", x, hidden, hidden);
      linear(s + "/attention/self/key", n + "attention.self.key", x, hidden, hidden);
      linear(s + "/attention/self/value", n + "attention.self.value", x, hidden, hidden);
      String split = headSplitShape(s + "/attention/self", q);
      node("Reshape", s + "/attention/self/Reshape", new String[] {q, split}, s + "/attention/self/Reshape_output_0");
      String ctx = s + "/attention/self/Reshape_output_0";
      String attn = linear(s + "/attention/output/dense", n + "attention.output.dense", ctx, hidden, hidden);
      node("Add", s + "/attention/output/Add", new String[] {attn, x}, s + "/attention/output/Add_output_0");
      String a = layerNorm(s + "/attention/output/LayerNorm", n + "attention.output.LayerNorm", s + "/attention/output/Add_output_0");
      String i = linear(s + "/intermediate/dense", n + "intermediate.dense", a, hidden, intermediate);
      String act = s + "/intermediate/intermediate_act_fn/" + activation + "_output_0";
      node(activation, s + "/intermediate/intermediate_act_fn/" + activation, new String[] {i}, act);
      String o = linear(s + "/output/dense", n + "output.dense", act, intermediate, hidden);
      node("Add", s + "/output/Add", new String[] {o, a}, s + "/output/Add_output_0");
      x = layerNorm(s + "/output/LayerNorm", n + "output.LayerNorm", s + "/output/Add_output_0");
    }
    if (pooler) {
      String d = linear(scope + "/pooler/dense", p + "pooler.dense", x, hidden, hidden);
      node("Tanh", scope + "/pooler/activation/Tanh", new String[] {d}, "pooler_output");
    }
    return ModelProto.newBuilder().setIrVersion(6).setProducerName("exprbert-test")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(layerNormalizationOp ? 17 : 11)).setGraph(graph).build();
  }

  public Path write(Path dir) {
    Path file = dir.resolve("tiny-bert.onnx");
    try {
      Files.write(file, build().toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /** Value of element {@code index} of the {@code ordinal}-th weight created (row-major in ONNX layout). */
  static float valueAt(float seedOfTensor, long index) {
    return seedOfTensor + index / 1000f;
  }

  private String linear(String scope, String hfModule, String input, int in, int out) {
    String w = hfNamedMatMulWeights ? hfModule + ".weight" : "onnx::MatMul_" + matMulCounter++;
    weight(w, in, out); // ONNX keeps nn.Linear weights as [in, out]
    weight(hfModule + ".bias", out);
    node("MatMul", scope + "/MatMul", new String[] {input, w}, scope + "/MatMul_output_0");
    node("Add", scope + "/Add", new String[] {hfModule + ".bias", scope + "/MatMul_output_0"}, scope + "/Add_output_0");
    return scope + "/Add_output_0";
  }

  private String layerNorm(String scope, String hfModule, String input) {
    weight(hfModule + ".weight", hidden);
    weight(hfModule + ".bias", hidden);
    float epsilon = epsOverrides.getOrDefault(scope, eps);
    String out = scope + "/Add_1_output_0";
    if (layerNormalizationOp) {
      NodeProto.Builder ln = NodeProto.newBuilder().setOpType("LayerNormalization").setName(scope + "/LayerNormalization")
          .addInput(input).addInput(hfModule + ".weight").addInput(hfModule + ".bias").addOutput(out)
          .addAttribute(AttributeProto.newBuilder().setName("epsilon").setType(AttributeProto.AttributeType.FLOAT).setF(epsilon));
      graph.addNode(ln);
      return out;
    }
    node("ReduceMean", scope + "/ReduceMean", new String[] {input}, scope + "/ReduceMean_output_0");
    node("Sub", scope + "/Sub", new String[] {input, scope + "/ReduceMean_output_0"}, scope + "/Sub_output_0");
    constant(scope + "/Constant", scalarFloat(2f));
    node("Pow", scope + "/Pow", new String[] {scope + "/Sub_output_0", scope + "/Constant_output_0"}, scope + "/Pow_output_0");
    node("ReduceMean", scope + "/ReduceMean_1", new String[] {scope + "/Pow_output_0"}, scope + "/ReduceMean_1_output_0");
    constant(scope + "/Constant_1", scalarFloat(epsilon));
    node("Add", scope + "/Add", new String[] {scope + "/ReduceMean_1_output_0", scope + "/Constant_1_output_0"}, scope + "/Add_output_0");
    node("Sqrt", scope + "/Sqrt", new String[] {scope + "/Add_output_0"}, scope + "/Sqrt_output_0");
    node("Div", scope + "/Div", new String[] {scope + "/Sub_output_0", scope + "/Sqrt_output_0"}, scope + "/Div_output_0");
    node("Mul", scope + "/Mul", new String[] {scope + "/Div_output_0", hfModule + ".weight"}, scope + "/Mul_output_0");
    node("Add", scope + "/Add_1", new String[] {scope + "/Mul_output_0", hfModule + ".bias"}, out);
    return out;
  }

  /** Concat(batch, seq, heads, head_size) as torch.onnx writes view(new_shape) with dynamic axes. */
  private String headSplitShape(String scope, String of) {
    node("Shape", scope + "/Shape", new String[] {of}, scope + "/Shape_output_0");
    node("Unsqueeze", scope + "/Unsqueeze", new String[] {scope + "/Shape_output_0"}, scope + "/Unsqueeze_output_0");
    node("Unsqueeze", scope + "/Unsqueeze_1", new String[] {scope + "/Shape_output_0"}, scope + "/Unsqueeze_1_output_0");
    String headsValue = scope + "/Unsqueeze_output_0"; // runtime when the head count is not constant
    if (constantHeadCount) {
      constant(scope + "/Constant_2", int64s(heads));
      headsValue = scope + "/Constant_2_output_0";
    }
    constant(scope + "/Constant_3", int64s(constantHeadCount ? hidden / heads : -1));
    NodeProto.Builder concat = NodeProto.newBuilder().setOpType("Concat").setName(scope + "/Concat")
        .addInput(scope + "/Unsqueeze_output_0").addInput(scope + "/Unsqueeze_1_output_0").addInput(headsValue)
        .addInput(scope + "/Constant_3_output_0").addOutput(scope + "/Concat_output_0")
        .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(0));
    graph.addNode(concat);
    return scope + "/Concat_output_0";
  }

  private void weight(String name, long... dims) {
    long numel = 1;
    for (long d : dims) {
      numel *= d;
    }
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(weightDataType);
    for (long d : dims) {
      t.addDims(d);
    }
    int elementBytes = weightDataType == TensorProto.DataType.FLOAT_VALUE ? 4 : 2;
    ByteBuffer raw = ByteBuffer.allocate((int) numel * elementBytes).order(ByteOrder.LITTLE_ENDIAN);
    for (long i = 0; i < numel; i++) {
      float v = valueAt(seed, i);
      if (weightDataType == TensorProto.DataType.FLOAT_VALUE) {
        raw.putFloat(v);
      } else if (weightDataType == TensorProto.DataType.FLOAT16_VALUE) {
        raw.putShort(toHalf(v));
      } else {
        throw new IllegalStateException("TinyBertOnnx writes FLOAT or FLOAT16 weights only");
      }
    }
    seed += 1;
    initializer(t.setRawData(ByteString.copyFrom(raw.array())).build());
  }

  /** float -> IEEE half by truncation, for the normal, non-negative values this builder writes (Java 17 has no Float.floatToFloat16). */
  static short toHalf(float f) {
    if (f == 0f) {
      return 0;
    }
    int bits = Float.floatToIntBits(f);
    int exponent = ((bits >>> 23) & 0xff) - 127 + 15;
    if (f < 0 || exponent <= 0 || exponent >= 31) {
      throw new IllegalArgumentException(f + " is outside the normal positive half range");
    }
    return (short) ((exponent << 10) | ((bits & 0x7fffff) >>> 13));
  }

  private void initializer(TensorProto t) {
    if (!dropInitializers.contains(t.getName())) {
      graph.addInitializer(t);
    }
  }

  private void node(String op, String name, String[] inputs, String output) {
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(renameNodes.getOrDefault(name, name)).addOutput(output);
    for (String in : inputs) {
      n.addInput(in);
    }
    graph.addNode(n);
  }

  private void constant(String name, TensorProto value) {
    graph.addNode(NodeProto.newBuilder().setOpType("Constant").setName(name).addOutput(name + "_output_0")
        .addAttribute(AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR).setT(value)));
  }

  private static TensorProto scalarFloat(float v) {
    return TensorProto.newBuilder().setDataType(TensorProto.DataType.FLOAT_VALUE)
        .setRawData(ByteString.copyFrom(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v).array())).build();
  }

  private static TensorProto int64s(long... values) {
    ByteBuffer raw = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      raw.putLong(v);
    }
    return TensorProto.newBuilder().setDataType(TensorProto.DataType.INT64_VALUE).addDims(values.length)
        .setRawData(ByteString.copyFrom(raw.array())).build();
  }
}
