package dev.exprbert.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.data.ReaderOptions;
import dev.exprbert.data.SentenceReaders;
import dev.exprbert.infer.TaggedSentence;
import dev.exprbert.infer.Tagger;
import dev.exprbert.infer.TokenClassifier;
import dev.exprbert.io.WordSpan;
import dev.exprbert.model.EncoderConfig;
import dev.exprbert.model.ModelDirectory;
import dev.exprbert.model.ModelFamilies;
import dev.exprbert.model.ModelFamily;
import dev.exprbert.model.attention.AttentionImplementation;
import dev.exprbert.runtime.Placement;
import dev.exprbert.testing.Cli;
import dev.exprbert.testing.ConllSample;
import dev.exprbert.testing.TinyFamilies;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every family end to end on a small real slice (opener_en expression, 24 training and 8 evaluation sentences): a
 * tiny random-init model with a tokenizer of its kind is trained (packed batches and fused attention, or padded
 * batches and sdpa for a family fused does not fit; evaluation and checkpoints each epoch), interrupted and resumed
 * to the same weights, saved, described by {@code info}, reloaded and used to tag words and raw text with two
 * backends.
 */
class FamilyEndToEndTest {
  private static final int STOP_AT = 3;

  @TempDir
  Path tmp;

  static List<String> modelTypes() {
    return TinyFamilies.MODEL_TYPES;
  }

  @ParameterizedTest
  @MethodSource("modelTypes")
  void trainResumeSaveReloadAndPredict(String modelType) throws Exception {
    ModelFamily family = ModelFamilies.byModelType(modelType);
    boolean fused = family.attentionImplementations().contains(AttentionImplementation.FUSED);
    Path configFile = tmp.resolve("config.json");
    TinyFamilies.config(modelType).write(configFile);
    Path tokenizer = TinyFamilies.tokenizer(modelType, tmp);
    Path train = ConllSample.openerSlice("train", 24, tmp);
    Path dev = ConllSample.openerSlice("dev", 8, tmp);
    Path whole = tmp.resolve("whole");
    Path parts = tmp.resolve("parts");

    TrainResult result = train(config(whole, configFile, tokenizer, train, dev, null, fused), 0);
    train(config(parts, configFile, tokenizer, train, dev, null, fused), STOP_AT);
    org.bytedeco.pytorch.global.torch.manual_seed(12345); // only the restored generator state may count
    TrainResult resumed = train(config(parts, configFile, tokenizer, train, dev,
        parts.resolve("checkpoint-" + STOP_AT).toString(), fused), 0);
    assertEquals(result.globalStep(), resumed.globalStep());
    assertArrayEquals(Files.readAllBytes(whole.resolve(ModelDirectory.SAFETENSORS)),
        Files.readAllBytes(parts.resolve(ModelDirectory.SAFETENSORS)), modelType + ": the resumed run's weights differ");

    JsonObject saved = JsonParser.parseString(Files.readString(whole.resolve(ModelDirectory.CONFIG))).getAsJsonObject();
    assertEquals(modelType, saved.get("model_type").getAsString());
    assertEquals(family.tokenClassificationClass(), saved.getAsJsonArray("architectures").get(0).getAsString());
    String familyKey = switch (modelType) {
      case "distilbert" -> "n_layers";
      case "electra" -> "embedding_size";
      case "deberta-v2" -> "position_buckets";
      case "modernbert" -> "global_attn_every_n_layers";
      default -> "num_hidden_layers";
    };
    assertTrue(saved.has(familyKey), modelType + " writes its own key " + familyKey + ": " + saved);
    String card = Files.readString(whole.resolve("README.md"));
    assertTrue(card.contains("A " + family.displayName() + " token classifier (" + family.tokenClassificationClass() + ")"),
        card);
    List<Map<String, Object>> history = RunView.read(whole.resolve(RunState.TRAINER_STATE)).logHistory();
    List<Double> losses = history.stream().filter(e -> e.containsKey("loss"))
        .map(e -> ((Number) e.get("loss")).doubleValue()).toList();
    assertTrue(losses.get(losses.size() - 1) < losses.get(0), modelType + ": training should lower the loss " + losses);

    Cli.Run info = Cli.run("info", "--model", whole.toString());
    assertEquals(0, info.code(), info.err());
    assertTrue(info.out().contains("architecture:   " + family.tokenClassificationClass() + " (model_type " + modelType + ")"),
        info.out());

    List<LabeledSentence> sentences = SentenceReaders.readAll(dev, ReaderOptions.DEFAULTS);
    List<List<String>> words = sentences.stream().map(LabeledSentence::words).toList();
    String text = "The staff were very friendly, but the room was noisy at night.";
    try (TokenClassifier eager = TokenClassifier.load(whole, Placement.CPU_FLOAT32, "eager");
        TokenClassifier other = TokenClassifier.load(whole, Placement.CPU_FLOAT32, fused ? "fused" : "sdpa")) {
      EncoderConfig config = eager.config();
      assertEquals(family, config.family());
      Tagger tagger = new Tagger(eager);
      List<TaggedSentence> tagged = tagger.tagWords(words);
      assertEquals(tagged.stream().map(TaggedSentence::tags).toList(), new Tagger(other).tagWords(words).stream()
          .map(TaggedSentence::tags).toList(), modelType + ": padded eager and packed fused (or sdpa) tag alike");
      for (int s = 0; s < words.size(); s++) {
        assertEquals(words.get(s).size(), tagged.get(s).tags().size());
        assertTrue(config.labels().containsAll(tagged.get(s).tags()), tagged.get(s).tags().toString());
      }
      TaggedSentence raw = tagger.tagText(text);
      List<WordSpan> expected = eager.tokenizer().wordSpans(text);
      assertEquals(expected.size(), raw.words().size(), modelType + ": raw text words are the tokenizer's");
      for (int w = 0; w < expected.size(); w++) {
        assertEquals(expected.get(w).start(), raw.words().get(w).start());
        assertEquals(text.substring(expected.get(w).start(), expected.get(w).end()), raw.words().get(w).text());
      }
    }
    Path input = Files.writeString(tmp.resolve("input.txt"), text + "\n");
    Cli.Run predicted = Cli.run("predict", "--model", whole.toString(), "--input", input.toString(), "--input-format", "text",
        "--output-format", "jsonl", "--attention", "sdpa");
    assertEquals(0, predicted.code(), predicted.err());
    assertTrue(predicted.out().contains("\"text\":\"" + text + "\""), predicted.out());
  }

  /** @param fused packed batches and fused attention, else padded batches and sdpa */
  private static TrainingConfig config(Path out, Path configFile, Path tokenizer, Path train, Path dev, String resume,
      boolean fused) {
    return TrainingConfig.builder().set("output_dir", out).set("config_name", configFile.toString())
        .set("tokenizer_name", tokenizer.toString()).set("train_file", train).set("validation_file", dev)
        .set("attn_implementation", fused ? "fused" : "sdpa").set("padding_free", fused).set("learning_rate", 5e-3)
        .set("num_train_epochs", 2).set("per_device_train_batch_size", 8).set("seed", 7).set("logging_steps", 1)
        .set("save_steps", STOP_AT).set("eval_strategy", "epoch").set("resume_from_checkpoint", resume).build();
  }

  private static TrainResult train(TrainingConfig config, int stopAt) throws Exception {
    try (TrainingSetup.Prepared prepared = TrainingSetup.prepare(config);
        Trainer trainer = new Trainer(config, prepared.classifier().model(), prepared.classifier().tokenizer(),
            prepared.train(), prepared.eval())) {
      if (stopAt > 0) {
        trainer.addCallback(new TrainerCallback() {
          @Override
          public void onStepEnd(RunView state, TrainerControl control) {
            if (state.globalStep() == stopAt) {
              control.requestStop();
            }
          }
        });
      }
      return trainer.train();
    }
  }
}
