package dev.exprbert.train;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.io.AtomicFiles;
import dev.exprbert.io.FiniteJson;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.model.ModelDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files a finished run leaves in {@code output_dir}, as run_ner.py leaves them: the final model directory
 * ({@code config.json} with id2label/label2id, {@code model.safetensors}, tokenizer files),
 * {@code training_args.json}, {@code train_results.json}, then (with evaluation data) a final evaluation with
 * {@code eval_results.json} and {@code eval_predictions.conll} ({@code word<TAB>gold<TAB>predicted}),
 * {@code all_results.json}, {@code trainer_state.json}, and the model card and chart ({@link TrainingSummary}).
 * Every file is written atomically. In a data-parallel run every rank evaluates its shard and only rank 0 writes.
 */
final class RunOutputs {
  private static final Logger LOG = LoggerFactory.getLogger(RunOutputs.class);
  static final String PREDICTIONS = "eval_predictions.conll";
  static final String PREDICT_LINES = "predictions.txt";

  private RunOutputs() {}

  /**
   * Writes everything (when {@code writes}: rank 0 of a data-parallel run); returns the final evaluation (null without
   * evaluation data), whose log entry goes to {@code onLog} like every other.
   */
  static Evaluation write(TrainingConfig config, EncoderForTokenClassification model, ModelTokenizer tokenizer,
      RunState state, Evaluator evaluator, Map<String, Object> summary, int trainSamples,
      Consumer<Map<String, Object>> onLog, boolean writes) throws IOException {
    Evaluation evaluation = evaluator != null ? evaluator.run("eval", config.returnEntityLevelMetrics()) : null;
    if (evaluation != null) {
      LinkedHashMap<String, Object> entry = new LinkedHashMap<>(evaluation.metrics());
      entry.put("epoch", state.epoch());
      entry.put("step", state.globalStep());
      onLog.accept(state.log(entry));
    }
    if (!writes) {
      return evaluation;
    }
    Path out = config.outputDir();
    ModelDirectory.save(out, model.config(), model.weights().asMap());
    tokenizer.save(out);
    AtomicFiles.writeString(out.resolve(Checkpointer.TRAINING_ARGS), TrainingConfigKeys.toJsonText(config));
    Map<String, Object> train = new TreeMap<>(summary);
    train.remove("step");
    train.put("train_samples", trainSamples);
    writeMetrics(out.resolve("train_results.json"), train);
    Map<String, Object> all = new TreeMap<>(train);
    if (evaluation != null) {
      Map<String, Object> eval = new TreeMap<>(evaluation.metrics());
      eval.put("epoch", state.epoch());
      eval.put("eval_samples", evaluation.sentences().size());
      writeMetrics(out.resolve("eval_results.json"), eval);
      all.putAll(eval);
      writePredictions(out.resolve(PREDICTIONS), evaluation);
      LOG.info("final evaluation: {}", evaluation.metrics());
    }
    writeMetrics(out.resolve("all_results.json"), all);
    state.writeTrainerState(out.resolve(RunState.TRAINER_STATE));
    TrainingSummary.of(config, model.config(), state.logHistory(), evaluation).write(out);
    return evaluation;
  }

  /**
   * run_ner's evaluation without training ({@code do_eval} alone): {@code eval_results.json} (the metrics and
   * {@code eval_samples}, no epoch since nothing was trained), merged into {@code all_results.json}, and
   * {@code eval_predictions.conll}.
   */
  static Map<String, Object> writeEvaluation(Path out, Evaluation evaluation) throws IOException {
    Map<String, Object> eval = new TreeMap<>(evaluation.metrics());
    eval.put("eval_samples", evaluation.sentences().size());
    writeMetrics(out.resolve("eval_results.json"), eval);
    mergeAllResults(out, eval);
    writePredictions(out.resolve(PREDICTIONS), evaluation);
    return eval;
  }

  /**
   * run_ner's {@code do_predict}: {@code predict_results.json} (the {@code predict_}-prefixed metrics, as
   * {@code trainer.save_metrics("predict", ...)} writes them), merged into {@code all_results.json}, and
   * {@code predictions.txt}: per sentence one line of the predicted tags seqeval scored, joined by single spaces
   * ({@link Evaluation#scoredTags}; a word with no sub-token has no tag there, as in run_ner).
   */
  static void writePrediction(Path out, Evaluation prediction) throws IOException {
    Map<String, Object> metrics = new TreeMap<>(prediction.metrics());
    writeMetrics(out.resolve("predict_results.json"), metrics);
    mergeAllResults(out, metrics);
    StringBuilder text = new StringBuilder();
    for (List<String> tags : prediction.scoredTags()) {
      text.append(String.join(" ", tags)).append('\n');
    }
    AtomicFiles.writeString(out.resolve(PREDICT_LINES), text.toString());
  }

  /** {@code save_metrics(combined=True)}: the metrics added to what {@code all_results.json} already holds. */
  private static void mergeAllResults(Path out, Map<String, Object> metrics) throws IOException {
    Path file = out.resolve("all_results.json");
    Map<String, Object> all = new TreeMap<>();
    if (Files.exists(file)) {
      JsonElement existing;
      try {
        existing = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
      } catch (JsonParseException e) {
        throw new IllegalArgumentException(file + ": expected a JSON object of metrics, found invalid JSON ("
            + e.getMessage() + ")");
      }
      if (!existing.isJsonObject()) {
        throw new IllegalArgumentException(file + ": expected a JSON object of metrics, found " + existing);
      }
      existing.getAsJsonObject().entrySet().forEach(e -> all.put(e.getKey(), e.getValue()));
    }
    all.putAll(metrics);
    writeMetrics(file, all);
  }

  /** Hugging Face's {@code save_metrics}: sorted keys, indent 4; a NaN or infinite value is written as null. */
  static void writeMetrics(Path file, Map<String, Object> metrics) throws IOException {
    String json = FiniteJson.register(new GsonBuilder().setPrettyPrinting()).create()
        .toJson(new TreeMap<>(metrics)).replace("\n  ", "\n    ");
    AtomicFiles.writeString(file, json + "\n");
  }

  static void writePredictions(Path file, Evaluation evaluation) throws IOException {
    StringBuilder text = new StringBuilder();
    List<LabeledSentence> sentences = evaluation.sentences();
    for (int s = 0; s < sentences.size(); s++) {
      LabeledSentence sentence = sentences.get(s);
      List<String> predicted = evaluation.predictedTags().get(s);
      for (int w = 0; w < sentence.size(); w++) {
        text.append(sentence.words().get(w)).append('\t').append(sentence.tags().get(w)).append('\t')
            .append(predicted.get(w)).append('\n');
      }
      text.append('\n');
    }
    AtomicFiles.writeString(file, text.toString());
  }
}
