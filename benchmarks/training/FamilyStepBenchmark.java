package benchmarks.training;

import dev.exprbert.data.BatchLayout;
import dev.exprbert.data.Feature;
import dev.exprbert.data.ModelBatch;
import dev.exprbert.kernels.NativeKernels;
import dev.exprbert.model.CheckpointLoader;
import dev.exprbert.model.EncoderConfig;
import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.model.attention.AttentionBackend;
import dev.exprbert.model.attention.AttentionImplementation;
import dev.exprbert.model.bert.BertConfig;
import dev.exprbert.model.deberta.DebertaV2Config;
import dev.exprbert.model.distilbert.DistilBertConfig;
import dev.exprbert.model.electra.ElectraFamily;
import dev.exprbert.model.modernbert.ModernBertConfig;
import dev.exprbert.model.roberta.RobertaFamily;
import dev.exprbert.optim.AdamWSettings;
import dev.exprbert.optim.FusedAdamW;
import dev.exprbert.optim.Optimizer;
import dev.exprbert.optim.ParameterGroups;
import dev.exprbert.runtime.Natives;
import dev.exprbert.runtime.Placement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Training-step and inference throughput of every family at equal size, fused attention on packed batches against
 * sdpa on padded ones, on CPU float32 (DeBERTa, whose relative positions fused does not take: eager against sdpa,
 * both padded). Equal size: hidden 256, 4 layers, 4 heads of dim 64, intermediate 1024, vocabulary 30522, 9 labels,
 * dropout 0.1 (ELECTRA's embeddings in 128, as ELECTRA-small's ratio; DeBERTa's 256 position buckets, as
 * DeBERTa-v3's; ModernBERT's GeGLU intermediate 683, as many MLP weights as 1024, with ModernBERT-base's layer
 * pattern: layers 0 and 3 global, 1 and 2 local with local_attention 128, which few OpeNER sentences exceed); random
 * init.
 *
 * <p>Data: {@link TrainingStepBenchmark#features()}, the opener_en expression training sentences as MiniLM's
 * WordPiece splits them (max_seq_length 256), shuffled with a fixed seed: every family runs the same ids, so the
 * lengths (and so the padding) are equal for all (a family's own tokenizer would cut the text differently). MiniLM
 * never emits id 1, RoBERTa's padding_idx, so RoBERTa's position ids stay those of its real tokens.
 *
 * <p>Every (family, layout) case takes its turn step by step (A B A B...), so load from other processes hits them
 * alike. Reports, per family, the median ms of a training step (forward, layer-wise backward, fused AdamW, as the
 * Trainer runs it) and of an eval-mode forward (logits of one batch, as evaluation and tagging run it), real tokens/s
 * and the ratio packed fused / padded sdpa measured in the same run.
 *
 * <p>Usage: {@code FamilyStepBenchmark [batchSize:trainSteps:inferenceBatches]}, default {@code 16:8:8}; 2 warm-up
 * rounds; {@code -Dbench.threads=N} sets LibTorch's intra-op threads; {@code -Dbench.families=bert,deberta-v2} runs
 * only those families.
 */
public final class FamilyStepBenchmark {
  private static final int WARMUP = 2;
  private static final List<String> LABELS = List.of("O", "B-EXPR", "I-EXPR", "B-X3", "I-X3", "B-X5", "I-X5", "B-X7",
      "I-X7");
  private static final List<String> FAMILIES = List.of(System.getProperty("bench.families",
      "bert,roberta,xlm-roberta,distilbert,electra,deberta-v2,modernbert").split(","));

  private record Case(String family, String attention, boolean packed) {
    String name() {
      return family + (packed ? " packed fused" : " padded " + attention);
    }
  }

  public static void main(String[] args) throws Exception {
    Natives.init();
    NativeKernels.load();
    String[] spec = (args.length > 0 ? args[0] : "16:8:8").split(":");
    int batchSize = Integer.parseInt(spec[0]);
    int trainSteps = Integer.parseInt(spec[1]);
    int inferenceBatches = Integer.parseInt(spec[2]);
    Integer threads = Integer.getInteger("bench.threads");
    if (threads != null) {
      torch.set_num_threads(threads);
    }
    System.out.printf("threads: %d intra-op; load average at start: %s%n", torch.get_num_threads(),
        TrainingStepBenchmark.loadAverage());
    List<Feature> features = TrainingStepBenchmark.features();
    List<Case> cases = new ArrayList<>();
    for (String family : FAMILIES) {
      cases.add(new Case(family, "sdpa", false));
      // a family fused does not fit (DeBERTa's relative positions) runs its other backend, eager, on padded batches
      cases.add(fusedFits(family) ? new Case(family, "fused", true) : new Case(family, "eager", false));
    }
    List<List<Feature>> batches = new ArrayList<>();
    int needed = WARMUP + Math.max(trainSteps, inferenceBatches);
    for (int start = 0; start + batchSize <= features.size() && batches.size() < needed; start += batchSize) {
      batches.add(features.subList(start, start + batchSize));
    }
    double[][] train = new double[cases.size()][trainSteps];
    double[][] infer = new double[cases.size()][inferenceBatches];
    List<EncoderForTokenClassification> models = new ArrayList<>();
    List<Optimizer> optimizers = new ArrayList<>();
    try {
      for (Case c : cases) {
        EncoderConfig config = config(c.family());
        EncoderForTokenClassification m = new EncoderForTokenClassification(config,
            CheckpointLoader.initialize(config, Placement.CPU_FLOAT32, 42), Placement.CPU_FLOAT32,
            AttentionBackend.named(c.attention()));
        models.add(m);
        optimizers.add(new FusedAdamW(ParameterGroups.huggingFace(m.weights().parameters(), 0.01),
            new AdamWSettings(0.9, 0.999, 1e-8)));
      }
      torch.manual_seed(0);
      for (int step = 0; step < WARMUP + trainSteps; step++) {
        for (int c = 0; c < cases.size(); c++) {
          EncoderForTokenClassification m = models.get(c);
          m.train(true);
          long start = System.nanoTime();
          TrainingStepBenchmark.step(m, optimizers.get(c), cases.get(c).packed(), batches.get(step));
          if (step >= WARMUP) {
            train[c][step - WARMUP] = (System.nanoTime() - start) / 1e6;
          }
        }
      }
      for (int b = 0; b < WARMUP + inferenceBatches; b++) {
        for (int c = 0; c < cases.size(); c++) {
          EncoderForTokenClassification m = models.get(c);
          m.train(false);
          long start = System.nanoTime();
          BatchLayout layout = cases.get(c).packed() ? BatchLayout.PACKED : BatchLayout.PADDED;
          try (ModelBatch batch = layout.batchOf(batches.get(b), padId(m.config()));
              Tensor logits = batch.logits(m)) {
            logits.sum().item_double(); // wait for the result
          }
          if (b >= WARMUP) {
            infer[c][b - WARMUP] = (System.nanoTime() - start) / 1e6;
          }
        }
      }
    } finally {
      optimizers.forEach(Optimizer::close);
      models.forEach(EncoderForTokenClassification::close);
    }
    long realTrain = realTokens(batches.subList(WARMUP, WARMUP + trainSteps));
    long realInfer = realTokens(batches.subList(WARMUP, WARMUP + inferenceBatches));
    System.out.printf("%nbatch %d: %d measured training steps (%d real tokens), %d measured inference batches%n",
        batchSize, trainSteps, realTrain, inferenceBatches);
    System.out.println("| family | parameters | train ms/step sdpa padded | fused packed | train speed-up | "
        + "inference ms/batch sdpa padded | fused packed | inference speed-up | packed train tokens/s |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    for (int f = 0; f < FAMILIES.size(); f++) {
      int padded = 2 * f;
      int packed = 2 * f + 1;
      double trainTotal = Arrays.stream(train[packed]).sum();
      String family = FAMILIES.get(f) + (fusedFits(FAMILIES.get(f)) ? "" : " (2nd case: eager padded)");
      System.out.printf("| %s | %,d | %.0f | %.0f | %.2fx | %.0f | %.0f | %.2fx | %.0f |%n", family,
          parameterCount(config(FAMILIES.get(f))), TrainingStepBenchmark.median(train[padded]),
          TrainingStepBenchmark.median(train[packed]),
          TrainingStepBenchmark.median(train[padded]) / TrainingStepBenchmark.median(train[packed]),
          TrainingStepBenchmark.median(infer[padded]), TrainingStepBenchmark.median(infer[packed]),
          TrainingStepBenchmark.median(infer[padded]) / TrainingStepBenchmark.median(infer[packed]),
          realTrain / (trainTotal / 1e3));
    }
    System.out.printf("load average at end: %s%n", TrainingStepBenchmark.loadAverage());
  }

  static EncoderConfig config(String family) {
    return switch (family) {
      case "bert" -> bert(BertConfig.builder()).maxPositionEmbeddings(512).padTokenId(0).build();
      case "roberta" -> bert(BertConfig.builder(RobertaFamily.ROBERTA)).maxPositionEmbeddings(514).typeVocabSize(1)
          .padTokenId(1).build();
      case "xlm-roberta" -> bert(BertConfig.builder(RobertaFamily.XLM_ROBERTA)).maxPositionEmbeddings(514).typeVocabSize(1)
          .padTokenId(1).build();
      case "electra" -> bert(BertConfig.builder(ElectraFamily.ELECTRA)).embeddingSize(128).maxPositionEmbeddings(512)
          .padTokenId(0).build();
      case "deberta-v2" -> DebertaV2Config.builder().set("vocab_size", 30522).set("hidden_size", 256)
          .set("num_hidden_layers", 4).set("num_attention_heads", 4).set("intermediate_size", 1024).labels(LABELS).build();
      case "distilbert" -> DistilBertConfig.builder().vocabSize(30522).dim(256).nLayers(4).nHeads(4).hiddenDim(1024)
          .maxPositionEmbeddings(512).labels(LABELS).build();
      // GeGLU's Wi is twice as wide: intermediate 683 = 2/3 x 1024 gives BERT's MLP parameters and FLOPs
      case "modernbert" -> ModernBertConfig.builder().vocabSize(30522).hiddenSize(256).numHiddenLayers(4)
          .numAttentionHeads(4).intermediateSize(683).maxPositionEmbeddings(512).padTokenId(0).attentionDropout(0.1)
          .mlpDropout(0.1).labels(LABELS).build();
      default -> throw new IllegalArgumentException(family);
    };
  }

  private static boolean fusedFits(String family) {
    return config(family).family().attentionImplementations().contains(AttentionImplementation.FUSED);
  }

  private static BertConfig.Builder bert(BertConfig.Builder b) {
    return b.vocabSize(30522).hiddenSize(256).numHiddenLayers(4).numAttentionHeads(4).intermediateSize(1024)
        .labels(LABELS);
  }

  private static long padId(EncoderConfig config) {
    return config.padTokenId() == null ? 0 : config.padTokenId();
  }

  private static long parameterCount(EncoderConfig config) {
    return dev.exprbert.model.ModelConfigLimits.parameterCount(config);
  }

  private static long realTokens(List<List<Feature>> batches) {
    long n = 0;
    for (List<Feature> b : batches) {
      for (Feature f : b) {
        n += f.length();
      }
    }
    return n;
  }
}
