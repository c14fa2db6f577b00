package dev.exprbert.train;

import dev.exprbert.convert.PretrainedMiniLm;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.data.ReaderOptions;
import dev.exprbert.data.SentenceReaders;
import dev.exprbert.infer.Span;
import dev.exprbert.infer.TaggedSentence;
import dev.exprbert.infer.Tagger;
import dev.exprbert.infer.TokenClassifier;
import dev.exprbert.runtime.Natives;
import dev.exprbert.runtime.Placement;
import dev.exprbert.train.sample.ReviewSampleGenerator;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

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
    TrainingConfig config = TrainingConfig.builder().outputDir(modelDir).overwriteOutputDir(true)
        .modelNameOrPath(encoder.toString()).trainFile(trainFile).validationFile(devFile)
        .learningRate(settings.learningRate()).numTrainEpochs(settings.epochs())
        .perDeviceTrainBatchSize(settings.batchSize()).perDeviceEvalBatchSize(32).warmupRatio(0.1).weightDecay(0.01)
        .groupByLength(true).seed(42).loggingStrategy("epoch").evalStrategy("epoch").saveStrategy("no").disableTqdm(true).build();
    EpochPrinter epochs = new EpochPrinter(out);
    Evaluation last;
    try (TrainingSetup.Prepared prepared = TrainingSetup.prepare(config);
        Trainer trainer = new Trainer(config, prepared.classifier().model(), prepared.classifier().tokenizer(),
            prepared.train(), prepared.eval())) {
      out.printf("quick-start: fine-tuning all-MiniLM-L6-v2 (%s) on the shipped synthetic review sample: %d training,"
          + " %d evaluation sentences, %s epochs%n", encoder, prepared.train().size(), prepared.eval().size(),
          settings.epochs());
      trainer.addListener(epochs);
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
    List<LabeledSentence> sentences = SentenceReaders.readAll(target, ReaderOptions.DEFAULTS);
    if (sentences.size() > limit) {
      Files.writeString(target, ReviewSampleGenerator.toConll(sentences.subList(0, limit)));
    }
    return target;
  }

  /** Prints one line per epoch: the epoch's training loss (logged first) and its evaluation. */
  private static final class EpochPrinter implements TrainingListener {
    private final PrintStream out;
    private double firstLoss = Double.NaN;
    private double lastLoss = Double.NaN;
    private int epoch;

    EpochPrinter(PrintStream out) {
      this.out = out;
    }

    @Override
    public void onLog(TrainerState state, java.util.Map<String, Object> entry) {
      if (entry.get("loss") instanceof Number loss) {
        lastLoss = loss.doubleValue();
        firstLoss = Double.isNaN(firstLoss) ? lastLoss : firstLoss;
      }
    }

    @Override
    public void onEvaluate(TrainerState state, Evaluation evaluation, TrainerControl control) {
      out.printf("epoch %d: train loss %.4f, eval loss %.4f, precision %.4f, recall %.4f, f1 %.4f, token accuracy %.4f%n",
          ++epoch, lastLoss, evaluation.metric("eval_loss"), evaluation.metric("eval_precision"),
          evaluation.metric("eval_recall"), evaluation.metric("eval_f1"), evaluation.metric("eval_accuracy"));
    }
  }
}
