package dev.exprbert.train;

import com.google.gson.GsonBuilder;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.io.AtomicFiles;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.model.ModelDirectory;
import java.io.IOException;
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
 * Every file is written atomically.
 */
final class RunOutputs {
  private static final Logger LOG = LoggerFactory.getLogger(RunOutputs.class);
  static final String PREDICTIONS = "eval_predictions.conll";

  private RunOutputs() {}

  /**
   * Writes everything; returns the final evaluation (null without evaluation data), whose log entry goes to
   * {@code onLog} like every other.
   */
  static Evaluation write(TrainingConfig config, EncoderForTokenClassification model, ModelTokenizer tokenizer,
      RunState state, Evaluator evaluator, Map<String, Object> summary, int trainSamples,
      Consumer<Map<String, Object>> onLog) throws IOException {
    Path out = config.outputDir();
    ModelDirectory.save(out, model.config(), model.weights().asMap());
    tokenizer.save(out);
    AtomicFiles.writeString(out.resolve(Checkpointer.TRAINING_ARGS), TrainingConfigKeys.toJsonText(config));
    Map<String, Object> train = new TreeMap<>(summary);
    train.remove("step");
    train.put("train_samples", trainSamples);
    writeMetrics(out.resolve("train_results.json"), train);
    Map<String, Object> all = new TreeMap<>(train);
    Evaluation evaluation = null;
    if (evaluator != null) {
      evaluation = evaluator.run("eval", config.returnEntityLevelMetrics());
      LinkedHashMap<String, Object> entry = new LinkedHashMap<>(evaluation.metrics());
      entry.put("epoch", state.epoch());
      entry.put("step", state.globalStep());
      onLog.accept(state.log(entry));
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

  /** Hugging Face's {@code save_metrics}: sorted keys, indent 4. */
  static void writeMetrics(Path file, Map<String, Object> metrics) throws IOException {
    String json = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create()
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
