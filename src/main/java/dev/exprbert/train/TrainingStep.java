package dev.exprbert.train;

import dev.exprbert.data.BatchLayout;
import dev.exprbert.data.Feature;
import dev.exprbert.data.ModelBatch;
import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.model.TokenClassificationLoss;
import dev.exprbert.optim.Optimizer;
import dev.exprbert.runtime.Autocast;
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
 * one big batch); then the optimizer clips and steps, and the gradients are dropped. With class weights the divisor
 * is the summed weight of the group's labelled tokens' target classes ({@link TokenClassificationLoss#denominator}),
 * which is what PyTorch's weighted mean divides by, so an accumulated update still equals the weighted mean over the
 * group as one batch; it is computed on the host from the label ids, without a device read. A model with a CRF
 * ({@link EncoderForTokenClassification#crf()}) sums its chains' negative log-likelihoods instead ({@link CrfLoss}),
 * divided the same way. Nothing here reads a device value to the host: the step's loss and gradient norm come back as
 * device tensors.
 *
 * <p>[note: step seams] Where the next capabilities plug in without changing the loop:
 * <ul>
 *   <li>data parallel: the {@link GradientSync} collaborator. The group's token counts become the global counts (an
 *       all-reduce before the first division, so the divisor is the labelled tokens, or their class weights, of
 *       every rank); during the last micro-batch's backward each layer's gradients start their all-reduce as the
 *       layer-wise backward finishes that layer ({@link dev.exprbert.autograd.LayerwiseBackward}'s gradient marks);
 *       before {@link Optimizer#step} the gradients and the loss are summed over the ranks. A rank with no features in
 *       a micro-batch (the short last batch of an epoch) skips its forward but still takes part in every all-reduce;
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

  private final EncoderForTokenClassification model;
  private final Optimizer optimizer;
  private final BatchLayout layout;
  private final long padTokenId;
  private final double maxGradNorm;
  private final MixedPrecision precision;
  private final TokenClassificationLoss criterion;
  private final GradientSync sync;

  /** A float32 step without gradient checks. @param maxGradNorm global-norm clipping threshold; {@code <= 0} disables clipping */
  public TrainingStep(EncoderForTokenClassification model, Optimizer optimizer, BatchLayout layout, long padTokenId,
      double maxGradNorm) {
    this(model, optimizer, layout, padTokenId, maxGradNorm, TokenClassificationLoss.PLAIN, MixedPrecision.unchecked(),
        GradientSync.LOCAL);
  }

  /** A float32 step with the run's loss and no gradient checks. */
  public TrainingStep(EncoderForTokenClassification model, Optimizer optimizer, BatchLayout layout, long padTokenId,
      double maxGradNorm, MixedPrecision precision) {
    this(model, optimizer, layout, padTokenId, maxGradNorm, TokenClassificationLoss.PLAIN, precision,
        GradientSync.LOCAL);
  }

  /** A float32 step of one rank of a data-parallel run ({@link GradientSync}). */
  public TrainingStep(EncoderForTokenClassification model, Optimizer optimizer, BatchLayout layout, long padTokenId,
      double maxGradNorm, GradientSync sync) {
    this(model, optimizer, layout, padTokenId, maxGradNorm, TokenClassificationLoss.PLAIN, MixedPrecision.unchecked(),
        sync);
  }

  /**
   * A step in {@code precision} (autocast, fp16 loss scaling, the optimizer's gradient check; borrowed), of one rank
   * of a data-parallel run ({@code sync}; {@link GradientSync#LOCAL} in a single process).
   * @param loss the cross-entropy with the run's class weights and label smoothing
   */
  public TrainingStep(EncoderForTokenClassification model, Optimizer optimizer, BatchLayout layout, long padTokenId,
      double maxGradNorm, TokenClassificationLoss loss, MixedPrecision precision, GradientSync sync) {
    this.criterion = loss;
    this.sync = sync;
    this.model = model;
    this.optimizer = optimizer;
    this.layout = layout;
    this.padTokenId = padTokenId;
    this.maxGradNorm = maxGradNorm;
    this.precision = precision;
  }

  /** Runs forward and backward over {@code group} and one optimizer update at {@code learningRate}. */
  public Output run(List<List<Feature>> group, double learningRate) {
    int perClass = 1 + group.size(); // real tokens, computed tokens per micro-batch, then the loss's label counts
    long[] counts = new long[perClass + criterion.countSlots()];
    for (int i = 0; i < group.size(); i++) {
      for (Feature f : group.get(i)) {
        counts[0] += f.length();
        criterion.count(f.encoding().labelIds(), counts, perClass);
      }
      counts[1 + i] = layout.computedTokens(group.get(i));
    }
    counts = sync.sumCounts(counts);
    double denominator = criterion.denominator(counts, perClass);
    Tensor loss = null;
    try {
      for (int i = 0; i < group.size(); i++) {
        if (group.get(i).isEmpty()) {
          continue; // this rank's share of a short last batch is empty: the other ranks' gradients still reach it
        }
        try (PointerScope scope = new PointerScope();
            ModelBatch batch = layout.batchOf(group.get(i), padTokenId);
            Autocast.Scope autocast = precision.autocast().enter();
            EncoderForTokenClassification.ForwardPass pass = batch.forwardForTraining(model)) {
          Tensor sum = model.crf() != null ? CrfLoss.summed(model.crf(), pass.logits(), batch, group.get(i))
              : criterion.summed(pass.logits(), batch.labels());
          // divide by the labelled tokens (their weights) of the whole group, so accumulation equals one big batch
          Tensor microLoss = sum.div(new Scalar(denominator > 0 ? denominator : 1.0));
          IntConsumer onGroupDone = i == group.size() - 1 ? sync.onGroupDone() : null;
          autocast.close(); // the backward runs outside autocast (it takes each op back in its forward's type)
          pass.backward(precision.lossForBackward(microLoss), onGroupDone);
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
        // the optimizer hands the norm out detached from any scope
        gradNorm = optimizer.step(learningRate, maxGradNorm, precision.check());
        precision.afterStep();
        optimizer.zeroGrad();
      }
      return new Output(loss, gradNorm, counts[0], java.util.Arrays.copyOfRange(counts, 1, perClass));
    } catch (RuntimeException e) {
      if (loss != null) {
        loss.close();
      }
      throw e;
    }
  }
}
