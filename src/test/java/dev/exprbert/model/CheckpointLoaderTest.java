package dev.exprbert.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.io.Safetensors;
import dev.exprbert.model.bert.BertConfig;
import dev.exprbert.runtime.Placement;
import dev.exprbert.runtime.Tensors;
import dev.exprbert.testing.TinyModelDirectory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CheckpointLoaderTest {
  private LinkedHashMap<String, Tensor> fixture;
  private BertConfig config;

  @BeforeEach
  void load() throws Exception {
    dev.exprbert.runtime.Natives.init();
    fixture = Safetensors.read(TinyModelDirectory.FIXTURE.resolve("model.safetensors"));
    config = TinyModelDirectory.config();
  }

  @AfterEach
  void free() {
    fixture.values().forEach(Tensor::close);
  }

  @Test
  void completeCheckpointReportsNothing() {
    CheckpointLoader.Loaded loaded = CheckpointLoader.load(config, fixture, Placement.CPU_FLOAT32, 1, false, "fixture");
    try (ModelWeights w = loaded.weights()) {
      assertTrue(loaded.report().isComplete());
      assertEquals(List.of(), loaded.report().unexpected());
      assertEquals(fixture.size(), w.asMap().size());
    }
  }

  @Test
  void tfStyleNamesPoolerAndHeadlessBaseCheckpointsAreHandledLikeHuggingFace() {
    Map<String, Tensor> base = new LinkedHashMap<>();
    fixture.forEach((k, v) -> {
      if (k.startsWith("classifier.")) {
        return;
      }
      String name = k.substring("bert.".length());
      if (name.endsWith("LayerNorm.weight")) {
        name = name.replace("LayerNorm.weight", "LayerNorm.gamma");
      } else if (name.endsWith("LayerNorm.bias")) {
        name = name.replace("LayerNorm.bias", "LayerNorm.beta");
      }
      base.put(name, v);
    });
    try (Tensor pooler = Tensors.floats(new float[] {1, 2}, 2); Tensor mlm = Tensors.floats(new float[] {3}, 1)) {
      base.put("pooler.dense.bias", pooler);
      base.put("cls.predictions.bias", mlm);
      IllegalArgumentException strict = assertThrows(IllegalArgumentException.class,
          () -> CheckpointLoader.load(config, base, Placement.CPU_FLOAT32, 1, false, "base"));
      assertTrue(strict.getMessage().startsWith("base has no tensor 'classifier.weight'"), strict.getMessage());
      CheckpointLoader.Loaded loaded = CheckpointLoader.loadForFineTuning(config, base, Placement.CPU_FLOAT32, 1, "base");
      try (ModelWeights w = loaded.weights()) {
        assertEquals(List.of("classifier.weight", "classifier.bias"), loaded.report().missing());
        assertEquals(List.of("cls.predictions.bias"), loaded.report().unexpected());
        assertEquals(List.of("bert.pooler.dense.bias"), loaded.report().ignored());
        // a loaded tensor equals the checkpoint's; the new head follows HF's init (zero bias)
        assertEquals(0.0, Tensors.toFloatArray(fixture.get("bert.embeddings.LayerNorm.weight"))[0]
            - Tensors.toFloatArray(w.get("bert.embeddings.LayerNorm.weight"))[0], 0.0);
        for (float b : Tensors.toFloatArray(w.get("classifier.bias"))) {
          assertEquals(0.0f, b);
        }
        float[] head = Tensors.toFloatArray(w.get("classifier.weight"));
        double sq = 0;
        for (float v : head) {
          sq += v * v;
        }
        double std = Math.sqrt(sq / head.length);
        assertTrue(std > 0.01 && std < 0.03, "classifier init std should be near initializer_range 0.02, got " + std);
      }
    }
  }

  @Test
  void shapeThatDisagreesWithTheConfigNamesTheTensorAndBothShapes() {
    BertConfig wider = config.toBuilder().intermediateSize(config.intermediateSize() * 2).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CheckpointLoader.load(wider, fixture, Placement.CPU_FLOAT32, 1, false, "model.safetensors"));
    assertTrue(e.getMessage().contains("bert.encoder.layer.0.intermediate.dense.weight"), e.getMessage());
    assertTrue(e.getMessage().contains("[64, 32]") && e.getMessage().contains("[128, 32]"), e.getMessage());
  }

  @Test
  void anotherLabelSetFailsUnlessTheHeadMayBeReinitialised() {
    BertConfig threeLabels = config.withLabels(List.of("O", "B-X", "I-X"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CheckpointLoader.load(threeLabels, fixture, Placement.CPU_FLOAT32, 1, false, "ckpt"));
    assertTrue(e.getMessage().contains("classifier.weight") && e.getMessage().contains("re-initialise"), e.getMessage());
    CheckpointLoader.Loaded loaded = CheckpointLoader.load(threeLabels, fixture, Placement.CPU_FLOAT32, 1, true, "ckpt");
    try (ModelWeights w = loaded.weights()) {
      assertEquals(2, loaded.report().reinitialized().size());
      assertEquals(3, w.get("classifier.weight").size(0));
    }
  }

  @Test
  void sameSeedGivesTheSameFreshModel() {
    try (ModelWeights a = CheckpointLoader.initialize(config, Placement.CPU_FLOAT32, 7);
        ModelWeights b = CheckpointLoader.initialize(config, Placement.CPU_FLOAT32, 7);
        ModelWeights c = CheckpointLoader.initialize(config, Placement.CPU_FLOAT32, 8)) {
      for (String k : a.asMap().keySet()) {
        dev.exprbert.testing.TensorAssertions.assertClose(k, a.get(k), b.get(k), 0.0);
      }
      float[] x = Tensors.toFloatArray(a.get("classifier.weight"));
      float[] y = Tensors.toFloatArray(c.get("classifier.weight"));
      assertTrue(!java.util.Arrays.equals(x, y), "different seeds should give different weights");
      // the word embedding's padding row is zero, as nn.Embedding(padding_idx) leaves it
      try (Tensor row = a.get("bert.embeddings.word_embeddings.weight").select(0, 0); Tensor abs = row.abs(); Tensor m = abs.max()) {
        assertEquals(0.0f, m.item_float());
      }
      assertEquals(torch.ScalarType.Float.value, a.get("classifier.weight").scalar_type().value);
    }
  }

  @Test
  void unprefixedEncoderNextToAHeadKeepsTheHeadName() {
    Map<String, Tensor> mixed = new LinkedHashMap<>();
    fixture.forEach((k, v) -> mixed.put(k.startsWith("bert.") ? k.substring("bert.".length()) : k, v));
    CheckpointLoader.Loaded loaded = CheckpointLoader.load(config, mixed, Placement.CPU_FLOAT32, 1, false, "mixed");
    try (ModelWeights w = loaded.weights()) {
      assertTrue(loaded.report().isComplete(), loaded.report().toString());
      assertEquals(List.of(), loaded.report().unexpected());
    }
  }

  @Test
  void strictLoadingRefusesATensorTheModelDoesNotHaveButLetsHuggingFacesIgnoredKeysThrough() {
    try (Tensor pooler = Tensors.floats(new float[] {1, 2}, 2); Tensor ids = Tensors.longs(new long[] {0, 1}, 2);
        Tensor mlm = Tensors.floats(new float[] {3}, 1); Tensor stray = Tensors.floats(new float[] {4}, 1)) {
      Map<String, Tensor> withIgnored = new LinkedHashMap<>(fixture);
      withIgnored.put("bert.pooler.dense.bias", pooler);
      withIgnored.put("bert.embeddings.position_ids", ids);
      withIgnored.put("cls.predictions.bias", mlm);
      CheckpointLoader.Loaded loaded = CheckpointLoader.load(config, withIgnored, Placement.CPU_FLOAT32, 1, false, "ckpt");
      try (ModelWeights w = loaded.weights()) {
        assertEquals(List.of("bert.pooler.dense.bias", "bert.embeddings.position_ids"), loaded.report().ignored());
        assertEquals(List.of("cls.predictions.bias"), loaded.report().unexpected());
      }
      Map<String, Tensor> withStray = new LinkedHashMap<>(fixture);
      withStray.put("bert.encoder.layer.2.output.dense.bias", stray);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> CheckpointLoader.load(config, withStray, Placement.CPU_FLOAT32, 1, false, "ckpt"));
      assertEquals("ckpt has tensor 'bert.encoder.layer.2.output.dense.bias', which a BertForTokenClassification with this"
          + " config.json does not have; the weights belong to another architecture or size, or the file is damaged",
          e.getMessage());
    }
  }

  @Test
  void fineTuningStillRequiresEveryEncoderTensor() {
    Map<String, Tensor> noLayerNorm = new LinkedHashMap<>(fixture);
    noLayerNorm.remove("bert.embeddings.LayerNorm.weight");
    noLayerNorm.remove("classifier.weight");
    noLayerNorm.remove("classifier.bias");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CheckpointLoader.loadForFineTuning(config, noLayerNorm, Placement.CPU_FLOAT32, 1, "enc"));
    assertTrue(e.getMessage().startsWith("enc has no tensor 'bert.embeddings.LayerNorm.weight' (expected by every BERT"
        + " encoder) and 2 more missing (classifier.weight, classifier.bias)"), e.getMessage());
  }

  @Test
  void integerWeightsAndTwoNamesForOneParameterAreRefused() {
    try (Tensor ints = Tensors.longs(new long[32], 32)) {
      Map<String, Tensor> wrongType = new LinkedHashMap<>(fixture);
      wrongType.put("bert.embeddings.LayerNorm.bias", ints);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> CheckpointLoader.load(config, wrongType, Placement.CPU_FLOAT32, 1, false, "ckpt"));
      assertTrue(e.getMessage().startsWith("ckpt: tensor 'bert.embeddings.LayerNorm.bias' has dtype Long; expected a"
          + " floating-point weight"), e.getMessage());
    }
    Map<String, Tensor> twice = new LinkedHashMap<>(fixture);
    twice.put("bert.embeddings.LayerNorm.gamma", fixture.get("bert.embeddings.LayerNorm.weight"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CheckpointLoader.load(config, twice, Placement.CPU_FLOAT32, 1, false, "ckpt"));
    assertTrue(e.getMessage().contains("'bert.embeddings.LayerNorm.weight' and 'bert.embeddings.LayerNorm.gamma' both name"),
        e.getMessage());
  }
}
