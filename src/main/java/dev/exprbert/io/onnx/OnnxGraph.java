package dev.exprbert.io.onnx;

import dev.exprbert.io.onnx.proto.OnnxProto.AttributeProto;
import dev.exprbert.io.onnx.proto.OnnxProto.GraphProto;
import dev.exprbert.io.onnx.proto.OnnxProto.NodeProto;
import dev.exprbert.io.onnx.proto.OnnxProto.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Look-ups over one ONNX graph: initializers by name, the node that produces each value, and the
 * numeric value of small constants (from an initializer or a {@code Constant} node), read in Java
 * because the architecture inference only needs a handful of scalars and shape vectors.
 */
final class OnnxGraph {
  private final GraphProto graph;
  private final Map<String, TensorProto> initializers = new LinkedHashMap<>();
  private final Map<String, NodeProto> producers = new HashMap<>();

  OnnxGraph(GraphProto graph) {
    this.graph = graph;
    for (TensorProto t : graph.getInitializerList()) {
      initializers.put(t.getName(), t);
    }
    for (NodeProto node : graph.getNodeList()) {
      for (String output : node.getOutputList()) {
        producers.put(output, node);
      }
    }
  }

  List<NodeProto> nodes() {
    return graph.getNodeList();
  }

  /** Initializers in file order. */
  Map<String, TensorProto> initializers() {
    return Collections.unmodifiableMap(initializers);
  }

  Optional<TensorProto> initializer(String name) {
    return Optional.ofNullable(initializers.get(name));
  }

  Optional<NodeProto> producer(String valueName) {
    return Optional.ofNullable(producers.get(valueName));
  }

  /** The constant tensor behind a value: an initializer or the output of a Constant node. */
  Optional<TensorProto> constantTensor(String valueName) {
    TensorProto init = initializers.get(valueName);
    if (init != null) {
      return Optional.of(init);
    }
    NodeProto node = producers.get(valueName);
    if (node == null || !node.getOpType().equals("Constant")) {
      return Optional.empty();
    }
    for (AttributeProto a : node.getAttributeList()) {
      switch (a.getName()) {
        case "value":
          return Optional.of(a.getT());
        case "value_float":
          return Optional.of(TensorProto.newBuilder().setDataType(TensorProto.DataType.FLOAT_VALUE).addFloatData(a.getF()).build());
        case "value_floats":
          return Optional.of(TensorProto.newBuilder().setDataType(TensorProto.DataType.FLOAT_VALUE)
              .addDims(a.getFloatsCount()).addAllFloatData(a.getFloatsList()).build());
        case "value_int":
          return Optional.of(TensorProto.newBuilder().setDataType(TensorProto.DataType.INT64_VALUE).addInt64Data(a.getI()).build());
        case "value_ints":
          return Optional.of(TensorProto.newBuilder().setDataType(TensorProto.DataType.INT64_VALUE)
              .addDims(a.getIntsCount()).addAllInt64Data(a.getIntsList()).build());
        default:
          break;
      }
    }
    return Optional.empty();
  }

  /** Integer constant values (INT64 or INT32), or empty when the value is not a small integer constant. */
  Optional<long[]> constantLongs(String valueName) {
    return constantTensor(valueName).flatMap(OnnxGraph::longs);
  }

  /** Floating constant values (FLOAT or DOUBLE), or empty when the value is not a floating constant. */
  Optional<double[]> constantDoubles(String valueName) {
    return constantTensor(valueName).flatMap(OnnxGraph::doubles);
  }

  /**
   * Integer values of a constant; for raw_data, its length must be the dims' element count times the
   * element size (a mismatch means a damaged file).
   */
  static Optional<long[]> longs(TensorProto t) {
    int type = t.getDataType();
    if (!t.getRawData().isEmpty() && (type == TensorProto.DataType.INT64_VALUE || type == TensorProto.DataType.INT32_VALUE)) {
      checkRawLength(t, type == TensorProto.DataType.INT64_VALUE ? Long.BYTES : Integer.BYTES);
    }
    ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    if (type == TensorProto.DataType.INT64_VALUE) {
      if (t.getInt64DataCount() > 0) {
        return Optional.of(t.getInt64DataList().stream().mapToLong(Long::longValue).toArray());
      }
      long[] out = new long[raw.remaining() / Long.BYTES];
      raw.asLongBuffer().get(out);
      return Optional.of(out);
    }
    if (type == TensorProto.DataType.INT32_VALUE) {
      if (t.getInt32DataCount() > 0) {
        return Optional.of(t.getInt32DataList().stream().mapToLong(Integer::longValue).toArray());
      }
      long[] out = new long[raw.remaining() / Integer.BYTES];
      for (int i = 0; i < out.length; i++) {
        out[i] = raw.getInt();
      }
      return Optional.of(out);
    }
    return Optional.empty();
  }

  private static void checkRawLength(TensorProto t, int elementBytes) {
    long numel = OnnxTensors.checkedNumel(t);
    if (numel > Integer.MAX_VALUE / elementBytes || (long) t.getRawData().size() != numel * elementBytes) {
      throw new OnnxImportException(OnnxTensors.describe(t) + " holds " + t.getRawData().size() + " bytes of raw_data;"
          + " expected " + numel + " elements of " + elementBytes + " bytes");
    }
  }

  static Optional<double[]> doubles(TensorProto t) {
    int type = t.getDataType();
    if (!t.getRawData().isEmpty() && (type == TensorProto.DataType.FLOAT_VALUE || type == TensorProto.DataType.DOUBLE_VALUE)) {
      checkRawLength(t, type == TensorProto.DataType.DOUBLE_VALUE ? Double.BYTES : Float.BYTES);
    }
    ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    if (type == TensorProto.DataType.FLOAT_VALUE) {
      if (t.getFloatDataCount() > 0) {
        return Optional.of(t.getFloatDataList().stream().mapToDouble(Float::doubleValue).toArray());
      }
      double[] out = new double[raw.remaining() / Float.BYTES];
      for (int i = 0; i < out.length; i++) {
        out[i] = raw.getFloat();
      }
      return Optional.of(out);
    }
    if (type == TensorProto.DataType.DOUBLE_VALUE) {
      if (t.getDoubleDataCount() > 0) {
        return Optional.of(t.getDoubleDataList().stream().mapToDouble(Double::doubleValue).toArray());
      }
      double[] out = new double[raw.remaining() / Double.BYTES];
      raw.asDoubleBuffer().get(out);
      return Optional.of(out);
    }
    return Optional.empty();
  }
}
