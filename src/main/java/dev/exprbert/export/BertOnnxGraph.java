package dev.exprbert.export;

import static dev.exprbert.export.OnnxGraphWriter.floatAttribute;
import static dev.exprbert.export.OnnxGraphWriter.intAttribute;
import static dev.exprbert.export.OnnxGraphWriter.intsAttribute;

import dev.exprbert.io.onnx.proto.OnnxProto.GraphProto;
import dev.exprbert.io.onnx.proto.OnnxProto.TensorProto;
import dev.exprbert.io.onnx.proto.OnnxProto.TensorShapeProto;
import dev.exprbert.io.onnx.proto.OnnxProto.TypeProto;
import dev.exprbert.io.onnx.proto.OnnxProto.ValueInfoProto;
import dev.exprbert.model.bert.BertConfig;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * The ONNX graph of {@code BertForTokenClassification} in eval mode, op for op what
 * {@code model.BertEmbeddings}, {@code BertLayer}, {@code BertSelfAttention}, {@code LayerNorm}, {@code Linear} and
 * the classifier compute (dropout is the identity at inference, so it has no node):
 * <pre>
 *   mask   = (1 - attention_mask[:, None, None, :]) * finfo(float32).min          [batch, 1, 1, seq]
 *   x      = LN(word[input_ids] + type[token_type_ids] + position[0..seq))          [batch, seq, hidden]
 *   layer  : a = LN(x + W_o softmax(q k^T / sqrt(head_dim) + mask) v);  x = LN(a + W_2 act(W_1 a))
 *   logits = x W_c^T + b_c                                                         [batch, seq, num_labels]
 * </pre>
 * Names follow torch.onnx's export of the same module tree ({@code /bert/encoder/layer.N/...}, initializers
 * {@code bert.*} and {@code classifier.bias}, Linear weights as {@code onnx::MatMul_N}), see {@link OnnxGraphWriter}.
 */
final class BertOnnxGraph {
  static final String INPUT_IDS = "input_ids";
  static final String ATTENTION_MASK = "attention_mask";
  static final String TOKEN_TYPE_IDS = "token_type_ids";
  static final String LOGITS = "logits";
  private static final String BERT = "bert.";

  private final OnnxGraphWriter w = new OnnxGraphWriter();
  private final BertConfig config;
  private final Map<String, Tensor> weights;
  private final int opset;

  /** @param weights the model's tensors by Hugging Face key ({@code bert.embeddings...}, {@code classifier.weight}) */
  BertOnnxGraph(BertConfig config, Map<String, Tensor> weights, int opset) {
    this.config = config;
    this.weights = weights;
    this.opset = opset;
  }

  /**
   * @param batch the fixed batch size, or null for a symbolic {@code batch_size} axis
   * @param sequence the fixed sequence length, or null for a symbolic {@code sequence_length} axis
   */
  GraphProto build(Integer batch, Integer sequence) {
    GraphProto.Builder g = w.graph().setName("BertForTokenClassification");
    for (String input : List.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS)) {
      g.addInput(valueInfo(input, TensorProto.DataType.INT64_VALUE, dim(batch, "batch_size"), dim(sequence, "sequence_length")));
    }
    String mask = extendedMask();
    String x = embeddings();
    for (int layer = 0; layer < config.numHiddenLayers(); layer++) {
      x = layer(layer, x, mask);
    }
    String bias = w.weight("classifier.bias", weights.get("classifier.bias"));
    String product = w.op("/classifier", "MatMul", List.of(x, w.matMulWeight(weights.get("classifier.weight"))));
    w.opTo(LOGITS, "/classifier", "Add", List.of(bias, product));
    g.addOutput(valueInfo(LOGITS, TensorProto.DataType.FLOAT_VALUE, dim(batch, "batch_size"), dim(sequence, "sequence_length"),
        dim(config.numLabels(), null)));
    return g.build();
  }

  /** Bytes of weight data in the graph. */
  long weightBytes() {
    return w.weightBytes();
  }

  /** Hugging Face's additive extended mask, [batch, 1, 1, seq]: 0 where attended, finfo(float32).min elsewhere. */
  private String extendedMask() {
    String unsqueezed = w.op("", "Unsqueeze", List.of(ATTENTION_MASK, w.int64s("", 1, 2)));
    String asFloat = w.op("", "Cast", List.of(unsqueezed), intAttribute("to", TensorProto.DataType.FLOAT_VALUE));
    String inverted = w.op("", "Sub", List.of(w.floatScalar("", 1f), asFloat));
    return w.op("", "Mul", List.of(inverted, w.floatScalar("", -Float.MAX_VALUE)));
  }

  private String embeddings() {
    String s = "/bert/embeddings";
    String p = BERT + "embeddings.";
    // positions 0..seq-1 sliced off the position_ids buffer, as torch.onnx writes HF's BertEmbeddings
    long[] positionIds = new long[config.maxPositionEmbeddings()];
    for (int i = 0; i < positionIds.length; i++) {
      positionIds[i] = i;
    }
    w.int64Initializer(p + "position_ids", new long[] {1, positionIds.length}, positionIds);
    String shape = w.op(s, "Shape", List.of(INPUT_IDS));
    String length = w.op(s, "Gather", List.of(shape, w.int64Scalar(s, 1)), intAttribute("axis", 0));
    String end = w.op(s, "Unsqueeze", List.of(length, w.int64s(s, 0)));
    String positions = w.op(s, "Slice", List.of(p + "position_ids", w.int64s(s, 0), end, w.int64s(s, 1), w.int64s(s, 1)));
    String words = w.op(s + "/word_embeddings", "Gather",
        List.of(w.weight(p + "word_embeddings.weight", weights.get(p + "word_embeddings.weight")), INPUT_IDS));
    String types = w.op(s + "/token_type_embeddings", "Gather",
        List.of(w.weight(p + "token_type_embeddings.weight", weights.get(p + "token_type_embeddings.weight")), TOKEN_TYPE_IDS));
    String sum = w.op(s, "Add", List.of(words, types));
    String placed = w.op(s + "/position_embeddings", "Gather",
        List.of(w.weight(p + "position_embeddings.weight", weights.get(p + "position_embeddings.weight")), positions));
    String all = w.op(s, "Add", List.of(sum, placed));
    return layerNorm(s + "/LayerNorm", p + "LayerNorm", all);
  }

  private String layer(int index, String x, String mask) {
    String s = "/bert/encoder/layer." + index;
    String p = BERT + "encoder.layer." + index + ".";
    String context = selfAttention(s + "/attention/self", p + "attention.self.", x, mask);
    String projected = linear(s + "/attention/output/dense", p + "attention.output.dense", context);
    String residual = w.op(s + "/attention/output", "Add", List.of(projected, x));
    String attended = layerNorm(s + "/attention/output/LayerNorm", p + "attention.output.LayerNorm", residual);
    String up = linear(s + "/intermediate/dense", p + "intermediate.dense", attended);
    String activated = OnnxActivations.apply(w, s + "/intermediate/intermediate_act_fn", config.hiddenAct(), up);
    String down = linear(s + "/output/dense", p + "output.dense", activated);
    String residual2 = w.op(s + "/output", "Add", List.of(down, attended));
    return layerNorm(s + "/output/LayerNorm", p + "output.LayerNorm", residual2);
  }

  /** q, k, v split into heads by a Reshape to [0, 0, heads, head_dim] (0 keeps batch and seq), scaled scores. */
  private String selfAttention(String s, String p, String x, String mask) {
    int heads = config.numAttentionHeads();
    int headDim = config.headDim();
    String q = linear(s + "/query", p + "query", x);
    String k = linear(s + "/key", p + "key", x);
    String v = linear(s + "/value", p + "value", x);
    String split = w.int64s(s, 0, 0, heads, headDim);
    String keys = w.op(s, "Transpose", List.of(w.op(s, "Reshape", List.of(k, split))), intsAttribute("perm", 0, 2, 3, 1));
    String values = w.op(s, "Transpose", List.of(w.op(s, "Reshape", List.of(v, split))), intsAttribute("perm", 0, 2, 1, 3));
    String queries = w.op(s, "Transpose", List.of(w.op(s, "Reshape", List.of(q, split))), intsAttribute("perm", 0, 2, 1, 3));
    String scores = w.op(s, "MatMul", List.of(queries, keys));
    String scaled = w.op(s, "Div", List.of(scores, w.floatScalar(s, (float) Math.sqrt(headDim))));
    String masked = w.op(s, "Add", List.of(scaled, mask));
    String probabilities = w.op(s, "Softmax", List.of(masked), intAttribute("axis", -1));
    String context = w.op(s, "MatMul", List.of(probabilities, values));
    String merged = w.op(s, "Transpose", List.of(context), intsAttribute("perm", 0, 2, 1, 3));
    return w.op(s, "Reshape", List.of(merged, w.int64s(s, 0, 0, config.hiddenSize())));
  }

  /** y = x W^T + b as torch.onnx writes nn.Linear: MatMul by the transposed weight, then Add(bias, product). */
  private String linear(String scope, String module, String x) {
    String product = w.op(scope, "MatMul", List.of(x, w.matMulWeight(weights.get(module + ".weight"))));
    return w.op(scope, "Add", List.of(w.weight(module + ".bias", weights.get(module + ".bias")), product));
  }

  /** LayerNormalization from opset 17; below it the ReduceMean/Sub/Pow/ReduceMean/Add/Sqrt/Div/Mul/Add chain. */
  private String layerNorm(String scope, String module, String x) {
    String gamma = w.weight(module + ".weight", weights.get(module + ".weight"));
    String beta = w.weight(module + ".bias", weights.get(module + ".bias"));
    float eps = (float) config.layerNormEps();
    if (opset >= OnnxOpsets.LAYER_NORMALIZATION) {
      return w.op(scope, "LayerNormalization", List.of(x, gamma, beta), intAttribute("axis", -1), floatAttribute("epsilon", eps));
    }
    String mean = w.op(scope, "ReduceMean", List.of(x), intsAttribute("axes", -1));
    String centered = w.op(scope, "Sub", List.of(x, mean));
    String squared = w.op(scope, "Pow", List.of(centered, w.floatScalar(scope, 2f)));
    String variance = w.op(scope, "ReduceMean", List.of(squared), intsAttribute("axes", -1));
    String shifted = w.op(scope, "Add", List.of(variance, w.floatScalar(scope, eps)));
    String deviation = w.op(scope, "Sqrt", List.of(shifted));
    String normalized = w.op(scope, "Div", List.of(centered, deviation));
    return w.op(scope, "Add", List.of(w.op(scope, "Mul", List.of(normalized, gamma)), beta));
  }

  private static TensorShapeProto.Dimension dim(Integer size, String symbol) {
    return size != null ? TensorShapeProto.Dimension.newBuilder().setDimValue(size).build()
        : TensorShapeProto.Dimension.newBuilder().setDimParam(symbol).build();
  }

  private static ValueInfoProto valueInfo(String name, int elementType, TensorShapeProto.Dimension... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (TensorShapeProto.Dimension d : dims) {
      shape.addDim(d);
    }
    TypeProto type = TypeProto.newBuilder()
        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(elementType).setShape(shape)).build();
    return ValueInfoProto.newBuilder().setName(name).setType(type).build();
  }
}
