package dev.exprbert.model.nn;

import dev.exprbert.model.ModelWeights;
import dev.exprbert.model.ParameterSpec;
import dev.exprbert.model.TokenClassificationHead;
import dev.exprbert.model.WeightPath;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The token-classification head of BERT, RoBERTa, XLM-R, DistilBERT, ELECTRA and DeBERTa: dropout, then
 * {@code classifier = Linear(hidden, num_labels)} on every token (no pooler, no extra layer).
 */
public final class DropoutLinearHead implements TokenClassificationHead {
  private final Linear classifier;
  private final double dropout;

  public DropoutLinearHead(ModelWeights weights, WeightPath classifier, double dropout) {
    this.classifier = new Linear(weights, classifier);
    this.dropout = dropout;
  }

  /** Declares {@code classifier.weight} [num_labels, hidden] and {@code classifier.bias}. */
  public static void declare(List<ParameterSpec> specs, WeightPath classifier, long hidden, long numLabels) {
    Linear.declare(specs, classifier, hidden, numLabels, true);
  }

  @Override
  public Tensor forward(Tensor hidden, boolean training) {
    try (Tensor dropped = torch.dropout(hidden, dropout, training)) {
      return classifier.forward(dropped);
    }
  }
}
