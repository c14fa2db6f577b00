package dev.exprbert.cli;

import dev.exprbert.convert.PretrainedMiniLm;
import dev.exprbert.infer.Span;
import dev.exprbert.infer.TaggedSentence;
import dev.exprbert.infer.Tagger;
import dev.exprbert.infer.TokenClassifier;
import dev.exprbert.runtime.Natives;
import dev.exprbert.runtime.Placement;
import dev.exprbert.train.Evaluation;
import dev.exprbert.train.RunView;
import dev.exprbert.train.Trainer;
import dev.exprbert.train.TrainerCallback;
import dev.exprbert.train.TrainerControl;
import dev.exprbert.train.TrainingConfig;
import dev.exprbert.train.TrainingSetup;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The embedded default job that README's first command runs, with nothing to download beyond Maven:
 * fine-tune all-MiniLM-L6-v2 (converted once from the ONNX copy Maven Central ships, then cached) on
 * the synthetic review sample the project ships ({@code src/main/resources/dev/exprbert/sample}: 900
 * training and 220 evaluation sentences, POS/NEG/TIME/MWE expressions) with the {@link Trainer},
 * evaluate each epoch (loss, seqeval precision/recall/F1, token accuracy), write the model directory
 * with its model card and chart, print the metrics, then tag two sentences with the reloaded model.
 */
public final class QuickstartJob {
  static final String SAMPLE = "/dev/exprbert/sample/";

  /** How much of the sample to use and how to train on it. */
  public record Settings(int trainSentences, int evalSentences, double epochs, int batchSize, double learningRate) {
    /** README's first command: the whole sample, 2 epochs of batches of 32 sentences of similar length. */
    public static final Settings DEFAULT = new Settings(Integer.MAX_VALUE, Integer.MAX_VALUE, 2, 32, 2e-4);
  }

  /** What the job measured. */
  public record Result(double firstEpochLoss, double lastEpochLoss, Evaluation evaluation, Path modelDir,
      List<TaggedSentence> examples) {}

  static final List<String> EXAMPLES = List.of(
      "All in all, the room service was worth every penny and we will be back next summer.",
      "On Friday evening the battery life was not great at all.");

  private QuickstartJob() {}

  public static Result run(Path outputDir, PrintStream out) throws IOException {
    return run(outputDir, out, Settings.DEFAULT);
  }

  public static Result run(Path outputDir, PrintStream out, Settings settings) throws IOException {
    Natives.init();
    Path data = Files.createDirectories(outputDir.resolve("data"));
    Path trainFile = copySample("train.conll", data, settings.trainSentences());
    Path devFile = copySample("dev.conll", data, settings.evalSentences());
    Path encoder = PretrainedMiniLm.ensureConverted();

    Path modelDir = outputDir.resolve("model");
    TrainingConfig config = TrainingConfig.builder().set("output_dir", modelDir).set("overwrite_output_dir", true)
        .set("model_name_or_path", encoder.toString()).set("train_file", trainFile).set("validation_file", devFile)
        .set("learning_rate", settings.learningRate()).set("num_train_epochs", settings.epochs())
        .set("per_device_train_batch_size", settings.batchSize()).set("per_device_eval_batch_size", 32)
        .set("warmup_ratio", 0.1).set("weight_decay", 0.01).set("group_by_length", true).set("seed", 42)
        .set("logging_strategy", "epoch").set("eval_strategy", "epoch").set("save_strategy", "no")
        .set("disable_tqdm", true).build();
    EpochPrinter epochs = new EpochPrinter(out);
    Evaluation last;
    try (TrainingSetup.Prepared prepared = TrainingSetup.prepare(config);
        Trainer trainer = new Trainer(config, prepared.classifier().model(), prepared.classifier().tokenizer(),
            prepared.train(), prepared.eval())) {
      out.printf("quick-start: fine-tuning all-MiniLM-L6-v2 (%s) on the shipped synthetic review sample: %d training,"
          + " %d evaluation sentences, %s epochs%n", encoder, prepared.train().size(), prepared.eval().size(),
          settings.epochs());
      trainer.addCallback(epochs);
      last = trainer.train().finalEvaluation();
    }
    out.printf("evaluation: loss %.4f, precision %.4f, recall %.4f, f1 %.4f, accuracy %.4f%n", last.metric("eval_loss"),
        last.metric("eval_precision"), last.metric("eval_recall"), last.metric("eval_f1"), last.metric("eval_accuracy"));
    out.println("model directory (with README.md model card and training_chart.png): " + modelDir.toAbsolutePath());

    List<TaggedSentence> tagged;
    try (TokenClassifier reloaded = TokenClassifier.load(modelDir, Placement.CPU_FLOAT32, "sdpa")) {
      tagged = new Tagger(reloaded).tagTexts(EXAMPLES);
    }
    for (TaggedSentence sentence : tagged) {
      out.println("tagged: " + sentence.text());
      for (Span span : sentence.spans()) {
        out.printf("  %-4s \"%s\" [%d, %d) score %.3f%n", span.type(), span.text(), span.startChar(), span.endChar(),
            span.score());
      }
    }
    return new Result(epochs.firstLoss, epochs.lastLoss, last, modelDir, tagged);
  }

  /** Copies a sample file out of the jar (its first {@code limit} sentences) so the Trainer reads a real file. */
  private static Path copySample(String name, Path dir, int limit) throws IOException {
    Path target = dir.resolve(name);
    try (InputStream in = QuickstartJob.class.getResourceAsStream(SAMPLE + name)) {
      if (in == null) {
        throw new IOException("resource " + SAMPLE + name + " is missing from the jar: rebuild with mvn package");
      }
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
    // the sample is CoNLL with one blank line after each sentence: keep the first `limit` sentence blocks
    List<String> kept = new ArrayList<>();
    int sentences = 0;
    for (String line : Files.readAllLines(target)) {
      if (sentences == limit) {
        break;
      }
      kept.add(line);
      sentences += line.isEmpty() ? 1 : 0;
    }
    Files.write(target, kept);
    return target;
  }

  /** Prints one line per epoch: the epoch's training loss (logged first) and its evaluation. */
  private static final class EpochPrinter implements TrainerCallback {
    private final PrintStream out;
    private double firstLoss = Double.NaN;
    private double lastLoss = Double.NaN;
    private int epoch;

    EpochPrinter(PrintStream out) {
      this.out = out;
    }

    @Override
    public void onLog(RunView run, TrainerControl control, Map<String, Object> entry) {
      if (entry.get("loss") instanceof Number loss) {
        lastLoss = loss.doubleValue();
        firstLoss = Double.isNaN(firstLoss) ? lastLoss : firstLoss;
      }
    }

    @Override
    public void onEvaluate(RunView run, TrainerControl control, Evaluation evaluation) {
      out.printf("epoch %d: train loss %.4f, eval loss %.4f, precision %.4f, recall %.4f, f1 %.4f, token accuracy %.4f%n",
          ++epoch, lastLoss, evaluation.metric("eval_loss"), evaluation.metric("eval_precision"),
          evaluation.metric("eval_recall"), evaluation.metric("eval_f1"), evaluation.metric("eval_accuracy"));
    }
  }
}
