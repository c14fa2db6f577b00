package dev.exprbert.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.exprbert.model.bert.BertConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The config.json of a bare encoder, as BertModel.save_pretrained writes it. */
class BertConfigBaseModelTest {
  @TempDir Path tmp;

  @Test
  void baseModelConfigNamesBertModelAndOmitsTheDefaultLabels() throws Exception {
    BertConfig c = BertConfig.builder().hiddenSize(384).numAttentionHeads(12).intermediateSize(1536).numHiddenLayers(6).build();
    JsonObject json = JsonParser.parseString(c.toBaseModelJson()).getAsJsonObject();
    assertEquals("BertModel", json.getAsJsonArray("architectures").get(0).getAsString());
    assertFalse(json.has("id2label") || json.has("label2id") || json.has("num_labels"), json.toString());
    assertEquals(384, json.get("hidden_size").getAsInt());

    c.writeBaseModel(tmp.resolve("config.json"));
    BertConfig back = BertConfig.read(tmp.resolve("config.json"));
    assertEquals(List.of("BertModel"), back.architectures());
    assertEquals(List.of("LABEL_0", "LABEL_1"), back.labels());
    assertEquals(c.hiddenSize(), back.hiddenSize());
    assertTrue(c.toJson().contains("BertForTokenClassification"), "write() still saves a token classifier");
  }

  @Test
  void aConfigWithTrainedLabelsIsNotWrittenAsABaseModel() {
    BertConfig tagged = BertConfig.builder().labels(List.of("O", "B-TIME", "I-TIME")).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, tagged::toBaseModelJson);
    assertTrue(e.getMessage().contains("[O, B-TIME, I-TIME]"), e.getMessage());
  }
}
