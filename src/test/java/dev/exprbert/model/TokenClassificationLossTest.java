package dev.exprbert.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.runtime.Natives;
import dev.exprbert.runtime.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

class TokenClassificationLossTest {
  @Test
  void ignoresMinus100AndAveragesOverLabelledPositions() {
    Natives.init();
    // one sentence, 3 positions, 2 labels; logits favour label 0 at every position
    float[] logits = {2, 0, 2, 0, 2, 0};
    long[] labels = {0, -100, 1};
    try (Tensor l = Tensors.floats(logits, 1, 3, 2); Tensor y = Tensors.longs(labels, 1, 3);
        Tensor mean = TokenClassificationLoss.mean(l, y); Tensor sum = TokenClassificationLoss.sum(l, y)) {
      double right = Math.log(1 + Math.exp(-2)); // -log softmax of the favoured label
      double wrong = Math.log(1 + Math.exp(2));
      assertEquals((right + wrong) / 2, mean.item_double(), 1e-6);
      assertEquals(right + wrong, sum.item_double(), 1e-6);
    }
  }

  @Test
  void labelIdsOutsideTheLabelSetAreRejectedWithTheValidRange() {
    Natives.init();
    try (Tensor l = Tensors.floats(new float[6], 1, 3, 2); Tensor y = Tensors.longs(new long[] {0, 5, -100}, 1, 3)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TokenClassificationLoss.mean(l, y));
      assertTrue(e.getMessage().contains("label id 5") && e.getMessage().contains("0..1"), e.getMessage());
    }
  }
}
