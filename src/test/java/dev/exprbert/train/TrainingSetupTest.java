package dev.exprbert.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.data.LabeledSentence;
import dev.exprbert.infer.TokenClassifier;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.model.bert.BertConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** run_ner's preparation: the label set against a checkpoint's, evaluation labels, ill-formed BIO. */
class TrainingSetupTest {
  @TempDir
  Path tmp;

  private static final String TRAIN = "The\tO\nstaff\tB-Positive\nwas\tO\nnice\tI-Positive\n\nBad\tB-Negative\nroom\tI-Negative\n\n"
      + "Great\tI-Positive\nview\tI-Positive\n";

  /** A saved model directory with {@code labels}, MiniLM's tokenizer and a random tiny BERT. */
  private Path savedModel(List<String> labels) throws IOException {
    Path dir = tmp.resolve("model-" + labels.size());
    try (ModelTokenizer tokenizer = TrainerFixtures.miniLm(tmp);
        EncoderForTokenClassification model = TrainerFixtures.tinyModel(32, 1, labels)) {
      new TokenClassifier(model, tokenizer).save(dir);
    }
    return dir;
  }

  private Path file(String name, String text) throws IOException {
    Path p = tmp.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  private TrainingConfig.Builder config() throws IOException {
    return TrainingConfig.builder().set("output_dir", tmp.resolve("out")).set("train_file", file("train.conll", TRAIN));
  }

  @Test
  void aCheckpointWithOtherLabelsIsAnErrorListingBothUnlessANewHeadIsAsked() throws IOException {
    Path model = savedModel(List.of("O", "B-TIME", "I-TIME"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TrainingSetup.prepare(config().set("model_name_or_path", model.toString()).build()));
    assertTrue(e.getMessage().contains("[B-Negative, B-Positive, I-Negative, I-Positive, O]")
        && e.getMessage().contains("[O, B-TIME, I-TIME]") && e.getMessage().contains("--ignore_mismatched_sizes"),
        e.getMessage());
    try (TrainingSetup.Prepared prepared = TrainingSetup.prepare(
        config().set("model_name_or_path", model.toString()).set("ignore_mismatched_sizes", true).build())) {
      assertEquals(List.of("B-Negative", "B-Positive", "I-Negative", "I-Positive", "O"),
          prepared.classifier().config().labels());
      assertEquals(5, prepared.classifier().model().weights().get("classifier.weight").size(0));
    }
  }

  @Test
  void aCheckpointWithTheSameLabelsInAnotherOrderKeepsItsOrder() throws IOException {
    List<String> modelOrder = List.of("O", "B-Positive", "I-Positive", "B-Negative", "I-Negative");
    Path model = savedModel(modelOrder);
    try (TrainingSetup.Prepared prepared = TrainingSetup.prepare(config().set("model_name_or_path", model.toString()).build())) {
      assertEquals(modelOrder, prepared.classifier().config().labels());
    }
  }

  @Test
  void illFormedBioIsCountedAndTrainingGoesOn() throws IOException {
    Path configFile = tmp.resolve("config.json");
    TrainerFixtures.tinyConfig(32, 1, List.of("O")).write(configFile);
    Path tokenizer = dev.exprbert.testing.TestTokenizers.miniLm(tmp);
    try (TrainingSetup.Prepared prepared = TrainingSetup.prepare(config().set("config_name", configFile.toString())
        .set("tokenizer_name", tokenizer.toString()).build())) {
      assertEquals(2, prepared.bio().illFormed(), "I-Positive after O, and I-Positive starting a sentence");
      assertEquals(3, prepared.train().size());
      assertEquals(List.of("B-Negative", "B-Positive", "I-Negative", "I-Positive", "O"),
          prepared.classifier().config().labels(), "the labels come from the data, not the config file");
    }
  }

  @Test
  void unknownEvaluationLabelsAreListedUnlessMappedToO() throws IOException {
    Path eval = file("dev.conll", "Nice\tB-Positive\nday\tI-Positive\n\nMeh\tB-Neutral\n\nOk\tB-Mixed\n");
    List<String> modelLabels = List.of("B-Positive", "I-Positive", "O");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TrainingSetup.checkedEvalData(eval, modelLabels, false));
    assertTrue(e.getMessage().contains("[B-Mixed, B-Neutral]") && e.getMessage().contains(eval.toString()), e.getMessage());
    List<LabeledSentence> mapped = TrainingSetup.checkedEvalData(eval, modelLabels, true);
    assertEquals(List.of("O"), mapped.get(1).tags());
    assertEquals(List.of("B-Positive", "I-Positive"), mapped.get(0).tags());
  }

  @Test
  void aModelWithoutRealLabelsTakesTheDataLabels() {
    List<String> data = List.of("B-X", "O");
    assertEquals(data, TrainingSetup.chooseLabels(BertConfig.Builder.defaultLabels(2), data, false, tmp));
  }

  /** A config whose vocab_size is below the tokenizer's ids used to fail in LibTorch's embedding, mid-run. */
  @Test
  void aVocabularySmallerThanTheTokenizerIsOneErrorBeforeTraining() throws IOException {
    Path configFile = tmp.resolve("small-vocab.json");
    TrainerFixtures.tinyConfig(32, 1, List.of("O")).toBuilder().vocabSize(1000).build().write(configFile);
    Path tokenizer = dev.exprbert.testing.TestTokenizers.miniLm(tmp);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainingSetup.prepare(config()
        .set("config_name", configFile.toString()).set("tokenizer_name", tokenizer.toString()).build()));
    assertTrue(e.getMessage().contains("produces 30522 token ids (0..30521) but the model's vocab_size is 1000"),
        e.getMessage());
    assertTrue(!Files.exists(tmp.resolve("out")), "no output folder is left behind");
  }

  /** Fine-tuning a checkpoint keeps HF's fresh-head rule but never initialises a missing encoder tensor. */
  @Test
  void fineTuningACheckpointWithAMissingEncoderTensorIsAnError() throws IOException {
    Path model = savedModel(List.of("B-Negative", "B-Positive", "I-Negative", "I-Positive", "O"));
    java.util.Map<String, org.bytedeco.pytorch.Tensor> weights = dev.exprbert.io.Safetensors.read(model.resolve("model.safetensors"));
    try {
      weights.remove("bert.embeddings.LayerNorm.weight").close();
      dev.exprbert.io.Safetensors.write(model.resolve("model.safetensors"), weights, java.util.Map.of("format", "pt"));
    } finally {
      weights.values().forEach(org.bytedeco.pytorch.Tensor::close);
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TrainingSetup.prepare(config().set("model_name_or_path", model.toString()).build()));
    assertTrue(e.getMessage().startsWith(model.resolve("model.safetensors") + " has no tensor 'bert.embeddings.LayerNorm.weight'"),
        e.getMessage());
  }

  /**
   * run_ner's rules on the inputs, one case each, checked before anything is read: the model named here does not
   * exist, so a rule that ran after loading would fail with that instead of its own message.
   */
  @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
      "no train_file         | do_train requires a train dataset: train_file",
      "missing train_file    | --train_file {tmp}/none.conll: no such file",
      "train_file a folder   | --train_file {tmp} is a folder, not a data file",
      "missing eval file     | --validation_file {tmp}/none.conll: no such file",
      "eval without data     | --eval_strategy epoch needs evaluation data: add --validation_file",
      "no model or config    | give --model_name_or_path (a model directory to fine-tune) or --config_name",
      "config, no tokenizer  | --tokenizer_name is required when no --model_name_or_path is given",
      "unknown CUDA device   | --device cuda:999: ",
      "output_dir a file     | output_dir {tmp}/train.conll is a file, not a folder"})
  void eachInputRuleIsCheckedBeforeAnythingIsRead(String rule, String expected) throws IOException {
    Path train = file("train.conll", TRAIN);
    TrainingConfig.Builder b = TrainingConfig.builder().set("output_dir", tmp.resolve("out")).set("train_file", train)
        .set("model_name_or_path", tmp.resolve("no-such-model").toString());
    switch (rule) {
      case "no train_file" -> b.set("train_file", null);
      case "missing train_file" -> b.set("train_file", tmp.resolve("none.conll"));
      case "train_file a folder" -> b.set("train_file", tmp);
      case "missing eval file" -> b.set("validation_file", tmp.resolve("none.conll"));
      case "eval without data" -> b.set("eval_strategy", "epoch");
      case "no model or config" -> b.set("model_name_or_path", null);
      case "config, no tokenizer" -> b.set("model_name_or_path", null).set("config_name", "config.json");
      case "unknown CUDA device" -> b.set("device", "cuda:999");
      case "output_dir a file" -> b.set("output_dir", train);
      default -> throw new AssertionError(rule);
    }
    TrainingConfig config = b.build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainingSetup.prepare(config));
    assertTrue(e.getMessage().contains(expected.replace("{tmp}", tmp.toString())), e.getMessage());
  }

  /** A read-only output folder is found before the model is even read, not after training. */
  @Test
  void aReadOnlyOutputDirectoryIsRefusedBeforeAnythingIsRead() throws Exception {
    Path out = tmp.resolve("read-only");
    try (dev.exprbert.testing.ReadOnlyFolder readOnly = dev.exprbert.testing.ReadOnlyFolder.of(out)) {
      org.junit.jupiter.api.Assumptions.assumeTrue(readOnly.works(), "this file system lets every write through");
      TrainingConfig config = config().set("output_dir", out).set("model_name_or_path", "no-such-model").build();
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainingSetup.prepare(config));
      assertTrue(e.getMessage().startsWith("output_dir " + out + " cannot be written: "), e.getMessage());
      Path below = out.resolve("run");
      e = assertThrows(IllegalArgumentException.class,
          () -> TrainingSetup.prepare(config().set("output_dir", below).set("model_name_or_path", "x").build()));
      assertTrue(e.getMessage().contains("cannot be written (its folder " + out + " exists)"), e.getMessage());
    }
  }
}
