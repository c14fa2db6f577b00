package dev.exprbert.train;

import dev.exprbert.data.Feature;
import dev.exprbert.data.PackedBatch;
import dev.exprbert.data.PaddedBatch;
import dev.exprbert.model.BertForTokenClassification;
import dev.exprbert.model.PackedSequences;
import dev.exprbert.model.TokenClassificationLoss;
import dev.exprbert.runtime.Tensors;
import java.util.List;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * Forward and layer-wise backward of one micro-batch, padded or packed ({@code padding_free}): the loss is the
 * summed cross-entropy divided by the labelled tokens of the whole update, so gradient accumulation equals one big
 * batch. Callers own the PointerScope around a call.
 */
final class MicroBatchStep {
  /** What one micro-batch contributed: its share of the update's loss and the tokens it counted and computed. */
  record Result(double loss, long realTokens, long computedTokens) {}

  private final BertForTokenClassification model;
  private final long padTokenId;

  MicroBatchStep(BertForTokenClassification model, long padTokenId) {
    this.model = model;
    this.padTokenId = padTokenId;
  }

  Result run(List<Feature> micro, long labelledInUpdate, boolean packed) {
    return packed ? packed(micro, labelledInUpdate) : padded(micro, labelledInUpdate);
  }

  private Result padded(List<Feature> micro, long labelled) {
    try (PaddedBatch batch = PaddedBatch.ofFeatures(micro, padTokenId);
        BertForTokenClassification.ForwardPass pass =
            model.forwardForTraining(batch.inputIds(), batch.attentionMask(), batch.tokenTypeIds())) {
      long tokens = 0;
      for (long m : Tensors.toLongArray(batch.attentionMask())) {
        tokens += m;
      }
      return new Result(backward(pass, batch.labels(), labelled), tokens, batch.inputIds().numel());
    }
  }

  private Result packed(List<Feature> micro, long labelled) {
    try (PackedBatch batch = new PackedBatch(micro);
        BertForTokenClassification.ForwardPass pass = model.forwardForTraining(modelInput(batch))) {
      return new Result(backward(pass, batch.labels(), labelled), batch.totalTokens(), batch.totalTokens());
    }
  }

  /** The model input of a packed batch (borrows the batch's tensors). */
  static PackedSequences modelInput(PackedBatch batch) {
    return new PackedSequences(batch.inputIds(), batch.tokenTypeIds(), batch.positionIds(), batch.cuSeqlens(),
        batch.maxSeqLength());
  }

  private static double backward(BertForTokenClassification.ForwardPass pass, Tensor labels, long labelled) {
    Tensor sum = TokenClassificationLoss.sum(pass.logits(), labels);
    Tensor loss = sum.div(new Scalar((double) Math.max(1, labelled)));
    double value = loss.item_double();
    pass.backward(loss);
    return value;
  }
}
