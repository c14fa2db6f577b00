package dev.exprbert.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.model.attention.AttentionBackend;
import dev.exprbert.model.attention.AttentionMask;
import dev.exprbert.runtime.Autocast;
import dev.exprbert.runtime.Natives;
import dev.exprbert.runtime.Placement;
import dev.exprbert.runtime.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Under bf16 or fp16 autocast every attention backend computes in the lower precision, the fused kernel included
 * (the dispatcher never sees it, so it casts float32 q/k/v to autocast's type itself): its context comes back in that
 * type, within two of the type's units (relative to the largest value) of the eager backend's float32 result on
 * every real query row, as the eager backend's own does.
 */
class AutocastAttentionTest {
  @BeforeAll
  static void load() {
    Natives.init();
  }

  @ParameterizedTest
  @CsvSource({"BFLOAT16", "FLOAT16"})
  void everyBackendAttendsInAutocastsType(Placement.Precision precision) {
    torch.manual_seed(7);
    try (Tensor q = torch.randn(2, 6, 2, 16); Tensor k = torch.randn(2, 6, 2, 16); Tensor v = torch.randn(2, 6, 2, 16);
        Tensor keep = Tensors.longs(new long[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, 2, 6);
        AttentionMask mask = AttentionMask.fromPadding(keep, ScalarType.Float);
        Tensor reference = AttentionBackend.named("eager").attend(q, k, v, mask, 0.0, false, null)) {
      double unit = precision == Placement.Precision.BFLOAT16 ? Math.scalb(1.0, -8) : Math.scalb(1.0, -11);
      for (String name : new String[] {"eager", "sdpa", "fused"}) {
        try (Autocast.Scope scope = Autocast.of(Placement.CPU_FLOAT32, precision).enter();
            Tensor context = AttentionBackend.named(name).attend(q, k, v, mask, 0.0, false, null)) {
          assertEquals(precision.scalarType().value, context.scalar_type().value, name + " runs in " + precision);
          try (Tensor asFloat = context.to(ScalarType.Float); Tensor diff = asFloat.sub(reference).abs();
              Tensor real = diff.mul(keep.view(2, 6, 1, 1)).max()) { // padded query rows are the backends' own
            double error = real.item_double();
            double bound;
            try (Tensor largest = reference.abs().max()) {
              bound = 2 * unit * largest.item_double();
            }
            assertTrue(error > 0 && error <= bound, name + ": max error " + error + " against float32, bound " + bound);
          }
        }
      }
    }
  }
}
