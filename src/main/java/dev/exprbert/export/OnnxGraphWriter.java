package dev.exprbert.export;

import com.google.protobuf.ByteString;
import dev.exprbert.io.onnx.proto.OnnxProto.AttributeProto;
import dev.exprbert.io.onnx.proto.OnnxProto.GraphProto;
import dev.exprbert.io.onnx.proto.OnnxProto.NodeProto;
import dev.exprbert.io.onnx.proto.OnnxProto.TensorProto;
import dev.exprbert.runtime.Tensors;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Appends nodes, constants and initializers to one ONNX graph under torch.onnx's names: a node is
 * {@code <module scope>/<OpType>} ({@code _1}, {@code _2}... when the scope repeats the op), its output
 * {@code <node name>_output_0}; small constants are {@code Constant} nodes, never initializers, so every
 * initializer is a weight; an {@code nn.Linear} weight is stored transposed ({@code [in, out]}) as
 * {@code onnx::MatMul_N} and multiplied from the right, as torch.onnx writes it and the importer reads it.
 */
final class OnnxGraphWriter {
  private final GraphProto.Builder graph = GraphProto.newBuilder();
  private final Map<String, Integer> uses = new HashMap<>();
  private int matMulWeights;
  private long weightBytes;

  GraphProto.Builder graph() {
    return graph;
  }

  /** Bytes of weight data added so far (the protobuf message must stay under 2 GiB). */
  long weightBytes() {
    return weightBytes;
  }

  /** Adds {@code scope/opType[_k]} and returns its single output. */
  String op(String scope, String opType, List<String> inputs, AttributeProto... attributes) {
    String name = nodeName(scope, opType);
    return add(name, opType, inputs, name + "_output_0", attributes);
  }

  /** Like {@link #op} with a chosen output name (a graph output such as {@code logits}). */
  String opTo(String output, String scope, String opType, List<String> inputs, AttributeProto... attributes) {
    return add(nodeName(scope, opType), opType, inputs, output, attributes);
  }

  /** A {@code Constant} node holding {@code value}; returns its output. */
  String constant(String scope, TensorProto value) {
    return op(scope, "Constant", List.of(), tensorAttribute("value", value));
  }

  String floatScalar(String scope, float value) {
    ByteBuffer raw = ByteBuffer.allocate(Float.BYTES).order(ByteOrder.LITTLE_ENDIAN).putFloat(value);
    return constant(scope, TensorProto.newBuilder().setDataType(TensorProto.DataType.FLOAT_VALUE)
        .setRawData(ByteString.copyFrom(raw.array())).build());
  }

  /** A 1-D int64 constant (shapes, axes, slice bounds). */
  String int64s(String scope, long... values) {
    return constant(scope, int64Tensor(null, new long[] {values.length}, values));
  }

  /** A 0-D int64 constant (a Gather index that drops the axis). */
  String int64Scalar(String scope, long value) {
    return constant(scope, int64Tensor(null, new long[0], new long[] {value}));
  }

  /** Adds {@code weight} as a float32 initializer named {@code name}, its shape unchanged. */
  String weight(String name, Tensor weight) {
    graph.addInitializer(floatTensor(name, weight));
    return name;
  }

  /** Adds the {@code [out, in]} Linear weight transposed to {@code [in, out]} as {@code onnx::MatMul_N}. */
  String matMulWeight(Tensor linearWeight) {
    try (Tensor transposed = linearWeight.t()) {
      return weight("onnx::MatMul_" + matMulWeights++, transposed);
    }
  }

  void int64Initializer(String name, long[] dims, long[] values) {
    graph.addInitializer(int64Tensor(name, dims, values));
  }

  static AttributeProto intAttribute(String name, long value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
  }

  static AttributeProto intsAttribute(String name, long... values) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
    for (long v : values) {
      a.addInts(v);
    }
    return a.build();
  }

  static AttributeProto floatAttribute(String name, float value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
  }

  private static AttributeProto tensorAttribute(String name, TensorProto value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR).setT(value).build();
  }

  private String nodeName(String scope, String opType) {
    String base = scope + "/" + opType;
    int n = uses.merge(base, 1, Integer::sum) - 1;
    return n == 0 ? base : base + "_" + n;
  }

  private String add(String name, String opType, List<String> inputs, String output, AttributeProto... attributes) {
    NodeProto.Builder node = NodeProto.newBuilder().setName(name).setOpType(opType).addAllInput(inputs).addOutput(output);
    for (AttributeProto a : attributes) {
      node.addAttribute(a);
    }
    graph.addNode(node);
    return output;
  }

  /** A float32 little-endian raw_data copy of {@code t} (any device, any float type, any strides). */
  private TensorProto floatTensor(String name, Tensor t) {
    TensorProto.Builder proto = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
    for (long d : Tensors.shape(t)) {
      proto.addDims(d);
    }
    try (Device host = new Device("cpu"); Tensor detached = t.detach(); Tensor cpu = Tensors.copyTo(detached, host, ScalarType.Float);
        Tensor contiguous = cpu.contiguous()) {
      long bytes = contiguous.numel() * Float.BYTES;
      weightBytes += bytes;
      try (BytePointer data = new BytePointer(contiguous.data_ptr())) {
        // native memory is little-endian on every platform LibTorch ships for, as ONNX raw_data requires
        proto.setRawData(ByteString.copyFrom(data.capacity(bytes).asByteBuffer()));
      }
    }
    return proto.build();
  }

  private static TensorProto int64Tensor(String name, long[] dims, long[] values) {
    ByteBuffer raw = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      raw.putLong(v);
    }
    TensorProto.Builder t = TensorProto.newBuilder().setDataType(TensorProto.DataType.INT64_VALUE)
        .setRawData(ByteString.copyFrom(raw.array()));
    if (name != null) {
      t.setName(name);
    }
    for (long d : dims) {
      t.addDims(d);
    }
    return t.build();
  }
}
