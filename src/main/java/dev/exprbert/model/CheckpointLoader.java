package dev.exprbert.model;

import dev.exprbert.model.crf.CrfSettings;
import dev.exprbert.model.crf.LinearChainCrf;
import dev.exprbert.runtime.Placement;
import dev.exprbert.runtime.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a checkpoint's tensors into the {@link ModelWeights} of a token classifier of the config's family, with the
 * names Hugging Face's {@code from_pretrained} accepts: TF-era {@code gamma/beta} names fixed, a base-model checkpoint
 * ({@code BertModel}, {@code RobertaModel}...: no {@code bert.}/{@code roberta.} prefix) accepted.
 *
 * <p>[note: strict loading] A model that tags or evaluates must never run with weights that were not
 * in the checkpoint, so {@link #load} refuses a checkpoint that lacks any parameter, and one with a
 * tensor the model does not use, naming it. Only what {@code from_pretrained} drops for the family's token classifier
 * is let through ({@link ModelFamily#ignoredCheckpointKeys}: a pooler, the {@code position_ids}/{@code token_type_ids}
 * buffers) and its pre-training heads ({@link ModelFamily#unusedHeadKeys}: {@code cls.*}, {@code lm_head.*}...,
 * reported as unused like HF does). The one place where a missing tensor is normal is fine-tuning an encoder that has
 * no classification head yet: {@link #loadForFineTuning} initialises the head ({@code classifier.*}, and ModernBERT's
 * {@code head.*}: {@link ModelFamily#isHeadParameter}) as {@code _init_weights} does (and a CRF's {@code crf.*} as
 * pytorch-crf does, when config.json asks for one the checkpoint lacks) and logs Hugging Face's warning; every encoder
 * tensor is still required.
 *
 * <p>Before any tensor is copied, names, shapes and dtypes (floating point only) are checked, and the
 * model's estimated memory is compared with what the machine has ({@link ModelConfigLimits}).
 */
public final class CheckpointLoader {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointLoader.class);
  /** A key inside one numbered layer (BERT's {@code encoder.layer.N.}, DistilBERT's {@code transformer.layer.N.}). */
  private static final Pattern LAYER_KEY = Pattern.compile(".*\\.layers?\\.\\d+\\..*");
  private static final int LISTED = 5;

  private CheckpointLoader() {}

  /** Which tensors may be absent from the checkpoint. */
  private enum Mode {
    /** none: inference and evaluation */
    STRICT,
    /** classifier.* (a fresh head), when fine-tuning */
    FINE_TUNING,
    /** all: a new model initialised from its config */
    NEW_MODEL
  }

  /**
   * What loading found, in Hugging Face's terms: {@code missing} were newly initialised (a fresh head
   * when fine-tuning), {@code unexpected} were not used ({@code cls.*}), {@code ignored} were dropped
   * quietly, {@code reinitialized} had another label count.
   */
  public record Report(List<String> missing, List<String> unexpected, List<String> ignored, List<String> reinitialized) {
    public boolean isComplete() {
      return missing.isEmpty() && reinitialized.isEmpty();
    }
  }

  /** Loaded weights (owned by the caller) and the report. */
  public record Loaded(ModelWeights weights, Report report) {}

  /** Fresh Hugging Face initialisation of every parameter, as a new model to train gets. */
  public static ModelWeights initialize(EncoderConfig config, Placement placement, long seed) {
    return load(config, Map.of(), placement, seed, false, Mode.NEW_MODEL, "(new model)").weights();
  }

  /**
   * Strict loading, for inference and evaluation: every parameter must be in the checkpoint with the
   * config's shape, and every checkpoint tensor must be a parameter or one HF ignores.
   *
   * @param checkpoint tensors by checkpoint key (borrowed: copied, never modified)
   * @param reinitializeMismatchedHead when the checkpoint's classifier has another label count,
   *     initialise a new one instead of failing (Hugging Face's {@code ignore_mismatched_sizes})
   * @param source names the checkpoint in errors and logs (the weights file)
   * @throws IllegalArgumentException naming the first missing, unexpected or mis-shaped tensor
   */
  public static Loaded load(EncoderConfig config, Map<String, Tensor> checkpoint, Placement placement, long seed,
      boolean reinitializeMismatchedHead, String source) {
    return load(config, checkpoint, placement, seed, reinitializeMismatchedHead, Mode.STRICT, source);
  }

  /**
   * Loading for fine-tuning: as {@link #load}, except that a checkpoint without the head
   * ({@link ModelFamily#isHeadParameter}: a pretrained encoder, or a head the caller dropped to train new labels) gets
   * a freshly initialised one, logged with Hugging Face's warning.
   */
  public static Loaded loadForFineTuning(EncoderConfig config, Map<String, Tensor> checkpoint, Placement placement, long seed,
      String source) {
    return load(config, checkpoint, placement, seed, false, Mode.FINE_TUNING, source);
  }

  private static Loaded load(EncoderConfig config, Map<String, Tensor> checkpoint, Placement placement, long seed,
      boolean reinitializeMismatchedHead, Mode mode, String source) {
    ModelConfigLimits.Purpose purpose = placement.isCuda() ? ModelConfigLimits.Purpose.HOST_STAGING
        : mode == Mode.STRICT ? ModelConfigLimits.Purpose.INFERENCE : ModelConfigLimits.Purpose.TRAINING;
    ModelConfigLimits.requireFitsInMemory(config, purpose, source);
    List<ParameterSpec> specs = ParameterSpec.of(config);
    Map<String, Tensor> byName = normalizeNames(checkpoint, config.family(), specs, source);
    List<String> missing = new ArrayList<>();
    List<String> unexpected = new ArrayList<>();
    List<String> ignored = new ArrayList<>();
    if (mode != Mode.NEW_MODEL) {
      checkNames(config, specs, byName, mode == Mode.FINE_TUNING, source, missing, unexpected, ignored);
    }
    List<String> reinitialized = new ArrayList<>();
    LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
    try (Generator generator = torch.createCPUGenerator(seed); Device device = placement.torchDevice()) {
      for (ParameterSpec spec : specs) {
        Tensor found = byName.get(spec.name());
        Tensor cpu;
        if (found == null) {
          cpu = HfInit.create(spec, config, generator);
        } else if (!sameShape(found, spec.shape())) {
          if (reinitializeMismatchedHead && isHead(spec.name())) {
            reinitialized.add(spec.name() + ": checkpoint " + Tensors.shapeString(found) + ", model " + Arrays.toString(spec.shape()));
            cpu = HfInit.create(spec, config, generator);
          } else {
            closeAll(out);
            throw new IllegalArgumentException(source + ": tensor '" + spec.name() + "' has shape " + Tensors.shapeString(found)
                + " but the config needs " + Arrays.toString(spec.shape())
                + (isHead(spec.name())
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
    Report report = new Report(List.copyOf(missing), List.copyOf(unexpected), List.copyOf(ignored), List.copyOf(reinitialized));
    logReport(report, source, config.family().tokenClassificationClass());
    return new Loaded(new ModelWeights(out), report);
  }

  /**
   * Sorts the checkpoint's names into used, unused heads and ignored, and refuses missing parameters
   * (except a fresh head when allowed), unexpected tensors and non-floating weights, before anything
   * is allocated.
   */
  private static void checkNames(EncoderConfig config, List<ParameterSpec> specs, Map<String, Tensor> byName,
      boolean freshHeadAllowed, String source, List<String> missing, List<String> unexpected, List<String> ignored) {
    java.util.Set<String> expected = new java.util.HashSet<>();
    for (ParameterSpec spec : specs) {
      expected.add(spec.name());
      Tensor t = byName.get(spec.name());
      if (t == null) {
        missing.add(spec.name());
      } else if (!t.is_floating_point()) {
        throw new IllegalArgumentException(source + ": tensor '" + spec.name() + "' has dtype " + t.scalar_type()
            + "; expected a floating-point weight (float32, float16, bfloat16 or float64)");
      }
    }
    ModelFamily family = config.family();
    List<String> stray = new ArrayList<>();
    for (String key : byName.keySet()) {
      if (expected.contains(key)) {
        continue;
      }
      if (family.ignoredCheckpointKeys().matcher(key).matches()) {
        ignored.add(key);
      } else if (family.unusedHeadKeys().matcher(key).matches()) {
        unexpected.add(key);
      } else {
        stray.add(key);
      }
    }
    List<String> refused = new ArrayList<>(missing);
    if (freshHeadAllowed && missing.stream().allMatch(n -> config.family().isHeadParameter(n) || LinearChainCrf.owns(n))) {
      refused.clear(); // a pretrained encoder without a head (or without a CRF): the head is trained from scratch
    }
    if (byName.isEmpty()) {
      throw new IllegalArgumentException(source + " holds no tensors; expected the " + specs.size() + " tensors of a "
          + config.numHiddenLayers() + "-layer " + family.tokenClassificationClass() + " (e.g. '" + specs.get(0).name()
          + "')");
    }
    if (!refused.isEmpty()) {
      String first = refused.get(0);
      throw new IllegalArgumentException(source + " has no tensor '" + first + "' (expected by " + expectedBy(first, config)
          + ")" + more(refused, "missing") + (stray.isEmpty() ? "" : "; it has tensors the model does not use: " + listed(stray))
          + "; the weights and config.json do not belong together, or the file is damaged");
    }
    if (!stray.isEmpty()) {
      throw new IllegalArgumentException(source + " has tensor '" + stray.get(0) + "', which a "
          + family.tokenClassificationClass() + " with this config.json does not have" + more(stray, "unexpected") + "; the weights belong to another"
          + " architecture or size, or the file is damaged");
    }
  }

  /** The tensors that depend on the labels: the classifier and the CRF's transition scores. */
  private static boolean isHead(String key) {
    return key.startsWith("classifier.") || LinearChainCrf.owns(key);
  }

  private static String expectedBy(String key, EncoderConfig config) {
    if (LinearChainCrf.owns(key)) {
      return "config.json's \"" + CrfSettings.USE_CRF + "\": true";
    }
    if (key.startsWith("classifier.")) {
      return "config.json's " + config.numLabels() + " labels";
    }
    if (LAYER_KEY.matcher(key).matches()) {
      return "config.json's " + config.family().layersKey() + " " + config.numHiddenLayers();
    }
    return "every " + config.family().displayName() + " encoder";
  }

  private static String more(List<String> keys, String what) {
    return keys.size() == 1 ? "" : " and " + (keys.size() - 1) + " more " + what + " (" + listed(keys.subList(1, keys.size())) + ")";
  }

  private static String listed(List<String> keys) {
    List<String> shown = keys.subList(0, Math.min(LISTED, keys.size()));
    return String.join(", ", shown) + (keys.size() > LISTED ? ", ..." : "");
  }

  /**
   * Fixes TF-era LayerNorm names and adds the family's prefix ({@code bert.}, {@code roberta.}...) to a base-model
   * checkpoint, whose keys have none (the classifier and pre-training heads keep their names; a key gets the prefix
   * only when the prefixed name is one the model has or ignores).
   *
   * @throws IllegalArgumentException when two checkpoint keys name the same parameter
   */
  static Map<String, Tensor> normalizeNames(Map<String, Tensor> checkpoint, ModelFamily family,
      List<ParameterSpec> specs, String source) {
    String prefix = family.weightPrefix() + ".";
    boolean hasPrefix = checkpoint.keySet().stream().anyMatch(k -> k.startsWith(prefix));
    java.util.Set<String> names = new java.util.HashSet<>();
    specs.forEach(spec -> names.add(spec.name()));
    Map<String, Tensor> out = new LinkedHashMap<>();
    Map<String, String> originalOf = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : checkpoint.entrySet()) {
      String key = e.getKey();
      if (key.endsWith(".gamma")) {
        key = key.substring(0, key.length() - ".gamma".length()) + ".weight";
      } else if (key.endsWith(".beta")) {
        key = key.substring(0, key.length() - ".beta".length()) + ".bias";
      }
      if (!hasPrefix && !key.startsWith("classifier.") && !family.unusedHeadKeys().matcher(key).matches()
          && (names.contains(prefix + key) || family.ignoredCheckpointKeys().matcher(prefix + key).matches())) {
        key = prefix + key;
      }
      String before = originalOf.put(key, e.getKey());
      if (before != null) {
        throw new IllegalArgumentException(source + ": tensors '" + before + "' and '" + e.getKey() + "' both name the"
            + " parameter '" + key + "'; expected one");
      }
      out.put(key, e.getValue());
    }
    return out;
  }

  private static void logReport(Report report, String source, String className) {
    if (!report.missing().isEmpty()) {
      LOG.warn("Some weights of {} were not initialized from the model checkpoint at {} and are newly initialized: {}."
          + " You should probably TRAIN this model on a down-stream task to be able to use it for predictions and inference.",
          className, source, report.missing());
    }
    if (!report.reinitialized().isEmpty()) {
      LOG.warn("Some weights of {} were not initialized from the model checkpoint at {} and are newly initialized"
          + " because the shapes did not match: {}", className, source, report.reinitialized());
    }
    if (!report.unexpected().isEmpty()) {
      LOG.warn("Some weights of the model checkpoint at {} were not used when initializing {}: {}. This IS expected if"
          + " you are initializing {} from the checkpoint of a model trained on another task or with another architecture.",
          source, className, report.unexpected(), className);
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
