package dev.exprbert.model.modernbert;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.exprbert.model.ConfigJson;
import dev.exprbert.model.ModelConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * config.json <-> {@link ModernBertConfig}, with ModernBERT's own keys in either spelling (the Hub's
 * {@code global_attn_every_n_layers} / {@code global_rope_theta} / {@code local_rope_theta}, or transformers 5's
 * {@code layer_types} / {@code rope_parameters}); see {@link ConfigJson} for the format.
 *
 * <p>Required, because no default could be checked against a checkpoint or would silently change the attention: the
 * sizes, {@code local_attention}, the layer pattern ({@code layer_types} or {@code global_attn_every_n_layers}) and
 * the two RoPE thetas ({@code rope_parameters} or {@code global_rope_theta} and {@code local_rope_theta}). Every
 * other key takes transformers' default. Refused in one line naming the key: a RoPE type other than
 * {@code "default"}, a {@code rope_scaling}, and a {@code sliding_window} key (transformers derives it from
 * local_attention; a stored one would override it).
 */
final class ModernBertConfigJson {
  static final List<String> REQUIRED_SIZES =
      List.of("vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads");

  private static final String LAYER_TYPES = "layer_types";
  private static final String EVERY_N = "global_attn_every_n_layers";
  private static final String ROPE_PARAMETERS = "rope_parameters";
  private static final String GLOBAL_THETA = "global_rope_theta";
  private static final String LOCAL_THETA = "local_rope_theta";

  static final Set<String> KNOWN_KEYS = Set.of("vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers",
      "num_attention_heads", "hidden_activation", "max_position_embeddings", "initializer_range",
      "initializer_cutoff_factor", "norm_eps", "norm_bias", "pad_token_id", "attention_bias", "attention_dropout",
      LAYER_TYPES, EVERY_N, ROPE_PARAMETERS, GLOBAL_THETA, LOCAL_THETA, "local_attention", "embedding_dropout",
      "mlp_bias", "mlp_dropout", "classifier_dropout", "classifier_bias", "classifier_activation");

  private ModernBertConfigJson() {}

  static ModernBertConfig fromJson(JsonObject json, String source) {
    for (String key : REQUIRED_SIZES) {
      ConfigJson.requiredInteger(json, key);
    }
    refuseUnsupported(json);
    ModernBertConfig d = ModernBertConfig.builder().build();
    ModernBertConfig.Builder b = ModernBertConfig.builder()
        .vocabSize(ConfigJson.integer(json, "vocab_size"))
        .hiddenSize(ConfigJson.integer(json, "hidden_size"))
        .intermediateSize(ConfigJson.integer(json, "intermediate_size"))
        .numHiddenLayers(ConfigJson.integer(json, "num_hidden_layers"))
        .numAttentionHeads(ConfigJson.integer(json, "num_attention_heads"))
        .hiddenActivation(ConfigJson.activation(json, "hidden_activation", d.hiddenActivation()))
        .maxPositionEmbeddings(ConfigJson.integer(json, "max_position_embeddings", d.maxPositionEmbeddings()))
        .initializerRange(ConfigJson.number(json, "initializer_range", d.initializerRange()))
        .initializerCutoffFactor(ConfigJson.number(json, "initializer_cutoff_factor", d.initializerCutoffFactor()))
        .normEps(ConfigJson.number(json, "norm_eps", d.normEps()))
        .normBias(ConfigJson.bool(json, "norm_bias", d.normBias()))
        .padTokenId(ConfigJson.nullableInteger(json, "pad_token_id", d.padTokenId()))
        .attentionBias(ConfigJson.bool(json, "attention_bias", d.attentionBias()))
        .attentionDropout(ConfigJson.number(json, "attention_dropout", d.attentionDropout()))
        .layerTypes(layerTypes(json))
        .globalAttnEveryNLayers(ConfigJson.nullableInteger(json, EVERY_N, null))
        .localAttention(ConfigJson.requiredInteger(json, "local_attention"))
        .embeddingDropout(ConfigJson.number(json, "embedding_dropout", d.embeddingDropout()))
        .mlpBias(ConfigJson.bool(json, "mlp_bias", d.mlpBias()))
        .mlpDropout(ConfigJson.number(json, "mlp_dropout", d.mlpDropout()))
        .classifierDropout(ConfigJson.number(json, "classifier_dropout", d.classifierDropout()))
        .classifierBias(ConfigJson.bool(json, "classifier_bias", d.classifierBias()))
        .classifierActivation(ConfigJson.activation(json, "classifier_activation", d.classifierActivation()))
        .architectures(ConfigJson.architectures(json))
        .labels(ConfigJson.labels(json, source));
    if (present(json, ROPE_PARAMETERS)) {
      JsonObject rope = object(json.get(ROPE_PARAMETERS), ROPE_PARAMETERS);
      for (String key : rope.keySet()) {
        if (ModernBertLayerType.fromHfName(key) == null) {
          throw new ModelConfigException(ROPE_PARAMETERS + ": unknown layer type \"" + key + "\"; expected "
              + ModernBertLayerType.supportedNames());
        }
      }
      b.ropeParameters(true)
          .globalRopeTheta(theta(rope, ModernBertLayerType.FULL_ATTENTION))
          .localRopeTheta(theta(rope, ModernBertLayerType.SLIDING_ATTENTION));
    } else if (json.has(GLOBAL_THETA) || json.has(LOCAL_THETA)) {
      b.ropeParameters(false).globalRopeTheta(requiredNumber(json, GLOBAL_THETA)).localRopeTheta(requiredNumber(json, LOCAL_THETA));
    } else {
      throw new ModelConfigException(ROPE_PARAMETERS + ": required field missing (or the Hub's " + GLOBAL_THETA + " and "
          + LOCAL_THETA + "); expected {\"full_attention\": {\"rope_theta\": ...}, \"sliding_attention\": {...}}");
    }
    // transformers drops the Hub's thetas when rope_parameters is there (it pops them), and so do we
    ConfigJson.extraFields(json, KNOWN_KEYS).forEach(b::extraField);
    return b.build();
  }

  /** What would make our computation differ from transformers' without a parameter to show it. */
  private static void refuseUnsupported(JsonObject json) {
    if (present(json, "rope_scaling")) {
      throw new ModelConfigException("rope_scaling: RoPE scaling is not supported; expected null or no key (ModernBERT"
          + " checkpoints use plain RoPE)");
    }
    if (json.has("sliding_window")) {
      throw new ModelConfigException("sliding_window: not a ModernBERT config.json key (transformers derives it as"
          + " local_attention // 2); expected local_attention only");
    }
  }

  private static List<ModernBertLayerType> layerTypes(JsonObject json) {
    if (!present(json, LAYER_TYPES)) {
      return null;
    }
    JsonElement value = json.get(LAYER_TYPES);
    if (!value.isJsonArray()) {
      throw new ModelConfigException(LAYER_TYPES + ": expected a list of " + ModernBertLayerType.supportedNames()
          + ", found " + ConfigJson.describe(value));
    }
    List<ModernBertLayerType> out = new ArrayList<>();
    JsonArray array = value.getAsJsonArray();
    for (int i = 0; i < array.size(); i++) {
      JsonElement e = array.get(i);
      String name = e.isJsonPrimitive() && e.getAsJsonPrimitive().isString() ? e.getAsString() : null;
      ModernBertLayerType type = name == null ? null : ModernBertLayerType.fromHfName(name);
      if (type == null) {
        throw new ModelConfigException(LAYER_TYPES + "[" + i + "]: unsupported layer type " + ConfigJson.describe(e)
            + "; expected one of " + ModernBertLayerType.supportedNames());
      }
      out.add(type);
    }
    return out;
  }

  /** {@code rope_parameters.<type>.rope_theta}, refusing any RoPE type but the default one. */
  private static double theta(JsonObject rope, ModernBertLayerType type) {
    String where = ROPE_PARAMETERS + "." + type.hfName();
    if (!present(rope, type.hfName())) {
      throw new ModelConfigException(where + ": required field missing; expected {\"rope_theta\": ..., \"rope_type\":"
          + " \"default\"}");
    }
    JsonObject entry = object(rope.get(type.hfName()), where);
    for (Map.Entry<String, JsonElement> e : entry.entrySet()) {
      if (!e.getKey().equals("rope_theta") && !e.getKey().equals("rope_type")) {
        throw new ModelConfigException(where + "." + e.getKey() + ": not supported; expected only rope_theta and"
            + " rope_type \"default\"");
      }
    }
    String ropeType = ConfigJson.string(entry, "rope_type", "default");
    if (!ropeType.equals("default")) {
      throw new ModelConfigException(where + ".rope_type: unsupported RoPE type \"" + ropeType + "\"; expected"
          + " \"default\"");
    }
    try {
      return requiredNumber(entry, "rope_theta");
    } catch (ModelConfigException e) {
      throw new ModelConfigException(where + "." + e.getMessage(), e);
    }
  }

  private static double requiredNumber(JsonObject json, String field) {
    if (!json.has(field)) {
      throw new ModelConfigException(field + ": required field missing; expected a number");
    }
    return ConfigJson.number(json, field);
  }

  private static JsonObject object(JsonElement value, String field) {
    if (!value.isJsonObject()) {
      throw new ModelConfigException(field + ": expected an object, found " + ConfigJson.describe(value));
    }
    return value.getAsJsonObject();
  }

  private static boolean present(JsonObject json, String field) {
    return json.has(field) && !json.get(field).isJsonNull();
  }

  static String toJson(ModernBertConfig c, boolean baseModel) {
    TreeMap<String, JsonElement> out = new TreeMap<>();
    c.extraFields().forEach(out::put);
    out.put("vocab_size", new JsonPrimitive(c.vocabSize()));
    out.put("hidden_size", new JsonPrimitive(c.hiddenSize()));
    out.put("intermediate_size", new JsonPrimitive(c.intermediateSize()));
    out.put("num_hidden_layers", new JsonPrimitive(c.numHiddenLayers()));
    out.put("num_attention_heads", new JsonPrimitive(c.numAttentionHeads()));
    out.put("hidden_activation", new JsonPrimitive(c.hiddenActivation().hfName()));
    out.put("max_position_embeddings", new JsonPrimitive(c.maxPositionEmbeddings()));
    out.put("initializer_range", new JsonPrimitive(c.initializerRange()));
    out.put("initializer_cutoff_factor", new JsonPrimitive(c.initializerCutoffFactor()));
    out.put("norm_eps", new JsonPrimitive(c.normEps()));
    out.put("norm_bias", new JsonPrimitive(c.normBias()));
    out.put("pad_token_id", c.padTokenId() == null ? JsonNull.INSTANCE : new JsonPrimitive(c.padTokenId()));
    out.put("attention_bias", new JsonPrimitive(c.attentionBias()));
    out.put("attention_dropout", new JsonPrimitive(c.attentionDropout()));
    if (c.declaredLayerTypes() != null) {
      JsonArray types = new JsonArray();
      c.declaredLayerTypes().forEach(t -> types.add(t.hfName()));
      out.put(LAYER_TYPES, types);
    }
    if (c.globalAttnEveryNLayers() != null) {
      out.put(EVERY_N, new JsonPrimitive(c.globalAttnEveryNLayers()));
    }
    if (c.ropeParameters()) {
      JsonObject rope = new JsonObject(); // keys in sorted order, as transformers writes them
      for (ModernBertLayerType type : ModernBertLayerType.values()) {
        JsonObject entry = new JsonObject();
        entry.addProperty("rope_theta", c.ropeTheta(type));
        entry.addProperty("rope_type", "default");
        rope.add(type.hfName(), entry);
      }
      out.put(ROPE_PARAMETERS, rope);
    } else {
      out.put(GLOBAL_THETA, new JsonPrimitive(c.globalRopeTheta()));
      out.put(LOCAL_THETA, new JsonPrimitive(c.localRopeTheta()));
    }
    out.put("local_attention", new JsonPrimitive(c.localAttention()));
    out.put("embedding_dropout", new JsonPrimitive(c.embeddingDropout()));
    out.put("mlp_bias", new JsonPrimitive(c.mlpBias()));
    out.put("mlp_dropout", new JsonPrimitive(c.mlpDropout()));
    out.put("classifier_dropout", new JsonPrimitive(c.classifierDropout()));
    out.put("classifier_bias", new JsonPrimitive(c.classifierBias()));
    out.put("classifier_activation", new JsonPrimitive(c.classifierActivation().hfName()));
    ModernBertFamily family = ModernBertFamily.MODERNBERT;
    return ConfigJson.toJson(out, family, baseModel ? family.baseModelClass() : family.tokenClassificationClass(),
        c.labels(), baseModel);
  }
}
