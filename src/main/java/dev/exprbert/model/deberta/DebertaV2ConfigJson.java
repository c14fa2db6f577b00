package dev.exprbert.model.deberta;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.exprbert.model.ConfigJson;
import dev.exprbert.model.HiddenActivation;
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
    // optional keys take transformers' DebertaV2Config defaults
    return new DebertaV2Config(ConfigJson.integer(json, "vocab_size"), ConfigJson.integer(json, "hidden_size"),
        ConfigJson.integer(json, "num_hidden_layers"), ConfigJson.integer(json, "num_attention_heads"),
        ConfigJson.integer(json, "intermediate_size"), ConfigJson.activation(json, "hidden_act", HiddenActivation.GELU),
        ConfigJson.number(json, "hidden_dropout_prob", 0.1), ConfigJson.number(json, "attention_probs_dropout_prob", 0.1),
        ConfigJson.integer(json, "max_position_embeddings", 512), ConfigJson.integer(json, "type_vocab_size", 0),
        ConfigJson.number(json, "initializer_range", 0.02), ConfigJson.number(json, "layer_norm_eps", 1e-7),
        requiredBool(json, "relative_attention"), ConfigJson.integer(json, "max_relative_positions", -1),
        ConfigJson.requiredInteger(json, "position_buckets"), posAttType(json), requiredBool(json, "share_att_key"),
        requiredString(json, "norm_rel_ebd", "\"layer_norm\""), requiredBool(json, "position_biased_input"),
        ConfigJson.nullableInteger(json, "pad_token_id", 0), ConfigJson.labels(json, source),
        ConfigJson.architectures(json), ConfigJson.extraFields(json, KNOWN_KEYS));
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
    TreeMap<String, JsonElement> out = new TreeMap<>(c.extra());
    ConfigJson.putSharedKeys(out, c);
    out.put("type_vocab_size", new JsonPrimitive(c.typeVocabSize()));
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
    DebertaV2Family family = DebertaV2Family.DEBERTA_V2;
    return ConfigJson.toJson(out, family, baseModel ? family.baseModelClass() : family.tokenClassificationClass(),
        c.labels(), baseModel);
  }
}
