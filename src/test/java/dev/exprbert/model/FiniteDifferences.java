package dev.exprbert.model;

import java.util.Comparator;
import java.util.stream.IntStream;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/** Central finite differences of the fixture loss, one parameter element at a time. */
final class FiniteDifferences {
  private FiniteDifferences() {}

  static int[] largestIndices(float[] values, int count) {
    return IntStream.range(0, values.length).boxed()
        .sorted(Comparator.comparingDouble((Integer i) -> -Math.abs(values[i])))
        .limit(count).mapToInt(Integer::intValue).toArray();
  }

  /** (L(w + h) - L(w - h)) / 2h for element {@code index} of {@code parameter}; restores it afterwards. */
  static double central(EncoderForTokenClassification model, ParityFixture fixture, Tensor parameter, int index, double h) {
    double[] losses = new double[2];
    try (NoGradGuard noGrad = new NoGradGuard(); Tensor flat = parameter.view(-1); Tensor element = flat.select(0, index)) {
      double original = element.item_double();
      for (int side = 0; side < 2; side++) {
        try (Scalar shifted = new Scalar(original + (side == 0 ? h : -h))) {
          element.fill_(shifted);
        }
        try (Tensor logits = model.logits(fixture.inputIds, fixture.attentionMask, fixture.tokenTypeIds);
            Tensor loss = TokenClassificationLoss.mean(logits, fixture.labels)) {
          losses[side] = loss.item_double();
        }
      }
      try (Scalar restored = new Scalar(original)) {
        element.fill_(restored);
      }
    }
    return (losses[0] - losses[1]) / (2 * h);
  }
}
