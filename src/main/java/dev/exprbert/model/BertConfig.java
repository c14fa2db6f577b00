package dev.exprbert.model;

import com.google.gson.JsonElement;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The hyper-parameters of a BERT encoder with a token-classification head, as in a Hugging Face
 * {@code config.json} ({@code transformers.BertConfig}). Immutable; build with {@link #builder()},
 * whose defaults are those of {@code BertConfig.__init__} and {@code PretrainedConfig} (two labels,
 * LABEL_0 and LABEL_1). Keys this class does not model (use_cache, torch_dtype,
 * transformers_version...) are kept verbatim and written back, as transformers does.
 *
 * <p>Labels: {@code labels().get(i)} is {@code id2label[i]}; ids are always 0..numLabels-1, because
 * they index the classifier's logits.
 */
public final class BertConfig {
  public static final String MODEL_TYPE = "bert";
  public static final String TOKEN_CLASSIFICATION_ARCHITECTURE = "BertForTokenClassification";
  /** What {@code BertModel.save_pretrained} writes: the bare encoder, no task head. */
  public static final String BASE_MODEL_ARCHITECTURE = "BertModel";

  private final int vocabSize;
  private final int hiddenSize;
  private final int numHiddenLayers;
  private final int numAttentionHeads;
  private final int intermediateSize;
  private final HiddenActivation hiddenAct;
  private final String hiddenActName;
  private final double hiddenDropoutProb;
  private final double attentionProbsDropoutProb;
  private final Double classifierDropout;
  private final int maxPositionEmbeddings;
  private final int typeVocabSize;
  private final double initializerRange;
  private final double layerNormEps;
  private final Integer padTokenId;
  private final String positionEmbeddingType;
  private final List<String> labels;
  private final Map<String, Integer> label2id;
  private final List<String> architectures;
  private final Map<String, JsonElement> extra;

  private BertConfig(Builder b) {
    vocabSize = b.vocabSize;
    hiddenSize = b.hiddenSize;
    numHiddenLayers = b.numHiddenLayers;
    numAttentionHeads = b.numAttentionHeads;
    intermediateSize = b.intermediateSize;
    hiddenAct = b.hiddenAct;
    hiddenActName = b.hiddenAct.hfName();
    hiddenDropoutProb = b.hiddenDropoutProb;
    attentionProbsDropoutProb = b.attentionProbsDropoutProb;
    classifierDropout = b.classifierDropout;
    maxPositionEmbeddings = b.maxPositionEmbeddings;
    typeVocabSize = b.typeVocabSize;
    initializerRange = b.initializerRange;
    layerNormEps = b.layerNormEps;
    padTokenId = b.padTokenId;
    positionEmbeddingType = b.positionEmbeddingType;
    labels = List.copyOf(b.labels);
    Map<String, Integer> inverse = new LinkedHashMap<>();
    for (int i = 0; i < labels.size(); i++) {
      inverse.put(labels.get(i), i);
    }
    label2id = Collections.unmodifiableMap(inverse);
    architectures = b.architectures == null ? null : List.copyOf(b.architectures);
    Map<String, JsonElement> copy = new LinkedHashMap<>();
    b.extra.forEach((k, v) -> copy.put(k, v.deepCopy()));
    extra = Collections.unmodifiableMap(copy);
  }

  /** A builder holding the transformers defaults (bert-base sizes, two labels). */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this configuration. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Reads a Hugging Face config.json.
   *
   * @throws BertConfigException when a field is missing, of the wrong type, or inconsistent (the
   *     message names the file and the field)
   * @throws IOException when the file cannot be read
   */
  public static BertConfig read(Path file) throws IOException {
    return BertConfigJson.read(file);
  }

  /** Writes a config.json that transformers loads as a BertForTokenClassification config, atomically. */
  public void write(Path file) throws IOException {
    BertConfigJson.write(this, file);
  }

  /** The config.json text {@link #write} produces. */
  public String toJson() {
    return BertConfigJson.toJson(this, false);
  }

  /**
   * Writes the config.json of a bare encoder, atomically: {@code architectures: ["BertModel"]} and
   * no label maps, as {@code BertModel.save_pretrained} writes it (the labels are the defaults it
   * omits). Loading it as a token classifier gives HF's default labels LABEL_0 and LABEL_1.
   */
  public void writeBaseModel(Path file) throws IOException {
    BertConfigJson.writeBaseModel(this, file);
  }

  /** The config.json text {@link #writeBaseModel} produces. */
  public String toBaseModelJson() {
    return BertConfigJson.toJson(this, true);
  }

  /** A copy with new labels (id i = labels[i]); every other field, unknown keys included, is kept. */
  public BertConfig withLabels(List<String> newLabels) {
    return toBuilder().labels(newLabels).build();
  }

  public int vocabSize() {
    return vocabSize;
  }

  public int hiddenSize() {
    return hiddenSize;
  }

  public int numHiddenLayers() {
    return numHiddenLayers;
  }

  public int numAttentionHeads() {
    return numAttentionHeads;
  }

  /** hiddenSize / numAttentionHeads (exact; validated). */
  public int headDim() {
    return hiddenSize / numAttentionHeads;
  }

  public int intermediateSize() {
    return intermediateSize;
  }

  public HiddenActivation hiddenAct() {
    return hiddenAct;
  }

  public double hiddenDropoutProb() {
    return hiddenDropoutProb;
  }

  public double attentionProbsDropoutProb() {
    return attentionProbsDropoutProb;
  }

  /** The raw classifier_dropout, null when config.json has null or no value. */
  public Double classifierDropout() {
    return classifierDropout;
  }

  /** The dropout the token-classification head uses: classifier_dropout, else hidden_dropout_prob (as HF). */
  public double effectiveClassifierDropout() {
    return classifierDropout != null ? classifierDropout : hiddenDropoutProb;
  }

  public int maxPositionEmbeddings() {
    return maxPositionEmbeddings;
  }

  public int typeVocabSize() {
    return typeVocabSize;
  }

  public double initializerRange() {
    return initializerRange;
  }

  public double layerNormEps() {
    return layerNormEps;
  }

  /** May be null (transformers allows pad_token_id: null). */
  public Integer padTokenId() {
    return padTokenId;
  }

  /** Always "absolute": the only type supported. */
  public String positionEmbeddingType() {
    return positionEmbeddingType;
  }

  public String modelType() {
    return MODEL_TYPE;
  }

  /** id2label as a list: labels().get(id). */
  public List<String> labels() {
    return labels;
  }

  public int numLabels() {
    return labels.size();
  }

  /** id2label with integer keys, in id order. */
  public Map<Integer, String> id2label() {
    Map<Integer, String> out = new LinkedHashMap<>();
    for (int i = 0; i < labels.size(); i++) {
      out.put(i, labels.get(i));
    }
    return Collections.unmodifiableMap(out);
  }

  public Map<String, Integer> label2id() {
    return label2id;
  }

  /** The architectures list read from config.json, or null when it had none. */
  public List<String> architectures() {
    return architectures;
  }

  /** Keys this class does not model, kept verbatim (deep copies). */
  public Map<String, JsonElement> extraFields() {
    Map<String, JsonElement> copy = new LinkedHashMap<>();
    extra.forEach((k, v) -> copy.put(k, v.deepCopy()));
    return copy;
  }

  String hiddenActName() {
    return hiddenActName;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BertConfig c && toJson().equals(c.toJson());
  }

  @Override
  public int hashCode() {
    return toJson().hashCode();
  }

  @Override
  public String toString() {
    return "BertConfig{layers=" + numHiddenLayers + ", hidden=" + hiddenSize + ", heads=" + numAttentionHeads
        + ", intermediate=" + intermediateSize + ", vocab=" + vocabSize + ", act=" + hiddenActName
        + ", labels=" + labels + "}";
  }

  /** Mutable builder; {@link #build()} validates everything and names the offending field. */
  public static final class Builder {
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
    private Integer padTokenId = 0;
    private String positionEmbeddingType = "absolute";
    // PretrainedConfig: num_labels=2 -> {0: "LABEL_0", 1: "LABEL_1"}
    private List<String> labels = defaultLabels(2);
    private List<String> architectures = null;
    private final Map<String, JsonElement> extra = new LinkedHashMap<>();

    private Builder() {}

    private Builder(BertConfig c) {
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
      labels = c.labels;
      architectures = c.architectures;
      extra.putAll(c.extra);
    }

    /** LABEL_0 .. LABEL_{n-1}, the labels transformers invents when only num_labels is given. */
    public static List<String> defaultLabels(int numLabels) {
      if (numLabels < 1) {
        throw new BertConfigException("num_labels: expected at least 1, found " + numLabels);
      }
      BertConfigLimits.cap("num_labels", numLabels, BertConfigLimits.MAX_LABELS); // before allocating the list
      List<String> out = new ArrayList<>(numLabels);
      for (int i = 0; i < numLabels; i++) {
        out.add("LABEL_" + i);
      }
      return out;
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

    /** Labels by id: labels[i] is id2label[i]. */
    public Builder labels(List<String> v) {
      labels = new ArrayList<>(Objects.requireNonNull(v, "labels"));
      return this;
    }

    public Builder architectures(List<String> v) {
      architectures = v == null ? null : new ArrayList<>(v);
      return this;
    }

    /** Keeps a config.json key this class does not model; it is written back verbatim. */
    public Builder extraField(String key, JsonElement value) {
      if (BertConfigJson.KNOWN_KEYS.contains(key)) {
        throw new BertConfigException("extra field '" + key + "' is a modelled BertConfig field; set it directly");
      }
      extra.put(key, value.deepCopy());
      return this;
    }

    /** Validates every field; throws {@link BertConfigException} naming the first bad one. */
    public BertConfig build() {
      positive("vocab_size", vocabSize);
      positive("hidden_size", hiddenSize);
      positive("num_hidden_layers", numHiddenLayers);
      positive("num_attention_heads", numAttentionHeads);
      positive("intermediate_size", intermediateSize);
      positive("max_position_embeddings", maxPositionEmbeddings);
      positive("type_vocab_size", typeVocabSize);
      BertConfigLimits.requireWithinCaps(vocabSize, hiddenSize, numHiddenLayers, intermediateSize, maxPositionEmbeddings,
          typeVocabSize, labels.size());
      if (hiddenSize % numAttentionHeads != 0) {
        throw new BertConfigException("hidden_size " + hiddenSize + " is not a multiple of num_attention_heads "
            + numAttentionHeads + "; expected hidden_size % num_attention_heads == 0 (each head gets hidden/heads dims)");
      }
      probability("hidden_dropout_prob", hiddenDropoutProb);
      probability("attention_probs_dropout_prob", attentionProbsDropoutProb);
      if (classifierDropout != null) {
        probability("classifier_dropout", classifierDropout);
      }
      if (!(initializerRange >= 0) || Double.isInfinite(initializerRange)) {
        throw new BertConfigException("initializer_range: expected a finite value >= 0, found " + initializerRange);
      }
      if (!(layerNormEps > 0) || Double.isInfinite(layerNormEps)) {
        throw new BertConfigException("layer_norm_eps: expected a finite value > 0, found " + layerNormEps);
      }
      if (padTokenId != null && (padTokenId < 0 || padTokenId >= vocabSize)) {
        throw new BertConfigException("pad_token_id: expected an id in [0, vocab_size=" + vocabSize + "), found "
            + padTokenId);
      }
      if (!"absolute".equals(positionEmbeddingType)) {
        throw new BertConfigException("position_embedding_type: only \"absolute\" is supported, found \""
            + positionEmbeddingType + "\" (relative_key / relative_key_query need relative-position attention,"
            + " which ExprBERT does not implement)");
      }
      if (labels.isEmpty()) {
        throw new BertConfigException("id2label: expected at least one label, found none");
      }
      Map<String, Integer> seen = new HashMap<>();
      for (int i = 0; i < labels.size(); i++) {
        String label = labels.get(i);
        if (label == null) {
          throw new BertConfigException("id2label: label " + i + " is null; expected a string");
        }
        Integer before = seen.put(label, i);
        if (before != null) {
          throw new BertConfigException("id2label: label \"" + label + "\" is used by ids " + before + " and " + i
              + "; expected each label once, so that label2id is the inverse of id2label");
        }
      }
      return new BertConfig(this);
    }

    private static void positive(String field, int value) {
      if (value <= 0) {
        throw new BertConfigException(field + ": expected a positive integer, found " + value);
      }
    }

    private static void probability(String field, double value) {
      if (!(value >= 0 && value <= 1)) {
        throw new BertConfigException(field + ": expected a probability in [0, 1], found " + value);
      }
    }
  }
}
