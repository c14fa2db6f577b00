package dev.exprbert.train;

import dev.exprbert.data.BatchLayout;
import dev.exprbert.data.Feature;
import dev.exprbert.data.ModelBatch;
import dev.exprbert.model.BertForTokenClassification;
import dev.exprbert.model.TokenClassificationLoss;
import dev.exprbert.optim.Optimizer;
import dev.exprbert.runtime.Tensors;
import java.util.List;
import java.util.function.IntConsumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * One optimizer update over the micro-batches of one accumulation group, as Hugging Face's
 * {@code training_step} loop plus {@code optimizer.step()} run it: each micro-batch goes forward and backward
 * ({@link ModelBatch}, padded or packed, through the layer-wise backward), its loss being the summed cross-entropy
 * divided by the labelled tokens of the whole group (the late-2024 gradient-accumulation fix, so accumulation equals
 * one big batch); then the optimizer clips and steps, and the gradients are dropped. Nothing here reads a device
 * value to the host: the step's loss and gradient norm come back as device tensors.
 *
 * <p>[note: step seams] Where the next capabilities plug in without changing the loop:
 * <ul>
 *   <li>data parallel: the {@link GradientSync} collaborator. The group's token counts become the global counts (an
 *       all-reduce before the first division, so the divisor is the labelled tokens of every rank); during the last
 *       micro-batch's backward each layer's gradients start their all-reduce as the layer-wise backward finishes that
 *       layer ({@link dev.exprbert.autograd.LayerwiseBackward}'s gradient marks); before {@link Optimizer#step} the
 *       gradients and the loss are summed over the ranks. A rank with no features in a micro-batch (the short last
 *       batch of an epoch) skips its forward but still takes part in every all-reduce;
 *   <li>mixed precision: the model's forward runs under the autocast dtype of its placement; with fp16 the micro
 *       loss is multiplied by the loss scale before {@code backward} and the optimizer unscales, and the fused
 *       AdamW's found-inf flag skips the whole update on the device (its step counter included), so an overflow
 *       step needs no host decision;
 *   <li>a NaN/inf guard: {@link Output#loss()} and {@link Output#gradNorm()} are device tensors; a policy that
 *       reads them every step (and pays the host sync) is a callback on {@link TrainerCallback#onStepEnd}, one
 *       that does not uses the found-inf skip above.
 * </ul>
 */
public final class TrainingStep {
  /**
   * What one update produced. Owns its tensors.
   *
   * @param loss float64 scalar on the model's device: the update's loss (sum over its micro-batches)
   * @param gradNorm the global gradient norm before clipping (device), or null without clipping
   * @param realTokens tokens of the update, padding excluded (over every rank)
   * @param computedTokens per micro-batch, the tokens the model computed (padding included; over every rank)
   */
  public record Output(Tensor loss, Tensor gradNorm, long realTokens, long[] computedTokens) implements AutoCloseable {
    @Override
    public void close() {
      loss.close();
      if (gradNorm != null) {
        gradNorm.close();
      }
    }
  }

  private final BertForTokenClassification model;
  private final Optimizer optimizer;
  private final BatchLayout layout;
  private final long padTokenId;
  private final double maxGradNorm;
  private final GradientSync sync;

  /** @param maxGradNorm global-norm clipping threshold; {@code <= 0} disables clipping */
  public TrainingStep(BertForTokenClassification model, Optimizer optimizer, BatchLayout layout, long padTokenId,
      double maxGradNorm) {
    this(model, optimizer, layout, padTokenId, maxGradNorm, GradientSync.LOCAL);
  }

  /** A step of one rank of a data-parallel run ({@link GradientSync}). */
  public TrainingStep(BertForTokenClassification model, Optimizer optimizer, BatchLayout layout, long padTokenId,
      double maxGradNorm, GradientSync sync) {
    this.sync = sync;
    this.model = model;
    this.optimizer = optimizer;
    this.layout = layout;
    this.padTokenId = padTokenId;
    this.maxGradNorm = maxGradNorm;
  }

  /** Runs forward and backward over {@code group} and one optimizer update at {@code learningRate}. */
  public Output run(List<List<Feature>> group, double learningRate) {
    long[] counts = new long[2 + group.size()]; // labelled, real, then computed tokens per micro-batch
    for (int i = 0; i < group.size(); i++) {
      for (Feature f : group.get(i)) {
        counts[0] += f.encoding().labelledTokens();
        counts[1] += f.length();
      }
      counts[2 + i] = layout.computedTokens(group.get(i));
    }
    counts = sync.sumCounts(counts);
    long labelled = counts[0];
    Tensor loss = null;
    try {
      for (int i = 0; i < group.size(); i++) {
        if (group.get(i).isEmpty()) {
          continue; // this rank's share of a short last batch is empty: the other ranks' gradients still reach it
        }
        try (PointerScope scope = new PointerScope();
            ModelBatch batch = layout.batchOf(group.get(i), padTokenId);
            BertForTokenClassification.ForwardPass pass = batch.forwardForTraining(model)) {
          Tensor sum = TokenClassificationLoss.sum(pass.logits(), batch.labels());
          // divide by the labelled tokens of the whole group, so accumulation equals one big batch
          Tensor microLoss = sum.div(new Scalar((double) Math.max(1, labelled)));
          IntConsumer onGroupDone = i == group.size() - 1 ? sync.onGroupDone() : null;
          pass.backward(microLoss, onGroupDone);
          Tensor value = microLoss.detach().to(ScalarType.Double);
          if (loss == null) {
            loss = Tensors.outlive(scope, value);
          } else {
            loss.add_(value);
          }
        }
      }
      if (loss == null) {
        try (TensorOptions doubles = model.placement().options(ScalarType.Double)) {
          loss = torch.zeros(new long[0], doubles);
        }
      }
      sync.finish(loss);
      Tensor gradNorm;
      try (PointerScope scope = new PointerScope()) {
        gradNorm = optimizer.step(learningRate, maxGradNorm); // the optimizer hands it out detached from any scope
        optimizer.zeroGrad();
      }
      return new Output(loss, gradNorm, counts[1], java.util.Arrays.copyOfRange(counts, 2, counts.length));
    } catch (RuntimeException e) {
      if (loss != null) {
        loss.close();
      }
      throw e;
    }
  }
}
