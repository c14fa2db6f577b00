package dev.exprbert.model;

import static dev.exprbert.testing.TensorAssertions.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.exprbert.model.modernbert.ModernBertConfig;
import dev.exprbert.model.modernbert.ModernBertLayerType;
import dev.exprbert.runtime.Placement;
import dev.exprbert.runtime.Tensors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What is ModernBERT's own beyond {@link FamilyParityTest}: the fully-masked padding rows of its local layers on every
 * backend, its two config.json spellings (the Hub's, and transformers 5's {@code save_pretrained()} with
 * {@code layer_types} / {@code rope_parameters}: {@code modernbert/config-transformers5.json}, written by transformers
 * 5.18 for the fixture's model), what each refuses, its checkpoints (no attn_norm on layer 0; the masked-LM and bare
 * encoder checkpoints it fine-tunes from) and its truncated-normal initialisation.
 */
class ModernBertFamilyTest {
  private static final String FIXTURE = "modernbert-parity";
  private static ParityFixture fixture;
  @TempDir static Path tmp;

  @BeforeAll
  static void load() {
    fixture = new ParityFixture(FIXTURE);
  }

  @AfterAll
  static void free() {
    fixture.close();
  }

  private static JsonObject hubConfig() throws IOException {
    return JsonParser.parseString(Files.readString(fixture.dir.resolve("config.json"))).getAsJsonObject();
  }

  private static JsonObject transformers5Config() throws IOException {
    try (InputStream in = ModernBertFamilyTest.class.getResourceAsStream(
        "/dev/exprbert/model/modernbert/config-transformers5.json")) {
      return JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
    }
  }

  private static JsonObject variant(String name) throws IOException {
    return name.equals("hub") ? hubConfig() : transformers5Config();
  }

  private static Path write(JsonObject json) throws IOException {
    return Files.writeString(Files.createTempDirectory(tmp, "cfg").resolve("config.json"), json.toString());
  }

  private static String refusal(JsonObject json) throws IOException {
    Path file = write(json);
    ModelConfigException e = assertThrows(ModelConfigException.class, () -> EncoderConfig.read(file));
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
    return e.getMessage().substring(file.toString().length() + 2);
  }

  private static String refusal(String variant, Consumer<JsonObject> edit) throws IOException {
    JsonObject json = variant(variant);
    edit.accept(json);
    return refusal(json);
  }

  @Test
  void paddingRowsWhoseWindowHoldsNoRealTokenAreUniformInEagerAndSdpaAsInTransformersAndZeroInFused() {
    ModernBertConfig config = (ModernBertConfig) fixture.config();
    long[] mask = Tensors.toLongArray(fixture.attentionMask);
    int seq = (int) fixture.attentionMask.size(1);
    int half = config.slidingWindow();
    int fullyMasked = 0;
    for (int b = 0; b < fixture.attentionMask.size(0); b++) {
      for (int i = 0; i < seq; i++) {
        boolean anyReal = false;
        for (int j = Math.max(0, i - half); j <= Math.min(seq - 1, i + half); j++) {
          anyReal |= mask[b * seq + j] == 1;
        }
        fullyMasked += anyReal ? 0 : 1;
      }
    }
    assertTrue(fullyMasked > 0, "the fixture batch must hold a padding row whose local window has no real key");
    assertTrue(config.layerTypes().contains(ModernBertLayerType.SLIDING_ATTENTION));
    float[] expected = Tensors.toFloatArray(fixture.expected("logits"));
    for (String backend : List.of("eager", "sdpa")) {
      // transformers adds finfo.min to every score of such a row: a uniform softmax, finite logits at every position
      try (EncoderForTokenClassification model = ParityChecks.model(fixture, backend);
          Tensor logits = model.logits(fixture.inputIds, fixture.attentionMask, null)) {
        double err = assertClose(backend + " logits of every row, padding included", Tensors.toFloatArray(logits), expected,
            ParityChecks.LOGITS_ABS);
        System.out.printf("modernbert %s: all %d rows (%d fully masked in the local layer) within %.3g of transformers%n",
            backend, mask.length, fullyMasked, err);
      }
    }
    for (boolean packed : new boolean[] {false, true}) {
      // the fused kernel gives padding query rows zeros; no real token depends on them, and nothing is NaN
      try (EncoderForTokenClassification model = ParityChecks.model(fixture, "fused");
          Tensor logits = ParityChecks.logits(model, fixture, packed)) {
        for (float v : Tensors.toFloatArray(logits)) {
          assertTrue(Float.isFinite(v), "fused" + (packed ? " packed" : "") + " logits must all be finite");
        }
      }
    }
  }

  @Test
  void transformers5sSavedConfigIsTheSameModelAsTheHubsAndRoundTripsKeyByKey() throws IOException {
    ModernBertConfig hub = (ModernBertConfig) fixture.config();
    JsonObject saved = transformers5Config();
    ModernBertConfig t5 = (ModernBertConfig) EncoderConfig.read(write(saved));
    assertEquals(hub.layerTypes(), t5.layerTypes());
    assertEquals(List.of(ModernBertLayerType.FULL_ATTENTION, ModernBertLayerType.SLIDING_ATTENTION), t5.layerTypes());
    for (ModernBertLayerType type : ModernBertLayerType.values()) {
      assertEquals(hub.ropeTheta(type), t5.ropeTheta(type));
    }
    assertTrue(t5.ropeParameters());
    assertFalse(hub.ropeParameters());
    assertEquals(4, t5.slidingWindow());
    Path written = tmp.resolve("t5-written.json");
    t5.write(written);
    assertEquals(t5, EncoderConfig.read(written));
    JsonObject after = JsonParser.parseString(Files.readString(written)).getAsJsonObject();
    for (String key : saved.keySet()) {
      assertEquals(saved.get(key), after.get(key), "key " + key + " is written back as read");
    }
    assertFalse(after.has("global_rope_theta"), "rope_parameters is written in transformers 5's spelling only");
    try (EncoderForTokenClassification fromHub = ParityChecks.model(fixture, "eager");
        EncoderForTokenClassification fromT5 = new EncoderForTokenClassification(t5,
            CheckpointLoader.load(t5, fixture.weights, Placement.CPU_FLOAT32, 0, false, "fixture").weights(),
            Placement.CPU_FLOAT32, dev.exprbert.model.attention.AttentionBackend.named("eager"));
        Tensor a = fromHub.logits(fixture.inputIds, fixture.attentionMask, null);
        Tensor b = fromT5.logits(fixture.inputIds, fixture.attentionMask, null)) {
      assertArrayEquals(Tensors.toFloatArray(a), Tensors.toFloatArray(b), "one model, two spellings of its config");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"hub", "transformers5"})
  void aMissingKeyIsNamedInEitherSpelling(String variant) throws IOException {
    assertEquals("local_attention: required field missing; expected an integer",
        refusal(variant, j -> j.remove("local_attention")));
    assertEquals("hidden_size: required field missing; expected an integer",
        refusal(variant, j -> j.remove("hidden_size")));
    assertTrue(refusal(variant, j -> {
      j.remove("layer_types");
      j.remove("global_attn_every_n_layers");
    }).startsWith("layer_types: required field missing (or the Hub's global_attn_every_n_layers); expected a list of"
        + " \"full_attention\", \"sliding_attention\""));
    assertTrue(refusal(variant, j -> {
      j.remove("rope_parameters");
      j.remove("global_rope_theta");
      j.remove("local_rope_theta");
    }).startsWith("rope_parameters: required field missing (or the Hub's global_rope_theta and local_rope_theta)"));
    if (variant.equals("hub")) {
      assertEquals("local_rope_theta: required field missing; expected a number",
          refusal(variant, j -> j.remove("local_rope_theta")));
    } else {
      assertTrue(refusal(variant, j -> j.getAsJsonObject("rope_parameters").remove("sliding_attention"))
          .startsWith("rope_parameters.sliding_attention: required field missing"));
      assertEquals("rope_parameters.full_attention.rope_theta: required field missing; expected a number",
          refusal(variant, j -> j.getAsJsonObject("rope_parameters").getAsJsonObject("full_attention").remove("rope_theta")));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"hub", "transformers5"})
  void anUnsupportedValueIsNamedInEitherSpelling(String variant) throws IOException {
    JsonArray chunked = new JsonArray();
    chunked.add("full_attention");
    chunked.add("chunked_attention");
    assertEquals("layer_types[1]: unsupported layer type a string \"chunked_attention\"; expected one of"
        + " \"full_attention\", \"sliding_attention\"", refusal(variant, j -> j.add("layer_types", chunked)));
    JsonArray three = new JsonArray();
    List.of("full_attention", "sliding_attention", "sliding_attention").forEach(three::add);
    assertEquals("layer_types: has 3 entries but num_hidden_layers is 2; expected one per layer",
        refusal(variant, j -> j.add("layer_types", three)));
    assertTrue(refusal(variant, j -> j.addProperty("hidden_activation", "mish"))
        .startsWith("hidden_activation: unsupported activation \"mish\""));
    assertTrue(refusal(variant, j -> j.addProperty("classifier_activation", "mish"))
        .startsWith("classifier_activation: unsupported activation \"mish\""));
    assertTrue(refusal(variant, j -> j.addProperty("num_attention_heads", 5)).startsWith("hidden_size 48 is not a"
        + " multiple of num_attention_heads 5"));
    assertTrue(refusal(variant, j -> j.addProperty("num_attention_heads", 16))
        .startsWith("hidden_size 48 / num_attention_heads 16 = 3 is odd; expected an even head size"));
    assertTrue(refusal(variant, j -> {
      JsonObject scaling = new JsonObject();
      scaling.addProperty("rope_type", "linear");
      j.add("rope_scaling", scaling);
    }).startsWith("rope_scaling: RoPE scaling is not supported"));
    assertTrue(refusal(variant, j -> j.addProperty("sliding_window", 4)).startsWith("sliding_window: not a ModernBERT"));
    assertEquals("local_attention: expected a positive integer, found 0",
        refusal(variant, j -> j.addProperty("local_attention", 0)));
    if (variant.equals("transformers5")) {
      assertEquals("rope_parameters.full_attention.rope_type: unsupported RoPE type \"yarn\"; expected \"default\"",
          refusal(variant, j -> j.getAsJsonObject("rope_parameters").getAsJsonObject("full_attention")
              .addProperty("rope_type", "yarn")));
      assertEquals("rope_parameters.sliding_attention.factor: not supported; expected only rope_theta and rope_type"
          + " \"default\"", refusal(variant, j -> j.getAsJsonObject("rope_parameters")
              .getAsJsonObject("sliding_attention").addProperty("factor", 2.0)));
      assertEquals("rope_parameters.full_attention.rope_theta: expected a finite value > 0, found -1.0",
          refusal(variant, j -> j.getAsJsonObject("rope_parameters").getAsJsonObject("full_attention")
              .addProperty("rope_theta", -1.0)));
    } else {
      assertEquals("global_attn_every_n_layers: expected a positive integer, found 0",
          refusal(variant, j -> j.addProperty("global_attn_every_n_layers", 0)));
      assertEquals("global_rope_theta: expected a number, found a string \"160k\"",
          refusal(variant, j -> j.addProperty("global_rope_theta", "160k")));
    }
  }

  @Test
  void theLayerPatternOfTheHubsKeyIsTransformersOne() {
    ModernBertConfig c = ModernBertConfig.builder().vocabSize(100).hiddenSize(16).numAttentionHeads(2).intermediateSize(8)
        .numHiddenLayers(7).padTokenId(0).globalAttnEveryNLayers(3).build();
    ModernBertLayerType g = ModernBertLayerType.FULL_ATTENTION;
    ModernBertLayerType l = ModernBertLayerType.SLIDING_ATTENTION;
    assertEquals(List.of(g, l, l, g, l, l, g), c.layerTypes());
    assertEquals(64, ModernBertConfig.builder().build().slidingWindow(), "ModernBERT-base's local_attention 128");
  }

  @Test
  void layerZeroHasNoAttnNormAndCheckpointsAreHeldToThat() {
    EncoderConfig config = fixture.config();
    Map<String, Tensor> missing = new LinkedHashMap<>(fixture.weights);
    missing.remove("model.layers.1.attn_norm.weight");
    IllegalArgumentException m = assertThrows(IllegalArgumentException.class,
        () -> CheckpointLoader.load(config, missing, Placement.CPU_FLOAT32, 1, false, "ckpt"));
    assertEquals("ckpt has no tensor 'model.layers.1.attn_norm.weight' (expected by config.json's num_hidden_layers 2);"
        + " the weights and config.json do not belong together, or the file is damaged", m.getMessage());
    try (Tensor extra = Tensors.floats(new float[48], 48)) {
      Map<String, Tensor> withLayer0Norm = new LinkedHashMap<>(fixture.weights);
      withLayer0Norm.put("model.layers.0.attn_norm.weight", extra);
      IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
          () -> CheckpointLoader.load(config, withLayer0Norm, Placement.CPU_FLOAT32, 1, false, "ckpt"));
      assertTrue(x.getMessage().startsWith("ckpt has tensor 'model.layers.0.attn_norm.weight', which a"
          + " ModernBertForTokenClassification with this config.json does not have"), x.getMessage());
    }
    assertFalse(ParameterSpec.of(config).stream().anyMatch(s -> s.name().endsWith(".bias") && !s.name().startsWith("classifier.")),
        "the fixture's config has no biases but the classifier's");
    EncoderConfig withBiases = ((ModernBertConfig) config).toBuilder().normBias(true).attentionBias(true).mlpBias(true)
        .classifierBias(true).build();
    List<String> names = ParameterSpec.of(withBiases).stream().map(ParameterSpec::name).toList();
    for (String bias : List.of("model.embeddings.norm.bias", "model.layers.0.attn.Wqkv.bias", "model.layers.0.attn.Wo.bias",
        "model.layers.1.attn_norm.bias", "model.layers.1.mlp.Wi.bias", "model.layers.1.mlp.Wo.bias", "model.final_norm.bias",
        "head.dense.bias", "head.norm.bias")) {
      assertTrue(names.contains(bias), bias + " in " + names);
    }
  }

  @Test
  void theMaskedLmCheckpointFineTunesWithItsHeadAndTheBareEncoderWithAFreshOne() {
    EncoderConfig config = fixture.config();
    try (Tensor decoderBias = Tensors.floats(new float[128], 128); Tensor inv = Tensors.floats(new float[6], 6)) {
      Map<String, Tensor> maskedLm = new LinkedHashMap<>(fixture.weights);
      maskedLm.keySet().removeIf(k -> k.startsWith("classifier."));
      maskedLm.put("decoder.bias", decoderBias);
      maskedLm.put("model.layers.0.attn.rotary_emb.inv_freq", inv);
      CheckpointLoader.Loaded fromMlm = CheckpointLoader.loadForFineTuning(config, maskedLm, Placement.CPU_FLOAT32, 1, "mlm");
      try (ModelWeights w = fromMlm.weights()) {
        assertEquals(List.of("classifier.weight", "classifier.bias"), fromMlm.report().missing());
        assertEquals(List.of("decoder.bias"), fromMlm.report().unexpected());
        assertEquals(List.of("model.layers.0.attn.rotary_emb.inv_freq"), fromMlm.report().ignored());
        assertArrayEquals(Tensors.toFloatArray(fixture.weights.get("head.dense.weight")),
            Tensors.toFloatArray(w.get("head.dense.weight")), "the masked-LM head is the token classifier's head");
      }
    }
    Map<String, Tensor> bare = new LinkedHashMap<>();
    fixture.weights.forEach((k, v) -> {
      if (k.startsWith("model.")) {
        bare.put(k.substring("model.".length()), v);
      }
    });
    CheckpointLoader.Loaded fromBare = CheckpointLoader.loadForFineTuning(config, bare, Placement.CPU_FLOAT32, 1, "bare");
    try (ModelWeights w = fromBare.weights()) {
      assertEquals(List.of("head.dense.weight", "head.norm.weight", "classifier.weight", "classifier.bias"),
          fromBare.report().missing());
      assertEquals(fixture.weights.size(), w.asMap().size());
    }
    Map<String, Tensor> noEncoderNorm = new LinkedHashMap<>(bare);
    noEncoderNorm.remove("final_norm.weight");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CheckpointLoader.loadForFineTuning(config, noEncoderNorm, Placement.CPU_FLOAT32, 1, "bare"));
    assertTrue(e.getMessage().startsWith("bare has no tensor 'model.final_norm.weight' (expected by every ModernBERT"
        + " encoder)"), e.getMessage());
  }

  @Test
  void freshWeightsFollowModernBertsTruncatedNormalPerRole() {
    ModernBertConfig config = ModernBertConfig.builder().vocabSize(2000).hiddenSize(64).numAttentionHeads(4)
        .intermediateSize(96).numHiddenLayers(3).padTokenId(3).labels(List.of("O", "B-X", "I-X")).build();
    double range = config.initializerRange();
    double cutoff = config.initializerCutoffFactor();
    Map<String, Double> stds = Map.of("model.embeddings.tok_embeddings.weight", range,
        "model.layers.2.attn.Wqkv.weight", range, "model.layers.2.mlp.Wi.weight", range,
        "model.layers.2.attn.Wo.weight", range / Math.sqrt(2 * 3), "model.layers.2.mlp.Wo.weight", range / Math.sqrt(2 * 3),
        "head.dense.weight", range / Math.sqrt(2 * 3), "classifier.weight", 1 / Math.sqrt(64));
    // a normal truncated at +-2 std keeps sqrt(1 - 2 * 2 * phi(2) / (2 * Phi(2) - 1)) = 0.8796 of its std
    double truncatedShare = 0.8796;
    try (ModelWeights w = CheckpointLoader.initialize(config, Placement.CPU_FLOAT32, 11)) {
      for (Map.Entry<String, Double> e : stds.entrySet()) {
        float[] v = Tensors.toFloatArray(w.get(e.getKey()));
        double sum = 0;
        double squares = 0;
        double max = 0;
        for (float x : v) {
          sum += x;
          squares += (double) x * x;
          max = Math.max(max, Math.abs(x));
        }
        double mean = sum / v.length;
        double std = Math.sqrt(squares / v.length - mean * mean);
        assertTrue(max <= cutoff * e.getValue() * (1 + 1e-6), e.getKey() + ": |x| up to " + max + " beyond the cutoff");
        assertTrue(max > 0.8 * cutoff * e.getValue(), e.getKey() + ": values should reach near the cutoff, max " + max);
        double expectedStd = truncatedShare * e.getValue();
        // four standard errors of the sample's mean and std (the classifier has only 3 x 64 values)
        assertEquals(expectedStd, std, 4 * expectedStd / Math.sqrt(2.0 * v.length), e.getKey() + " std");
        assertEquals(0, mean, 4 * expectedStd / Math.sqrt(v.length), e.getKey() + " mean");
      }
      for (String norm : List.of("model.embeddings.norm.weight", "model.layers.1.attn_norm.weight", "model.final_norm.weight",
          "head.norm.weight")) {
        for (float x : Tensors.toFloatArray(w.get(norm))) {
          assertEquals(1f, x, norm);
        }
      }
      for (float x : Tensors.toFloatArray(w.get("classifier.bias"))) {
        assertEquals(0f, x);
      }
    }
  }
}
