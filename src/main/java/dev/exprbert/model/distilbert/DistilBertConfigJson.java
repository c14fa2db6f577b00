package dev.exprbert.model.distilbert;

import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.exprbert.model.ConfigJson;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/** config.json <-> {@link DistilBertConfig}, with DistilBERT's own keys; see {@link ConfigJson} for the format. */
final class DistilBertConfigJson {
  /** Required: without them no checkpoint shape can be checked, so no default is guessed. */
  static final List<String> REQUIRED_SIZES = List.of("vocab_size", "dim", "n_layers", "n_heads", "hidden_dim");

  static final Set<String> KNOWN_KEYS = Set.of("vocab_size", "max_position_embeddings", "sinusoidal_pos_embds",
      "n_layers", "n_heads", "dim", "hidden_dim", "dropout", "attention_dropout", "activation", "initializer_range",
      "pad_token_id");

  private DistilBertConfigJson() {}

  static DistilBertConfig fromJson(JsonObject json, String source) {
    for (String key : REQUIRED_SIZES) {
      ConfigJson.requiredInteger(json, key);
    }
    DistilBertConfig d = DistilBertConfig.builder().build();
    DistilBertConfig.Builder b = DistilBertConfig.builder()
        .vocabSize(ConfigJson.integer(json, "vocab_size"))
        .dim(ConfigJson.integer(json, "dim"))
        .nLayers(ConfigJson.integer(json, "n_layers"))
        .nHeads(ConfigJson.integer(json, "n_heads"))
        .hiddenDim(ConfigJson.integer(json, "hidden_dim"))
        .maxPositionEmbeddings(ConfigJson.integer(json, "max_position_embeddings", d.maxPositionEmbeddings()))
        .sinusoidalPosEmbds(ConfigJson.bool(json, "sinusoidal_pos_embds", false))
        .dropout(ConfigJson.number(json, "dropout", d.dropout()))
        .attentionDropout(ConfigJson.number(json, "attention_dropout", d.attentionDropout()))
        .activation(ConfigJson.activation(json, "activation", d.activation()))
        .initializerRange(ConfigJson.number(json, "initializer_range", d.initializerRange()))
        .padTokenId(ConfigJson.nullableInteger(json, "pad_token_id", d.padTokenId()))
        .architectures(ConfigJson.architectures(json))
        .labels(ConfigJson.labels(json, source));
    ConfigJson.extraFields(json, KNOWN_KEYS).forEach(b::extraField);
    return b.build();
  }

  static String toJson(DistilBertConfig c, boolean baseModel) {
    TreeMap<String, JsonElement> out = new TreeMap<>();
    c.extraFields().forEach(out::put);
    out.put("vocab_size", new JsonPrimitive(c.vocabSize()));
    out.put("max_position_embeddings", new JsonPrimitive(c.maxPositionEmbeddings()));
    out.put("sinusoidal_pos_embds", new JsonPrimitive(c.sinusoidalPosEmbds()));
    out.put("n_layers", new JsonPrimitive(c.nLayers()));
    out.put("n_heads", new JsonPrimitive(c.nHeads()));
    out.put("dim", new JsonPrimitive(c.dim()));
    out.put("hidden_dim", new JsonPrimitive(c.hiddenDim()));
    out.put("dropout", new JsonPrimitive(c.dropout()));
    out.put("attention_dropout", new JsonPrimitive(c.attentionDropout()));
    out.put("activation", new JsonPrimitive(c.activation().hfName()));
    out.put("initializer_range", new JsonPrimitive(c.initializerRange()));
    out.put("pad_token_id", c.padTokenId() == null ? JsonNull.INSTANCE : new JsonPrimitive(c.padTokenId()));
    DistilBertFamily family = DistilBertFamily.DISTILBERT;
    return ConfigJson.toJson(out, family, baseModel ? family.baseModelClass() : family.tokenClassificationClass(),
        c.labels(), baseModel);
  }
}
