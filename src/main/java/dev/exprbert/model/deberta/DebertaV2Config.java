package dev.exprbert.model.deberta;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.exprbert.model.ConfigJson;
import dev.exprbert.model.EncoderConfig;
import dev.exprbert.model.HiddenActivation;
import dev.exprbert.model.ModelConfigException;
import dev.exprbert.model.ModelConfigLimits;
import dev.exprbert.model.ModelFamily;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * DeBERTa-v2/v3's configuration with its own config.json keys ({@code transformers.DebertaV2Config}), as DeBERTa-v3
 * checkpoints (microsoft/deberta-v3-base and its fine-tuned descendants) use them: relative attention with
 * log-bucketed positions ({@code position_buckets}, {@code max_relative_positions}), disentangled c2p/p2c scores
 * through the content projections ({@code share_att_key true}), a LayerNorm on the relative embeddings
 * ({@code norm_rel_ebd "layer_norm"}), no absolute positions ({@code position_biased_input false}) and no token types
 * ({@code type_vocab_size 0}). Immutable and validated when constructed; {@link #builder()} holds deberta-v3-base's
 * config.json keys.
 *
 * <p>What is not supported is refused naming the key, never approximated: transformers' defaults for a missing
 * {@code relative_attention}, {@code position_buckets}, {@code pos_att_type}, {@code share_att_key},
 * {@code norm_rel_ebd} or {@code position_biased_input} describe another model (absolute positions, separate position
 * projections), so those keys are required; DeBERTa-v2's convolution layer ({@code conv_kernel_size}), an
 * {@code embedding_size} other than {@code hidden_size} and an {@code attention_head_size} other than
 * hidden_size / heads are refused. Keys it does not model (pooler_*, legacy, bos/eos ids...) are kept verbatim.
 *
 * @param maxRelativePositions as written ({@code -1}: max_position_embeddings; {@link #relativeSpan()} resolves it)
 * @param positionBuckets the log buckets on each side; {@code rel_embeddings} has 2 x position_buckets rows
 * @param posAttType the relative terms, a non-empty subset of {@code c2p} (content to position) and {@code p2c}
 * @param normRelEbd as written; it must name {@code layer_norm}
 */
public record DebertaV2Config(
    int vocabSize,
    int hiddenSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int intermediateSize,
    HiddenActivation hiddenAct,
    double hiddenDropoutProb,
    double attentionProbsDropoutProb,
    int maxPositionEmbeddings,
    int typeVocabSize,
    double initializerRange,
    double layerNormEps,
    boolean relativeAttention,
    int maxRelativePositions,
    int positionBuckets,
    List<String> posAttType,
    boolean shareAttKey,
    String normRelEbd,
    boolean positionBiasedInput,
    Integer padTokenId,
    List<String> labels,
    List<String> architectures,
    Map<String, JsonElement> extra) implements EncoderConfig {

  /** content-to-position: query content against key-relative position embeddings. */
  public static final String C2P = "c2p";
  /** position-to-content: key content against query-relative position embeddings. */
  public static final String P2C = "p2c";

  /** microsoft/deberta-v3-base's config.json (its pos_att_type "p2c|c2p" as the list transformers 5 writes). */
  private static final String DEBERTA_V3_BASE = """
      {"model_type": "deberta-v2", "vocab_size": 128100, "hidden_size": 768, "num_hidden_layers": 12,
       "num_attention_heads": 12, "intermediate_size": 3072, "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
       "attention_probs_dropout_prob": 0.1, "max_position_embeddings": 512, "type_vocab_size": 0,
       "initializer_range": 0.02, "layer_norm_eps": 1e-7, "relative_attention": true, "max_relative_positions": -1,
       "position_buckets": 256, "pos_att_type": ["p2c", "c2p"], "share_att_key": true, "norm_rel_ebd": "layer_norm",
       "position_biased_input": false, "pad_token_id": 0}
      """;

  /** Validates every field; throws {@link ModelConfigException} naming the first bad one (by its config.json key). */
  public DebertaV2Config {
    Objects.requireNonNull(hiddenAct, "hiddenAct");
    ConfigJson.checkSharedKeys(vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize,
        maxPositionEmbeddings, hiddenDropoutProb, attentionProbsDropoutProb, initializerRange, layerNormEps, padTokenId);
    ModelConfigLimits.cap("max_relative_positions", maxRelativePositions, ModelConfigLimits.MAX_POSITIONS);
    ModelConfigLimits.cap("position_buckets", positionBuckets, ModelConfigLimits.MAX_POSITIONS);
    if (typeVocabSize != 0) {
      throw new ModelConfigException("type_vocab_size: only 0 is supported (DeBERTa-v3 has no token-type embeddings),"
          + " found " + typeVocabSize);
    }
    if (!relativeAttention) {
      throw new ModelConfigException("relative_attention: only true is supported (DeBERTa-v2/v3's disentangled"
          + " relative-position attention), found false");
    }
    if (!shareAttKey) {
      throw new ModelConfigException("share_att_key: only true is supported (the relative embeddings go through the"
          + " content query_proj and key_proj, as DeBERTa-v3 does), found false");
    }
    if (positionBiasedInput) {
      throw new ModelConfigException("position_biased_input: only false is supported (no absolute position"
          + " embeddings, as DeBERTa-v3), found true");
    }
    if (positionBuckets < 2) {
      throw new ModelConfigException("position_buckets: expected an integer >= 2 (the log-bucketed relative positions"
          + " of DeBERTa-v3, which has 256), found " + positionBuckets);
    }
    int span = maxRelativePositions < 1 ? maxPositionEmbeddings : maxRelativePositions;
    if (span - 1 <= positionBuckets / 2) {
      throw new ModelConfigException("max_relative_positions: the relative span " + span + " (max_relative_positions, or"
          + " max_position_embeddings when it is < 1) must exceed position_buckets / 2 + 1 = "
          + (positionBuckets / 2 + 1) + " for log buckets");
    }
    posAttType = validPosAttType(Objects.requireNonNull(posAttType, "posAttType"));
    Objects.requireNonNull(normRelEbd, "normRelEbd");
    for (String part : normRelEbd.toLowerCase(java.util.Locale.ROOT).split("\\|")) {
      if (!part.strip().equals("layer_norm")) {
        throw new ModelConfigException("norm_rel_ebd: only \"layer_norm\" is supported (the relative embeddings"
            + " normalised as DeBERTa-v3 does), found \"" + normRelEbd + "\"");
      }
    }
    labels = ConfigJson.validLabels(Objects.requireNonNull(labels, "labels"));
    architectures = architectures == null ? null : List.copyOf(architectures);
    extra = ConfigJson.verbatimExtras(extra, DebertaV2ConfigJson.KNOWN_KEYS, "DebertaV2Config");
    refuseUnsupportedExtras(extra, hiddenSize, numAttentionHeads);
  }

  private static List<String> validPosAttType(List<String> types) {
    if (types.isEmpty()) {
      throw new ModelConfigException("pos_att_type: expected \"c2p\", \"p2c\" or both, found none");
    }
    for (String type : types) {
      if (!C2P.equals(type) && !P2C.equals(type)) {
        throw new ModelConfigException("pos_att_type: \"" + type + "\" is not supported; expected \"c2p\", \"p2c\" or"
            + " both (as DeBERTa-v3's \"p2c|c2p\")");
      }
    }
    if (types.stream().distinct().count() != types.size()) {
      throw new ModelConfigException("pos_att_type: " + types + " names a type twice; expected each of c2p, p2c once");
    }
    return List.copyOf(types);
  }

  /** Keys transformers reads with getattr whose non-default values describe a model these modules do not build. */
  private static void refuseUnsupportedExtras(Map<String, JsonElement> extra, int hiddenSize, int heads) {
    JsonElement conv = extra.get("conv_kernel_size");
    if (conv != null && !conv.isJsonNull() && ConfigJson.integerValue("conv_kernel_size", conv) > 0) {
      throw new ModelConfigException("conv_kernel_size: " + conv + " is not supported (DeBERTa-v2's convolution layer"
          + " after the first layer); expected 0 or no key, as DeBERTa-v3 checkpoints have");
    }
    JsonElement embeddingSize = extra.get("embedding_size");
    if (embeddingSize != null && !embeddingSize.isJsonNull()
        && ConfigJson.integerValue("embedding_size", embeddingSize) != hiddenSize) {
      throw new ModelConfigException("embedding_size: " + embeddingSize + " is not supported (an embed_proj from"
          + " embeddings narrower than hidden_size); expected hidden_size " + hiddenSize + " or no key");
    }
    JsonElement headSize = extra.get("attention_head_size");
    if (headSize != null && !headSize.isJsonNull()
        && ConfigJson.integerValue("attention_head_size", headSize) != hiddenSize / heads) {
      throw new ModelConfigException("attention_head_size: " + headSize + " is not supported; expected hidden_size /"
          + " num_attention_heads = " + hiddenSize / heads + " or no key");
    }
  }

  /**
   * A builder over config.json keys, holding microsoft/deberta-v3-base's (two labels); {@link Builder#build()} reads
   * them as a config.json is read, so defaults and checks are the file's.
   */
  public static Builder builder() {
    return new Builder(JsonParser.parseString(DEBERTA_V3_BASE).getAsJsonObject());
  }

  /** A builder holding this configuration's config.json keys. */
  public Builder toBuilder() {
    return new Builder(JsonParser.parseString(toJson()).getAsJsonObject());
  }

  @Override
  public ModelFamily family() {
    return DebertaV2Family.DEBERTA_V2;
  }

  /** The relative distance the log buckets span: max_relative_positions, or max_position_embeddings when it is < 1. */
  public int relativeSpan() {
    return maxRelativePositions < 1 ? maxPositionEmbeddings : maxRelativePositions;
  }

  /** Whether {@code type} ({@link #C2P} or {@link #P2C}) is one of the relative terms. */
  public boolean hasPosAttType(String type) {
    return posAttType.contains(type);
  }

  /** DebertaV2ForTokenClassification's dropout is {@code hidden_dropout_prob}. */
  @Override
  public double effectiveClassifierDropout() {
    return hiddenDropoutProb;
  }

  @Override
  public DebertaV2Config withLabels(List<String> newLabels) {
    return toBuilder().labels(newLabels).build();
  }

  @Override
  public String toJson() {
    return DebertaV2ConfigJson.toJson(this, false);
  }

  @Override
  public String toBaseModelJson() {
    return DebertaV2ConfigJson.toJson(this, true);
  }

  /** Two configs are equal when they write the same config.json (an absent architectures list reads as the written one). */
  @Override
  public boolean equals(Object o) {
    return o instanceof DebertaV2Config c && toJson().equals(c.toJson());
  }

  @Override
  public int hashCode() {
    return toJson().hashCode();
  }

  @Override
  public String toString() {
    return "DebertaV2Config{layers=" + numHiddenLayers + ", hidden=" + hiddenSize + ", heads=" + numAttentionHeads
        + ", intermediate=" + intermediateSize + ", vocab=" + vocabSize + ", position_buckets=" + positionBuckets
        + ", pos_att_type=" + posAttType + ", labels=" + labels + "}";
  }

  /** Mutable: config.json keys; {@link #build()} validates everything and names the offending key. */
  public static final class Builder {
    private static final Gson GSON = new Gson();
    private final JsonObject json;

    private Builder(JsonObject json) {
      this.json = json;
    }

    /** Sets config.json's {@code key} to {@code value} (a number, boolean, string, list or JSON element). */
    public Builder set(String key, Object value) {
      json.add(key, value instanceof JsonElement e ? e.deepCopy() : GSON.toJsonTree(value));
      return this;
    }

    /** Labels by id: labels[i] is id2label[i]. */
    public Builder labels(List<String> labels) {
      JsonObject id2label = new JsonObject();
      for (int i = 0; i < labels.size(); i++) {
        id2label.addProperty(Integer.toString(i), labels.get(i));
      }
      json.add("id2label", id2label);
      json.remove("label2id");
      json.remove("num_labels");
      return this;
    }

    /** Validates every key; throws {@link ModelConfigException} naming the first bad one. */
    public DebertaV2Config build() {
      return DebertaV2ConfigJson.fromJson(json.deepCopy(), "DebertaV2Config.builder()");
    }
  }
}
