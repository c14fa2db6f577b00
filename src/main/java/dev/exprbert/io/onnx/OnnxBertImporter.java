package dev.exprbert.io.onnx;

import dev.exprbert.io.onnx.proto.OnnxProto.ModelProto;
import dev.exprbert.io.onnx.proto.OnnxProto.NodeProto;
import dev.exprbert.io.onnx.proto.OnnxProto.TensorProto;
import dev.exprbert.runtime.Natives;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.pytorch.Tensor;

/**
 * Imports the encoder of a BERT ONNX export (as torch.onnx writes it for {@code BertModel} and the
 * sentence-transformers models built on it) into Hugging Face weight names and an architecture.
 *
 * <p>Initializers already carry HF names except the Linear weights (see [note: MatMul weights] in
 * {@link BertLinearNames}), which are transposed back to {@code [out, in]}. Sizes come from the weight
 * shapes; {@code layer_norm_eps}, {@code hidden_act} and the head count come from the graph's ops
 * ({@link LayerNormEpsilon}, {@link HiddenActivation}, {@link AttentionHeadCount}).
 *
 * <p>Anything outside that shape is refused with an {@link OnnxImportException} naming the file:
 * a graph with no BERT embeddings, a weight MatMul whose node name is not a BERT Linear layer (a task
 * head, say), missing or extra weights, or shapes that disagree with the sizes.
 */
public final class OnnxBertImporter {
  private static final Pattern LAYER_INDEX = Pattern.compile("^encoder\\.layer\\.(\\d+)\\..*");
  /** Buffers, not parameters: HF does not save them (persistent=False), and they carry no learned state. */
  private static final Set<String> IGNORED_BUFFERS = Set.of("embeddings.position_ids", "embeddings.token_type_ids");
  /** Unused floating initializers up to this size are folded graph constants (scales, mask fill values). */
  private static final long MAX_CONSTANT_ELEMENTS = 16;

  private OnnxBertImporter() {}

  /** Imports {@code file}, reading the head count from the graph. */
  public static ImportedEncoder importEncoder(Path file) {
    return importEncoder(file, OptionalInt.empty());
  }

  /**
   * Imports {@code file}. {@code numHeads} is for graphs whose Reshapes do not show the head count;
   * when the graph does show it, a different {@code numHeads} is an error rather than a silent override.
   */
  public static ImportedEncoder importEncoder(Path file, OptionalInt numHeads) {
    ModelProto model = OnnxModelReader.read(file);
    try {
      return importGraph(new OnnxGraph(model.getGraph()), numHeads);
    } catch (OnnxImportException e) {
      throw new OnnxImportException("ONNX file " + file + " is not an importable BERT encoder: " + e.getMessage(), e);
    }
  }

  /** Where one HF weight comes from: an initializer, transposed when it fed a MatMul. */
  private record Source(TensorProto tensor, boolean transposed, String origin) {
    long[] hfShape() {
      long[] s = OnnxTensors.shape(tensor);
      return transposed && s.length == 2 ? new long[] {s[1], s[0]} : s;
    }
  }

  static ImportedEncoder importGraph(OnnxGraph graph, OptionalInt numHeadsOverride) {
    Set<String> consumed = new TreeSet<>();
    Map<String, Source> sources = collectSources(graph, consumed);

    Source words = sources.get("embeddings.word_embeddings.weight");
    if (words == null || words.hfShape().length != 2) {
      throw new OnnxImportException("expected a BERT encoder with a 2-D initializer embeddings.word_embeddings.weight (or"
          + " bert.embeddings.word_embeddings.weight); found " + (words == null ? "none" : "shape " + Arrays.toString(words.hfShape()))
          + ". Initializers: " + sample(graph.initializers().keySet()) + "; op types: " + opTypes(graph));
    }
    int vocabSize = dim(words, 0);
    int hiddenSize = dim(words, 1);
    int maxPositions = dim(required(sources, "embeddings.position_embeddings.weight"), 0);
    int typeVocabSize = dim(required(sources, "embeddings.token_type_embeddings.weight"), 0);
    int numLayers = layerCount(sources);
    Source intermediate = required(sources, "encoder.layer.0.intermediate.dense.weight");
    int intermediateSize = dim(intermediate, 0);
    boolean withPooler = sources.keySet().stream().anyMatch(n -> n.startsWith("pooler."));

    LinkedHashMap<String, long[]> layout = BertEncoderLayout.parameters(vocabSize, hiddenSize, numLayers, intermediateSize,
        maxPositions, typeVocabSize, withPooler);
    checkNamesMatch(layout, sources, numLayers);
    checkNoStrayWeights(graph, consumed);
    sources.entrySet().stream().filter(e -> IGNORED_BUFFERS.contains(e.getKey()))
        .forEach(e -> checkBuffer(e.getKey(), e.getValue().tensor(), maxPositions));

    double eps = LayerNormEpsilon.infer(graph);
    String hiddenAct = HiddenActivation.infer(graph, numLayers);
    int numHeads = headCount(graph, hiddenSize, numHeadsOverride);

    for (Map.Entry<String, long[]> e : layout.entrySet()) {
      Source s = sources.get(e.getKey());
      if (!Arrays.equals(s.hfShape(), e.getValue())) {
        throw new OnnxImportException(e.getKey() + " (from " + s.origin() + ") has shape " + Arrays.toString(s.hfShape())
            + "; expected " + Arrays.toString(e.getValue()) + " for vocab " + vocabSize + ", hidden " + hiddenSize + ", intermediate "
            + intermediateSize + ", max positions " + maxPositions + ", type vocab " + typeVocabSize);
      }
      if (!OnnxTensors.isFloating(s.tensor())) {
        throw new OnnxImportException(e.getKey() + " (from " + s.origin() + ") has ONNX data type " + s.tensor().getDataType()
            + "; expected a floating weight (quantized exports are not supported)");
      }
    }

    Natives.init();
    LinkedHashMap<String, Tensor> weights = new LinkedHashMap<>();
    try {
      for (String name : layout.keySet()) {
        Source s = sources.get(name);
        Tensor t = OnnxTensors.toFloatTensor(s.tensor());
        if (s.transposed()) {
          try (Tensor stored = t; Tensor view = stored.t()) {
            t = view.contiguous();
          }
        }
        weights.put(name, t);
      }
    } catch (RuntimeException e) {
      weights.values().forEach(Tensor::close);
      throw e;
    }
    return new ImportedEncoder(weights, vocabSize, hiddenSize, numLayers, numHeads, intermediateSize, maxPositions, typeVocabSize,
        eps, hiddenAct);
  }

  /** HF name -> source, from HF-named initializers and from the weight input of each Linear MatMul. */
  private static Map<String, Source> collectSources(OnnxGraph graph, Set<String> consumed) {
    Map<String, Source> sources = new LinkedHashMap<>();
    for (TensorProto t : graph.initializers().values()) {
      String hf = BertLinearNames.stripTaskPrefix(t.getName());
      if (hf.startsWith("embeddings.") || hf.startsWith("encoder.") || hf.startsWith("pooler.")) {
        putOnce(sources, hf, new Source(t, false, "initializer '" + t.getName() + "'"));
        consumed.add(t.getName());
      }
    }
    for (NodeProto node : graph.nodes()) {
      if (!node.getOpType().equals("MatMul") || node.getInputCount() != 2) {
        continue;
      }
      boolean leftIsWeight = graph.initializer(node.getInput(0)).isPresent();
      boolean rightIsWeight = graph.initializer(node.getInput(1)).isPresent();
      if (!leftIsWeight && !rightIsWeight) {
        continue; // activation x activation: the attention score and context products
      }
      if (leftIsWeight) {
        throw new OnnxImportException("MatMul '" + node.getName() + "' has the initializer '" + node.getInput(0)
            + "' on the left; expected activations x weight, as torch.onnx writes nn.Linear");
      }
      TensorProto w = graph.initializer(node.getInput(1)).get();
      String hf = BertLinearNames.weightName(node.getName()).orElseThrow(() -> new OnnxImportException("MatMul '" + node.getName()
          + "' multiplies by initializer '" + w.getName() + "' " + Arrays.toString(OnnxTensors.shape(w))
          + " but its node name does not map to a BERT Linear layer; expected " + BertLinearNames.EXPECTED_FORMS));
      Source transposed = new Source(w, true, "initializer '" + w.getName() + "' of MatMul '" + node.getName() + "', transposed");
      Source named = sources.get(hf);
      if (named != null && named.tensor() == w) {
        sources.put(hf, transposed); // an HF-named [in, out] initializer fed straight into a MatMul
      } else {
        putOnce(sources, hf, transposed);
      }
      consumed.add(w.getName());
    }
    return sources;
  }

  private static void putOnce(Map<String, Source> sources, String hfName, Source s) {
    Source previous = sources.putIfAbsent(hfName, s);
    if (previous != null) {
      throw new OnnxImportException("two tensors claim the weight " + hfName + ": " + previous.origin() + " and " + s.origin()
          + "; expected exactly one");
    }
  }

  private static Source required(Map<String, Source> sources, String name) {
    Source s = sources.get(name);
    if (s == null) {
      throw new OnnxImportException("missing weight " + name + "; expected it in every BERT encoder export (found weights: "
          + sample(sources.keySet()) + ")");
    }
    if (s.hfShape().length != 2) {
      throw new OnnxImportException(name + " (from " + s.origin() + ") has shape " + Arrays.toString(s.hfShape()) + "; expected 2-D");
    }
    return s;
  }

  /** A size read from a weight's shape: positive, and small enough for the config (an int). */
  private static int dim(Source s, int axis) {
    long d = s.hfShape()[axis];
    if (d <= 0 || d > Integer.MAX_VALUE) {
      throw new OnnxImportException(s.origin() + " has shape " + Arrays.toString(s.hfShape()) + "; expected sizes from 1 to "
          + Integer.MAX_VALUE);
    }
    return (int) d;
  }

  private static int layerCount(Map<String, Source> sources) {
    int max = -1;
    for (String name : sources.keySet()) {
      Matcher m = LAYER_INDEX.matcher(name);
      if (m.matches()) {
        max = Math.max(max, Integer.parseInt(m.group(1)));
      }
    }
    if (max < 0) {
      throw new OnnxImportException("no encoder layer weights (encoder.layer.N.*) found; expected at least one layer");
    }
    return max + 1;
  }

  private static void checkNamesMatch(Map<String, long[]> layout, Map<String, Source> sources, int numLayers) {
    List<String> missing = new ArrayList<>();
    for (String name : layout.keySet()) {
      if (!sources.containsKey(name)) {
        missing.add(name);
      }
    }
    if (!missing.isEmpty()) {
      throw new OnnxImportException("missing " + missing.size() + " weight(s) of a " + numLayers + "-layer BERT encoder: "
          + sample(missing));
    }
    List<String> unexpected = new ArrayList<>();
    for (String name : sources.keySet()) {
      if (!layout.containsKey(name) && !IGNORED_BUFFERS.contains(name)) {
        unexpected.add(name);
      }
    }
    if (!unexpected.isEmpty()) {
      throw new OnnxImportException("unexpected weight(s) " + sample(unexpected) + "; a BertModel has only "
          + "embeddings.*, encoder.layer.N.{attention,intermediate,output}.* and pooler.dense.*");
    }
  }

  /** A large floating initializer that no BERT weight accounts for would be silently dropped: refuse it. */
  private static void checkNoStrayWeights(OnnxGraph graph, Set<String> consumed) {
    for (TensorProto t : graph.initializers().values()) {
      if (!consumed.contains(t.getName()) && OnnxTensors.isFloating(t)
          && OnnxTensors.checkedNumel(t) > MAX_CONSTANT_ELEMENTS) {
        throw new OnnxImportException(OnnxTensors.describe(t) + " is a weight that no BERT encoder layer uses (it does not feed a"
            + " Linear MatMul named like " + BertLinearNames.EXPECTED_FORMS + " and has no HF name)");
      }
    }
  }

  /** position_ids must be 0..max_positions-1, or positions would differ from what the imported model computes. */
  private static void checkBuffer(String name, TensorProto t, int maxPositions) {
    if (!name.equals("embeddings.position_ids")) {
      return;
    }
    long[] ids = OnnxGraph.longs(t).orElseThrow(() -> new OnnxImportException(name + " has ONNX data type " + t.getDataType()
        + "; expected INT64 or INT32 position ids"));
    if (ids.length != maxPositions) {
      throw new OnnxImportException(name + " holds " + ids.length + " positions; expected 0.." + (maxPositions - 1));
    }
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] != i) {
        throw new OnnxImportException(name + " is not 0.." + (maxPositions - 1) + " (length " + ids.length + ", value " + ids[i]
            + " at index " + i + "); expected the standard absolute positions");
      }
    }
  }

  private static int headCount(OnnxGraph graph, int hiddenSize, OptionalInt override) {
    OptionalInt inferred = AttentionHeadCount.infer(graph, hiddenSize);
    if (override.isPresent()) {
      int heads = override.getAsInt();
      if (heads <= 0 || hiddenSize % heads != 0) {
        throw new OnnxImportException("numHeads " + heads + " does not divide hidden size " + hiddenSize + "; expected a positive divisor");
      }
      if (inferred.isPresent() && inferred.getAsInt() != heads) {
        throw new OnnxImportException("numHeads " + heads + " was given but the graph's attention Reshapes split "
            + inferred.getAsInt() + " heads; drop the override or fix it");
      }
      return heads;
    }
    if (inferred.isEmpty()) {
      throw new OnnxImportException("the head count cannot be read from the graph (expected a Reshape to [batch, seq, heads,"
          + " head_size] under /encoder/layer.N/attention/self/ with constant heads or head_size); pass numHeads explicitly");
    }
    return inferred.getAsInt();
  }

  private static String sample(java.util.Collection<String> names) {
    List<String> list = new ArrayList<>(names);
    int shown = Math.min(list.size(), 8);
    return list.subList(0, shown) + (list.size() > shown ? " and " + (list.size() - shown) + " more" : "");
  }

  private static String opTypes(OnnxGraph graph) {
    Set<String> ops = new TreeSet<>();
    graph.nodes().forEach(n -> ops.add(n.getOpType()));
    return ops.toString();
  }
}
