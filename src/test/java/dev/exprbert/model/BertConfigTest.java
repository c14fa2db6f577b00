package dev.exprbert.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.exprbert.model.bert.BertConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BertConfigTest {
  static final Path FIXTURE = Path.of("../shared/fixtures/tiny-bert-parity/config.json");
  static final String SIZES = "\"vocab_size\": 100, \"hidden_size\": 32, \"num_hidden_layers\": 2,"
      + " \"num_attention_heads\": 4, \"intermediate_size\": 64";

  @TempDir Path dir;

  private Path config(String body) throws IOException {
    return Files.writeString(dir.resolve("config.json"), "{" + body + "}");
  }

  private ModelConfigException rejected(String body, String... parts) throws IOException {
    Path file = config(body);
    ModelConfigException e = assertThrows(ModelConfigException.class, () -> BertConfig.read(file));
    assertTrue(e.getMessage().startsWith(file.toString()), "names the file: " + e.getMessage());
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), "expected '" + part + "' in: " + e.getMessage());
    }
    return e;
  }

  @Test
  void readsTheFixture() throws IOException {
    BertConfig c = BertConfig.read(FIXTURE);
    assertEquals(100, c.vocabSize());
    assertEquals(32, c.hiddenSize());
    assertEquals(2, c.numHiddenLayers());
    assertEquals(4, c.numAttentionHeads());
    assertEquals(8, c.headDim());
    assertEquals(64, c.intermediateSize());
    assertEquals(HiddenActivation.GELU, c.hiddenAct());
    assertEquals(0.1, c.hiddenDropoutProb());
    assertEquals(0.1, c.attentionProbsDropoutProb());
    assertNull(c.classifierDropout());
    assertEquals(0.1, c.effectiveClassifierDropout());
    assertEquals(32, c.maxPositionEmbeddings());
    assertEquals(2, c.typeVocabSize());
    assertEquals(0.02, c.initializerRange());
    assertEquals(1e-12, c.layerNormEps());
    assertEquals(0, c.padTokenId());
    assertEquals(List.of("O", "B-EXPR", "I-EXPR", "B-TIME", "I-TIME"), c.labels());
    assertEquals(5, c.numLabels());
    assertEquals(3, c.label2id().get("B-TIME"));
    assertEquals("I-TIME", c.id2label().get(4));
    assertEquals(List.of("BertForTokenClassification"), c.architectures());
    assertEquals("bert", c.modelType());
    assertTrue(c.extraFields().isEmpty());
  }

  @Test
  void missingOptionalFieldsTakeTransformersDefaults() throws IOException {
    BertConfig c = BertConfig.read(config(SIZES));
    assertEquals(HiddenActivation.GELU, c.hiddenAct());
    assertEquals(0.1, c.hiddenDropoutProb());
    assertEquals(0.1, c.attentionProbsDropoutProb());
    assertNull(c.classifierDropout());
    assertEquals(512, c.maxPositionEmbeddings());
    assertEquals(2, c.typeVocabSize());
    assertEquals(0.02, c.initializerRange());
    assertEquals(1e-12, c.layerNormEps());
    assertEquals(0, c.padTokenId());
    assertEquals("absolute", c.positionEmbeddingType());
    assertEquals(List.of("LABEL_0", "LABEL_1"), c.labels());
    assertEquals(Map.of("LABEL_0", 0, "LABEL_1", 1), c.label2id());
    assertNull(c.architectures());
  }

  @Test
  void builderDefaultsAreBertBase() {
    BertConfig c = BertConfig.builder().build();
    assertEquals(30522, c.vocabSize());
    assertEquals(768, c.hiddenSize());
    assertEquals(12, c.numHiddenLayers());
    assertEquals(12, c.numAttentionHeads());
    assertEquals(3072, c.intermediateSize());
  }

  @Test
  void numLabelsWithoutId2labelInventsLabels() throws IOException {
    BertConfig c = BertConfig.read(config(SIZES + ", \"num_labels\": 3"));
    assertEquals(List.of("LABEL_0", "LABEL_1", "LABEL_2"), c.labels());
  }

  @Test
  void id2labelWinsOverADisagreeingNumLabels() throws IOException {
    BertConfig c = BertConfig.read(config(SIZES + ", \"num_labels\": 7, \"id2label\": {\"1\": \"B\", \"0\": \"O\"}"));
    assertEquals(List.of("O", "B"), c.labels());
  }

  @Test
  void classifierDropoutOverridesHiddenDropout() throws IOException {
    BertConfig c = BertConfig.read(config(SIZES + ", \"classifier_dropout\": 0.3, \"hidden_dropout_prob\": 0.2"));
    assertEquals(0.3, c.effectiveClassifierDropout());
    assertEquals(0.2, c.hiddenDropoutProb());
  }

  @ParameterizedTest
  @ValueSource(strings = {"gelu", "gelu_new", "gelu_pytorch_tanh", "relu", "silu", "swish", "gelu_fast", "quick_gelu", "tanh"})
  void supportedActivationsRoundTripByName(String name) throws IOException {
    BertConfig c = BertConfig.read(config(SIZES + ", \"hidden_act\": \"" + name + "\""));
    assertEquals(name, c.hiddenAct().hfName());
    assertTrue(c.toJson().contains("\"hidden_act\": \"" + name + "\""));
  }

  @Test
  void unknownActivationListsTheSupportedOnes() throws IOException {
    rejected(SIZES + ", \"hidden_act\": \"mish\"", "hidden_act", "\"mish\"", "\"gelu\"", "\"relu\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size"})
  void missingRequiredSizeIsNamed(String field) throws IOException {
    String body = SIZES.replaceAll("\"" + field + "\": \\d+,? ?", "").replaceAll(",\\s*$", "");
    rejected(body, field, "required field missing", "expected an integer");
  }

  @Test
  void wrongTypesNameFieldExpectedAndFound() throws IOException {
    rejected(SIZES.replace("\"hidden_size\": 32", "\"hidden_size\": \"32\""),
        "hidden_size", "expected an integer", "a string \"32\"");
    rejected(SIZES.replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 2.5"),
        "num_hidden_layers", "expected an integer", "the number 2.5");
    rejected(SIZES + ", \"layer_norm_eps\": true", "layer_norm_eps", "expected a number", "a boolean true");
    rejected(SIZES + ", \"hidden_act\": 3", "hidden_act", "expected a string", "the number 3");
    rejected(SIZES + ", \"architectures\": \"BertModel\"", "architectures", "expected an array of strings");
  }

  @Test
  void integralFloatSizesAreAccepted() throws IOException {
    // json.dumps never writes 32.0 for an int, but hand-edited files do; the value is still exact.
    assertEquals(32, BertConfig.read(config(SIZES.replace("\"hidden_size\": 32", "\"hidden_size\": 32.0"))).hiddenSize());
  }

  @ParameterizedTest
  @ValueSource(strings = {"deberta", "camembert", "albert", "mpnet"})
  void unknownModelTypesAreRefusedWithTheSupportedList(String type) throws IOException {
    rejected(SIZES + ", \"model_type\": \"" + type + "\"", "model_type \"" + type + "\" is not supported",
        "supported model types: " + ModelFamilies.supportedModelTypes());
  }

  @Test
  void headsMustDivideHiddenSize() throws IOException {
    rejected(SIZES.replace("\"num_attention_heads\": 4", "\"num_attention_heads\": 5"),
        "hidden_size 32 is not a multiple of num_attention_heads 5");
  }

  @Test
  void relativePositionEmbeddingsAreRefused() throws IOException {
    rejected(SIZES + ", \"position_embedding_type\": \"relative_key\"", "position_embedding_type",
        "only \"absolute\"", "relative_key");
  }

  @Test
  void label2idMustInvertId2label() throws IOException {
    String id2label = ", \"id2label\": {\"0\": \"O\", \"1\": \"B\"}";
    rejected(SIZES + id2label + ", \"label2id\": {\"O\": 1, \"B\": 0}", "label2id", "\"O\" maps to 1", "id 0");
    rejected(SIZES + id2label + ", \"label2id\": {\"O\": 0, \"X\": 1}", "label2id", "\"X\"", "not in id2label");
    rejected(SIZES + id2label + ", \"label2id\": {\"O\": 0}", "label2id", "missing [B]");
    rejected(SIZES + ", \"label2id\": {\"O\": 0, \"B\": 1}", "label2id", "\"O\"", "not in id2label [LABEL_0, LABEL_1]");
  }

  @Test
  void id2labelKeysMustBeContiguousIntegers() throws IOException {
    rejected(SIZES + ", \"id2label\": {\"zero\": \"O\"}", "id2label", "\"zero\" is not an integer id");
    rejected(SIZES + ", \"id2label\": {\"0\": \"O\", \"2\": \"B\"}", "id2label", "expected id 1, found 2");
    rejected(SIZES + ", \"id2label\": {\"0\": \"O\", \"1\": \"O\"}", "id2label", "\"O\" is used by ids 0 and 1");
    rejected(SIZES + ", \"id2label\": {\"0\": 5}", "id2label[\"0\"]", "expected a string label", "the number 5");
  }

  @Test
  void notJsonOrNotAnObjectIsNamed() throws IOException {
    Path bad = Files.writeString(dir.resolve("config.json"), "{\"vocab_size\": ");
    ModelConfigException e = assertThrows(ModelConfigException.class, () -> BertConfig.read(bad));
    assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
    Path array = Files.writeString(dir.resolve("array.json"), "[1]");
    e = assertThrows(ModelConfigException.class, () -> BertConfig.read(array));
    assertTrue(e.getMessage().contains("expected a JSON object, found an array"), e.getMessage());
  }

  @Test
  void builderValidatesRanges() {
    assertThrows(ModelConfigException.class, () -> BertConfig.builder().hiddenDropoutProb(1.5).build());
    assertThrows(ModelConfigException.class, () -> BertConfig.builder().layerNormEps(0).build());
    assertThrows(ModelConfigException.class, () -> BertConfig.builder().padTokenId(30522).build());
    assertThrows(ModelConfigException.class, () -> BertConfig.builder().vocabSize(0).build());
    assertThrows(ModelConfigException.class, () -> BertConfig.builder().labels(List.of()).build());
  }

  @Test
  void unknownKeysAreKeptAndWrittenBack() throws IOException {
    BertConfig c = BertConfig.read(config(SIZES
        + ", \"use_cache\": true, \"torch_dtype\": \"float32\", \"transformers_version\": \"4.46.0\", \"gradient_checkpointing\": false"));
    assertEquals(4, c.extraFields().size());
    Path out = dir.resolve("out.json");
    c.write(out);
    JsonObject written = JsonParser.parseString(Files.readString(out)).getAsJsonObject();
    assertTrue(written.get("use_cache").getAsBoolean());
    assertEquals("float32", written.get("torch_dtype").getAsString());
    assertEquals("4.46.0", written.get("transformers_version").getAsString());
    assertEquals(c, BertConfig.read(out));
  }

  @Test
  void writeEmitsEveryFieldForTransformers() throws IOException {
    BertConfig c = BertConfig.read(FIXTURE);
    Path out = dir.resolve("written/config.json");
    Files.createDirectories(out.getParent());
    c.write(out);
    String text = Files.readString(out);
    assertTrue(text.endsWith("}\n"));
    JsonObject w = JsonParser.parseString(text).getAsJsonObject();
    assertEquals("BertForTokenClassification", w.getAsJsonArray("architectures").get(0).getAsString());
    assertEquals("bert", w.get("model_type").getAsString());
    for (String key : List.of("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
        "intermediate_size", "hidden_act", "hidden_dropout_prob", "attention_probs_dropout_prob",
        "max_position_embeddings", "type_vocab_size", "initializer_range", "layer_norm_eps", "pad_token_id",
        "position_embedding_type", "id2label", "label2id", "num_labels", "classifier_dropout")) {
      assertTrue(w.has(key), "missing " + key);
    }
    assertTrue(w.get("classifier_dropout").isJsonNull());
    assertEquals(32, w.get("hidden_size").getAsJsonPrimitive().getAsBigDecimal().intValueExact());
    assertTrue(text.contains("\"hidden_size\": 32,"), "integers stay integers");
    assertEquals(1e-12, w.get("layer_norm_eps").getAsDouble());
    assertEquals("B-EXPR", w.getAsJsonObject("id2label").get("1").getAsString());
    assertEquals(4, w.getAsJsonObject("label2id").get("I-TIME").getAsInt());
    // keys sorted as transformers' to_json_string(sort_keys=True) writes them
    List<String> keys = List.copyOf(w.keySet());
    assertEquals(keys.stream().sorted().toList(), keys);
    assertEquals(c, BertConfig.read(out));
  }

  @Test
  void id2labelIsWrittenInNumericOrder() {
    List<String> labels = new java.util.ArrayList<>();
    for (int i = 0; i < 12; i++) {
      labels.add("L" + i);
    }
    String json = BertConfig.builder().labels(labels).build().toJson();
    assertTrue(json.indexOf("\"2\": \"L2\"") < json.indexOf("\"10\": \"L10\""), json);
  }

  @Test
  void withLabelsReplacesBothMapsAndKeepsTheRest() throws IOException {
    BertConfig c = BertConfig.read(config(SIZES + ", \"use_cache\": true"));
    BertConfig relabelled = c.withLabels(List.of("O", "B-X", "I-X"));
    assertEquals(List.of("O", "B-X", "I-X"), relabelled.labels());
    assertEquals(Map.of("O", 0, "B-X", 1, "I-X", 2), relabelled.label2id());
    assertEquals(3, relabelled.numLabels());
    assertEquals(c.hiddenSize(), relabelled.hiddenSize());
    assertTrue(relabelled.extraFields().containsKey("use_cache"));
    assertEquals(List.of("LABEL_0", "LABEL_1"), c.labels(), "original unchanged");
    assertThrows(ModelConfigException.class, () -> c.withLabels(List.of("O", "O")));
  }
}
