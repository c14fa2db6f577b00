package dev.exprbert.model.bert;

import com.google.gson.JsonElement;
import dev.exprbert.model.ConfigJson;
import dev.exprbert.model.EncoderConfig;
import dev.exprbert.model.HiddenActivation;
import dev.exprbert.model.ModelConfigException;
import dev.exprbert.model.ModelConfigLimits;
import dev.exprbert.model.ModelConfigs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The configuration of an encoder whose config.json has transformers' {@code BertConfig} keys, with a
 * token-classification head: BERT, RoBERTa, XLM-RoBERTa and ELECTRA ({@link BertKeyedFamily}; ELECTRA adds
 * {@code embedding_size}). Immutable and validated when constructed; build with {@link #builder()} (transformers'
 * {@code BertConfig.__init__} and {@code PretrainedConfig} defaults: bert-base sizes, two labels LABEL_0 and LABEL_1)
 * or {@link #builder(BertKeyedFamily)}. Keys it does not model (use_cache, torch_dtype, bos_token_id...) are kept
 * verbatim in {@code extra} and written back, as transformers does.
 *
 * @param family which of the BERT-keyed families (its model_type, modules and weight names)
 * @param classifierDropout the raw classifier_dropout, null when config.json has null or no value
 * @param positionEmbeddingType always "absolute": the only type supported
 * @param embeddingSize ELECTRA's embedding width (the embeddings live in it and {@code embeddings_project} maps it to
 *     hidden_size); null for the other families
 * @param labels id2label as a list: labels().get(i) is id2label[i]
 * @param architectures the architectures list read from config.json, or null when it had none
 * @param extra config.json keys this record does not model (read-only; {@link #extraFields()} gives copies)
 */
public record BertConfig(
    BertKeyedFamily family,
    int vocabSize,
    int hiddenSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int intermediateSize,
    HiddenActivation hiddenAct,
    double hiddenDropoutProb,
    double attentionProbsDropoutProb,
    Double classifierDropout,
    int maxPositionEmbeddings,
    int typeVocabSize,
    double initializerRange,
    double layerNormEps,
    Integer padTokenId,
    String positionEmbeddingType,
    Integer embeddingSize,
    List<String> labels,
    List<String> architectures,
    Map<String, JsonElement> extra) implements EncoderConfig {

  /** Validates every field; throws {@link ModelConfigException} naming the first bad one (by its config.json key). */
  public BertConfig {
    Objects.requireNonNull(family, "family");
    Objects.requireNonNull(hiddenAct, "hiddenAct");
    ConfigJson.checkSharedKeys(vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize,
        maxPositionEmbeddings, hiddenDropoutProb, attentionProbsDropoutProb, initializerRange, layerNormEps, padTokenId);
    ConfigJson.positive("type_vocab_size", typeVocabSize);
    ModelConfigLimits.cap("type_vocab_size", typeVocabSize, ModelConfigLimits.MAX_VOCAB);
    if (classifierDropout != null) {
      ConfigJson.probability("classifier_dropout", classifierDropout);
    }
    if (!"absolute".equals(positionEmbeddingType)) {
      throw new ModelConfigException("position_embedding_type: only \"absolute\" is supported, found \""
          + positionEmbeddingType + "\" (relative_key / relative_key_query need relative-position attention,"
          + " which ExprBERT does not implement)");
    }
    if (family.hasEmbeddingSize()) {
      if (embeddingSize == null) {
        throw new ModelConfigException("embedding_size: required for model_type \"" + family.modelType()
            + "\"; expected an integer (the width of " + family.displayName() + "'s embeddings)");
      }
      ConfigJson.positive("embedding_size", embeddingSize);
      ModelConfigLimits.cap("embedding_size", embeddingSize, ModelConfigLimits.MAX_HIDDEN_SIZE);
    } else if (embeddingSize != null) {
      throw new ModelConfigException("embedding_size: model_type \"" + family.modelType() + "\" has no embedding_size"
          + " (only ELECTRA's embeddings are narrower than hidden_size)");
    }
    int offset = family.positionOffset(padTokenId);
    if (maxPositionEmbeddings <= offset) {
      throw new ModelConfigException("max_position_embeddings " + maxPositionEmbeddings + " leaves no position for a"
          + " token: " + family.displayName() + "'s positions start at pad_token_id + 1 = " + offset);
    }
    labels = ConfigJson.validLabels(Objects.requireNonNull(labels, "labels"));
    architectures = architectures == null ? null : List.copyOf(architectures);
    Map<String, JsonElement> copy = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> e : (extra == null ? Map.<String, JsonElement>of() : extra).entrySet()) {
      if (BertConfigJson.knownKeys(family).contains(e.getKey())) {
        throw new ModelConfigException("extra field '" + e.getKey() + "' is a modelled BertConfig field; set it directly");
      }
      copy.put(e.getKey(), e.getValue().deepCopy());
    }
    extra = Collections.unmodifiableMap(copy);
  }

  /** A builder holding the transformers defaults for BERT (bert-base sizes, two labels). */
  public static Builder builder() {
    return new Builder(BertFamily.BERT);
  }

  /** A builder holding the transformers defaults, for one of the BERT-keyed families. */
  public static Builder builder(BertKeyedFamily family) {
    return new Builder(family);
  }

  /** A builder starting from this configuration. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Reads a config.json of a BERT-keyed family (bert, roberta, xlm-roberta, electra).
   *
   * @throws ModelConfigException when a field is missing, of the wrong type, inconsistent, or the file belongs to
   *     another family (the message names the file and the field)
   * @throws IOException when the file cannot be read
   */
  public static BertConfig read(Path file) throws IOException {
    EncoderConfig config = ModelConfigs.read(file);
    if (config instanceof BertConfig bert) {
      return bert;
    }
    throw new ModelConfigException(file + ": model_type \"" + config.modelType() + "\" does not use BERT's config keys;"
        + " read it with EncoderConfig.read");
  }

  @Override
  public String toJson() {
    return BertConfigJson.toJson(this, false);
  }

  @Override
  public String toBaseModelJson() {
    return BertConfigJson.toJson(this, true);
  }

  @Override
  public BertConfig withLabels(List<String> newLabels) {
    return toBuilder().labels(newLabels).build();
  }

  @Override
  public double effectiveClassifierDropout() {
    return classifierDropout != null ? classifierDropout : hiddenDropoutProb;
  }

  @Override
  public int maxSequenceLength() {
    return maxPositionEmbeddings - family.positionOffset(padTokenId);
  }

  /** The width of the embeddings: ELECTRA's embedding_size, else hidden_size. */
  public int embeddingWidth() {
    return embeddingSize != null ? embeddingSize : hiddenSize;
  }

  /** Two configs are equal when they write the same config.json (an absent architectures list reads as the written one). */
  @Override
  public boolean equals(Object o) {
    return o instanceof BertConfig c && toJson().equals(c.toJson());
  }

  @Override
  public int hashCode() {
    return toJson().hashCode();
  }

  /** Keys this record does not model, kept verbatim (deep copies). */
  public Map<String, JsonElement> extraFields() {
    return ConfigJson.deepCopies(extra);
  }

  @Override
  public String toString() {
    return "BertConfig{" + family.modelType() + ", layers=" + numHiddenLayers + ", hidden=" + hiddenSize + ", heads="
        + numAttentionHeads + ", intermediate=" + intermediateSize + ", vocab=" + vocabSize + ", act=" + hiddenAct.hfName()
        + ", labels=" + labels + "}";
  }

  /** Mutable builder; {@link #build()} validates everything and names the offending field. */
  public static final class Builder {
    private BertKeyedFamily family;
    // Defaults: transformers.BertConfig.__init__ (bert-base-uncased sizes).
    private int vocabSize = 30522;
    private int hiddenSize = 768;
    private int numHiddenLayers = 12;
    private int numAttentionHeads = 12;
    private int intermediateSize = 3072;
    private HiddenActivation hiddenAct = HiddenActivation.GELU;
    private double hiddenDropoutProb = 0.1;
    private double attentionProbsDropoutProb = 0.1;
    private Double classifierDropout = null;
    private int maxPositionEmbeddings = 512;
    private int typeVocabSize = 2;
    private double initializerRange = 0.02;
    private double layerNormEps = 1e-12;
    private Integer padTokenId;
    private String positionEmbeddingType = "absolute";
    private Integer embeddingSize;
    // PretrainedConfig: num_labels=2 -> {0: "LABEL_0", 1: "LABEL_1"}
    private List<String> labels = ConfigJson.defaultLabels(2);
    private List<String> architectures = null;
    private final Map<String, JsonElement> extra = new LinkedHashMap<>();

    private Builder(BertKeyedFamily family) {
      this.family = Objects.requireNonNull(family, "family");
      this.padTokenId = family.defaultPadTokenId();
      // ElectraConfig's default; a config.json must state it (BertConfigJson requires the key)
      this.embeddingSize = family.hasEmbeddingSize() ? 128 : null;
    }

    private Builder(BertConfig c) {
      family = c.family;
      vocabSize = c.vocabSize;
      hiddenSize = c.hiddenSize;
      numHiddenLayers = c.numHiddenLayers;
      numAttentionHeads = c.numAttentionHeads;
      intermediateSize = c.intermediateSize;
      hiddenAct = c.hiddenAct;
      hiddenDropoutProb = c.hiddenDropoutProb;
      attentionProbsDropoutProb = c.attentionProbsDropoutProb;
      classifierDropout = c.classifierDropout;
      maxPositionEmbeddings = c.maxPositionEmbeddings;
      typeVocabSize = c.typeVocabSize;
      initializerRange = c.initializerRange;
      layerNormEps = c.layerNormEps;
      padTokenId = c.padTokenId;
      positionEmbeddingType = c.positionEmbeddingType;
      embeddingSize = c.embeddingSize;
      labels = c.labels;
      architectures = c.architectures;
      extra.putAll(c.extra);
    }

    /** LABEL_0 .. LABEL_{n-1}, the labels transformers invents when only num_labels is given. */
    public static List<String> defaultLabels(int numLabels) {
      return ConfigJson.defaultLabels(numLabels);
    }

    public Builder vocabSize(int v) {
      vocabSize = v;
      return this;
    }

    public Builder hiddenSize(int v) {
      hiddenSize = v;
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

    public Builder intermediateSize(int v) {
      intermediateSize = v;
      return this;
    }

    public Builder hiddenAct(HiddenActivation v) {
      hiddenAct = Objects.requireNonNull(v, "hiddenAct");
      return this;
    }

    public Builder hiddenDropoutProb(double v) {
      hiddenDropoutProb = v;
      return this;
    }

    public Builder attentionProbsDropoutProb(double v) {
      attentionProbsDropoutProb = v;
      return this;
    }

    /** Null means "use hidden_dropout_prob", as in transformers. */
    public Builder classifierDropout(Double v) {
      classifierDropout = v;
      return this;
    }

    public Builder maxPositionEmbeddings(int v) {
      maxPositionEmbeddings = v;
      return this;
    }

    public Builder typeVocabSize(int v) {
      typeVocabSize = v;
      return this;
    }

    public Builder initializerRange(double v) {
      initializerRange = v;
      return this;
    }

    public Builder layerNormEps(double v) {
      layerNormEps = v;
      return this;
    }

    public Builder padTokenId(Integer v) {
      padTokenId = v;
      return this;
    }

    public Builder positionEmbeddingType(String v) {
      positionEmbeddingType = v;
      return this;
    }

    /** ELECTRA's embedding width; null for the other families. */
    public Builder embeddingSize(Integer v) {
      embeddingSize = v;
      return this;
    }

    /** Labels by id: labels[i] is id2label[i]. */
    public Builder labels(List<String> v) {
      labels = new ArrayList<>(Objects.requireNonNull(v, "labels"));
      return this;
    }

    public Builder architectures(List<String> v) {
      architectures = v == null ? null : new ArrayList<>(v);
      return this;
    }

    /** Keeps a config.json key this record does not model; it is written back verbatim. */
    public Builder extraField(String key, JsonElement value) {
      if (BertConfigJson.knownKeys(family).contains(key)) {
        throw new ModelConfigException("extra field '" + key + "' is a modelled BertConfig field; set it directly");
      }
      extra.put(key, value.deepCopy());
      return this;
    }

    /** Validates every field; throws {@link ModelConfigException} naming the first bad one. */
    public BertConfig build() {
      return new BertConfig(family, vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize, hiddenAct,
          hiddenDropoutProb, attentionProbsDropoutProb, classifierDropout, maxPositionEmbeddings, typeVocabSize,
          initializerRange, layerNormEps, padTokenId, positionEmbeddingType, embeddingSize, labels, architectures, extra);
    }
  }
}
