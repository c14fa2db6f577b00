package dev.exprbert.model.deberta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.exprbert.io.Safetensors;
import dev.exprbert.model.EncoderConfig;
import dev.exprbert.model.ModelConfigException;
import dev.exprbert.model.ParameterSpec;
import dev.exprbert.runtime.Natives;
import dev.exprbert.runtime.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** DeBERTa's config record and builder, and its parameter list against transformers' state_dict. */
class DebertaV2ConfigTest {
  private static final Path FIXTURE = Path.of("..", "shared", "fixtures", "deberta-v2-parity");

  @Test
  void theBuilderHoldsDebertaV3BasesValues() {
    DebertaV2Config c = DebertaV2Config.builder().build();
    assertEquals(List.of(128100, 768, 12, 12, 3072, 512, 256, 512), List.of(c.vocabSize(), c.hiddenSize(),
        c.numHiddenLayers(), c.numAttentionHeads(), c.intermediateSize(), c.maxPositionEmbeddings(), c.positionBuckets(),
        c.relativeSpan()));
    assertEquals(List.of("p2c", "c2p"), c.posAttType());
    assertEquals(1e-7, c.layerNormEps());
    assertEquals(0.1, c.effectiveClassifierDropout());
    assertEquals(List.of("LABEL_0", "LABEL_1"), c.labels());
  }

  @Test
  void withLabelsKeepsEveryOtherKeyAndExtrasVerbatim() {
    DebertaV2Config c = DebertaV2Config.builder().set("hidden_size", 64).set("num_attention_heads", 4)
        .set("max_relative_positions", 300).set("pooler_hidden_act", "gelu").build();
    DebertaV2Config relabelled = c.withLabels(List.of("O", "B-X", "I-X"));
    assertEquals(List.of("O", "B-X", "I-X"), relabelled.labels());
    assertEquals(64, relabelled.hiddenSize());
    assertEquals(300, relabelled.relativeSpan());
    assertEquals(new JsonPrimitive("gelu"), relabelled.extra().get("pooler_hidden_act"));
    JsonObject before = JsonParser.parseString(c.toJson()).getAsJsonObject();
    JsonObject after = JsonParser.parseString(relabelled.toJson()).getAsJsonObject();
    for (String labelKey : List.of("id2label", "label2id", "num_labels")) {
      before.remove(labelKey);
      after.remove(labelKey);
    }
    assertEquals(before, after);
  }

  @Test
  void theBuilderChecksAsAConfigFileIsChecked() {
    ModelConfigException e = assertThrows(ModelConfigException.class,
        () -> DebertaV2Config.builder().set("share_att_key", false).build());
    assertEquals("share_att_key: only true is supported (the relative embeddings go through the content query_proj and"
        + " key_proj, as DeBERTa-v3 does), found false", e.getMessage());
  }

  @Test
  void theParameterListIsTransformersStateDictInOrder() throws IOException {
    Natives.init();
    EncoderConfig config = EncoderConfig.read(FIXTURE.resolve("config.json"));
    Map<String, Tensor> weights = Safetensors.read(FIXTURE.resolve("model.safetensors"));
    try {
      List<String> expected = new ArrayList<>();
      weights.forEach((name, t) -> expected.add(name + Arrays.toString(Tensors.shape(t))));
      assertEquals(expected, ParameterSpec.of(config).stream().map(ParameterSpec::toString).toList());
    } finally {
      weights.values().forEach(Tensor::close);
    }
  }
}
