package dev.exprbert.cli;

import com.google.gson.GsonBuilder;
import dev.exprbert.data.BatchLayout;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.data.ReaderOptions;
import dev.exprbert.data.Window;
import dev.exprbert.hub.ModelResolver;
import dev.exprbert.infer.TokenClassifier;
import dev.exprbert.io.AtomicFiles;
import dev.exprbert.io.FiniteJson;
import dev.exprbert.metrics.Mode;
import dev.exprbert.runtime.Placement;
import dev.exprbert.train.Evaluation;
import dev.exprbert.train.Evaluator;
import dev.exprbert.train.TrainingSetup;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code exprbert evaluate --model DIR --validation_file FILE}: seqeval metrics of a model on labelled
 * data, printed as JSON ({@code eval_loss} plus the keys of Hugging Face's {@code evaluate} seqeval
 * wrapper: per type {precision, recall, f1, number}, overall_precision, overall_recall, overall_f1,
 * overall_accuracy) and as seqeval's per-type table. A NaN or infinite {@code eval_loss} is an error unless
 * {@code --allow_nan_loss} (then it is written as {@code null}: JSON has no NaN).
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, description = "Score a model on labelled data (seqeval).")
final class EvaluateCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, description = "Model directory, or a hub name org/name[@revision].")
  Path model;

  @Option(names = {"--validation_file", "--validation-file", "--data"}, required = true,
      description = "Labelled CoNLL, JSON Lines or span annotations (doccano, spaCy, Label Studio, brat).")
  Path data;

  @Option(names = {"--unknown_labels_to_o", "--unknown-labels-to-o"},
      description = "Map labels the model does not know to O (default: fail, listing them).")
  boolean unknownToO;

  @Option(names = {"--per_device_eval_batch_size", "--per-device-eval-batch-size"}, defaultValue = "8",
      description = "Sentences per forward pass (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = {"--max_seq_length", "--max-seq-length"}, description = "Sub-tokens per window (default: the smaller of max_position_embeddings and the tokenizer's model_max_length).")
  Integer maxSeqLength;

  @Option(names = "--stride", description = "Overlap of the windows of long sentences (default: " + Window.DEFAULT_STRIDE
      + ", as in training and predict).")
  Integer stride;

  @Option(names = {"--device"}, defaultValue = "cpu", description = "cpu, cuda or cuda:N (default: ${DEFAULT-VALUE}).")
  String device;

  @Option(names = {"--attn_implementation", "--attention"},
      description = "eager, sdpa or fused; fused evaluates packed (padding-free) batches (default: the fastest the"
          + " model's family supports: fused).")
  String attention;

  @Option(names = {"--output", "--output-file"}, description = "Also write the metrics JSON to this file.")
  Path output;

  @Option(names = {"--allow_nan_loss", "--allow-nan-loss"},
      description = "Report a NaN or infinite eval_loss (written as null in the JSON) instead of failing.")
  boolean allowNanLoss;

  @CommandLine.Mixin
  SpanFlags spanFlags;

  @CommandLine.Mixin
  ThreadsOption threads = new ThreadsOption();

  @Override
  public Integer call() throws Exception {
    threads.apply();
    Placement placement = DeviceOption.float32(spec, device);
    TrainingSetup.requireDataFile(data, "--validation_file");
    PrintWriter out = spec.commandLine().getOut();
    try (TokenClassifier classifier = TokenClassifier.load(ModelResolver.resolve(model.toString()), placement, attention)) {
      PrintWriter err = spec.commandLine().getErr();
      ReaderOptions options = ReaderOptions.builder().spans(spanFlags.options(issue -> err.println(issue))).build();
      List<LabeledSentence> sentences = TrainingSetup.checkedEvalData("validation_file", data, options, null,
          classifier.config().labels(), unknownToO);
      Window window = Window.resolve(maxSeqLength, stride, classifier.config().maxSequenceLength(),
          classifier.tokenizer());
      // fused attention takes packed batches, as predict and the Tagger do: the same metrics, no work on padding
      BatchLayout layout = BatchLayout.forInference(classifier.model().attention().implementation());
      Evaluator evaluator = new Evaluator(classifier.model(), classifier.tokenizer(), sentences, false, window,
          batchSize, layout);
      if (evaluator.mode() != Mode.DEFAULT) {
        err.println("scoring in seqeval's strict mode, " + evaluator.mode() + ", for the model's labels");
      }
      Evaluation evaluation = evaluator.run("eval", false);
      Double loss = evaluation.metrics().get("eval_loss");
      if (!allowNanLoss && loss != null && !Double.isFinite(loss)) {
        throw new IllegalStateException("eval_loss is " + loss + " on " + data + ": the model's logits are not finite"
            + " (weights holding NaN or inf, e.g. from a diverged run) or the data has no labelled token; pass"
            + " --allow_nan_loss to report the metrics anyway");
      }
      String json = metricsJson(evaluation);
      out.println(json);
      out.print(tableText(evaluation));
      if (output != null) {
        AtomicFiles.writeString(output, json + "\n");
      }
    }
    out.flush();
    return 0;
  }

  /** seqeval's per-type table, or a line saying why there is none (seqeval itself fails on that input). */
  static String tableText(Evaluation evaluation) {
    if (evaluation.table().types().isEmpty()) {
      return "no entity in the gold or the predicted labels, so there is no per-type table\n";
    }
    return evaluation.table().toText();
  }

  /** {@code eval_loss} followed by the {@code evaluate} seqeval wrapper's dictionary, pretty-printed. */
  static String metricsJson(Evaluation evaluation) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("eval_loss", evaluation.metrics().get("eval_loss"));
    json.putAll(evaluation.report().toMap());
    return FiniteJson.register(new GsonBuilder().setPrettyPrinting()).create().toJson(json);
  }
}
