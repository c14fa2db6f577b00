package dev.exprbert.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.exprbert.runtime.Tensors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * The bucketed gradient all-reduce on two ranks: every gradient ends as the sum over the ranks, whether the buckets
 * start during the backward or all at the end, a rank without a gradient counts as zeros, and a group holding two
 * dtypes is split.
 */
class BucketedAllReduceTest {
  @Test
  void everyGradientBecomesTheSumOverTheRanks() throws Exception {
    for (boolean overlap : new boolean[] {true, false}) {
      List<float[][]> out = LocalRanks.run(2, Duration.ofSeconds(20), c -> {
        List<Tensor> params = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          Tensor p = Tensors.floats(new float[] {0, 0, 0, 0}, 2, 2);
          p.requires_grad_(true);
          params.add(p);
        }
        // rank 0 has every gradient; rank 1 has none for the second parameter (as a rank without data would)
        for (int i = 0; i < 3; i++) {
          if (c.rank() == 0 || i != 1) {
            float base = 10 * i + 100 * c.rank();
            params.get(i).mutable_grad().put(Tensors.floats(new float[] {base + 1, base + 2, base + 3, base + 4}, 2, 2));
          }
        }
        try (BucketedAllReduce reduce = new BucketedAllReduce(c, List.of(List.of(params.get(2)),
            List.of(params.get(0), params.get(1))), List.of("last", "first")).overlap(overlap)) {
          reduce.ready(0);
          reduce.ready(1);
          reduce.finish();
          assertEquals(2, reduce.bucketCount());
        }
        float[][] grads = new float[3][];
        for (int i = 0; i < 3; i++) {
          grads[i] = Tensors.toFloatArray(params.get(i).grad());
        }
        return grads;
      });
      for (float[][] grads : out) {
        assertArrayEquals(new float[] {102, 104, 106, 108}, grads[0], "parameter 0, overlap " + overlap);
        assertArrayEquals(new float[] {11, 12, 13, 14}, grads[1], "parameter 1 (none on rank 1), overlap " + overlap);
        assertArrayEquals(new float[] {142, 144, 146, 148}, grads[2], "parameter 2, overlap " + overlap);
      }
    }
  }

  @Test
  void aGroupOfTwoDtypesBecomesTwoBuckets() throws Exception {
    List<double[]> out = LocalRanks.run(2, Duration.ofSeconds(20), c -> {
      Tensor f = Tensors.floats(new float[] {0}, 1);
      Tensor d = torch.zeros(1).to(torch.ScalarType.Double);
      f.requires_grad_(true);
      d.requires_grad_(true);
      f.mutable_grad().put(Tensors.floats(new float[] {c.rank() + 1}, 1));
      d.mutable_grad().put(torch.ones(1).to(torch.ScalarType.Double).mul(new org.bytedeco.pytorch.Scalar(0.25 * (c.rank() + 1))));
      try (BucketedAllReduce reduce = new BucketedAllReduce(c, List.of(List.of(f, d)), List.of("mixed"))) {
        assertEquals(2, reduce.bucketCount());
        reduce.finish();
      }
      return new double[] {f.grad().item_double(), d.grad().item_double()};
    });
    for (double[] grads : out) {
      assertArrayEquals(new double[] {3, 0.75}, grads);
    }
  }
}
