package dev.exprbert.model.bert;

import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.exprbert.model.ConfigJson;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * config.json <-> {@link BertConfig}, for every {@link BertKeyedFamily}. Reading checks every field's JSON type and
 * names the field, the expected type and what was found; missing optional keys take the family's transformers
 * defaults. Writing follows {@code PretrainedConfig.to_json_string} ({@link ConfigJson#toJson}).
 */
final class BertConfigJson {
  /** Required: without them no checkpoint shape can be checked, so no default is guessed. */
  static final List<String> REQUIRED_SIZES =
      List.of("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size");

  private static final Set<String> BERT_KEYS = Set.of("vocab_size", "hidden_size", "num_hidden_layers",
      "num_attention_heads", "intermediate_size", "hidden_act", "hidden_dropout_prob", "attention_probs_dropout_prob",
      "classifier_dropout", "max_position_embeddings", "type_vocab_size", "initializer_range", "layer_norm_eps",
      "pad_token_id", "position_embedding_type", "id2label", "label2id", "num_labels", "architectures", "model_type");
  private static final String EMBEDDING_SIZE = "embedding_size";

  private BertConfigJson() {}

  /** The keys {@link BertConfig} models for {@code family} (a key outside them is an extra, written back verbatim). */
  static Set<String> knownKeys(BertKeyedFamily family) {
    if (!family.hasEmbeddingSize()) {
      return BERT_KEYS;
    }
    Set<String> keys = new HashSet<>(BERT_KEYS);
    keys.add(EMBEDDING_SIZE);
    return keys;
  }

  /** @param source names the config in warnings (its path) */
  static BertConfig fromJson(JsonObject json, BertKeyedFamily family, String source) {
    for (String key : REQUIRED_SIZES) {
      ConfigJson.requiredInteger(json, key);
    }
    BertConfig d = BertConfig.builder(family).build(); // the family's transformers defaults
    BertConfig.Builder b = BertConfig.builder(family)
        .vocabSize(ConfigJson.integer(json, "vocab_size"))
        .hiddenSize(ConfigJson.integer(json, "hidden_size"))
        .numHiddenLayers(ConfigJson.integer(json, "num_hidden_layers"))
        .numAttentionHeads(ConfigJson.integer(json, "num_attention_heads"))
        .intermediateSize(ConfigJson.integer(json, "intermediate_size"))
        .hiddenAct(ConfigJson.activation(json, "hidden_act", d.hiddenAct()))
        .hiddenDropoutProb(ConfigJson.number(json, "hidden_dropout_prob", d.hiddenDropoutProb()))
        .attentionProbsDropoutProb(ConfigJson.number(json, "attention_probs_dropout_prob", d.attentionProbsDropoutProb()))
        .classifierDropout(ConfigJson.nullableNumber(json, "classifier_dropout", null))
        .maxPositionEmbeddings(ConfigJson.integer(json, "max_position_embeddings", d.maxPositionEmbeddings()))
        .typeVocabSize(ConfigJson.integer(json, "type_vocab_size", d.typeVocabSize()))
        .initializerRange(ConfigJson.number(json, "initializer_range", d.initializerRange()))
        .layerNormEps(ConfigJson.number(json, "layer_norm_eps", d.layerNormEps()))
        .padTokenId(ConfigJson.nullableInteger(json, "pad_token_id", d.padTokenId()))
        .positionEmbeddingType(ConfigJson.string(json, "position_embedding_type", "absolute"))
        .architectures(ConfigJson.architectures(json))
        .labels(ConfigJson.labels(json, source));
    if (family.hasEmbeddingSize()) {
      b.embeddingSize(ConfigJson.requiredInteger(json, EMBEDDING_SIZE));
    }
    ConfigJson.extraFields(json, knownKeys(family)).forEach(b::extraField);
    return b.build();
  }

  /**
   * @param baseModel write a bare encoder's config (BertModel, RobertaModel..., no label maps) instead of a token
   *     classifier's; only the converters of pretrained encoders write one
   */
  static String toJson(BertConfig c, boolean baseModel) {
    TreeMap<String, JsonElement> out = new TreeMap<>();
    c.extraFields().forEach(out::put);
    ConfigJson.putSharedKeys(out, c);
    out.put("classifier_dropout", c.classifierDropout() == null ? JsonNull.INSTANCE : new JsonPrimitive(c.classifierDropout()));
    out.put("type_vocab_size", new JsonPrimitive(c.typeVocabSize()));
    out.put("layer_norm_eps", new JsonPrimitive(c.layerNormEps()));
    out.put("position_embedding_type", new JsonPrimitive(c.positionEmbeddingType()));
    if (c.embeddingSize() != null) {
      out.put(EMBEDDING_SIZE, new JsonPrimitive(c.embeddingSize()));
    }
    // This project trains and saves token classifiers, so that is the class transformers should build,
    // except for a converted pretrained encoder, which has no head yet.
    BertKeyedFamily family = c.family();
    return ConfigJson.toJson(out, family, baseModel ? family.baseModelClass() : family.tokenClassificationClass(),
        c.labels(), baseModel);
  }
}
