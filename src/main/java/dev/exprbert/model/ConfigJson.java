package dev.exprbert.model;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every family's config.json reader and writer share: typed field access that names the field, the expected
 * type and what was found; the label maps (id2label, label2id, num_labels) read and written as transformers does; and
 * the output format of {@code PretrainedConfig.to_json_string} (keys sorted, two-space indent, a trailing newline,
 * id2label keys in numeric order).
 */
public final class ConfigJson {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigJson.class);
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create();

  /** Keys of the label maps and the family identity, which every family reads the same way. */
  public static final Set<String> COMMON_KEYS = Set.of("id2label", "label2id", "num_labels", "architectures", "model_type");

  private ConfigJson() {}

  /** An integer field, or {@code fallback} when absent. */
  public static int integer(JsonObject json, String field, int fallback) {
    return json.has(field) ? integer(json, field) : fallback;
  }

  /** A required integer field (a missing one is reported as missing). */
  public static int requiredInteger(JsonObject json, String field) {
    if (!json.has(field)) {
      throw new ModelConfigException(field + ": required field missing; expected an integer");
    }
    return integer(json, field);
  }

  public static int integer(JsonObject json, String field) {
    return integerValue(field, json.get(field));
  }

  public static int integerValue(String field, JsonElement value) {
    if (value == null || !value.isJsonPrimitive() || !value.getAsJsonPrimitive().isNumber()) {
      throw new ModelConfigException(field + ": expected an integer, found " + describe(value));
    }
    try {
      return value.getAsBigDecimal().intValueExact();
    } catch (ArithmeticException | NumberFormatException e) {
      throw new ModelConfigException(field + ": expected an integer, found " + describe(value));
    }
  }

  /** An integer field that may be null; absent gives {@code fallback}. */
  public static Integer nullableInteger(JsonObject json, String field, Integer fallback) {
    if (!json.has(field)) {
      return fallback;
    }
    return json.get(field).isJsonNull() ? null : integer(json, field);
  }

  public static double number(JsonObject json, String field, double fallback) {
    return json.has(field) ? number(json, field) : fallback;
  }

  public static double number(JsonObject json, String field) {
    JsonElement value = json.get(field);
    if (value == null || !value.isJsonPrimitive() || !value.getAsJsonPrimitive().isNumber()) {
      throw new ModelConfigException(field + ": expected a number, found " + describe(value));
    }
    return value.getAsDouble();
  }

  /** A number field that may be null; absent gives {@code fallback}. */
  public static Double nullableNumber(JsonObject json, String field, Double fallback) {
    if (!json.has(field)) {
      return fallback;
    }
    return json.get(field).isJsonNull() ? null : number(json, field);
  }

  public static boolean bool(JsonObject json, String field, boolean fallback) {
    if (!json.has(field)) {
      return fallback;
    }
    JsonElement value = json.get(field);
    if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isBoolean()) {
      throw new ModelConfigException(field + ": expected true or false, found " + describe(value));
    }
    return value.getAsBoolean();
  }

  public static String string(JsonObject json, String field, String fallback) {
    return json.has(field) ? string(json, field) : fallback;
  }

  public static String string(JsonObject json, String field) {
    JsonElement value = json.get(field);
    if (value == null || !value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
      throw new ModelConfigException(field + ": expected a string, found " + describe(value));
    }
    return value.getAsString();
  }

  /** {@code hidden_act} (or DistilBERT's {@code activation}) by its transformers name. */
  public static HiddenActivation activation(JsonObject json, String field, HiddenActivation fallback) {
    if (!json.has(field)) {
      return fallback;
    }
    String name = string(json, field);
    HiddenActivation act = HiddenActivation.fromHfName(name);
    if (act == null) {
      throw new ModelConfigException(field + ": unsupported activation \"" + name + "\"; expected one of "
          + HiddenActivation.supportedNames());
    }
    return act;
  }

  /** The architectures list, or null when config.json has none (or null). */
  public static List<String> architectures(JsonObject json) {
    if (!json.has("architectures") || json.get("architectures").isJsonNull()) {
      return null;
    }
    JsonElement value = json.get("architectures");
    if (!value.isJsonArray()) {
      throw new ModelConfigException("architectures: expected an array of strings, found " + describe(value));
    }
    List<String> out = new ArrayList<>();
    for (JsonElement e : value.getAsJsonArray()) {
      if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
        throw new ModelConfigException("architectures: expected an array of strings, found an element " + describe(e));
      }
      out.add(e.getAsString());
    }
    return out;
  }

  /** The keys of {@code json} outside {@code known} and {@link #COMMON_KEYS}, kept verbatim (deep copies). */
  public static Map<String, JsonElement> extraFields(JsonObject json, Set<String> known) {
    Map<String, JsonElement> extra = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> e : json.entrySet()) {
      if (!known.contains(e.getKey()) && !COMMON_KEYS.contains(e.getKey())) {
        extra.put(e.getKey(), e.getValue().deepCopy());
      }
    }
    return extra;
  }

  /**
   * Checks the keys every config in BERT's vocabulary has (transformers' BertConfig, DebertaV2Config...), naming the
   * first bad one: sizes positive and under {@link ModelConfigLimits}' caps, hidden_size divisible by the heads,
   * dropouts probabilities, initializer_range, layer_norm_eps finite and > 0, pad_token_id inside the vocabulary.
   */
  public static void checkSharedKeys(int vocabSize, int hiddenSize, int numHiddenLayers, int numAttentionHeads,
      int intermediateSize, int maxPositionEmbeddings, double hiddenDropoutProb, double attentionProbsDropoutProb,
      double initializerRange, double layerNormEps, Integer padTokenId) {
    bertNamedSizes(vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize, maxPositionEmbeddings);
    probability("hidden_dropout_prob", hiddenDropoutProb);
    probability("attention_probs_dropout_prob", attentionProbsDropoutProb);
    initializerRange(initializerRange);
    if (!(layerNormEps > 0) || Double.isInfinite(layerNormEps)) {
      throw new ModelConfigException("layer_norm_eps: expected a finite value > 0, found " + layerNormEps);
    }
    padTokenId(padTokenId, vocabSize);
  }

  /**
   * Writes the keys every config in BERT's vocabulary has (transformers' BertConfig, DebertaV2Config...) from the
   * common view: vocab_size, hidden_size, num_hidden_layers, num_attention_heads, intermediate_size, hidden_act, the
   * two dropouts, max_position_embeddings, initializer_range and pad_token_id.
   */
  public static void putSharedKeys(TreeMap<String, JsonElement> out, EncoderConfig c) {
    out.put("vocab_size", new JsonPrimitive(c.vocabSize()));
    out.put("hidden_size", new JsonPrimitive(c.hiddenSize()));
    out.put("num_hidden_layers", new JsonPrimitive(c.numHiddenLayers()));
    out.put("num_attention_heads", new JsonPrimitive(c.numAttentionHeads()));
    out.put("intermediate_size", new JsonPrimitive(c.intermediateSize()));
    out.put("hidden_act", new JsonPrimitive(c.hiddenAct().hfName()));
    out.put("hidden_dropout_prob", new JsonPrimitive(c.hiddenDropoutProb()));
    out.put("attention_probs_dropout_prob", new JsonPrimitive(c.attentionProbsDropoutProb()));
    out.put("max_position_embeddings", new JsonPrimitive(c.maxPositionEmbeddings()));
    out.put("initializer_range", new JsonPrimitive(c.initializerRange()));
    out.put("pad_token_id", c.padTokenId() == null ? JsonNull.INSTANCE : new JsonPrimitive(c.padTokenId()));
  }

  /**
   * A config record's {@code extra} keys (those it does not model; may be null) as an unmodifiable deep copy in their
   * order, refusing one the record models ({@code known}), which must be set through its own field.
   *
   * @param record the record's name, for the message ({@code "DebertaV2Config"})
   */
  public static Map<String, JsonElement> verbatimExtras(Map<String, JsonElement> extra, Set<String> known,
      String record) {
    Map<String, JsonElement> copy = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> e : (extra == null ? Map.<String, JsonElement>of() : extra).entrySet()) {
      if (known.contains(e.getKey())) {
        throw new ModelConfigException("extra field '" + e.getKey() + "' is a modelled " + record + " field; set it"
            + " directly");
      }
      copy.put(e.getKey(), e.getValue().deepCopy());
    }
    return Collections.unmodifiableMap(copy);
  }

  /**
   * id2label when present, else num_labels LABEL_i labels, else two. A num_labels that disagrees with id2label is
   * overruled by id2label with a warning, as {@code PretrainedConfig.__init__} does for a config.json (transformers
   * raises only when both are passed as arguments to from_pretrained); transformers 5's {@code save_pretrained()}
   * writes id2label only.
   *
   * @param source names the config in warnings (its path)
   */
  public static List<String> labels(JsonObject json, String source) {
    List<String> labels;
    JsonElement id2label = json.get("id2label");
    if (id2label != null && !id2label.isJsonNull()) {
      if (!id2label.isJsonObject()) {
        throw new ModelConfigException("id2label: expected an object mapping \"0\", \"1\"... to labels, found "
            + describe(id2label));
      }
      TreeMap<Integer, String> byId = new TreeMap<>();
      for (Map.Entry<String, JsonElement> e : id2label.getAsJsonObject().entrySet()) {
        int id;
        try {
          id = Integer.parseInt(e.getKey().trim());
        } catch (NumberFormatException ex) {
          throw new ModelConfigException("id2label: key \"" + e.getKey() + "\" is not an integer id; expected \"0\", \"1\"...");
        }
        JsonElement value = e.getValue();
        if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
          throw new ModelConfigException("id2label[\"" + e.getKey() + "\"]: expected a string label, found " + describe(value));
        }
        if (byId.put(id, value.getAsString()) != null) {
          throw new ModelConfigException("id2label: id " + id + " appears twice");
        }
      }
      int expected = 0;
      for (int id : byId.keySet()) {
        if (id != expected) {
          throw new ModelConfigException("id2label: ids must be 0.." + (byId.size() - 1) + " without gaps (they index"
              + " the classifier's logits); expected id " + expected + ", found " + id);
        }
        expected++;
      }
      labels = new ArrayList<>(byId.values());
      if (json.has("num_labels") && !json.get("num_labels").isJsonNull()) {
        int numLabels = integer(json, "num_labels");
        if (numLabels != labels.size()) {
          LOG.warn("{}: num_labels {} disagrees with id2label, which has {} labels {}; the number of labels is"
              + " overwritten to {} from id2label, as transformers does (\"You passed along `num_labels={}` with an"
              + " incompatible id to label map\"); fix num_labels or id2label in that file", source, numLabels,
              labels.size(), labels, labels.size(), numLabels);
        }
      }
    } else {
      int numLabels = json.has("num_labels") && !json.get("num_labels").isJsonNull() ? integer(json, "num_labels") : 2;
      labels = defaultLabels(numLabels);
    }
    JsonElement label2id = json.get("label2id");
    if (label2id != null && !label2id.isJsonNull()) {
      checkLabel2id(label2id, labels);
    }
    return labels;
  }

  /** LABEL_0 .. LABEL_{n-1}, the labels transformers invents when only num_labels is given. */
  public static List<String> defaultLabels(int numLabels) {
    if (numLabels < 1) {
      throw new ModelConfigException("num_labels: expected at least 1, found " + numLabels);
    }
    ModelConfigLimits.cap("num_labels", numLabels, ModelConfigLimits.MAX_LABELS); // before allocating the list
    List<String> out = new ArrayList<>(numLabels);
    for (int i = 0; i < numLabels; i++) {
      out.add("LABEL_" + i);
    }
    return out;
  }

  /** Checks a label list (non-empty, no null, each label once) as every family's builder does. */
  public static List<String> validLabels(List<String> labels) {
    if (labels.isEmpty()) {
      throw new ModelConfigException("id2label: expected at least one label, found none");
    }
    ModelConfigLimits.cap("num_labels", labels.size(), ModelConfigLimits.MAX_LABELS);
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < labels.size(); i++) {
      String label = labels.get(i);
      if (label == null) {
        throw new ModelConfigException("id2label: label " + i + " is null; expected a string");
      }
      Integer before = seen.put(label, i);
      if (before != null) {
        throw new ModelConfigException("id2label: label \"" + label + "\" is used by ids " + before + " and " + i
            + "; expected each label once, so that label2id is the inverse of id2label");
      }
    }
    return List.copyOf(labels);
  }

  private static void checkLabel2id(JsonElement label2id, List<String> labels) {
    if (!label2id.isJsonObject()) {
      throw new ModelConfigException("label2id: expected an object mapping labels to ids, found " + describe(label2id));
    }
    JsonObject map = label2id.getAsJsonObject();
    for (Map.Entry<String, JsonElement> e : map.entrySet()) {
      int id = integerValue("label2id[\"" + e.getKey() + "\"]", e.getValue());
      int expected = labels.indexOf(e.getKey());
      if (expected < 0) {
        throw new ModelConfigException("label2id: label \"" + e.getKey() + "\" (id " + id + ") is not in id2label "
            + labels + "; expected label2id to be the inverse of id2label");
      }
      if (expected != id) {
        throw new ModelConfigException("label2id: \"" + e.getKey() + "\" maps to " + id + " but id2label has it at id "
            + expected + "; expected label2id to be the inverse of id2label");
      }
    }
    if (map.size() != labels.size()) {
      List<String> missing = new ArrayList<>(labels);
      missing.removeAll(map.keySet());
      throw new ModelConfigException("label2id: has " + map.size() + " labels but id2label has " + labels.size()
          + "; missing " + missing);
    }
  }

  /**
   * The config.json text of {@code fields} (a family's own keys) plus the family identity and, for a token
   * classifier, the label maps; for a base model, no labels ({@code labels} must then be the defaults).
   *
   * @param architecture the class transformers should build ({@code RobertaForTokenClassification}, or the base
   *     model's class)
   */
  public static String toJson(TreeMap<String, JsonElement> fields, ModelFamily family, String architecture,
      List<String> labels, boolean baseModel) {
    TreeMap<String, JsonElement> out = new TreeMap<>(fields);
    JsonArray architectures = new JsonArray();
    architectures.add(architecture);
    out.put("architectures", architectures);
    out.put("model_type", new JsonPrimitive(family.modelType()));
    if (baseModel) {
      if (!labels.equals(defaultLabels(2))) {
        throw new IllegalArgumentException("a " + family.baseModelClass() + " config.json has no labels, but this config"
            + " has " + labels + "; expected the defaults LABEL_0, LABEL_1 (write() saves a token classifier with its"
            + " labels)");
      }
    } else {
      JsonObject id2label = new JsonObject();
      for (int i = 0; i < labels.size(); i++) {
        id2label.addProperty(Integer.toString(i), labels.get(i));
      }
      out.put("id2label", id2label);
      JsonObject label2id = new JsonObject();
      TreeMap<String, Integer> sorted = new TreeMap<>();
      for (int i = 0; i < labels.size(); i++) {
        sorted.put(labels.get(i), i);
      }
      sorted.forEach(label2id::addProperty);
      out.put("label2id", label2id);
      out.put("num_labels", new JsonPrimitive(labels.size()));
    }
    JsonObject root = new JsonObject();
    out.forEach(root::add);
    return GSON.toJson(root) + "\n";
  }

  public static String describe(JsonElement value) {
    if (value == null) {
      return "nothing (the field is missing)";
    }
    if (value.isJsonNull()) {
      return "null";
    }
    if (value.isJsonObject()) {
      return "an object";
    }
    if (value.isJsonArray()) {
      return "an array";
    }
    JsonPrimitive p = value.getAsJsonPrimitive();
    if (p.isString()) {
      return "a string \"" + p.getAsString() + "\"";
    }
    if (p.isBoolean()) {
      return "a boolean " + p.getAsBoolean();
    }
    return "the number " + p.getAsString();
  }

  /** Probability in [0, 1], named. */
  public static void probability(String field, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new ModelConfigException(field + ": expected a probability in [0, 1], found " + value);
    }
  }

  /** A positive integer, named. */
  public static void positive(String field, int value) {
    if (value <= 0) {
      throw new ModelConfigException(field + ": expected a positive integer, found " + value);
    }
  }

  /** hidden % heads == 0, named with the family's keys. */
  public static void headsDivide(String hiddenKey, int hidden, String headsKey, int heads) {
    if (hidden % heads != 0) {
      throw new ModelConfigException(hiddenKey + " " + hidden + " is not a multiple of " + headsKey + " " + heads
          + "; expected " + hiddenKey + " % " + headsKey + " == 0 (each head gets " + hiddenKey + "/heads dims)");
    }
  }

  /** initializer_range: finite and >= 0. */
  public static void initializerRange(double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new ModelConfigException("initializer_range: expected a finite value >= 0, found " + value);
    }
  }

  /** pad_token_id: null or an id below vocab_size. */
  public static void padTokenId(Integer padTokenId, int vocabSize) {
    if (padTokenId != null && (padTokenId < 0 || padTokenId >= vocabSize)) {
      throw new ModelConfigException("pad_token_id: expected an id in [0, vocab_size=" + vocabSize + "), found "
          + padTokenId);
    }
  }

  /**
   * The sizes of a family whose config.json uses BERT's key names for them (vocab_size, hidden_size,
   * num_hidden_layers, num_attention_heads, intermediate_size, max_position_embeddings): each positive and under its
   * {@link ModelConfigLimits} cap, and hidden_size a multiple of num_attention_heads.
   */
  public static void bertNamedSizes(int vocabSize, int hiddenSize, int numHiddenLayers, int numAttentionHeads,
      int intermediateSize, int maxPositionEmbeddings) {
    positive("vocab_size", vocabSize);
    positive("hidden_size", hiddenSize);
    positive("num_hidden_layers", numHiddenLayers);
    positive("num_attention_heads", numAttentionHeads);
    positive("intermediate_size", intermediateSize);
    positive("max_position_embeddings", maxPositionEmbeddings);
    ModelConfigLimits.cap("vocab_size", vocabSize, ModelConfigLimits.MAX_VOCAB);
    ModelConfigLimits.cap("hidden_size", hiddenSize, ModelConfigLimits.MAX_HIDDEN_SIZE);
    ModelConfigLimits.cap("num_hidden_layers", numHiddenLayers, ModelConfigLimits.MAX_LAYERS);
    ModelConfigLimits.cap("intermediate_size", intermediateSize, ModelConfigLimits.MAX_INTERMEDIATE_SIZE);
    ModelConfigLimits.cap("max_position_embeddings", maxPositionEmbeddings, ModelConfigLimits.MAX_POSITIONS);
    headsDivide("hidden_size", hiddenSize, "num_attention_heads", numAttentionHeads);
  }

  /**
   * A config record's unmodelled keys, checked and copied for the record to keep: deep copies in an unmodifiable map;
   * a key the record models ({@code known}) is refused, since it must be set through its field.
   *
   * @param record the record's name, for the message
   */
  public static Map<String, JsonElement> extraKeys(Map<String, JsonElement> extra, Set<String> known, String record) {
    Map<String, JsonElement> copy = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> e : (extra == null ? Map.<String, JsonElement>of() : extra).entrySet()) {
      if (known.contains(e.getKey())) {
        throw new ModelConfigException("extra field '" + e.getKey() + "' is a modelled " + record + " field; set it"
            + " directly");
      }
      copy.put(e.getKey(), e.getValue().deepCopy());
    }
    return java.util.Collections.unmodifiableMap(copy);
  }

  /** Deep copies of {@code extra}, in its order (what a record hands out of the keys it keeps). */
  public static Map<String, JsonElement> deepCopies(Map<String, JsonElement> extra) {
    Map<String, JsonElement> copy = new java.util.LinkedHashMap<>();
    extra.forEach((k, v) -> copy.put(k, v.deepCopy()));
    return copy;
  }
}
