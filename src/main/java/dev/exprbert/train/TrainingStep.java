package dev.exprbert.train;

import dev.exprbert.data.BatchLayout;
import dev.exprbert.data.Feature;
import dev.exprbert.data.ModelBatch;
import dev.exprbert.model.BertForTokenClassification;
import dev.exprbert.model.TokenClassificationLoss;
import dev.exprbert.optim.Optimizer;
import dev.exprbert.runtime.Autocast;
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
 * one big batch); then the optimizer clips and steps, and the gradients are dropped. With class weights the divisor
 * is the summed weight of the group's labelled tokens' target classes ({@link TokenClassificationLoss#denominator}),
 * which is what PyTorch's weighted mean divides by, so an accumulated update still equals the weighted mean over the
 * group as one batch; it is computed on the host from the label ids, without a device read. Nothing here reads a device
 * value to the host: the step's loss and gradient norm come back as device tensors.
 *
 * <p>[note: step seams] Where the next capabilities plug in without changing the loop:
 * <ul>
 *   <li>data parallel: the group's labelled-token count (weight) becomes the global one (an all-reduce of
 *       {@code denominator} before the first division); each layer's parameter gradients are all-reduced as the
 *       layer-wise backward finishes that layer ({@link dev.exprbert.autograd.LayerwiseBackward}), at the latest
 *       before {@link Optimizer#step};
 *   <li>mixed precision ({@link MixedPrecision}, the one collaborator for it): each micro-batch's forward and loss
 *       run under its autocast (the backward outside); with fp16 the backward starts from the loss times the loss
 *       scale, the optimizer unscales inside its update, and the fused AdamW's found-inf flag skips the whole update
 *       on the device (its step counter included), so an overflow step needs no host decision; then the scaler
 *       updates on the device;
 *   <li>a NaN/inf guard: {@link Output#loss()} and the step's found-inf flag ({@link MixedPrecision#foundInf()}) are
 *       device tensors; {@link NonFiniteGuard} accumulates them on the device and reads them at logging steps.
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

  private final BertForTokenClassification model;
  private final Optimizer optimizer;
  private final BatchLayout layout;
  private final long padTokenId;
  private final double maxGradNorm;
  private final MixedPrecision precision;
  private final TokenClassificationLoss criterion;

  /** A float32 step without gradient checks. @param maxGradNorm global-norm clipping threshold; {@code <= 0} disables clipping */
  public TrainingStep(BertForTokenClassification model, Optimizer optimizer, BatchLayout layout, long padTokenId,
      double maxGradNorm) {
    this(model, optimizer, layout, padTokenId, maxGradNorm, TokenClassificationLoss.PLAIN, MixedPrecision.unchecked());
  }

  /** A float32 step with the run's loss and no gradient checks. */
  public TrainingStep(BertForTokenClassification model, Optimizer optimizer, BatchLayout layout, long padTokenId,
      double maxGradNorm, MixedPrecision precision) {
    this(model, optimizer, layout, padTokenId, maxGradNorm, TokenClassificationLoss.PLAIN, precision);
  }

  /**
   * A step in {@code precision} (autocast, fp16 loss scaling, the optimizer's gradient check; borrowed).
   * @param loss the cross-entropy with the run's class weights and label smoothing
   */
  public TrainingStep(BertForTokenClassification model, Optimizer optimizer, BatchLayout layout, long padTokenId,
      double maxGradNorm, TokenClassificationLoss loss, MixedPrecision precision) {
    this.criterion = loss;
    this.model = model;
    this.optimizer = optimizer;
    this.layout = layout;
    this.padTokenId = padTokenId;
    this.maxGradNorm = maxGradNorm;
    this.precision = precision;
  }

  /** Runs forward and backward over {@code group} and one optimizer update at {@code learningRate}. */
  public Output run(List<List<Feature>> group, double learningRate) {
    double denominator = 0;
    for (List<Feature> micro : group) {
      for (Feature f : micro) {
        denominator += criterion.denominator(f.encoding().labelIds());
      }
    }
    Tensor loss = null;
    long realTokens = 0;
    long[] computedTokens = new long[group.size()];
    try {
      for (int i = 0; i < group.size(); i++) {
        try (PointerScope scope = new PointerScope();
            ModelBatch batch = layout.batchOf(group.get(i), padTokenId);
            Autocast.Scope autocast = precision.autocast().enter();
            BertForTokenClassification.ForwardPass pass = batch.forwardForTraining(model)) {
          Tensor sum = criterion.summed(pass.logits(), batch.labels());
          // divide by the labelled tokens (their weights) of the whole group, so accumulation equals one big batch
          Tensor microLoss = sum.div(new Scalar(denominator > 0 ? denominator : 1.0));
          autocast.close(); // the backward runs outside autocast (it takes each op back in its forward's type)
          pass.backward(precision.lossForBackward(microLoss));
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
        // the optimizer hands the norm out detached from any scope
        gradNorm = optimizer.step(learningRate, maxGradNorm, precision.check());
        precision.afterStep();
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
