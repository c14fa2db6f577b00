package dev.exprbert.io.onnx;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.exprbert.io.onnx.proto.OnnxProto.GraphProto;
import dev.exprbert.io.onnx.proto.OnnxProto.ModelProto;
import dev.exprbert.io.onnx.proto.OnnxProto.NodeProto;
import dev.exprbert.io.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.exprbert.io.onnx.proto.OnnxProto.TensorProto;
import dev.exprbert.runtime.Natives;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.bytedeco.pytorch.Tensor;

/**
 * Imports a BERT ONNX export with or without a token-classification head. The head is what torch.onnx writes for
 * {@code BertForTokenClassification.classifier} (and {@code exprbert export-onnx} too): a MatMul named
 * {@code /classifier/MatMul} by a {@code [hidden, num_labels]} initializer, then {@code /classifier/Add} with the
 * {@code [num_labels]} bias. It is taken off the graph, and the rest goes through {@link OnnxBertImporter} unchanged,
 * so an encoder-only export imports exactly as before. Labels come from the {@code id2label} metadata entry
 * (config.json's JSON object) when the file has one, else Hugging Face's defaults LABEL_0, LABEL_1...
 */
public final class OnnxTokenClassifierImporter {
  static final String HEAD_MATMUL = "/classifier/MatMul";
  static final String HEAD_ADD = "/classifier/Add";
  static final String ID2LABEL = "id2label";

  private OnnxTokenClassifierImporter() {}

  /**
   * The encoder and, when the graph has one, the head.
   *
   * @param classifierWeight {@code [num_labels, hidden]} as {@code nn.Linear} keeps it, or null without a head
   * @param classifierBias {@code [num_labels]}, or null without a head
   * @param labels id order; empty without a head
   */
  public record Imported(ImportedEncoder encoder, Tensor classifierWeight, Tensor classifierBias, List<String> labels)
      implements AutoCloseable {
    public boolean hasHead() {
      return classifierWeight != null;
    }

    /** A token classifier's checkpoint: the encoder under {@code bert.}, then {@code classifier.weight/bias}. */
    public LinkedHashMap<String, Tensor> tokenClassifierWeights() {
      if (!hasHead()) {
        throw new IllegalStateException("the ONNX graph has no /classifier head");
      }
      LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
      encoder.weights().forEach((name, t) -> out.put("bert." + name, t));
      out.put("classifier.weight", classifierWeight);
      out.put("classifier.bias", classifierBias);
      return out;
    }

    @Override
    public void close() {
      encoder.close();
      if (classifierWeight != null) {
        classifierWeight.close();
        classifierBias.close();
      }
    }
  }

  public static Imported importModel(Path file, OptionalInt numHeads) {
    ModelProto model = OnnxModelReader.read(file);
    try {
      return importModel(model, numHeads);
    } catch (OnnxImportException e) {
      throw new OnnxImportException("ONNX file " + file + " is not an importable BERT model: " + e.getMessage(), e);
    }
  }

  private static Imported importModel(ModelProto model, OptionalInt numHeads) {
    GraphProto graph = model.getGraph();
    OnnxGraph full = new OnnxGraph(graph);
    Optional<NodeProto> matMul = node(graph, HEAD_MATMUL).filter(n -> n.getOpType().equals("MatMul"));
    if (matMul.isEmpty()) {
      return new Imported(OnnxBertImporter.importGraph(full, numHeads), null, null, List.of());
    }
    NodeProto add = node(graph, HEAD_ADD).orElseThrow(() -> new OnnxImportException(HEAD_MATMUL + " has no " + HEAD_ADD
        + " after it; expected the classifier's bias Add"));
    TensorProto weight = matMul.get().getInputCount() == 2 ? full.initializer(matMul.get().getInput(1)).orElse(null) : null;
    if (weight == null) {
      throw new OnnxImportException(HEAD_MATMUL + " does not multiply by an initializer; expected activations x [hidden, num_labels]");
    }
    String product = matMul.get().getOutput(0);
    if (add.getInputCount() != 2 || !add.getInputList().contains(product)) {
      throw new OnnxImportException(HEAD_ADD + " does not add to the output of " + HEAD_MATMUL + "; expected Add(bias, product)");
    }
    String biasName = add.getInput(0).equals(product) ? add.getInput(1) : add.getInput(0);
    TensorProto bias = full.initializer(biasName).orElseThrow(() -> new OnnxImportException(HEAD_ADD + " adds '" + biasName
        + "', which is not an initializer; expected the classifier bias"));
    long[] w = OnnxTensors.shape(weight);
    long[] b = OnnxTensors.shape(bias);
    if (w.length != 2 || b.length != 1 || b[0] != w[1] || !OnnxTensors.isFloating(weight) || !OnnxTensors.isFloating(bias)) {
      throw new OnnxImportException("classifier " + OnnxTensors.describe(weight) + " and " + OnnxTensors.describe(bias)
          + " do not form a head; expected floating [hidden, num_labels] and [num_labels]");
    }
    Set<String> headNodes = Set.of(HEAD_MATMUL, HEAD_ADD);
    Set<String> headWeights = Set.of(weight.getName(), bias.getName());
    GraphProto.Builder encoderOnly = graph.toBuilder().clearNode().clearInitializer();
    graph.getNodeList().stream().filter(n -> !headNodes.contains(n.getName())).forEach(encoderOnly::addNode);
    graph.getInitializerList().stream().filter(t -> !headWeights.contains(t.getName())).forEach(encoderOnly::addInitializer);
    List<String> labels = labels(model, Math.toIntExact(w[1]));
    ImportedEncoder encoder = OnnxBertImporter.importGraph(new OnnxGraph(encoderOnly.build()), numHeads);
    try {
      if (encoder.hiddenSize() != w[0]) {
        throw new OnnxImportException("classifier " + OnnxTensors.describe(weight) + " takes " + w[0] + " inputs but the encoder's"
            + " hidden size is " + encoder.hiddenSize());
      }
      Natives.init();
      Tensor transposed;
      try (Tensor stored = OnnxTensors.toFloatTensor(weight); Tensor view = stored.t()) {
        transposed = view.contiguous(); // ONNX keeps [in, out]; nn.Linear keeps [out, in]
      }
      return new Imported(encoder, transposed, OnnxTensors.toFloatTensor(bias), labels);
    } catch (RuntimeException e) {
      encoder.close();
      throw e;
    }
  }

  /** Labels in id order from the id2label metadata, or LABEL_0.. when the file has none. */
  static List<String> labels(ModelProto model, int count) {
    Optional<String> json = model.getMetadataPropsList().stream().filter(e -> e.getKey().equals(ID2LABEL))
        .map(StringStringEntryProto::getValue).findFirst();
    List<String> labels = new ArrayList<>();
    if (json.isEmpty()) {
      for (int i = 0; i < count; i++) {
        labels.add("LABEL_" + i);
      }
      return labels;
    }
    Map<Integer, String> byId = new LinkedHashMap<>();
    try {
      JsonObject map = JsonParser.parseString(json.get()).getAsJsonObject();
      for (Map.Entry<String, JsonElement> e : map.entrySet()) {
        byId.put(Integer.parseInt(e.getKey()), e.getValue().getAsString());
      }
    } catch (JsonParseException | IllegalStateException | UnsupportedOperationException | NumberFormatException e) {
      throw new OnnxImportException("metadata " + ID2LABEL + " is not a JSON object of \"id\": \"label\" entries: " + json.get(), e);
    }
    for (int i = 0; i < count; i++) {
      String label = byId.get(i);
      if (label == null || byId.size() != count) {
        throw new OnnxImportException("metadata " + ID2LABEL + " has ids " + byId.keySet() + "; the classifier has " + count
            + " outputs, so expected ids 0.." + (count - 1));
      }
      labels.add(label);
    }
    return labels;
  }

  private static Optional<NodeProto> node(GraphProto graph, String name) {
    List<NodeProto> found = graph.getNodeList().stream().filter(n -> n.getName().equals(name)).toList();
    if (found.size() > 1) {
      throw new OnnxImportException(found.size() + " nodes are named " + name + "; expected one");
    }
    return found.stream().findFirst();
  }
}
