package dev.exprbert.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.pytorch.Context;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link Autocast} is LibTorch's autocast: inside a scope a linear runs in the lower precision and a float32 input
 * stays float32 for ops off autocast's lists; closing restores what was there (nested scopes too). On the CPU
 * {@link PrecisionSupport} finds both lower precisions trainable and leaves TF32 alone.
 */
class AutocastTest {
  @BeforeAll
  static void load() {
    Natives.init();
  }

  @Test
  void aScopeRunsLinearInTheLowerPrecisionAndRestoresOnClose() {
    Autocast bf16 = Autocast.of(Placement.CPU_FLOAT32, Placement.Precision.BFLOAT16);
    Autocast fp16 = Autocast.of(Placement.CPU_FLOAT32, Placement.Precision.FLOAT16);
    try (Tensor x = torch.ones(2, 4); Tensor w = torch.ones(3, 4); TensorOptional none = new TensorOptional()) {
      try (Autocast.Scope outer = bf16.enter(); Tensor y = torch.linear(x, w, none); Tensor z = x.add(x)) {
        assertEquals(ScalarType.BFloat16.value, y.scalar_type().value, "a matrix product in bf16");
        assertEquals(ScalarType.Float.value, z.scalar_type().value, "an add keeps its inputs' type");
        assertEquals(ScalarType.BFloat16.value, Autocast.activeType(x).value);
        try (Autocast.Scope inner = fp16.enter(); Tensor h = torch.linear(x, w, none)) {
          assertEquals(ScalarType.Half.value, h.scalar_type().value, "the inner scope's type");
        }
        try (Tensor again = torch.linear(x, w, none)) {
          assertEquals(ScalarType.BFloat16.value, again.scalar_type().value, "the outer type is back");
        }
      }
      assertFalse(torch.is_autocast_enabled(DeviceType.CPU), "off again after the outer scope");
      assertNull(Autocast.activeType(x));
      try (Autocast.Scope off = Autocast.OFF.enter(); Tensor y = torch.linear(x, w, none)) {
        assertEquals(ScalarType.Float.value, y.scalar_type().value, "OFF changes nothing");
      }
    }
    assertEquals(Placement.Precision.FLOAT32, Autocast.OFF.precision());
    assertTrue(Autocast.of(Placement.CPU_FLOAT32, Placement.Precision.FLOAT32) == Autocast.OFF);
  }

  @Test
  void theCpuTrainsInBothLowerPrecisionsAndHasNoTf32() {
    PrecisionSupport.requireTraining(Placement.CPU_FLOAT32, Placement.Precision.BFLOAT16, "--bf16");
    PrecisionSupport.requireTraining(Placement.CPU_FLOAT32, Placement.Precision.FLOAT16, "--fp16");
    Context context = torch.globalContext();
    boolean before = context.allowTF32CuBLAS();
    String said = PrecisionSupport.applyTf32(Placement.CPU_FLOAT32, !before);
    assertTrue(said.contains("no effect on the CPU"), said);
    assertEquals(before, context.allowTF32CuBLAS(), "the CPU leaves LibTorch's flag alone");
    assertNull(PrecisionSupport.applyTf32(Placement.CPU_FLOAT32, null), "unset: nothing to say or do");
    assertFalse(torch.is_autocast_enabled(DeviceType.CPU), "the probe leaves autocast off");
  }
}
