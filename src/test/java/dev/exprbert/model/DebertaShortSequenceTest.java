package dev.exprbert.model;

import static dev.exprbert.testing.TensorAssertions.assertClose;

import dev.exprbert.runtime.Tensors;
import dev.exprbert.testing.TensorAssertions;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DeBERTa on a sequence shorter than its position buckets, where only the relative embedding rows the sequence can
 * reach are projected: the same sentences padded on the right to the fixture's length (so every row is reachable and
 * padding is masked) give the real tokens the same logits and every parameter the same gradient.
 */
class DebertaShortSequenceTest {
  private static final int SHORT = 5; // position_buckets 8: rows 4..12 of 16 are reachable
  private static final int PADDED = 14;

  @ParameterizedTest
  @ValueSource(strings = {"eager", "sdpa"})
  void aShortBatchEqualsItsPaddedSelf(String backend) {
    try (ParityFixture f = new ParityFixture("deberta-v2-parity");
        EncoderForTokenClassification model = ParityChecks.model(f, backend)) {
      long[] ids = Tensors.toLongArray(f.inputIds);
      long[] labels = Tensors.toLongArray(f.labels);
      int rows = (int) f.inputIds.size(0);
      int seq = (int) f.inputIds.size(1);
      long[] shortIds = new long[rows * SHORT];
      long[] shortLabels = new long[rows * SHORT];
      long[] paddedIds = new long[rows * PADDED]; // pad_token_id 0
      long[] paddedMask = new long[rows * PADDED];
      long[] paddedLabels = new long[rows * PADDED];
      java.util.Arrays.fill(paddedLabels, -100);
      for (int b = 0; b < rows; b++) {
        for (int t = 0; t < SHORT; t++) {
          shortIds[b * SHORT + t] = ids[b * seq + t]; // every fixture row has more than SHORT real tokens
          shortLabels[b * SHORT + t] = labels[b * seq + t];
          paddedIds[b * PADDED + t] = ids[b * seq + t];
          paddedMask[b * PADDED + t] = 1;
          paddedLabels[b * PADDED + t] = labels[b * seq + t];
        }
      }
      long[] shortMask = new long[rows * SHORT];
      java.util.Arrays.fill(shortMask, 1);
      try (Tensor sIds = Tensors.longs(shortIds, rows, SHORT); Tensor sMask = Tensors.longs(shortMask, rows, SHORT);
          Tensor sLabels = Tensors.longs(shortLabels, rows, SHORT); Tensor pIds = Tensors.longs(paddedIds, rows, PADDED);
          Tensor pMask = Tensors.longs(paddedMask, rows, PADDED);
          Tensor pLabels = Tensors.longs(paddedLabels, rows, PADDED)) {
        Map<String, float[]> shortGrads = new LinkedHashMap<>();
        float[] shortLogits = logitsAndGradients(model, sIds, sMask, sLabels, shortGrads);
        Map<String, float[]> paddedGrads = new LinkedHashMap<>();
        float[] paddedLogits = logitsAndGradients(model, pIds, pMask, pLabels, paddedGrads);
        int labelsCount = model.config().numLabels();
        float[] realOfPadded = new float[shortLogits.length];
        for (int b = 0; b < rows; b++) {
          System.arraycopy(paddedLogits, b * PADDED * labelsCount, realOfPadded, b * SHORT * labelsCount,
              SHORT * labelsCount);
        }
        assertClose(backend + " logits of the real tokens", shortLogits, realOfPadded, 1e-5);
        for (Map.Entry<String, float[]> g : paddedGrads.entrySet()) {
          double scale = Math.max(TensorAssertions.maxAbs(g.getValue()), 1e-12);
          assertClose(backend + " grad " + g.getKey(), shortGrads.get(g.getKey()), g.getValue(), 1e-5 * scale);
        }
      }
    }
  }

  /** Logits of the batch, and every gradient of the mean loss into {@code grads}; zeroes the gradients after. */
  private static float[] logitsAndGradients(EncoderForTokenClassification model, Tensor ids, Tensor mask, Tensor labels,
      Map<String, float[]> grads) {
    float[] logits;
    try (EncoderForTokenClassification.ForwardPass pass = model.forwardForTraining(ids, mask, null);
        Tensor loss = TokenClassificationLoss.mean(pass.logits(), labels)) {
      pass.backward(loss);
      logits = Tensors.toFloatArray(pass.logits());
    }
    for (Map.Entry<String, Tensor> p : model.weights().asMap().entrySet()) {
      try (Tensor g = p.getValue().grad()) {
        grads.put(p.getKey(), Tensors.toFloatArray(g));
        g.zero_();
      }
    }
    return logits;
  }
}
