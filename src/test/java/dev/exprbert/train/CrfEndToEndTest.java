package dev.exprbert.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.data.ReaderOptions;
import dev.exprbert.data.SentenceReaders;
import dev.exprbert.infer.Aggregation;
import dev.exprbert.infer.TaggedSentence;
import dev.exprbert.infer.Tagger;
import dev.exprbert.infer.TaggerOptions;
import dev.exprbert.infer.TokenClassifier;
import dev.exprbert.io.Safetensors;
import dev.exprbert.model.HiddenActivation;
import dev.exprbert.model.ModelConfigException;
import dev.exprbert.model.ModelDirectory;
import dev.exprbert.model.crf.CrfSettings;
import dev.exprbert.model.crf.LinearChainCrf;
import dev.exprbert.runtime.Placement;
import dev.exprbert.runtime.Tensors;
import dev.exprbert.testing.Cli;
import dev.exprbert.testing.ConllSample;
import dev.exprbert.testing.RandomTokenClassifier;
import dev.exprbert.testing.TestTokenizers;
import dev.exprbert.testing.TinyFamilies;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --crf} end to end on an opener_en slice (64 training, 24 evaluation sentences; a tiny random-init BERT with
 * MiniLM's tokenizer, packed batches): the saved directory records the CRF (config.json's use_crf, the crf.* tensors),
 * every sentence the run, {@code evaluate}, {@code predict}, the Tagger and the reloaded classifier tag is valid BIO,
 * and they all tag alike; then the bad inputs of a CRF model.
 */
class CrfEndToEndTest {
  @TempDir
  Path tmp;

  /** No I-X after O or after another type, none first: what the CRF's BIO constraints guarantee. */
  static void assertValidBio(List<String> tags, String what) {
    String previous = "O";
    for (int i = 0; i < tags.size(); i++) {
      String tag = tags.get(i);
      if (tag.startsWith("I-")) {
        boolean continues = (previous.startsWith("B-") || previous.startsWith("I-"))
            && previous.substring(2).equals(tag.substring(2));
        assertTrue(continues, what + ": " + tag + " after " + previous + " at word " + i + " in " + tags);
      }
      previous = tag;
    }
  }

  private static int invalidBio(List<List<String>> sentences) {
    int invalid = 0;
    for (List<String> tags : sentences) {
      try {
        assertValidBio(tags, "");
      } catch (AssertionError e) {
        invalid++;
      }
    }
    return invalid;
  }

  @Test
  void trainSaveReloadEvaluateAndPredictWithValidBio() throws Exception {
    Path configFile = tmp.resolve("config.json");
    TinyFamilies.config("bert").write(configFile);
    Path tokenizer = TestTokenizers.miniLm(tmp);
    Path train = ConllSample.openerSlice("train", 64, tmp);
    Path devFile = ConllSample.openerSlice("dev", 24, tmp);
    Path out = tmp.resolve("run");
    TrainingConfig config = TrainingConfig.builder().set("output_dir", out).set("config_name", configFile.toString())
        .set("tokenizer_name", tokenizer.toString()).set("train_file", train).set("validation_file", devFile)
        .set("crf", true).set("attn_implementation", "fused").set("padding_free", true).set("learning_rate", 5e-3)
        .set("num_train_epochs", 8).set("per_device_train_batch_size", 8).set("seed", 7).set("logging_steps", 8)
        .set("eval_strategy", "epoch").set("save_strategy", "no").build();
    TrainResult result;
    try (TrainingSetup.Prepared prepared = TrainingSetup.prepare(config);
        Trainer trainer = new Trainer(config, prepared.classifier().model(), prepared.classifier().tokenizer(),
            prepared.train(), prepared.eval())) {
      result = trainer.train();
    }
    List<Map<String, Object>> history = RunView.read(out.resolve(RunState.TRAINER_STATE)).logHistory();
    List<Double> losses = history.stream().filter(e -> e.containsKey("loss"))
        .map(e -> ((Number) e.get("loss")).doubleValue()).toList();
    assertTrue(losses.get(losses.size() - 1) < losses.get(0), "training lowers the CRF's loss " + losses);

    JsonObject saved = JsonParser.parseString(Files.readString(out.resolve(ModelDirectory.CONFIG))).getAsJsonObject();
    assertTrue(saved.get(CrfSettings.USE_CRF).getAsBoolean(), saved.toString());
    assertEquals(false, saved.get(CrfSettings.LABEL_ALL_TOKENS).getAsBoolean());
    assertEquals("BertForTokenClassification", saved.getAsJsonArray("architectures").get(0).getAsString(),
        "transformers loads it as a plain token classifier");
    Map<String, Tensor> weights = Safetensors.read(out.resolve(ModelDirectory.SAFETENSORS));
    try {
      assertEquals("[3, 3]", java.util.Arrays.toString(Tensors.shape(
          weights.get(LinearChainCrf.TRANSITIONS))));
      assertTrue(weights.containsKey(LinearChainCrf.START) && weights.containsKey(LinearChainCrf.END));
    } finally {
      weights.values().forEach(Tensor::close);
    }

    Evaluation last = result.finalEvaluation();
    List<List<String>> runTags = last.predictedTags();
    for (int s = 0; s < runTags.size(); s++) {
      assertValidBio(runTags.get(s), "the run's evaluation, sentence " + s);
    }
    List<LabeledSentence> sentences = SentenceReaders.readAll(devFile, ReaderOptions.DEFAULTS);
    List<List<String>> words = sentences.stream().map(LabeledSentence::words).toList();
    try (TokenClassifier sdpa = TokenClassifier.load(out, Placement.CPU_FLOAT32, "sdpa");
        TokenClassifier fused = TokenClassifier.load(out, Placement.CPU_FLOAT32, "fused")) {
      assertEquals(runTags, sdpa.predictTags(words), "save -> reload -> the same predictions");
      List<List<String>> tagged = new Tagger(fused).tagWords(words).stream().map(TaggedSentence::tags).toList();
      assertEquals(runTags, tagged, "the Tagger (packed, fused) decodes alike");
      TaggedSentence text = new Tagger(sdpa).tagText("The staff were very friendly, but the room was noisy at night.");
      assertValidBio(text.tags(), "raw text");
      List<TaggedSentence> simple = new Tagger(sdpa, TaggerOptions.defaults().withAggregation(Aggregation.SIMPLE))
          .tagWords(words);
      assertEquals(runTags, simple.stream().map(TaggedSentence::tags).toList(), "the CRF decides the words' tags");
      long entities = runTags.stream().flatMap(List::stream).filter(t -> t.startsWith("B-")).count();
      assertEquals(entities, simple.stream().mapToLong(t -> t.spans().size()).sum(), "one span per B- of the Viterbi path");

      // the same logits without the CRF: argmax tags break BIO where the constraints held
      List<List<String>> argmax = argmaxTags(out, words);
      System.out.printf("CRF run: eval f1 %.4f; sentences with invalid BIO: argmax %d of %d, Viterbi %d%n",
          last.metric("eval_f1"), invalidBio(argmax), argmax.size(), invalidBio(runTags));
      assertTrue(invalidBio(argmax) > 0, "the untrained-enough model's argmax breaks BIO somewhere: " + argmax);
      assertTrue(last.metric("eval_f1") > 0.1, "the run learned something to compare: " + last.metrics());
    }

    Cli.Run evaluated = Cli.run("evaluate", "--model", out.toString(), "--validation_file", devFile.toString(),
        "--attention", "fused");
    assertEquals(0, evaluated.code(), evaluated.err());
    JsonObject metrics = JsonParser.parseString(evaluated.out().substring(0, evaluated.out().indexOf("\n}") + 2))
        .getAsJsonObject();
    assertEquals(last.metric("eval_f1"), metrics.get("overall_f1").getAsDouble(), 1e-12, evaluated.out());
    assertEquals(last.metric("eval_loss"), metrics.get("eval_loss").getAsDouble(), 1e-4, "the CRF's eval_loss");

    Path input = Files.write(tmp.resolve("words.txt"), words.stream().map(w -> String.join(" ", w)).toList());
    Cli.Run predicted = Cli.run("predict", "--model", out.toString(), "--input", input.toString());
    assertEquals(0, predicted.code(), predicted.err());
    List<List<String>> predictedTags = new ArrayList<>();
    List<String> current = new ArrayList<>();
    for (String line : predicted.out().split("\n", -1)) {
      if (line.isBlank()) {
        if (!current.isEmpty()) {
          predictedTags.add(current);
          current = new ArrayList<>();
        }
      } else {
        current.add(line.substring(line.lastIndexOf('\t') + 1));
      }
    }
    assertEquals(runTags, predictedTags, "exprbert predict tags as the run evaluated");

    Cli.Run info = Cli.run("info", "--model", out.toString());
    assertTrue(info.out().contains("CRF head:       BIO transitions, decoded with Viterbi over each word's first"
        + " sub-token"), info.out());
  }

  /** Tags from the argmax of the same model's logits, its CRF left out (a copy without use_crf and crf.*). */
  private List<List<String>> argmaxTags(Path crfModel, List<List<String>> words) throws Exception {
    Path plain = tmp.resolve("plain");
    Files.createDirectories(plain);
    for (String file : List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt")) {
      if (Files.exists(crfModel.resolve(file))) {
        Files.copy(crfModel.resolve(file), plain.resolve(file));
      }
    }
    Map<String, Tensor> weights = Safetensors.read(crfModel.resolve(ModelDirectory.SAFETENSORS));
    try {
      java.util.LinkedHashMap<String, Tensor> kept = new java.util.LinkedHashMap<>(weights);
      kept.keySet().removeIf(LinearChainCrf::owns);
      ModelDirectory.save(plain, CrfSettings.NONE.applyTo(ModelDirectory.readConfig(crfModel)), kept);
    } finally {
      weights.values().forEach(Tensor::close);
    }
    try (TokenClassifier classifier = TokenClassifier.load(plain, Placement.CPU_FLOAT32, "sdpa")) {
      return classifier.predictTags(words);
    }
  }

  @Test
  void crfModelsWhoseLabelsSpellNoSchemeOrLackTheCrfTensorsAreRefused() throws Exception {
    Path configFile = tmp.resolve("config.json");
    TinyFamilies.config("bert").write(configFile);
    Path tokenizer = TestTokenizers.miniLm(tmp);
    Path train = Files.writeString(tmp.resolve("train.conll"), "Alice\tPER\nvisited\tO\nParis\tLOC\n\n");
    TrainingConfig config = TrainingConfig.builder().set("output_dir", tmp.resolve("run"))
        .set("config_name", configFile.toString()).set("tokenizer_name", tokenizer.toString()).set("train_file", train)
        .set("crf", true).set("max_steps", 1).build();
    ModelConfigException noScheme = assertThrows(ModelConfigException.class, () -> TrainingSetup.prepare(config));
    assertTrue(noScheme.getMessage().startsWith("use_crf: cannot infer the label scheme for the CRF's transition"
        + " constraints: label ") && noScheme.getMessage().contains("\"LOC\" is neither O nor"), noScheme.getMessage());

    // a directory whose config.json asks for a CRF its weights do not have
    Path model = tmp.resolve("model");
    RandomTokenClassifier.create(model, RandomTokenClassifier.config(HiddenActivation.GELU), 1);
    JsonObject json = JsonParser.parseString(Files.readString(model.resolve(ModelDirectory.CONFIG))).getAsJsonObject();
    json.addProperty(CrfSettings.USE_CRF, true);
    Files.writeString(model.resolve(ModelDirectory.CONFIG), json.toString());
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> TokenClassifier.load(model, Placement.CPU_FLOAT32, "sdpa"));
    assertTrue(missing.getMessage().contains("has no tensor 'crf.transitions' (expected by config.json's \"use_crf\": true)"),
        missing.getMessage());
    json.add("id2label", JsonParser.parseString("{\"0\": \"LABEL_0\", \"1\": \"LABEL_1\"}"));
    json.remove("label2id");
    Files.writeString(model.resolve(ModelDirectory.CONFIG), json.toString());
    ModelConfigException defaults = assertThrows(ModelConfigException.class,
        () -> TokenClassifier.load(model, Placement.CPU_FLOAT32, "sdpa"));
    assertTrue(defaults.getMessage().startsWith(model.resolve(ModelDirectory.CONFIG) + ": use_crf: cannot infer")
        && defaults.getMessage().contains("\"LABEL_0\""), defaults.getMessage());
  }
}
