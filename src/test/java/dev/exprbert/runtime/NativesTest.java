package dev.exprbert.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class NativesTest {
  @Test
  void loadsLibTorchAndComputes() {
    Natives.init();
    Natives.init(); // idempotent
    try (Tensor a = torch.ones(2, 3); Tensor s = a.sum()) {
      assertEquals(6.0f, s.item_float(), 0.0f);
    }
  }
}
