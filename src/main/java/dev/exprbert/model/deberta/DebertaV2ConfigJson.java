package dev.exprbert.model.deberta;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.exprbert.model.ConfigJson;
import dev.exprbert.model.ModelConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;

/** config.json <-> {@link DebertaV2Config}, with DeBERTa-v2's own keys; see {@link ConfigJson} for the format. */
final class DebertaV2ConfigJson {
  /** Required: without them no checkpoint shape can be checked, so no default is guessed. */
  static final List<String> REQUIRED_SIZES =
      List.of("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size");

  static final Set<String> KNOWN_KEYS = Set.of("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
      "intermediate_size", "hidden_act", "hidden_dropout_prob", "attention_probs_dropout_prob", "max_position_embeddings",
      "type_vocab_size", "initializer_range", "layer_norm_eps", "relative_attention", "max_relative_positions",
      "position_buckets", "pos_att_type", "share_att_key", "norm_rel_ebd", "position_biased_input", "pad_token_id");

  private DebertaV2ConfigJson() {}

  /**
   * The keys that choose DeBERTa-v3's attention are required: transformers' defaults for them (no relative attention,
   * absolute positions, separate position projections, no buckets) describe a model these modules do not build.
   */
  static DebertaV2Config fromJson(JsonObject json, String source) {
    for (String key : REQUIRED_SIZES) {
      ConfigJson.requiredInteger(json, key);
    }
    DebertaV2Config d = DebertaV2Config.builder().build();
    DebertaV2Config.Builder b = DebertaV2Config.builder()
        .vocabSize(ConfigJson.integer(json, "vocab_size"))
        .hiddenSize(ConfigJson.integer(json, "hidden_size"))
        .numHiddenLayers(ConfigJson.integer(json, "num_hidden_layers"))
        .numAttentionHeads(ConfigJson.integer(json, "num_attention_heads"))
        .intermediateSize(ConfigJson.integer(json, "intermediate_size"))
        .relativeAttention(requiredBool(json, "relative_attention"))
        .positionBuckets(ConfigJson.requiredInteger(json, "position_buckets"))
        .posAttType(posAttType(json))
        .shareAttKey(requiredBool(json, "share_att_key"))
        .normRelEbd(requiredString(json, "norm_rel_ebd", "\"layer_norm\""))
        .positionBiasedInput(requiredBool(json, "position_biased_input"))
        .hiddenAct(ConfigJson.activation(json, "hidden_act", d.hiddenAct()))
        .hiddenDropoutProb(ConfigJson.number(json, "hidden_dropout_prob", d.hiddenDropoutProb()))
        .attentionProbsDropoutProb(ConfigJson.number(json, "attention_probs_dropout_prob", d.attentionProbsDropoutProb()))
        .maxPositionEmbeddings(ConfigJson.integer(json, "max_position_embeddings", d.maxPositionEmbeddings()))
        .typeVocabSize(ConfigJson.integer(json, "type_vocab_size", d.typeVocabSize()))
        .initializerRange(ConfigJson.number(json, "initializer_range", d.initializerRange()))
        .layerNormEps(ConfigJson.number(json, "layer_norm_eps", d.layerNormEps()))
        .maxRelativePositions(ConfigJson.integer(json, "max_relative_positions", d.maxRelativePositions()))
        .padTokenId(ConfigJson.nullableInteger(json, "pad_token_id", d.padTokenId()))
        .architectures(ConfigJson.architectures(json))
        .labels(ConfigJson.labels(json, source));
    ConfigJson.extraFields(json, KNOWN_KEYS).forEach(b::extraField);
    return b.build();
  }

  private static boolean requiredBool(JsonObject json, String key) {
    if (!json.has(key)) {
      throw new ModelConfigException(key + ": required field missing; expected true or false");
    }
    return ConfigJson.bool(json, key, false);
  }

  private static String requiredString(JsonObject json, String key, String expected) {
    if (!json.has(key)) {
      throw new ModelConfigException(key + ": required field missing; expected " + expected);
    }
    return ConfigJson.string(json, key);
  }

  /**
   * A list of {@code "c2p"}/{@code "p2c"}, or the Hub's {@code "p2c|c2p"} string, which transformers splits on
   * {@code |} (lower-cased, stripped).
   */
  private static List<String> posAttType(JsonObject json) {
    String expected = "a list of \"c2p\" and \"p2c\" or a string such as \"p2c|c2p\"";
    if (!json.has("pos_att_type")) {
      throw new ModelConfigException("pos_att_type: required field missing; expected " + expected);
    }
    JsonElement value = json.get("pos_att_type");
    List<String> types = new ArrayList<>();
    if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isString()) {
      for (String part : value.getAsString().toLowerCase(Locale.ROOT).split("\\|")) {
        types.add(part.strip());
      }
    } else if (value.isJsonArray()) {
      for (JsonElement e : value.getAsJsonArray()) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
          throw new ModelConfigException("pos_att_type: expected " + expected + ", found an element "
              + ConfigJson.describe(e));
        }
        types.add(e.getAsString());
      }
    } else {
      throw new ModelConfigException("pos_att_type: expected " + expected + ", found " + ConfigJson.describe(value));
    }
    return types;
  }

  /** Written as transformers 5 writes it: pos_att_type as a list, every other key as read. */
  static String toJson(DebertaV2Config c, boolean baseModel) {
    TreeMap<String, JsonElement> out = new TreeMap<>();
    c.extraFields().forEach(out::put);
    out.put("vocab_size", new JsonPrimitive(c.vocabSize()));
    out.put("hidden_size", new JsonPrimitive(c.hiddenSize()));
    out.put("num_hidden_layers", new JsonPrimitive(c.numHiddenLayers()));
    out.put("num_attention_heads", new JsonPrimitive(c.numAttentionHeads()));
    out.put("intermediate_size", new JsonPrimitive(c.intermediateSize()));
    out.put("hidden_act", new JsonPrimitive(c.hiddenAct().hfName()));
    out.put("hidden_dropout_prob", new JsonPrimitive(c.hiddenDropoutProb()));
    out.put("attention_probs_dropout_prob", new JsonPrimitive(c.attentionProbsDropoutProb()));
    out.put("max_position_embeddings", new JsonPrimitive(c.maxPositionEmbeddings()));
    out.put("type_vocab_size", new JsonPrimitive(c.typeVocabSize()));
    out.put("initializer_range", new JsonPrimitive(c.initializerRange()));
    out.put("layer_norm_eps", new JsonPrimitive(c.layerNormEps()));
    out.put("relative_attention", new JsonPrimitive(c.relativeAttention()));
    out.put("max_relative_positions", new JsonPrimitive(c.maxRelativePositions()));
    out.put("position_buckets", new JsonPrimitive(c.positionBuckets()));
    JsonArray types = new JsonArray();
    c.posAttType().forEach(types::add);
    out.put("pos_att_type", types);
    out.put("share_att_key", new JsonPrimitive(c.shareAttKey()));
    out.put("norm_rel_ebd", new JsonPrimitive(c.normRelEbd()));
    out.put("position_biased_input", new JsonPrimitive(c.positionBiasedInput()));
    out.put("pad_token_id", c.padTokenId() == null ? JsonNull.INSTANCE : new JsonPrimitive(c.padTokenId()));
    DebertaV2Family family = DebertaV2Family.DEBERTA_V2;
    return ConfigJson.toJson(out, family, baseModel ? family.baseModelClass() : family.tokenClassificationClass(),
        c.labels(), baseModel);
  }
}
