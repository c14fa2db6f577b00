package dev.exprbert.model.modernbert;

import dev.exprbert.model.ModelWeights;
import dev.exprbert.model.ParameterSpec;
import dev.exprbert.model.TokenClassificationHead;
import dev.exprbert.model.WeightPath;
import dev.exprbert.model.nn.DropoutLinearHead;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * The head of HF {@code ModernBertForTokenClassification} on every token after {@code final_norm}: the
 * {@link ModernBertPredictionHead} ({@code head.}), then dropout (classifier_dropout) and {@code classifier}
 * ([num_labels, hidden], always with a bias), the shared {@link DropoutLinearHead}.
 */
public final class ModernBertTokenClassificationHead implements TokenClassificationHead {
  private final ModernBertPredictionHead head;
  private final DropoutLinearHead classifier;

  public ModernBertTokenClassificationHead(ModelWeights weights, ModernBertConfig config) {
    this.head = new ModernBertPredictionHead(weights, WeightPath.ROOT.child("head"), config);
    this.classifier = new DropoutLinearHead(weights, WeightPath.ROOT.child("classifier"), config.classifierDropout());
  }

  /** Declares {@code head.*} and {@code classifier.*} (classifier weight from ModernBERT's "final_out" std). */
  public static void declare(List<ParameterSpec> specs, ModernBertConfig config) {
    ModernBertPredictionHead.declare(specs, WeightPath.ROOT.child("head"), config);
    ModernBertInit.linear(specs, WeightPath.ROOT.child("classifier"), config.hiddenSize(), config.numLabels(), true,
        ModernBertInit.finalOut(config), config);
  }

  @Override
  public Tensor forward(Tensor hidden, boolean training) {
    try (Tensor transformed = head.forward(hidden)) {
      return classifier.forward(transformed, training);
    }
  }
}
