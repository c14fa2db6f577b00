package dev.exprbert.model.modernbert;

import com.google.gson.JsonElement;
import dev.exprbert.model.ConfigJson;
import dev.exprbert.model.EncoderConfig;
import dev.exprbert.model.HiddenActivation;
import dev.exprbert.model.ModelConfigException;
import dev.exprbert.model.ModelFamily;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * ModernBERT's configuration with its own config.json keys ({@code transformers.ModernBertConfig}). Immutable and
 * validated when constructed; {@link #builder()} holds transformers' defaults (ModernBERT-base sizes).
 *
 * <p>Two spellings of the per-layer attention and RoPE exist, and each is written back as it was read:
 * <ul>
 *   <li>the Hub's ({@code answerdotai/ModernBERT-base}): {@code global_attn_every_n_layers} (layer i is global when
 *       {@code i % n == 0}), {@code global_rope_theta}, {@code local_rope_theta};
 *   <li>transformers 5's {@code save_pretrained()}: {@code layer_types} (one of {@code "full_attention"},
 *       {@code "sliding_attention"} per layer, which wins over global_attn_every_n_layers when both are there) and
 *       {@code rope_parameters} ({@code {"full_attention": {"rope_theta": ..., "rope_type": "default"},
 *       "sliding_attention": {...}}}).
 * </ul>
 * Keys it does not model (bos/eos/cls/sep ids, classifier_pooling, decoder_bias, sparse_prediction...) are kept
 * verbatim and written back.
 *
 * @param hiddenActivation the GeGLU MLP's activation ({@code hidden_activation})
 * @param initializerCutoffFactor truncation of the initial weights at +-factor * std
 * @param normBias whether the LayerNorms have a bias
 * @param attentionBias whether Wqkv and the attention's Wo have biases
 * @param attentionDropout on the attention probabilities and after the attention's Wo
 * @param declaredLayerTypes {@code layer_types} as config.json has it, or null (then derived from
 *     {@code globalAttnEveryNLayers}); {@link #layerTypes()} is the effective list
 * @param globalAttnEveryNLayers the Hub's pattern, or null when config.json has none
 * @param globalRopeTheta RoPE theta of the global ({@code full_attention}) layers
 * @param localRopeTheta RoPE theta of the local ({@code sliding_attention}) layers
 * @param ropeParameters whether the thetas are written as transformers 5's {@code rope_parameters} (else as the
 *     Hub's {@code global_rope_theta} / {@code local_rope_theta})
 * @param localAttention the local window, both sides and the token: a local layer's token sees
 *     {@code local_attention / 2} tokens on each side ({@link #slidingWindow()})
 * @param embeddingDropout after the embeddings' LayerNorm
 * @param mlpBias whether Wi and the MLP's Wo have biases
 * @param mlpDropout between the GeGLU and the MLP's Wo
 * @param classifierDropout before the classifier
 * @param classifierBias whether the head's dense layer has a bias (the classifier always has one)
 * @param classifierActivation the head's activation
 */
public record ModernBertConfig(
    int vocabSize,
    int hiddenSize,
    int intermediateSize,
    int numHiddenLayers,
    int numAttentionHeads,
    HiddenActivation hiddenActivation,
    int maxPositionEmbeddings,
    double initializerRange,
    double initializerCutoffFactor,
    double normEps,
    boolean normBias,
    Integer padTokenId,
    boolean attentionBias,
    double attentionDropout,
    List<ModernBertLayerType> declaredLayerTypes,
    Integer globalAttnEveryNLayers,
    double globalRopeTheta,
    double localRopeTheta,
    boolean ropeParameters,
    int localAttention,
    double embeddingDropout,
    boolean mlpBias,
    double mlpDropout,
    double classifierDropout,
    boolean classifierBias,
    HiddenActivation classifierActivation,
    List<String> labels,
    List<String> architectures,
    Map<String, JsonElement> extra) implements EncoderConfig {

  /** Validates every field; throws {@link ModelConfigException} naming the first bad one (by its config.json key). */
  public ModernBertConfig {
    Objects.requireNonNull(hiddenActivation, "hiddenActivation");
    Objects.requireNonNull(classifierActivation, "classifierActivation");
    ConfigJson.bertNamedSizes(vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize,
        maxPositionEmbeddings);
    ConfigJson.positive("local_attention", localAttention);
    if ((hiddenSize / numAttentionHeads) % 2 != 0) {
      throw new ModelConfigException("hidden_size " + hiddenSize + " / num_attention_heads " + numAttentionHeads + " = "
          + hiddenSize / numAttentionHeads + " is odd; expected an even head size (RoPE rotates pairs of halves)");
    }
    ConfigJson.probability("attention_dropout", attentionDropout);
    ConfigJson.probability("embedding_dropout", embeddingDropout);
    ConfigJson.probability("mlp_dropout", mlpDropout);
    ConfigJson.probability("classifier_dropout", classifierDropout);
    ConfigJson.initializerRange(initializerRange);
    positiveFinite("initializer_cutoff_factor", initializerCutoffFactor);
    positiveFinite("norm_eps", normEps);
    positiveFinite(ropeParameters ? "rope_parameters.full_attention.rope_theta" : "global_rope_theta", globalRopeTheta);
    positiveFinite(ropeParameters ? "rope_parameters.sliding_attention.rope_theta" : "local_rope_theta", localRopeTheta);
    ConfigJson.padTokenId(padTokenId, vocabSize);
    if (globalAttnEveryNLayers != null) {
      ConfigJson.positive("global_attn_every_n_layers", globalAttnEveryNLayers);
    }
    if (declaredLayerTypes != null) {
      declaredLayerTypes = List.copyOf(declaredLayerTypes);
      if (declaredLayerTypes.size() != numHiddenLayers) {
        throw new ModelConfigException("layer_types: has " + declaredLayerTypes.size() + " entries but"
            + " num_hidden_layers is " + numHiddenLayers + "; expected one per layer");
      }
    } else if (globalAttnEveryNLayers == null) {
      throw new ModelConfigException("layer_types: required field missing (or the Hub's global_attn_every_n_layers);"
          + " expected a list of " + ModernBertLayerType.supportedNames() + ", one per layer");
    }
    labels = ConfigJson.validLabels(Objects.requireNonNull(labels, "labels"));
    architectures = architectures == null ? null : List.copyOf(architectures);
    extra = ConfigJson.extraKeys(extra, ModernBertConfigJson.KNOWN_KEYS, "ModernBertConfig");
  }

  private static void positiveFinite(String field, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new ModelConfigException(field + ": expected a finite value > 0, found " + value);
    }
  }

  /** A builder holding transformers' ModernBertConfig defaults (ModernBERT-base sizes, the Hub's keys, two labels). */
  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Each layer's attention: {@code layer_types} when config.json has it, else the Hub's pattern. */
  public List<ModernBertLayerType> layerTypes() {
    if (declaredLayerTypes != null) {
      return declaredLayerTypes;
    }
    List<ModernBertLayerType> out = new ArrayList<>(numHiddenLayers);
    for (int i = 0; i < numHiddenLayers; i++) {
      out.add(ModernBertLayerType.ofLayer(i, globalAttnEveryNLayers));
    }
    return List.copyOf(out);
  }

  /** The keys a local layer's token sees on each side: {@code local_attention // 2}, as transformers' sliding_window. */
  public int slidingWindow() {
    return localAttention / 2;
  }

  /** The RoPE theta of the layers of {@code type}. */
  public double ropeTheta(ModernBertLayerType type) {
    return type == ModernBertLayerType.FULL_ATTENTION ? globalRopeTheta : localRopeTheta;
  }

  @Override
  public ModelFamily family() {
    return ModernBertFamily.MODERNBERT;
  }

  @Override
  public HiddenActivation hiddenAct() {
    return hiddenActivation;
  }

  /** ModernBERT has no hidden_dropout_prob; the dropout inside each layer's MLP plays its part. */
  @Override
  public double hiddenDropoutProb() {
    return mlpDropout;
  }

  @Override
  public double attentionProbsDropoutProb() {
    return attentionDropout;
  }

  @Override
  public double effectiveClassifierDropout() {
    return classifierDropout;
  }

  @Override
  public ModernBertConfig withLabels(List<String> newLabels) {
    return toBuilder().labels(newLabels).build();
  }

  @Override
  public String toJson() {
    return ModernBertConfigJson.toJson(this, false);
  }

  @Override
  public String toBaseModelJson() {
    return ModernBertConfigJson.toJson(this, true);
  }

  /** Two configs are equal when they write the same config.json. */
  @Override
  public boolean equals(Object o) {
    return o instanceof ModernBertConfig c && toJson().equals(c.toJson());
  }

  @Override
  public int hashCode() {
    return toJson().hashCode();
  }

  /** Keys this record does not model, kept verbatim (deep copies). */
  public Map<String, JsonElement> extraFields() {
    return ConfigJson.deepCopies(extra);
  }

  /** Mutable builder; {@link #build()} validates everything and names the offending field. */
  public static final class Builder {
    private int vocabSize = 50368;
    private int hiddenSize = 768;
    private int intermediateSize = 1152;
    private int numHiddenLayers = 22;
    private int numAttentionHeads = 12;
    private HiddenActivation hiddenActivation = HiddenActivation.GELU;
    private int maxPositionEmbeddings = 8192;
    private double initializerRange = 0.02;
    private double initializerCutoffFactor = 2.0;
    private double normEps = 1e-5;
    private boolean normBias = false;
    private Integer padTokenId = 50283;
    private boolean attentionBias = false;
    private double attentionDropout = 0.0;
    private List<ModernBertLayerType> declaredLayerTypes;
    private Integer globalAttnEveryNLayers = 3;
    private double globalRopeTheta = 160_000.0;
    private double localRopeTheta = 10_000.0;
    private boolean ropeParameters = false;
    private int localAttention = 128;
    private double embeddingDropout = 0.0;
    private boolean mlpBias = false;
    private double mlpDropout = 0.0;
    private double classifierDropout = 0.0;
    private boolean classifierBias = false;
    private HiddenActivation classifierActivation = HiddenActivation.GELU;
    private List<String> labels = ConfigJson.defaultLabels(2);
    private List<String> architectures;
    private final Map<String, JsonElement> extra = new LinkedHashMap<>();

    private Builder() {}

    private Builder(ModernBertConfig c) {
      vocabSize = c.vocabSize;
      hiddenSize = c.hiddenSize;
      intermediateSize = c.intermediateSize;
      numHiddenLayers = c.numHiddenLayers;
      numAttentionHeads = c.numAttentionHeads;
      hiddenActivation = c.hiddenActivation;
      maxPositionEmbeddings = c.maxPositionEmbeddings;
      initializerRange = c.initializerRange;
      initializerCutoffFactor = c.initializerCutoffFactor;
      normEps = c.normEps;
      normBias = c.normBias;
      padTokenId = c.padTokenId;
      attentionBias = c.attentionBias;
      attentionDropout = c.attentionDropout;
      declaredLayerTypes = c.declaredLayerTypes;
      globalAttnEveryNLayers = c.globalAttnEveryNLayers;
      globalRopeTheta = c.globalRopeTheta;
      localRopeTheta = c.localRopeTheta;
      ropeParameters = c.ropeParameters;
      localAttention = c.localAttention;
      embeddingDropout = c.embeddingDropout;
      mlpBias = c.mlpBias;
      mlpDropout = c.mlpDropout;
      classifierDropout = c.classifierDropout;
      classifierBias = c.classifierBias;
      classifierActivation = c.classifierActivation;
      labels = c.labels;
      architectures = c.architectures;
      extra.putAll(c.extra);
    }

    public Builder vocabSize(int v) {
      vocabSize = v;
      return this;
    }

    public Builder hiddenSize(int v) {
      hiddenSize = v;
      return this;
    }

    public Builder intermediateSize(int v) {
      intermediateSize = v;
      return this;
    }

    public Builder numHiddenLayers(int v) {
      numHiddenLayers = v;
      return this;
    }

    public Builder numAttentionHeads(int v) {
      numAttentionHeads = v;
      return this;
    }

    public Builder hiddenActivation(HiddenActivation v) {
      hiddenActivation = v;
      return this;
    }

    public Builder maxPositionEmbeddings(int v) {
      maxPositionEmbeddings = v;
      return this;
    }

    public Builder initializerRange(double v) {
      initializerRange = v;
      return this;
    }

    public Builder initializerCutoffFactor(double v) {
      initializerCutoffFactor = v;
      return this;
    }

    public Builder normEps(double v) {
      normEps = v;
      return this;
    }

    public Builder normBias(boolean v) {
      normBias = v;
      return this;
    }

    public Builder padTokenId(Integer v) {
      padTokenId = v;
      return this;
    }

    public Builder attentionBias(boolean v) {
      attentionBias = v;
      return this;
    }

    public Builder attentionDropout(double v) {
      attentionDropout = v;
      return this;
    }

    /** transformers 5's {@code layer_types} (written back as such); null derives them from the Hub's pattern. */
    public Builder layerTypes(List<ModernBertLayerType> v) {
      declaredLayerTypes = v == null ? null : new ArrayList<>(v);
      return this;
    }

    /** The Hub's {@code global_attn_every_n_layers}; null when config.json has none (then layer_types is needed). */
    public Builder globalAttnEveryNLayers(Integer v) {
      globalAttnEveryNLayers = v;
      return this;
    }

    public Builder globalRopeTheta(double v) {
      globalRopeTheta = v;
      return this;
    }

    public Builder localRopeTheta(double v) {
      localRopeTheta = v;
      return this;
    }

    /** Write the thetas as transformers 5's {@code rope_parameters} (true) or the Hub's two keys (false). */
    public Builder ropeParameters(boolean v) {
      ropeParameters = v;
      return this;
    }

    public Builder localAttention(int v) {
      localAttention = v;
      return this;
    }

    public Builder embeddingDropout(double v) {
      embeddingDropout = v;
      return this;
    }

    public Builder mlpBias(boolean v) {
      mlpBias = v;
      return this;
    }

    public Builder mlpDropout(double v) {
      mlpDropout = v;
      return this;
    }

    public Builder classifierDropout(double v) {
      classifierDropout = v;
      return this;
    }

    public Builder classifierBias(boolean v) {
      classifierBias = v;
      return this;
    }

    public Builder classifierActivation(HiddenActivation v) {
      classifierActivation = v;
      return this;
    }

    public Builder labels(List<String> v) {
      labels = new ArrayList<>(Objects.requireNonNull(v, "labels"));
      return this;
    }

    public Builder architectures(List<String> v) {
      architectures = v == null ? null : new ArrayList<>(v);
      return this;
    }

    public Builder extraField(String key, JsonElement value) {
      extra.put(key, value.deepCopy());
      return this;
    }

    public ModernBertConfig build() {
      return new ModernBertConfig(vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
          hiddenActivation, maxPositionEmbeddings, initializerRange, initializerCutoffFactor, normEps, normBias,
          padTokenId, attentionBias, attentionDropout, declaredLayerTypes, globalAttnEveryNLayers, globalRopeTheta,
          localRopeTheta, ropeParameters, localAttention, embeddingDropout, mlpBias, mlpDropout, classifierDropout,
          classifierBias, classifierActivation, labels, architectures, extra);
    }
  }
}
