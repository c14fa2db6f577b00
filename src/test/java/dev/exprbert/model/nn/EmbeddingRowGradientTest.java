package dev.exprbert.model.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.model.CheckpointLoader;
import dev.exprbert.model.EncoderForTokenClassification;
import dev.exprbert.model.TokenClassificationLoss;
import dev.exprbert.model.attention.AttentionBackend;
import dev.exprbert.model.bert.BertConfig;
import dev.exprbert.runtime.Natives;
import dev.exprbert.runtime.Placement;
import java.util.List;
import java.util.Random;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * The embedding tables' row gradients of the layer-wise pass equal autograd's dense embedding backward (one graph,
 * the reference) bit for bit, step after step with the gradients dropped in between (the buffer is handed out again
 * re-zeroed, also where someone else wrote into it, as a data-parallel all-reduce does), padding row included; with two micro-batches accumulated they agree up to
 * float rounding (rows are added one at a time instead of as whole tables).
 */
class EmbeddingRowGradientTest {
  private static final int VOCAB = 50;

  private static EncoderForTokenClassification model() {
    BertConfig config = BertConfig.builder().vocabSize(VOCAB).hiddenSize(16).numHiddenLayers(1).numAttentionHeads(2)
        .intermediateSize(32).maxPositionEmbeddings(32).labels(List.of("O", "B-X", "I-X")).padTokenId(0).build();
    EncoderForTokenClassification m = new EncoderForTokenClassification(config,
        CheckpointLoader.initialize(config, Placement.CPU_FLOAT32, 7), Placement.CPU_FLOAT32, AttentionBackend.named("eager"));
    m.train(false); // no dropout: both models must compute the same values
    return m;
  }

  private static Tensor[] batch(Random random) {
    long[] ids = new long[2 * 6];
    long[] mask = new long[ids.length];
    long[] labels = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      boolean padded = i % 6 == 5 && i < 6; // the first sentence ends with padding
      ids[i] = padded ? 0 : 1 + random.nextInt(12); // few ids, so rows repeat within a batch
      mask[i] = padded ? 0 : 1;
      labels[i] = padded ? -100 : random.nextInt(3);
    }
    return new Tensor[] {dev.exprbert.runtime.Tensors.longs(ids, 2, 6), dev.exprbert.runtime.Tensors.longs(mask, 2, 6),
        torch.zeros(new long[] {2, 6}, new org.bytedeco.pytorch.TensorOptions(org.bytedeco.pytorch.global.torch.ScalarType.Long)),
        dev.exprbert.runtime.Tensors.longs(labels, 2, 6)};
  }

  private static void close(Tensor[] tensors) {
    for (Tensor t : tensors) {
      t.close();
    }
  }

  private static void layerwise(EncoderForTokenClassification m, Tensor[] b) {
    try (EncoderForTokenClassification.ForwardPass pass = m.forwardForTraining(b[0], b[1], b[2]);
        Tensor loss = TokenClassificationLoss.mean(pass.logits(), b[3])) {
      pass.backward(loss);
    }
  }

  private static void wholeGraph(EncoderForTokenClassification m, Tensor[] b) {
    try (Tensor logits = m.forwardFullGraph(b[0], b[1], b[2]); Tensor loss = TokenClassificationLoss.mean(logits, b[3])) {
      loss.backward();
    }
  }

  private static void dropGrads(EncoderForTokenClassification m) {
    for (Tensor p : m.weights().asMap().values()) {
      try (Tensor g = p.mutable_grad()) {
        g.reset();
      }
    }
  }

  private static double maxDiff(EncoderForTokenClassification a, EncoderForTokenClassification b, String name) {
    try (Tensor ga = a.weights().get(name).grad(); Tensor gb = b.weights().get(name).grad(); Tensor d = ga.sub(gb).abs().max()) {
      return d.item_double();
    }
  }

  @Test
  void rowGradientsEqualTheDenseBackwardAcrossSteps() {
    Natives.init();
    String words = "bert.embeddings.word_embeddings.weight";
    try (EncoderForTokenClassification rows = model(); EncoderForTokenClassification dense = model()) {
      Random random = new Random(3);
      for (int step = 0; step < 4; step++) {
        Tensor[] b = batch(random);
        dropGrads(rows);
        dropGrads(dense);
        layerwise(rows, b);
        wholeGraph(dense, b);
        for (String name : List.of(words, "bert.embeddings.position_embeddings.weight",
            "bert.embeddings.token_type_embeddings.weight")) {
          assertEquals(0.0, maxDiff(rows, dense, name), "step " + step + " " + name);
        }
        try (Tensor g = rows.weights().get(words).grad(); Tensor pad = g.select(0, 0).abs().sum();
            Tensor unused = g.narrow(0, 13, VOCAB - 13).abs().sum()) {
          assertEquals(0.0, pad.item_double(), "the padding row gets no gradient");
          assertEquals(0.0, unused.item_double(), "rows of earlier steps were re-zeroed");
        }
        close(b);
      }
    }
  }

  @Test
  void accumulatedMicroBatchesAgreeWithTheDenseBackward() {
    Natives.init();
    String words = "bert.embeddings.word_embeddings.weight";
    try (EncoderForTokenClassification rows = model(); EncoderForTokenClassification dense = model()) {
      Random random = new Random(5);
      Tensor[] first = batch(random);
      Tensor[] second = batch(random);
      layerwise(rows, first);
      layerwise(rows, second);
      wholeGraph(dense, first);
      wholeGraph(dense, second);
      double diff = maxDiff(rows, dense, words);
      try (Tensor g = dense.weights().get(words).grad(); Tensor m = g.abs().max()) {
        assertTrue(diff <= 1e-6 * m.item_double(), "accumulated word-embedding gradient off by " + diff);
      }
      close(first);
      close(second);
    }
  }

  @Test
  void whatOthersWroteIntoTheGradientDoesNotReachTheNextStep() {
    Natives.init();
    String words = "bert.embeddings.word_embeddings.weight";
    try (EncoderForTokenClassification rows = model(); EncoderForTokenClassification dense = model()) {
      Random random = new Random(11);
      Tensor[] first = batch(random);
      layerwise(rows, first);
      // as an all-reduce adds another rank's rows, or a scaler test plants an inf: rows this table never added
      try (Tensor g = rows.weights().get(words).grad(); Tensor far = g.narrow(0, 40, 5)) {
        far.fill_(new Scalar(Double.POSITIVE_INFINITY));
      }
      dropGrads(rows);
      Tensor[] second = batch(random);
      layerwise(rows, second);
      wholeGraph(dense, second);
      assertEquals(0.0, maxDiff(rows, dense, words), "the next step's gradient is the dense backward's");
      close(first);
      close(second);
    }
  }
}
