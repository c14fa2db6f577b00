package dev.exprbert.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.exprbert.infer.TokenClassifier;
import dev.exprbert.io.onnx.ImportedEncoder;
import dev.exprbert.io.onnx.MiniLmFiles;
import dev.exprbert.io.onnx.OnnxBertImporter;
import dev.exprbert.io.onnx.ReferenceBertForward;
import dev.exprbert.model.CheckpointLoader;
import dev.exprbert.model.EncoderConfig;
import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.model.ModelDirectory;
import dev.exprbert.model.attention.AttentionBackend;
import dev.exprbert.model.bert.BertConfig;
import dev.exprbert.runtime.Placement;
import dev.exprbert.runtime.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Converts the real all-MiniLM-L6-v2 ONNX export once and checks the directory against what HF writes and computes. */
class OnnxToHuggingFaceMiniLmTest {
  /** float32 through 6 layers, LibTorch eager model vs the test's own LibTorch forward: same bound as the import test. */
  private static final double TOLERANCE = 1e-4;

  @TempDir static Path tmp;
  private static Path dir;
  private static ImportedEncoder reference;

  @BeforeAll
  static void convertOnce() throws Exception {
    dir = tmp.resolve("minilm-hf");
    OnnxToHuggingFace.convert(MiniLmFiles.onnx(), MiniLmFiles.tokenizerJson(), dir, OptionalInt.empty(), false);
    reference = OnnxBertImporter.importEncoder(MiniLmFiles.onnx());
  }

  @AfterAll
  static void free() {
    if (reference != null) {
      reference.close();
    }
  }

  @Test
  void writesTheFilesOfABertModelSavePretrainedAndNothingElse() throws Exception {
    List<String> names;
    try (Stream<Path> list = Files.list(dir)) {
      names = list.map(p -> p.getFileName().toString()).sorted().toList();
    }
    assertEquals(List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"), names);
    try (Stream<Path> siblings = Files.list(tmp)) {
      assertEquals(List.of("minilm-hf"), siblings.map(p -> p.getFileName().toString()).toList(), "no staging left behind");
    }
  }

  @Test
  void configIsABaseBertModelWithTheGraphsArchitecture() throws Exception {
    JsonObject json = JsonParser.parseString(Files.readString(dir.resolve("config.json"))).getAsJsonObject();
    assertEquals("BertModel", json.getAsJsonArray("architectures").get(0).getAsString());
    assertEquals(1, json.getAsJsonArray("architectures").size());
    assertEquals("bert", json.get("model_type").getAsString());
    assertNull(json.get("id2label"), "BertModel.save_pretrained omits the default label maps");
    assertNull(json.get("num_labels"));
    BertConfig c = BertConfig.read(dir.resolve(ModelDirectory.CONFIG));
    assertEquals(List.of(30522, 384, 6, 12, 1536, 512, 2), List.of(c.vocabSize(), c.hiddenSize(), c.numHiddenLayers(),
        c.numAttentionHeads(), c.intermediateSize(), c.maxPositionEmbeddings(), c.typeVocabSize()));
    assertEquals("gelu", c.hiddenAct().hfName());
    assertEquals(1e-12, c.layerNormEps(), 0.0);
    assertEquals(List.of("LABEL_0", "LABEL_1"), c.labels(), "HF's defaults when config.json has no labels");
  }

  @Test
  void weightsKeepBertModelKeysWithoutPrefixAndTheImportedValues() throws Exception {
    LinkedHashMap<String, Tensor> saved = ModelDirectory.readWeights(dir);
    try {
      // safetensors keeps keys sorted, as the Python writer does; the set is what must match
      assertEquals(new TreeSet<>(reference.weights().keySet()), new TreeSet<>(saved.keySet()));
      assertTrue(saved.keySet().stream().noneMatch(k -> k.startsWith("bert.")), "a base model saves unprefixed keys");
      for (Map.Entry<String, Tensor> e : reference.weights().entrySet()) {
        assertTrue(torch.equal(e.getValue(), saved.get(e.getKey())), e.getKey() + " differs from the imported tensor");
      }
    } finally {
      saved.values().forEach(Tensor::close);
    }
  }

  @Test
  void tokenizerIsCopiedAndItsConfigStatesTheNormalizer() throws Exception {
    assertArrayEquals(Files.readAllBytes(MiniLmFiles.tokenizerJson()), Files.readAllBytes(dir.resolve("tokenizer.json")));
    JsonObject config = JsonParser.parseString(Files.readString(dir.resolve("tokenizer_config.json"))).getAsJsonObject();
    assertTrue(config.get("do_lower_case").getAsBoolean());
    assertEquals(512, config.get("model_max_length").getAsInt());
    assertTrue(config.get("strip_accents").isJsonNull());
    assertTrue(config.get("tokenize_chinese_chars").getAsBoolean());
    assertEquals("BertTokenizer", config.get("tokenizer_class").getAsString());
  }

  /** A converted encoder has no head: tagging with it is refused, fine-tuning gives it a new one. */
  @Test
  void isRefusedForTaggingAndGetsANewHeadReportedMissingForFineTuning() throws Exception {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TokenClassifier.load(dir, Placement.CPU_FLOAT32, "eager"));
    assertTrue(e.getMessage().contains("has no tensor 'classifier.weight' (expected by config.json's 2 labels)"),
        e.getMessage());
    EncoderConfig config = ModelDirectory.readConfig(dir);
    assertEquals(List.of("LABEL_0", "LABEL_1"), config.labels());
    LinkedHashMap<String, Tensor> checkpoint = ModelDirectory.readWeights(dir);
    try {
      CheckpointLoader.Loaded loaded = CheckpointLoader.loadForFineTuning(config, checkpoint, Placement.CPU_FLOAT32, 42, dir.toString());
      loaded.weights().close();
      assertEquals(List.of("classifier.weight", "classifier.bias"), loaded.report().missing());
      assertTrue(loaded.report().unexpected().isEmpty(), loaded.report().unexpected().toString());
      assertFalse(loaded.report().isComplete());
    } finally {
      checkpoint.values().forEach(Tensor::close);
    }
  }

  /**
   * The project's model loaded from the converted directory, with an identity classifier (num_labels =
   * hidden, weight I, bias 0) so its logits are the last hidden state, against the test's reference
   * forward over the importer's weights.
   */
  @Test
  void convertedEncoderComputesTheReferenceHiddenState() throws Exception {
    long[][] ids = {{101, 1996, 6350, 2001, 2307, 1012, 102}, {101, 2057, 2777, 2006, 6928, 102, 0}};
    long[][] mask = {{1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 0}};
    long[][] types = new long[2][7];
    float[][][] expected = ReferenceBertForward.lastHiddenState(reference, ids, mask, types);

    int hidden = 384;
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < hidden; i++) {
      labels.add("H" + i);
    }
    EncoderConfig config = ModelDirectory.readConfig(dir).withLabels(labels);
    // A checkpoint of the whole classifier: CheckpointLoader prefixes every key of a checkpoint that has
    // unprefixed encoder keys, classifier.* included, so the encoder keys carry bert. here.
    LinkedHashMap<String, Tensor> checkpoint = new LinkedHashMap<>();
    ModelDirectory.readWeights(dir).forEach((k, v) -> checkpoint.put("bert." + k, v));
    checkpoint.put("classifier.weight", torch.eye(hidden));
    checkpoint.put("classifier.bias", Tensors.floats(new float[hidden], hidden));
    CheckpointLoader.Loaded loaded;
    try {
      loaded = CheckpointLoader.load(config, checkpoint, Placement.CPU_FLOAT32, 42, false, dir.toString());
    } finally {
      checkpoint.values().forEach(Tensor::close);
    }
    assertTrue(loaded.report().isComplete(), loaded.report().toString());
    float[] actual;
    try (EncoderForTokenClassification model = new EncoderForTokenClassification(config, loaded.weights(), Placement.CPU_FLOAT32,
            AttentionBackend.named("eager"));
        Tensor idsT = Tensors.longs(flatten(ids), 2, 7);
        Tensor maskT = Tensors.longs(flatten(mask), 2, 7);
        Tensor typesT = Tensors.longs(flatten(types), 2, 7)) {
      model.train(false);
      try (Tensor logits = model.logits(idsT, maskT, typesT)) {
        actual = Tensors.toFloatArray(logits);
      }
    }
    double maxError = 0;
    String where = "";
    for (int b = 0; b < 2; b++) {
      for (int s = 0; s < 7; s++) {
        if (mask[b][s] == 0) {
          continue; // padding positions are not defined outputs
        }
        for (int h = 0; h < hidden; h++) {
          double err = Math.abs(expected[b][s][h] - actual[(b * 7 + s) * hidden + h]);
          if (err > maxError) {
            maxError = err;
            where = "[" + b + "," + s + "," + h + "] reference=" + expected[b][s][h] + " converted=" + actual[(b * 7 + s) * hidden + h];
          }
        }
      }
    }
    assertTrue(maxError <= TOLERANCE, "max |reference - converted| = " + maxError + " at " + where + ", over " + TOLERANCE);
  }

  private static long[] flatten(long[][] rows) {
    return Stream.of(rows).flatMapToLong(java.util.Arrays::stream).toArray();
  }
}
