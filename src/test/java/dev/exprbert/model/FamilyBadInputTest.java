package dev.exprbert.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.io.TokenizerLoader;
import dev.exprbert.model.attention.AttentionBackend;
import dev.exprbert.model.attention.AttentionImplementation;
import dev.exprbert.model.bert.BertFamily;
import dev.exprbert.runtime.Placement;
import dev.exprbert.runtime.Tensors;
import dev.exprbert.testing.Cli;
import dev.exprbert.testing.ConllSample;
import dev.exprbert.testing.TestTokenizers;
import dev.exprbert.testing.TinyFamilies;
import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every family refuses, in one line naming the file or tensor and what was expected: an unknown model_type, a
 * config without a family-specific key, weights with a missing or an extra tensor, a tokenizer of another kind, an
 * attention backend the family does not support. And what they let through as Hugging Face does: ignored buffers and
 * poolers, pre-training heads (reported as unused), a base-model checkpoint without the prefix.
 */
class FamilyBadInputTest {
  @TempDir static Path tmp;
  private static final Map<String, ParityFixture> fixtures = new LinkedHashMap<>();

  @BeforeAll
  static void load() {
    for (String name : List.of("roberta-parity", "xlm-roberta-parity", "distilbert-parity", "electra-parity",
        "deberta-v2-parity", "modernbert-parity")) {
      fixtures.put(name, new ParityFixture(name));
    }
  }

  @AfterAll
  static void free() {
    fixtures.values().forEach(ParityFixture::close);
  }

  private static String oneLine(Throwable e) {
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    return e.getMessage();
  }

  private static Path config(String json) throws IOException {
    return Files.writeString(Files.createTempDirectory(tmp, "cfg").resolve("config.json"), json);
  }

  /** The fixture's config.json with {@code key} removed. */
  private static Path configWithout(String fixture, String key) throws IOException {
    JsonObject json = JsonParser.parseString(Files.readString(ParityFixture.ROOT.resolve(fixture).resolve("config.json")))
        .getAsJsonObject();
    json.remove(key);
    return config(json.toString());
  }

  @Test
  void anUnknownModelTypeNamesTheSupportedOnes() throws IOException {
    Path file = config("{\"model_type\": \"camembert\", \"vocab_size\": 10}");
    ModelConfigException e = assertThrows(ModelConfigException.class, () -> EncoderConfig.read(file));
    assertEquals(file + ": model_type \"camembert\" is not supported; supported model types: \"bert\", \"roberta\","
        + " \"xlm-roberta\", \"distilbert\", \"electra\", \"deberta-v2\", \"modernbert\"", oneLine(e));
  }

  @ParameterizedTest
  @CsvSource({"distilbert-parity, dim", "distilbert-parity, n_layers", "distilbert-parity, hidden_dim",
      "electra-parity, embedding_size", "roberta-parity, num_hidden_layers", "deberta-v2-parity, position_buckets",
      "modernbert-parity, local_attention", "modernbert-parity, intermediate_size"})
  void aConfigWithoutAFamilyKeyNamesIt(String fixture, String key) throws IOException {
    Path file = configWithout(fixture, key);
    ModelConfigException e = assertThrows(ModelConfigException.class, () -> EncoderConfig.read(file));
    assertEquals(file + ": " + key + ": required field missing; expected an integer", oneLine(e));
  }

  @Test
  void familyRulesAreCheckedWithTheFamilysKeyNames() throws IOException {
    JsonObject roberta = JsonParser.parseString(Files.readString(ParityFixture.ROOT.resolve("roberta-parity/config.json")))
        .getAsJsonObject();
    roberta.add("pad_token_id", com.google.gson.JsonNull.INSTANCE);
    ModelConfigException noPad = assertThrows(ModelConfigException.class, () -> EncoderConfig.read(config(roberta.toString())));
    assertTrue(oneLine(noPad).contains("pad_token_id: required for model_type \"roberta\""), noPad.getMessage());
    JsonObject distil = JsonParser.parseString(Files.readString(ParityFixture.ROOT.resolve("distilbert-parity/config.json")))
        .getAsJsonObject();
    distil.addProperty("n_heads", 5);
    ModelConfigException heads = assertThrows(ModelConfigException.class, () -> EncoderConfig.read(config(distil.toString())));
    assertTrue(oneLine(heads).endsWith("dim 32 is not a multiple of n_heads 5; expected dim % n_heads == 0 (each head"
        + " gets dim/heads dims)"), heads.getMessage());
    distil.addProperty("n_heads", 4);
    distil.addProperty("sinusoidal_pos_embds", true);
    ModelConfigException sinus = assertThrows(ModelConfigException.class, () -> EncoderConfig.read(config(distil.toString())));
    assertTrue(oneLine(sinus).contains("sinusoidal_pos_embds: true is not supported"), sinus.getMessage());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '#', value = {
      "relative_attention # relative_attention: required field missing; expected true or false",
      "share_att_key # share_att_key: required field missing; expected true or false",
      "position_biased_input # position_biased_input: required field missing; expected true or false",
      "norm_rel_ebd # norm_rel_ebd: required field missing; expected \"layer_norm\"",
      "pos_att_type # pos_att_type: required field missing; expected a list of \"c2p\" and \"p2c\" or a string such as"
          + " \"p2c|c2p\""})
  void debertaRequiresTheKeysThatChooseItsAttention(String key, String message) throws IOException {
    // transformers' defaults for these describe another model (absolute positions, no relative attention...)
    Path file = configWithout("deberta-v2-parity", key);
    ModelConfigException e = assertThrows(ModelConfigException.class, () -> EncoderConfig.read(file));
    assertEquals(file + ": " + message, oneLine(e));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '#', value = {
      "share_att_key # false # share_att_key: only true is supported",
      "relative_attention # false # relative_attention: only true is supported",
      "position_biased_input # true # position_biased_input: only false is supported",
      "pos_att_type # [\"p2c\", \"p2p\"] # pos_att_type: \"p2p\" is not supported; expected \"c2p\", \"p2c\" or both",
      "pos_att_type # [] # pos_att_type: expected \"c2p\", \"p2c\" or both, found none",
      "norm_rel_ebd # \"none\" # norm_rel_ebd: only \"layer_norm\" is supported",
      "type_vocab_size # 2 # type_vocab_size: only 0 is supported",
      "position_buckets # 0 # position_buckets: expected an integer >= 2",
      "conv_kernel_size # 3 # conv_kernel_size: 3 is not supported (DeBERTa-v2's convolution layer",
      "embedding_size # 16 # embedding_size: 16 is not supported",
      "attention_head_size # 4 # attention_head_size: 4 is not supported",
      "max_relative_positions # 5 # max_relative_positions: the relative span 5"})
  void debertaRefusesWhatItsModulesDoNotBuildNamingTheKey(String key, String value, String message) throws IOException {
    JsonObject json = JsonParser.parseString(Files.readString(ParityFixture.ROOT.resolve("deberta-v2-parity/config.json")))
        .getAsJsonObject();
    json.add(key, JsonParser.parseString(value));
    Path file = config(json.toString());
    ModelConfigException e = assertThrows(ModelConfigException.class, () -> EncoderConfig.read(file));
    assertTrue(oneLine(e).startsWith(file + ": " + message), e.getMessage());
  }

  @Test
  void debertaReadsTheHubsPosAttTypeStringAsTheList() throws IOException {
    JsonObject json = JsonParser.parseString(Files.readString(ParityFixture.ROOT.resolve("deberta-v2-parity/config.json")))
        .getAsJsonObject();
    json.addProperty("pos_att_type", "P2C | c2p");
    json.addProperty("conv_kernel_size", 0);
    EncoderConfig hub = EncoderConfig.read(config(json.toString()));
    assertEquals(List.of("p2c", "c2p"), ((dev.exprbert.model.deberta.DebertaV2Config) hub).posAttType());
    assertEquals(ParameterSpec.of(fixtures.get("deberta-v2-parity").config()).toString(), ParameterSpec.of(hub).toString());
  }

  @Test
  void debertaRefusesFusedAttentionAndPackedBatchesNamingWhatItSupports() throws IOException {
    String expected = "--attention fused is not available for DeBERTa-v2 (model_type \"deberta-v2\"): its relative-position"
        + " scores are added to every (query, key) pair, which the fused kernel does not take, and padding-free (packed)"
        + " batches need fused; it supports eager, sdpa (padded batches)";
    ParityFixture f = fixtures.get("deberta-v2-parity");
    ModelWeights weights = CheckpointLoader.load(f.config(), f.weights, Placement.CPU_FLOAT32, 0, false, "fixture")
        .weights();
    IllegalArgumentException built = assertThrows(IllegalArgumentException.class, () -> new EncoderForTokenClassification(
        f.config(), weights, Placement.CPU_FLOAT32, AttentionBackend.named("fused")));
    assertEquals(expected, oneLine(built));
    assertThrows(IllegalStateException.class, () -> weights.get("classifier.bias"), "the refused model freed its weights");
    try (EncoderForTokenClassification model = ParityChecks.model(f, "sdpa")) {
      IllegalArgumentException switched = assertThrows(IllegalArgumentException.class,
          () -> model.setAttention(AttentionBackend.named("fused")));
      assertEquals(expected, oneLine(switched));
      assertEquals(AttentionImplementation.SDPA, model.attention().implementation());
      UnsupportedOperationException packed = assertThrows(UnsupportedOperationException.class,
          () -> model.logits(f.packed.sequences()));
      assertTrue(oneLine(packed).startsWith("packed (padding-free) batches need --attention fused"), packed.getMessage());
    }
    Path configFile = tmp.resolve("deberta-tiny-config.json");
    TinyFamilies.config("deberta-v2").write(configFile);
    Cli.Run train = Cli.run("train", "--config_name", configFile.toString(), "--tokenizer_name",
        TestTokenizers.debertaV3Unigram(tmp).toString(), "--train_file", ConllSample.openerSlice("train", 4, tmp).toString(),
        "--output_dir", tmp.resolve("deberta-packed").toString(), "--attention", "fused", "--padding_free", "true");
    assertEquals(1, train.code(), train.err());
    assertTrue(train.err().contains(expected), train.err());
  }

  @ParameterizedTest
  @ValueSource(strings = {"roberta-parity", "xlm-roberta-parity", "distilbert-parity", "electra-parity",
      "deberta-v2-parity", "modernbert-parity"})
  void eachFamilysConfigRoundTripsWithItsOwnKeys(String fixture) throws IOException {
    Path original = ParityFixture.ROOT.resolve(fixture).resolve("config.json");
    EncoderConfig config = EncoderConfig.read(original);
    Path written = tmp.resolve(fixture + "-config.json");
    config.write(written);
    assertEquals(config, EncoderConfig.read(written));
    JsonObject before = JsonParser.parseString(Files.readString(original)).getAsJsonObject();
    JsonObject after = JsonParser.parseString(Files.readString(written)).getAsJsonObject();
    for (String key : before.keySet()) {
      assertEquals(before.get(key), after.get(key), fixture + ": key " + key + " is written back as read");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"roberta-parity", "xlm-roberta-parity", "distilbert-parity", "electra-parity",
      "deberta-v2-parity"})
  void weightsWithAMissingOrAnExtraTensorAreRefusedNamingIt(String fixture) {
    ParityFixture f = fixtures.get(fixture);
    EncoderConfig config = f.config();
    String layerKey = config.family().layersKey();
    String prefix = config.family().weightPrefix();
    String lastLayerBias = f.weights.keySet().stream().filter(k -> k.contains(".layer.1.") && k.endsWith(".bias"))
        .reduce((a, b) -> b).orElseThrow();
    Map<String, Tensor> missing = new LinkedHashMap<>(f.weights);
    missing.remove(lastLayerBias);
    IllegalArgumentException m = assertThrows(IllegalArgumentException.class,
        () -> CheckpointLoader.load(config, missing, Placement.CPU_FLOAT32, 1, false, "ckpt"));
    assertEquals("ckpt has no tensor '" + lastLayerBias + "' (expected by config.json's " + layerKey + " 2); the weights"
        + " and config.json do not belong together, or the file is damaged", oneLine(m));
    String extraName = lastLayerBias.replace(".layer.1.", ".layer.2.");
    try (Tensor extra = Tensors.floats(new float[] {1}, 1)) {
      Map<String, Tensor> withExtra = new LinkedHashMap<>(f.weights);
      withExtra.put(extraName, extra);
      IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
          () -> CheckpointLoader.load(config, withExtra, Placement.CPU_FLOAT32, 1, false, "ckpt"));
      assertEquals("ckpt has tensor '" + extraName + "', which a " + config.family().tokenClassificationClass() + " with"
          + " this config.json does not have; the weights belong to another architecture or size, or the file is damaged",
          oneLine(x));
    }
    assertTrue(lastLayerBias.startsWith(prefix + "."), lastLayerBias);
  }

  @ParameterizedTest
  @CsvSource({"roberta-parity, roberta.pooler.dense.bias, lm_head.bias", "xlm-roberta-parity, roberta.embeddings.position_ids,"
      + " lm_head.dense.weight", "distilbert-parity, distilbert.embeddings.position_ids, vocab_projector.bias",
      "electra-parity, electra.embeddings.position_ids, discriminator_predictions.dense.bias",
      "deberta-v2-parity, deberta.embeddings.position_embeddings.weight, mask_predictions.classifier.weight",
      "deberta-v2-parity, deberta.embeddings.position_ids, lm_predictions.lm_head.bias",
      "modernbert-parity, model.layers.1.attn.rotary_emb.inv_freq, decoder.bias"})
  void ignoredKeysPassAndPretrainingHeadsAreReportedAsUnused(String fixture, String ignored, String head) {
    ParityFixture f = fixtures.get(fixture);
    try (Tensor a = Tensors.floats(new float[] {1}, 1); Tensor b = Tensors.floats(new float[] {2}, 1)) {
      Map<String, Tensor> checkpoint = new LinkedHashMap<>(f.weights);
      checkpoint.put(ignored, a);
      checkpoint.put(head, b);
      CheckpointLoader.Loaded loaded = CheckpointLoader.load(f.config(), checkpoint, Placement.CPU_FLOAT32, 1, false, "ckpt");
      try (ModelWeights w = loaded.weights()) {
        assertEquals(List.of(ignored), loaded.report().ignored());
        assertEquals(List.of(head), loaded.report().unexpected());
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"roberta-parity", "xlm-roberta-parity", "distilbert-parity", "electra-parity",
      "deberta-v2-parity"})
  void aBaseModelCheckpointWithoutThePrefixFineTunesWithAFreshHead(String fixture) {
    ParityFixture f = fixtures.get(fixture);
    String prefix = f.config().family().weightPrefix() + ".";
    Map<String, Tensor> base = new LinkedHashMap<>();
    f.weights.forEach((k, v) -> {
      if (!k.startsWith("classifier.")) {
        base.put(k.substring(prefix.length()), v);
      }
    });
    CheckpointLoader.Loaded loaded = CheckpointLoader.loadForFineTuning(f.config(), base, Placement.CPU_FLOAT32, 1, "base");
    try (ModelWeights w = loaded.weights()) {
      assertEquals(List.of("classifier.weight", "classifier.bias"), loaded.report().missing());
      assertEquals(List.of(), loaded.report().unexpected());
      assertEquals(f.weights.size(), w.asMap().size());
    }
  }

  @Test
  void aTokenizerOfAnotherKindIsRefusedUnlessAsked() throws IOException {
    EncoderConfig roberta = fixtures.get("roberta-parity").config();
    EncoderConfig distil = fixtures.get("distilbert-parity").config();
    try (ModelTokenizer wordPiece = TokenizerLoader.load(TestTokenizers.miniLm(tmp));
        ModelTokenizer bpe = TokenizerLoader.load(TestTokenizers.robertaBpe(tmp))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ModelDirectory.requireTokenizerMatches(roberta, wordPiece));
      assertEquals("the tokenizer in " + wordPiece.sourceDirectory() + " is a WordPiece tokenizer but model_type"
          + " \"roberta\" (RobertaForTokenClassification) is trained with a byte-level BPE tokenizer; use the tokenizer the"
          + " model was trained with (set -Dexprbert.tokenizer.anyKind=true if this checkpoint really uses this tokenizer)",
          oneLine(e));
      IllegalArgumentException d = assertThrows(IllegalArgumentException.class,
          () -> ModelDirectory.requireTokenizerMatches(distil, bpe));
      assertTrue(oneLine(d).contains("is a byte-level BPE tokenizer but model_type \"distilbert\""), d.getMessage());
      ModelDirectory.requireTokenizerMatches(roberta, bpe);
      ModelDirectory.requireTokenizerMatches(distil, wordPiece);
      System.setProperty(ModelDirectory.ANY_TOKENIZER_PROPERTY, "true");
      try {
        ModelDirectory.requireTokenizerMatches(roberta, wordPiece);
      } finally {
        System.clearProperty(ModelDirectory.ANY_TOKENIZER_PROPERTY);
      }
    }
  }

  @Test
  void aBackendTheFamilyDoesNotSupportIsRefusedNeverReplaced() {
    // a family whose attention fits eager and sdpa only (as DeBERTa's relative positions do)
    InvocationHandler restricted = (proxy, method, args) -> method.getName().equals("attentionImplementations")
        ? EnumSet.of(AttentionImplementation.EAGER, AttentionImplementation.SDPA)
        : method.isDefault() ? InvocationHandler.invokeDefault(proxy, method, args) : method.invoke(BertFamily.BERT, args);
    ModelFamily family = (ModelFamily) Proxy.newProxyInstance(ModelFamily.class.getClassLoader(),
        new Class<?>[] {ModelFamily.class}, restricted);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> family.requireAttention(AttentionImplementation.FUSED));
    assertEquals("--attention fused is not available for BERT (model_type \"bert\"); it supports eager, sdpa", oneLine(e));
    family.requireAttention(AttentionImplementation.SDPA);
    try (EncoderForTokenClassification model = ParityChecks.model(fixtures.get("roberta-parity"), "eager")) {
      model.setAttention(AttentionBackend.named("fused"));
      assertEquals(AttentionImplementation.FUSED, model.attention().implementation());
    }
  }
}
