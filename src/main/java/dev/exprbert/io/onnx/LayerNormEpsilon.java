package dev.exprbert.io.onnx;

import dev.exprbert.io.onnx.proto.OnnxProto.AttributeProto;
import dev.exprbert.io.onnx.proto.OnnxProto.NodeProto;
import dev.exprbert.io.onnx.proto.OnnxProto.TensorProto;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Reads {@code layer_norm_eps} off the graph: the {@code epsilon} attribute of LayerNormalization
 * nodes (opset 17+), or, for older exports that decompose LayerNorm into
 * {@code ReduceMean -> Sub -> Pow -> ReduceMean -> Add(eps) -> Sqrt -> Div}, the constant of the Add
 * that feeds each Sqrt. Every LayerNorm of a BERT shares one epsilon, so disagreeing values are an error.
 */
final class LayerNormEpsilon {
  /** ONNX's default for LayerNormalization when the attribute is absent. */
  private static final float ONNX_DEFAULT_EPSILON = 1e-5f;

  private LayerNormEpsilon() {}

  static double infer(OnnxGraph graph) {
    Map<Double, String> found = new TreeMap<>(); // epsilon -> first node that showed it
    for (NodeProto node : graph.nodes()) {
      epsilonOf(graph, node).ifPresent(eps -> found.putIfAbsent(eps, node.getName()));
    }
    if (found.isEmpty()) {
      throw new OnnxImportException("no LayerNorm found: expected LayerNormalization nodes or the decomposed pattern"
          + " ReduceMean -> Pow -> ReduceMean -> Add(epsilon constant) -> Sqrt, which every BERT encoder export has");
    }
    if (found.size() > 1) {
      throw new OnnxImportException("LayerNorm epsilons disagree: " + found
          + " (epsilon -> first node); a BERT encoder uses one layer_norm_eps everywhere");
    }
    return found.keySet().iterator().next();
  }

  private static Optional<Double> epsilonOf(OnnxGraph graph, NodeProto node) {
    if (node.getOpType().equals("LayerNormalization")) {
      float eps = ONNX_DEFAULT_EPSILON;
      for (AttributeProto a : node.getAttributeList()) {
        if (a.getName().equals("epsilon")) {
          eps = a.getF();
        }
      }
      return Optional.of(shortestDecimal(eps));
    }
    if (!node.getOpType().equals("Sqrt") || node.getInputCount() != 1) {
      return Optional.empty();
    }
    Optional<NodeProto> add = graph.producer(node.getInput(0)).filter(n -> n.getOpType().equals("Add") && n.getInputCount() == 2);
    if (add.isEmpty()) {
      return Optional.empty();
    }
    // The variance side of the Add comes from a ReduceMean; the other side is the epsilon constant.
    for (int side = 0; side < 2; side++) {
      String variance = add.get().getInput(side);
      String constant = add.get().getInput(1 - side);
      boolean fromReduceMean = graph.producer(variance).map(p -> p.getOpType().equals("ReduceMean")).orElse(false);
      Optional<TensorProto> c = graph.constantTensor(constant);
      if (fromReduceMean && c.isPresent()) {
        Optional<double[]> values = OnnxGraph.doubles(c.get());
        if (values.isPresent() && values.get().length == 1) {
          boolean isFloat = c.get().getDataType() == TensorProto.DataType.FLOAT_VALUE;
          double v = values.get()[0];
          return Optional.of(isFloat ? shortestDecimal((float) v) : v);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The float32 constant 1e-12 widens to 9.9999999600e-13; the shortest decimal that reads back as the
   * same float (1.0E-12) is the value the model was configured with, so config.json gets that.
   */
  static double shortestDecimal(float f) {
    return Double.parseDouble(Float.toString(f));
  }
}
