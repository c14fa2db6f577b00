package dev.exprbert.io.onnx;

import dev.exprbert.io.onnx.proto.OnnxProto.AttributeProto;
import dev.exprbert.io.onnx.proto.OnnxProto.NodeProto;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the HF {@code hidden_act} off the ops inside each {@code /encoder/layer.N/intermediate/} scope:
 * exact GELU exports as {@code Erf} (or {@code Gelu} without approximation), the tanh approximation
 * ({@code gelu_new}) as {@code Tanh} (or {@code Gelu approximate="tanh"}), ReLU as {@code Relu}.
 */
final class HiddenActivation {
  private static final Pattern INTERMEDIATE = Pattern.compile("^/(?:bert/)?encoder/layer\\.(\\d+)/intermediate/.*");

  private HiddenActivation() {}

  static String infer(OnnxGraph graph, int numLayers) {
    Map<Integer, String> perLayer = new TreeMap<>();
    for (NodeProto node : graph.nodes()) {
      Matcher m = INTERMEDIATE.matcher(node.getName());
      if (!m.matches()) {
        continue;
      }
      Optional<String> act = activationOf(node);
      if (act.isEmpty()) {
        continue;
      }
      int layer = Integer.parseInt(m.group(1));
      String previous = perLayer.putIfAbsent(layer, act.get());
      if (previous != null && !previous.equals(act.get())) {
        throw new OnnxImportException("encoder layer " + layer + " mixes activations " + previous + " and " + act.get()
            + " in its intermediate block; expected one of gelu (Erf), gelu_new (Tanh), relu (Relu)");
      }
    }
    for (int layer = 0; layer < numLayers; layer++) {
      if (!perLayer.containsKey(layer)) {
        throw new OnnxImportException("no activation found in /encoder/layer." + layer + "/intermediate/: expected an Erf (gelu),"
            + " Tanh (gelu_new), Gelu or Relu node there; found activations for layers " + perLayer);
      }
    }
    if (perLayer.values().stream().distinct().count() > 1) {
      throw new OnnxImportException("encoder layers use different activations " + perLayer + "; a BERT config has one hidden_act");
    }
    return perLayer.get(0);
  }

  private static Optional<String> activationOf(NodeProto node) {
    switch (node.getOpType()) {
      case "Erf":
        return Optional.of("gelu");
      case "Tanh":
        return Optional.of("gelu_new");
      case "Relu":
        return Optional.of("relu");
      case "Gelu":
        for (AttributeProto a : node.getAttributeList()) {
          if (a.getName().equals("approximate") && a.getS().toStringUtf8().equals("tanh")) {
            return Optional.of("gelu_new");
          }
        }
        return Optional.of("gelu");
      default:
        return Optional.empty();
    }
  }
}
