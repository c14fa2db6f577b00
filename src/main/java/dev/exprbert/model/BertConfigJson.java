package dev.exprbert.model;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.exprbert.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * config.json <-> {@link BertConfig}. Reading checks every field's JSON type and names the file, the
 * field, the expected type and what was found. Writing follows {@code PretrainedConfig.to_json_string}:
 * keys sorted, two-space indent, a trailing newline, id2label keys in numeric order (Python sorts the
 * int keys before json turns them into strings).
 */
final class BertConfigJson {
  private static final Logger LOG = LoggerFactory.getLogger(BertConfigJson.class);

  /** Required: without them no checkpoint shape can be checked, so no default is guessed. */
  static final List<String> REQUIRED_SIZES =
      List.of("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size");

  static final Set<String> KNOWN_KEYS = Set.of("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
      "intermediate_size", "hidden_act", "hidden_dropout_prob", "attention_probs_dropout_prob", "classifier_dropout",
      "max_position_embeddings", "type_vocab_size", "initializer_range", "layer_norm_eps", "pad_token_id",
      "position_embedding_type", "id2label", "label2id", "num_labels", "architectures", "model_type");

  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create();

  private BertConfigJson() {}

  static BertConfig read(Path file) throws IOException {
    String text;
    try {
      text = Files.readString(file);
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new BertConfigException(file + ": not valid UTF-8 text; expected a JSON file", e);
    }
    JsonElement root;
    try {
      root = JsonParser.parseString(text);
    } catch (JsonParseException e) {
      throw new BertConfigException(file + ": not valid JSON: " + e.getMessage(), e);
    }
    if (!root.isJsonObject()) {
      throw new BertConfigException(file + ": expected a JSON object, found " + describe(root));
    }
    try {
      return fromJson(root.getAsJsonObject(), file.toString());
    } catch (BertConfigException e) {
      throw new BertConfigException(file + ": " + e.getMessage(), e);
    }
  }

  /** @param source names the config in warnings (its path) */
  static BertConfig fromJson(JsonObject json, String source) {
    JsonElement modelType = json.get("model_type");
    if (modelType != null && !modelType.isJsonNull()) {
      String type = string(json, "model_type");
      if (!BertConfig.MODEL_TYPE.equals(type)) {
        throw new BertConfigException("model_type \"" + type + "\" is not supported; supported model types: \""
            + BertConfig.MODEL_TYPE + "\" (RoBERTa, DistilBERT, DeBERTa and ELECTRA use other weight names and layers)");
      }
    }
    for (String key : REQUIRED_SIZES) {
      if (!json.has(key)) {
        throw new BertConfigException(key + ": required field missing; expected an integer");
      }
    }
    BertConfig.Builder b = BertConfig.builder()
        .vocabSize(integer(json, "vocab_size"))
        .hiddenSize(integer(json, "hidden_size"))
        .numHiddenLayers(integer(json, "num_hidden_layers"))
        .numAttentionHeads(integer(json, "num_attention_heads"))
        .intermediateSize(integer(json, "intermediate_size"));
    if (json.has("hidden_act")) {
      String name = string(json, "hidden_act");
      HiddenActivation act = HiddenActivation.fromHfName(name);
      if (act == null) {
        throw new BertConfigException("hidden_act: unsupported activation \"" + name + "\"; expected one of "
            + HiddenActivation.supportedNames());
      }
      b.hiddenAct(act);
    }
    if (json.has("hidden_dropout_prob")) {
      b.hiddenDropoutProb(number(json, "hidden_dropout_prob"));
    }
    if (json.has("attention_probs_dropout_prob")) {
      b.attentionProbsDropoutProb(number(json, "attention_probs_dropout_prob"));
    }
    if (json.has("classifier_dropout")) {
      b.classifierDropout(json.get("classifier_dropout").isJsonNull() ? null : number(json, "classifier_dropout"));
    }
    if (json.has("max_position_embeddings")) {
      b.maxPositionEmbeddings(integer(json, "max_position_embeddings"));
    }
    if (json.has("type_vocab_size")) {
      b.typeVocabSize(integer(json, "type_vocab_size"));
    }
    if (json.has("initializer_range")) {
      b.initializerRange(number(json, "initializer_range"));
    }
    if (json.has("layer_norm_eps")) {
      b.layerNormEps(number(json, "layer_norm_eps"));
    }
    if (json.has("pad_token_id")) {
      b.padTokenId(json.get("pad_token_id").isJsonNull() ? null : integer(json, "pad_token_id"));
    }
    if (json.has("position_embedding_type")) {
      b.positionEmbeddingType(string(json, "position_embedding_type"));
    }
    if (json.has("architectures") && !json.get("architectures").isJsonNull()) {
      b.architectures(stringList(json, "architectures"));
    }
    List<String> labels = labels(json, source);
    b.labels(labels);
    for (Map.Entry<String, JsonElement> e : json.entrySet()) {
      if (!KNOWN_KEYS.contains(e.getKey())) {
        b.extraField(e.getKey(), e.getValue());
      }
    }
    return b.build();
  }

  /**
   * id2label when present, else num_labels LABEL_i labels, else two. A num_labels that disagrees with
   * id2label is overruled by id2label with a warning, as {@code PretrainedConfig.__init__} does for a
   * config.json (transformers raises only when both are passed as arguments to from_pretrained).
   */
  private static List<String> labels(JsonObject json, String source) {
    List<String> labels;
    JsonElement id2label = json.get("id2label");
    if (id2label != null && !id2label.isJsonNull()) {
      if (!id2label.isJsonObject()) {
        throw new BertConfigException("id2label: expected an object mapping \"0\", \"1\"... to labels, found "
            + describe(id2label));
      }
      TreeMap<Integer, String> byId = new TreeMap<>();
      for (Map.Entry<String, JsonElement> e : id2label.getAsJsonObject().entrySet()) {
        int id;
        try {
          id = Integer.parseInt(e.getKey().trim());
        } catch (NumberFormatException ex) {
          throw new BertConfigException("id2label: key \"" + e.getKey() + "\" is not an integer id; expected \"0\", \"1\"...");
        }
        JsonElement value = e.getValue();
        if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
          throw new BertConfigException("id2label[\"" + e.getKey() + "\"]: expected a string label, found " + describe(value));
        }
        if (byId.put(id, value.getAsString()) != null) {
          throw new BertConfigException("id2label: id " + id + " appears twice");
        }
      }
      int expected = 0;
      for (int id : byId.keySet()) {
        if (id != expected) {
          throw new BertConfigException("id2label: ids must be 0.." + (byId.size() - 1) + " without gaps (they index"
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
      labels = BertConfig.Builder.defaultLabels(numLabels);
    }
    JsonElement label2id = json.get("label2id");
    if (label2id != null && !label2id.isJsonNull()) {
      checkLabel2id(label2id, labels);
    }
    return labels;
  }

  private static void checkLabel2id(JsonElement label2id, List<String> labels) {
    if (!label2id.isJsonObject()) {
      throw new BertConfigException("label2id: expected an object mapping labels to ids, found " + describe(label2id));
    }
    JsonObject map = label2id.getAsJsonObject();
    for (Map.Entry<String, JsonElement> e : map.entrySet()) {
      int id = integerValue("label2id[\"" + e.getKey() + "\"]", e.getValue());
      int expected = labels.indexOf(e.getKey());
      if (expected < 0) {
        throw new BertConfigException("label2id: label \"" + e.getKey() + "\" (id " + id + ") is not in id2label "
            + labels + "; expected label2id to be the inverse of id2label");
      }
      if (expected != id) {
        throw new BertConfigException("label2id: \"" + e.getKey() + "\" maps to " + id + " but id2label has it at id "
            + expected + "; expected label2id to be the inverse of id2label");
      }
    }
    if (map.size() != labels.size()) {
      List<String> missing = new ArrayList<>(labels);
      missing.removeAll(map.keySet());
      throw new BertConfigException("label2id: has " + map.size() + " labels but id2label has " + labels.size()
          + "; missing " + missing);
    }
  }

  /**
   * @param baseModel write a bare encoder's config (BertModel, no label maps) instead of a token
   *     classifier's; only the converters of pretrained encoders write one
   */
  static String toJson(BertConfig c, boolean baseModel) {
    TreeMap<String, JsonElement> out = new TreeMap<>();
    c.extraFields().forEach(out::put);
    JsonArray architectures = new JsonArray();
    // This project trains and saves token classifiers, so that is the class transformers should build,
    // except for a converted pretrained encoder, which has no head yet.
    architectures.add(baseModel ? BertConfig.BASE_MODEL_ARCHITECTURE : BertConfig.TOKEN_CLASSIFICATION_ARCHITECTURE);
    out.put("architectures", architectures);
    out.put("model_type", new JsonPrimitive(BertConfig.MODEL_TYPE));
    out.put("vocab_size", new JsonPrimitive(c.vocabSize()));
    out.put("hidden_size", new JsonPrimitive(c.hiddenSize()));
    out.put("num_hidden_layers", new JsonPrimitive(c.numHiddenLayers()));
    out.put("num_attention_heads", new JsonPrimitive(c.numAttentionHeads()));
    out.put("intermediate_size", new JsonPrimitive(c.intermediateSize()));
    out.put("hidden_act", new JsonPrimitive(c.hiddenActName()));
    out.put("hidden_dropout_prob", new JsonPrimitive(c.hiddenDropoutProb()));
    out.put("attention_probs_dropout_prob", new JsonPrimitive(c.attentionProbsDropoutProb()));
    out.put("classifier_dropout", c.classifierDropout() == null ? JsonNull.INSTANCE : new JsonPrimitive(c.classifierDropout()));
    out.put("max_position_embeddings", new JsonPrimitive(c.maxPositionEmbeddings()));
    out.put("type_vocab_size", new JsonPrimitive(c.typeVocabSize()));
    out.put("initializer_range", new JsonPrimitive(c.initializerRange()));
    out.put("layer_norm_eps", new JsonPrimitive(c.layerNormEps()));
    out.put("pad_token_id", c.padTokenId() == null ? JsonNull.INSTANCE : new JsonPrimitive(c.padTokenId()));
    out.put("position_embedding_type", new JsonPrimitive(c.positionEmbeddingType()));
    if (baseModel) {
      if (!c.labels().equals(BertConfig.Builder.defaultLabels(2))) {
        throw new IllegalArgumentException("a BertModel config.json has no labels, but this config has " + c.labels()
            + "; expected the defaults LABEL_0, LABEL_1 (write() saves a token classifier with its labels)");
      }
      JsonObject root = new JsonObject();
      out.forEach(root::add);
      return GSON.toJson(root) + "\n";
    }
    JsonObject id2label = new JsonObject();
    for (int i = 0; i < c.numLabels(); i++) {
      id2label.addProperty(Integer.toString(i), c.labels().get(i));
    }
    out.put("id2label", id2label);
    JsonObject label2id = new JsonObject();
    new TreeMap<>(c.label2id()).forEach(label2id::addProperty);
    out.put("label2id", label2id);
    out.put("num_labels", new JsonPrimitive(c.numLabels()));
    JsonObject root = new JsonObject();
    out.forEach(root::add);
    return GSON.toJson(root) + "\n";
  }

  static void write(BertConfig c, Path file) throws IOException {
    AtomicFiles.writeString(file, toJson(c, false));
  }

  static void writeBaseModel(BertConfig c, Path file) throws IOException {
    AtomicFiles.writeString(file, toJson(c, true));
  }

  private static int integer(JsonObject json, String field) {
    return integerValue(field, json.get(field));
  }

  private static int integerValue(String field, JsonElement value) {
    if (value == null || !value.isJsonPrimitive() || !value.getAsJsonPrimitive().isNumber()) {
      throw new BertConfigException(field + ": expected an integer, found " + describe(value));
    }
    try {
      return value.getAsBigDecimal().intValueExact();
    } catch (ArithmeticException | NumberFormatException e) {
      throw new BertConfigException(field + ": expected an integer, found " + describe(value));
    }
  }

  private static double number(JsonObject json, String field) {
    JsonElement value = json.get(field);
    if (value == null || !value.isJsonPrimitive() || !value.getAsJsonPrimitive().isNumber()) {
      throw new BertConfigException(field + ": expected a number, found " + describe(value));
    }
    return value.getAsDouble();
  }

  private static String string(JsonObject json, String field) {
    JsonElement value = json.get(field);
    if (value == null || !value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
      throw new BertConfigException(field + ": expected a string, found " + describe(value));
    }
    return value.getAsString();
  }

  private static List<String> stringList(JsonObject json, String field) {
    JsonElement value = json.get(field);
    if (!value.isJsonArray()) {
      throw new BertConfigException(field + ": expected an array of strings, found " + describe(value));
    }
    List<String> out = new ArrayList<>();
    for (JsonElement e : value.getAsJsonArray()) {
      if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
        throw new BertConfigException(field + ": expected an array of strings, found an element " + describe(e));
      }
      out.add(e.getAsString());
    }
    return out;
  }

  static String describe(JsonElement value) {
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
}
