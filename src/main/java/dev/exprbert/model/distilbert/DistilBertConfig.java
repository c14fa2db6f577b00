package dev.exprbert.model.distilbert;

import com.google.gson.JsonElement;
import dev.exprbert.model.ConfigJson;
import dev.exprbert.model.EncoderConfig;
import dev.exprbert.model.HiddenActivation;
import dev.exprbert.model.ModelConfigException;
import dev.exprbert.model.ModelConfigLimits;
import dev.exprbert.model.ModelFamily;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * DistilBERT's configuration with its own config.json keys ({@code transformers.DistilBertConfig}): {@code dim},
 * {@code n_layers}, {@code n_heads}, {@code hidden_dim}, {@code activation}, {@code dropout},
 * {@code attention_dropout}... Immutable and validated when constructed; {@link #builder()} holds transformers'
 * defaults (distilbert-base sizes). Its LayerNorms have no eps key: DistilBERT hard-codes 1e-12
 * ({@link #LAYER_NORM_EPS}). Keys it does not model (qa_dropout, seq_classif_dropout, tie_weights_...) are kept
 * verbatim and written back.
 *
 * @param dim the hidden size
 * @param hiddenDim the feed-forward size
 * @param dropout hidden dropout, also the token classifier's
 * @param sinusoidalPosEmbds always false (fixed sinusoidal position tables are not supported)
 */
public record DistilBertConfig(
    int vocabSize,
    int maxPositionEmbeddings,
    boolean sinusoidalPosEmbds,
    int nLayers,
    int nHeads,
    int dim,
    int hiddenDim,
    double dropout,
    double attentionDropout,
    HiddenActivation activation,
    double initializerRange,
    Integer padTokenId,
    List<String> labels,
    List<String> architectures,
    Map<String, JsonElement> extra) implements EncoderConfig {

  /** DistilBERT's LayerNorm eps, hard-coded in modeling_distilbert.py (there is no config key). */
  public static final double LAYER_NORM_EPS = 1e-12;

  /** Validates every field; throws {@link ModelConfigException} naming the first bad one (by its config.json key). */
  public DistilBertConfig {
    Objects.requireNonNull(activation, "activation");
    ConfigJson.positive("vocab_size", vocabSize);
    ConfigJson.positive("max_position_embeddings", maxPositionEmbeddings);
    ConfigJson.positive("n_layers", nLayers);
    ConfigJson.positive("n_heads", nHeads);
    ConfigJson.positive("dim", dim);
    ConfigJson.positive("hidden_dim", hiddenDim);
    ModelConfigLimits.cap("vocab_size", vocabSize, ModelConfigLimits.MAX_VOCAB);
    ModelConfigLimits.cap("dim", dim, ModelConfigLimits.MAX_HIDDEN_SIZE);
    ModelConfigLimits.cap("n_layers", nLayers, ModelConfigLimits.MAX_LAYERS);
    ModelConfigLimits.cap("hidden_dim", hiddenDim, ModelConfigLimits.MAX_INTERMEDIATE_SIZE);
    ModelConfigLimits.cap("max_position_embeddings", maxPositionEmbeddings, ModelConfigLimits.MAX_POSITIONS);
    ConfigJson.headsDivide("dim", dim, "n_heads", nHeads);
    ConfigJson.probability("dropout", dropout);
    ConfigJson.probability("attention_dropout", attentionDropout);
    ConfigJson.initializerRange(initializerRange);
    ConfigJson.padTokenId(padTokenId, vocabSize);
    if (sinusoidalPosEmbds) {
      throw new ModelConfigException("sinusoidal_pos_embds: true is not supported (fixed sinusoidal position tables);"
          + " expected false, as distilbert-base and its fine-tuned checkpoints have");
    }
    labels = ConfigJson.validLabels(Objects.requireNonNull(labels, "labels"));
    architectures = architectures == null ? null : List.copyOf(architectures);
    Map<String, JsonElement> copy = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> e : (extra == null ? Map.<String, JsonElement>of() : extra).entrySet()) {
      if (DistilBertConfigJson.KNOWN_KEYS.contains(e.getKey())) {
        throw new ModelConfigException("extra field '" + e.getKey() + "' is a modelled DistilBertConfig field; set it"
            + " directly");
      }
      copy.put(e.getKey(), e.getValue().deepCopy());
    }
    extra = Collections.unmodifiableMap(copy);
  }

  /** A builder holding transformers' DistilBertConfig defaults (distilbert-base sizes, two labels). */
  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  @Override
  public ModelFamily family() {
    return DistilBertFamily.DISTILBERT;
  }

  @Override
  public int hiddenSize() {
    return dim;
  }

  @Override
  public int numHiddenLayers() {
    return nLayers;
  }

  @Override
  public int numAttentionHeads() {
    return nHeads;
  }

  @Override
  public int intermediateSize() {
    return hiddenDim;
  }

  @Override
  public HiddenActivation hiddenAct() {
    return activation;
  }

  @Override
  public double hiddenDropoutProb() {
    return dropout;
  }

  @Override
  public double attentionProbsDropoutProb() {
    return attentionDropout;
  }

  /** DistilBertForTokenClassification's dropout is {@code dropout} (not seq_classif_dropout). */
  @Override
  public double effectiveClassifierDropout() {
    return dropout;
  }

  @Override
  public DistilBertConfig withLabels(List<String> newLabels) {
    return toBuilder().labels(newLabels).build();
  }

  @Override
  public String toJson() {
    return DistilBertConfigJson.toJson(this, false);
  }

  @Override
  public String toBaseModelJson() {
    return DistilBertConfigJson.toJson(this, true);
  }

  /** Two configs are equal when they write the same config.json (an absent architectures list reads as the written one). */
  @Override
  public boolean equals(Object o) {
    return o instanceof DistilBertConfig c && toJson().equals(c.toJson());
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
    private int vocabSize = 30522;
    private int maxPositionEmbeddings = 512;
    private boolean sinusoidalPosEmbds = false;
    private int nLayers = 6;
    private int nHeads = 12;
    private int dim = 768;
    private int hiddenDim = 4 * 768;
    private double dropout = 0.1;
    private double attentionDropout = 0.1;
    private HiddenActivation activation = HiddenActivation.GELU;
    private double initializerRange = 0.02;
    private Integer padTokenId = 0;
    private List<String> labels = ConfigJson.defaultLabels(2);
    private List<String> architectures;
    private final Map<String, JsonElement> extra = new LinkedHashMap<>();

    private Builder() {}

    private Builder(DistilBertConfig c) {
      vocabSize = c.vocabSize;
      maxPositionEmbeddings = c.maxPositionEmbeddings;
      sinusoidalPosEmbds = c.sinusoidalPosEmbds;
      nLayers = c.nLayers;
      nHeads = c.nHeads;
      dim = c.dim;
      hiddenDim = c.hiddenDim;
      dropout = c.dropout;
      attentionDropout = c.attentionDropout;
      activation = c.activation;
      initializerRange = c.initializerRange;
      padTokenId = c.padTokenId;
      labels = c.labels;
      architectures = c.architectures;
      extra.putAll(c.extra);
    }

    public Builder vocabSize(int v) {
      vocabSize = v;
      return this;
    }

    public Builder maxPositionEmbeddings(int v) {
      maxPositionEmbeddings = v;
      return this;
    }

    public Builder sinusoidalPosEmbds(boolean v) {
      sinusoidalPosEmbds = v;
      return this;
    }

    public Builder nLayers(int v) {
      nLayers = v;
      return this;
    }

    public Builder nHeads(int v) {
      nHeads = v;
      return this;
    }

    public Builder dim(int v) {
      dim = v;
      return this;
    }

    public Builder hiddenDim(int v) {
      hiddenDim = v;
      return this;
    }

    public Builder dropout(double v) {
      dropout = v;
      return this;
    }

    public Builder attentionDropout(double v) {
      attentionDropout = v;
      return this;
    }

    public Builder activation(HiddenActivation v) {
      activation = v;
      return this;
    }

    public Builder initializerRange(double v) {
      initializerRange = v;
      return this;
    }

    public Builder padTokenId(Integer v) {
      padTokenId = v;
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

    public DistilBertConfig build() {
      return new DistilBertConfig(vocabSize, maxPositionEmbeddings, sinusoidalPosEmbds, nLayers, nHeads, dim, hiddenDim,
          dropout, attentionDropout, activation, initializerRange, padTokenId, labels, architectures, extra);
    }
  }
}
