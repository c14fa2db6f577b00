package benchmarks.training;

import dev.exprbert.data.BatchLayout;
import dev.exprbert.data.Feature;
import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.model.TokenClassificationLoss;
import dev.exprbert.optim.AdamWSettings;
import dev.exprbert.optim.FusedAdamW;
import dev.exprbert.optim.Optimizer;
import dev.exprbert.optim.ParameterGroups;
import dev.exprbert.runtime.Natives;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The phases of one packed training step as {@code TrainingStep} runs them (batch building, forward, loss, backward,
 * fused AdamW step with clipping, zero_grad), timed separately, on TrainingStepBenchmark's model and OpeNER_en
 * batches; plus, as a yardstick for the backward, the word-embedding part of it measured alone (the dense
 * 30522 x 384 gradient: zero-fill + index_add of the batch's rows). Medians over the measured steps.
 *
 * <p>Usage: {@code StepProfile [BATCH [STEPS]]} (default 8 20, 3 warm-up steps).
 */
public final class StepProfile {
  private StepProfile() {}

  public static void main(String[] args) throws Exception {
    Natives.init();
    int batchSize = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    int steps = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int warmup = 3;
    System.out.printf("threads: %s; load average at start: %s%n", Natives.threads().describe(),
        TrainingStepBenchmark.loadAverage());
    List<Feature> features = TrainingStepBenchmark.features();
    Map<String, double[]> ms = new LinkedHashMap<>();
    for (String phase : List.of("batch", "forward", "loss", "backward", "optimizer step", "zero_grad", "step total",
        "embedding grad alone")) {
      ms.put(phase, new double[steps]);
    }
    try (EncoderForTokenClassification model = TrainingStepBenchmark.model("fused");
        Optimizer optimizer = new FusedAdamW(ParameterGroups.huggingFace(model.weights().parameters(), 0.01),
            new AdamWSettings(0.9, 0.999, 1e-8))) {
      model.train(true);
      Tensor wordEmbeddings = model.weights().get("bert.embeddings.word_embeddings.weight");
      torch.manual_seed(0);
      for (int s = 0; s < warmup + steps; s++) {
        List<Feature> batch = features.subList(s * batchSize, (s + 1) * batchSize);
        int m = s - warmup;
        try (PointerScope scope = new PointerScope()) {
          long t0 = System.nanoTime();
          dev.exprbert.data.PackedBatch b = (dev.exprbert.data.PackedBatch) BatchLayout.PACKED.batchOf(batch, 0);
          long t1 = System.nanoTime();
          EncoderForTokenClassification.ForwardPass pass = b.forwardForTraining(model);
          long t2 = System.nanoTime();
          Tensor loss = TokenClassificationLoss.sum(pass.logits(), b.labels()).div(new Scalar((double) b.realTokens()));
          long t3 = System.nanoTime();
          pass.backward(loss);
          long t4 = System.nanoTime();
          Tensor norm = optimizer.step(1e-5, 1.0);
          long t5 = System.nanoTime();
          optimizer.zeroGrad();
          long t6 = System.nanoTime();
          loss.item_double();
          norm.item_double();
          norm.close();
          pass.close();
          // the word-embedding gradient alone, on this batch's ids: what autograd's embedding backward does
          Tensor ids = b.inputIds().reshape(-1);
          try (Tensor grad = torch.ones(ids.size(0), wordEmbeddings.size(1))) {
            long e0 = System.nanoTime();
            try (Tensor g = torch.embedding_dense_backward(grad, ids, wordEmbeddings.size(0), 0, false)) {
              g.data_ptr();
            }
            long e1 = System.nanoTime();
            if (m >= 0) {
              ms.get("embedding grad alone")[m] = (e1 - e0) / 1e6;
            }
          }
          b.close();
          if (m >= 0) {
            ms.get("batch")[m] = (t1 - t0) / 1e6;
            ms.get("forward")[m] = (t2 - t1) / 1e6;
            ms.get("loss")[m] = (t3 - t2) / 1e6;
            ms.get("backward")[m] = (t4 - t3) / 1e6;
            ms.get("optimizer step")[m] = (t5 - t4) / 1e6;
            ms.get("zero_grad")[m] = (t6 - t5) / 1e6;
            ms.get("step total")[m] = (t6 - t0) / 1e6;
          }
        }
      }
    }
    double total = TrainingStepBenchmark.median(ms.get("step total"));
    System.out.printf("%nbatch %d packed fused, %d steps after %d warm-up%n| phase | median ms | share of the step median |%n"
        + "|---|---|---|%n", batchSize, steps, warmup);
    for (Map.Entry<String, double[]> e : ms.entrySet()) {
      double median = TrainingStepBenchmark.median(e.getValue());
      System.out.printf("| %s | %.1f | %.0f%% |%n", e.getKey(), median, 100 * median / total);
    }
    System.out.printf("load average at end: %s%n", TrainingStepBenchmark.loadAverage());
  }
}
