package dev.exprbert.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

  @Test
  void openMpWaitsPassivelyUnlessTheEnvironmentSaysOtherwise() {
    Natives.init();
    String policy = Natives.ompWaitPolicy();
    String fromEnvironment = System.getenv("OMP_WAIT_POLICY");
    if (fromEnvironment == null) {
      assertTrue(policy.startsWith("PASSIVE (ExprBERT's default"), policy);
    } else {
      assertEquals(fromEnvironment + " (from the environment)", policy);
    }
  }
}
