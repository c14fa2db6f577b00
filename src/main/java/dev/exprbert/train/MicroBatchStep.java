package dev.exprbert.train;

import dev.exprbert.data.Feature;
import dev.exprbert.data.BatchLayout;
import dev.exprbert.data.ModelBatch;
import dev.exprbert.model.BertForTokenClassification;
import dev.exprbert.model.TokenClassificationLoss;
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
  private final BatchLayout layout;

  MicroBatchStep(BertForTokenClassification model, long padTokenId, BatchLayout layout) {
    this.model = model;
    this.padTokenId = padTokenId;
    this.layout = layout;
  }

  Result run(List<Feature> micro, long labelledInUpdate) {
    try (ModelBatch batch = layout.batchOf(micro, padTokenId);
        BertForTokenClassification.ForwardPass pass = batch.forwardForTraining(model)) {
      Tensor sum = TokenClassificationLoss.sum(pass.logits(), batch.labels());
      Tensor loss = sum.div(new Scalar((double) Math.max(1, labelledInUpdate)));
      double value = loss.item_double();
      pass.backward(loss);
      return new Result(value, batch.realTokens(), batch.computedTokens());
    }
  }
}
