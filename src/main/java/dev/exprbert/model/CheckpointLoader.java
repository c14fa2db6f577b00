package dev.exprbert.model;

import dev.exprbert.runtime.Placement;
import dev.exprbert.runtime.Tensors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a checkpoint's tensors into the {@link ModelWeights} of a token classifier the way
 * Hugging Face's {@code from_pretrained} does: TF-era {@code gamma/beta} names fixed, a base
 * {@code BertModel} checkpoint (no {@code bert.} prefix) accepted, keys the model lacks reported as
 * unexpected (pooler and position_ids ignored quietly), keys the checkpoint lacks (a new
 * classifier) reported as missing and initialised like {@code _init_weights}.
 */
public final class CheckpointLoader {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointLoader.class);

  private CheckpointLoader() {}

  /** What loading found, in Hugging Face's terms. */
  public record Report(List<String> missing, List<String> unexpected, List<String> ignored, List<String> reinitialized) {
    public boolean isComplete() {
      return missing.isEmpty() && reinitialized.isEmpty();
    }
  }

  /** Loaded weights (owned by the caller) and the report. */
  public record Loaded(ModelWeights weights, Report report) {}

  /** Fresh Hugging Face initialisation of every parameter, as a new classifier would get. */
  public static ModelWeights initialize(BertConfig config, Placement placement, long seed) {
    return load(config, Map.of(), placement, seed, false, "(new model)").weights();
  }

  /**
   * @param checkpoint tensors by checkpoint key (borrowed: copied, never modified)
   * @param reinitializeMismatchedHead when the checkpoint's classifier has another label count,
   *     initialise a new one instead of failing (Hugging Face's {@code ignore_mismatched_sizes})
   * @param source names the checkpoint in errors and logs
   */
  public static Loaded load(BertConfig config, Map<String, Tensor> checkpoint, Placement placement, long seed,
      boolean reinitializeMismatchedHead, String source) {
    Map<String, Tensor> byName = normalizeNames(checkpoint);
    List<String> missing = new ArrayList<>();
    List<String> reinitialized = new ArrayList<>();
    LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
    try (Generator generator = torch.createCPUGenerator(seed); Device device = placement.torchDevice()) {
      for (ParameterSpec spec : ParameterSpec.of(config)) {
        Tensor found = byName.get(spec.name());
        Tensor cpu;
        if (found == null) {
          missing.add(spec.name());
          cpu = HfInit.create(spec, config, generator);
        } else if (!sameShape(found, spec.shape())) {
          if (reinitializeMismatchedHead && spec.name().startsWith("classifier.")) {
            reinitialized.add(spec.name() + ": checkpoint " + Tensors.shapeString(found) + ", model " + java.util.Arrays.toString(spec.shape()));
            cpu = HfInit.create(spec, config, generator);
          } else {
            closeAll(out);
            throw new IllegalArgumentException(source + ": tensor '" + spec.name() + "' has shape " + Tensors.shapeString(found)
                + " but the config needs " + java.util.Arrays.toString(spec.shape())
                + (spec.name().startsWith("classifier.")
                    ? " (the checkpoint was trained with another label set; ask to re-initialise the head to fine-tune it on new labels)"
                    : " (config.json and the weights disagree)"));
          }
        } else {
          cpu = Tensors.copyAs(found, torch.ScalarType.Float); // a copy: the checkpoint stays the caller's
        }
        try (cpu) {
          Tensor placed = Tensors.copyTo(cpu, device, placement.precision().scalarType());
          placed.requires_grad_(true);
          out.put(spec.name(), placed);
        }
      }
    }
    List<String> unexpected = new ArrayList<>();
    List<String> ignored = new ArrayList<>();
    for (String key : byName.keySet()) {
      if (out.containsKey(key)) {
        continue;
      }
      if (key.contains("pooler.") || key.endsWith("position_ids")) {
        ignored.add(key); // BertForTokenClassification has no pooler; position_ids is a buffer
      } else {
        unexpected.add(key);
      }
    }
    Report report = new Report(List.copyOf(missing), List.copyOf(unexpected), List.copyOf(ignored), List.copyOf(reinitialized));
    logReport(report, source);
    return new Loaded(new ModelWeights(out), report);
  }

  /** Fixes TF-era LayerNorm names and adds the {@code bert.} prefix to base-model checkpoints. */
  static Map<String, Tensor> normalizeNames(Map<String, Tensor> checkpoint) {
    boolean hasPrefix = checkpoint.keySet().stream().anyMatch(k -> k.startsWith(ParameterSpec.ENCODER_PREFIX + "."));
    boolean looksLikeBase = checkpoint.keySet().stream().anyMatch(k -> k.startsWith("embeddings.") || k.startsWith("encoder."));
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : checkpoint.entrySet()) {
      String key = e.getKey();
      if (key.endsWith(".gamma")) {
        key = key.substring(0, key.length() - ".gamma".length()) + ".weight";
      } else if (key.endsWith(".beta")) {
        key = key.substring(0, key.length() - ".beta".length()) + ".bias";
      }
      if (!hasPrefix && looksLikeBase && !key.startsWith("classifier.")) {
        key = ParameterSpec.ENCODER_PREFIX + "." + key;
      }
      out.put(key, e.getValue());
    }
    return out;
  }

  private static void logReport(Report report, String source) {
    if (!report.missing().isEmpty()) {
      LOG.warn("Some weights of BertForTokenClassification were not initialized from the model checkpoint at {} and are"
          + " newly initialized: {}. You should probably TRAIN this model on a down-stream task.", source, report.missing());
    }
    if (!report.reinitialized().isEmpty()) {
      LOG.warn("Some weights of BertForTokenClassification were not initialized from the model checkpoint at {} and are"
          + " newly initialized because the shapes did not match: {}", source, report.reinitialized());
    }
    if (!report.unexpected().isEmpty()) {
      LOG.warn("Some weights of the model checkpoint at {} were not used when initializing BertForTokenClassification: {}",
          source, report.unexpected());
    }
  }

  private static boolean sameShape(Tensor t, long[] shape) {
    if (t.dim() != shape.length) {
      return false;
    }
    for (int i = 0; i < shape.length; i++) {
      if (t.size(i) != shape[i]) {
        return false;
      }
    }
    return true;
  }


  private static void closeAll(Map<String, Tensor> tensors) {
    tensors.values().forEach(Tensor::close);
  }
}
