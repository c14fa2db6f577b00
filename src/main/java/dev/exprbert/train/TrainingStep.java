package dev.exprbert.train;

import dev.exprbert.data.BatchLayout;
import dev.exprbert.data.Feature;
import dev.exprbert.data.ModelBatch;
import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.model.TokenClassificationLoss;
import dev.exprbert.optim.Optimizer;
import dev.exprbert.runtime.Tensors;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
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
 *   <li>data parallel: the group's labelled-token count becomes the global count (an all-reduce of
 *       {@code labelled} before the first division); each layer's parameter gradients are all-reduced as the
 *       layer-wise backward finishes that layer ({@link dev.exprbert.autograd.LayerwiseBackward}), at the latest
 *       before {@link Optimizer#step};
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
   * @param realTokens tokens of the update, padding excluded
   * @param computedTokens per micro-batch, the tokens the model computed (padding included)
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

  private final EncoderForTokenClassification model;
  private final Optimizer optimizer;
  private final BatchLayout layout;
  private final long padTokenId;
  private final double maxGradNorm;

  /** @param maxGradNorm global-norm clipping threshold; {@code <= 0} disables clipping */
  public TrainingStep(EncoderForTokenClassification model, Optimizer optimizer, BatchLayout layout, long padTokenId,
      double maxGradNorm) {
    this.model = model;
    this.optimizer = optimizer;
    this.layout = layout;
    this.padTokenId = padTokenId;
    this.maxGradNorm = maxGradNorm;
  }

  /** Runs forward and backward over {@code group} and one optimizer update at {@code learningRate}. */
  public Output run(List<List<Feature>> group, double learningRate) {
    long labelled = 0;
    for (List<Feature> micro : group) {
      for (Feature f : micro) {
        labelled += f.encoding().labelledTokens();
      }
    }
    Tensor loss = null;
    long realTokens = 0;
    long[] computedTokens = new long[group.size()];
    try {
      for (int i = 0; i < group.size(); i++) {
        try (PointerScope scope = new PointerScope();
            ModelBatch batch = layout.batchOf(group.get(i), padTokenId);
            EncoderForTokenClassification.ForwardPass pass = batch.forwardForTraining(model)) {
          Tensor sum = TokenClassificationLoss.sum(pass.logits(), batch.labels());
          // divide by the labelled tokens of the whole group, so accumulation equals one big batch
          Tensor microLoss = sum.div(new Scalar((double) Math.max(1, labelled)));
          pass.backward(microLoss);
          Tensor value = microLoss.detach().to(ScalarType.Double);
          if (loss == null) {
            loss = Tensors.outlive(scope, value);
          } else {
            loss.add_(value);
          }
          realTokens += batch.realTokens();
          computedTokens[i] = batch.computedTokens();
        }
      }
      Tensor gradNorm;
      try (PointerScope scope = new PointerScope()) {
        gradNorm = optimizer.step(learningRate, maxGradNorm); // the optimizer hands it out detached from any scope
        optimizer.zeroGrad();
      }
      return new Output(loss, gradNorm, realTokens, computedTokens);
    } catch (RuntimeException e) {
      if (loss != null) {
        loss.close();
      }
      throw e;
    }
  }
}
