package dev.exprbert.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The facade checks every argument before the native call, and native failures surface as exceptions. */
class OptimizerKernelsTest {
  @BeforeAll
  static void load() {
    NativeKernels.load();
  }

  @Test
  void reportsBuildInfoAndNeverFailsOnDeviceCount() {
    String info = NativeKernels.buildInfo();
    assertTrue(info.startsWith("exprbert_kernels ") && info.contains("abi " + KernelsLibrary.EXPRBERT_ABI_VERSION), info);
    assertTrue(info.contains(NativeKernels.cudaCompiled() ? "archs" : "cuda off"), info);
    assertTrue(NativeKernels.cudaDeviceCount() >= 0);
  }

  @Test
  void gradNormMatchesLibTorchNorm() {
    try (Tensor a = torch.randn(1000); Tensor b = torch.randn(7, 3); Tensor norm = torch.zeros(new long[] {});
        Tensor coef = torch.zeros(new long[] {}); Tensor inf = torch.ones(new long[] {});
        Tensor stacked = torch.cat(new org.bytedeco.pytorch.TensorVector(a.view(-1), b.view(-1)));
        Tensor expected = stacked.norm()) {
      OptimizerKernels.gradNorm(List.of(a, b), norm, coef, inf, 2.0, null);
      assertEquals(expected.item_float(), norm.item_float(), 1e-5 * expected.item_float());
      assertEquals(2.0 / (norm.item_float() + 1e-6), coef.item_float(), 1e-6);
      assertEquals(0.0f, inf.item_float());
    }
  }

  @Test
  void adamwStepRejectsEachBadArgumentByName() {
    try (Tensor p = torch.zeros(10); Tensor g = torch.zeros(10); Tensor m = torch.zeros(10); Tensor v = torch.zeros(10);
        Tensor shortGrad = torch.zeros(9); Tensor doubleGrad = torch.zeros(10).to(ScalarType.Double);
        Tensor matrix = torch.zeros(5, 2); Tensor strided = matrix.t(); Tensor bf16 = torch.zeros(10).to(ScalarType.BFloat16);
        Tensor step = torch.zeros(new long[] {1}, new org.bytedeco.pytorch.TensorOptions().dtype(
            new org.bytedeco.pytorch.ScalarTypeOptional(ScalarType.Long)));
        Tensor floatStep = torch.zeros(1)) {
      assertMessage("grads[0] must have 10 elements like params[0], got 9",
          () -> OptimizerKernels.adamwStep(args(List.of(p), null, List.of(shortGrad), m, v, new int[] {0}, step)));
      assertMessage("grads[0] must have dtype Float or BFloat16 or Half, got Double",
          () -> OptimizerKernels.adamwStep(args(List.of(p), null, List.of(doubleGrad), m, v, new int[] {0}, step)));
      assertMessage("params[0] must be contiguous",
          () -> OptimizerKernels.adamwStep(args(List.of(strided), null, List.of(g), m, v, new int[] {0}, step)));
      assertMessage("groupIndex[0] must be in [0, 1), got 3",
          () -> OptimizerKernels.adamwStep(args(List.of(p), null, List.of(g), m, v, new int[] {3}, step)));
      assertMessage("step must have dtype Long, got Float",
          () -> OptimizerKernels.adamwStep(args(List.of(p), null, List.of(g), m, v, new int[] {0}, floatStep)));
      assertMessage("master (fp32 master weights) must be given when params are BFloat16",
          () -> OptimizerKernels.adamwStep(args(List.of(bf16), null, List.of(g), m, v, new int[] {0}, step)));
      assertMessage("grads must hold 1 tensors like params, got 2",
          () -> OptimizerKernels.adamwStep(args(List.of(p), null, List.of(g, g), m, v, new int[] {0}, step)));
      // the valid call works and advances the step counter
      OptimizerKernels.adamwStep(args(List.of(p), null, List.of(g), m, v, new int[] {0}, step));
      assertEquals(1, step.item_long());
    }
  }

  @Test
  void gradNormRejectsMixedDtypesAndBadOutputs() {
    try (Tensor a = torch.zeros(3); Tensor b = torch.zeros(3).to(ScalarType.BFloat16); Tensor norm = torch.zeros(new long[] {});
        Tensor vector = torch.zeros(2)) {
      assertMessage("grads[1] must have the dtype of grads[0] (Float), got BFloat16",
          () -> OptimizerKernels.gradNorm(List.of(a, b), norm, null, null, 1.0, null));
      assertMessage("totalNorm must have 1 elements like a scalar, got 2",
          () -> OptimizerKernels.gradNorm(List.of(a), vector, null, null, 1.0, null));
    }
  }

  @Test
  void nativeStatusBecomesKernelExceptionWithTheNativeMessage() {
    assertEquals(KernelsLibrary.EXPRBERT_ERROR_INVALID_ARGUMENT, KernelsLibrary.exprbert_adamw_step(null));
    String nativeError = KernelsLibrary.exprbert_last_error().getString();
    assertTrue(nativeError.contains("params must not be NULL"), nativeError);
    KernelException e = new KernelException("exprbert_adamw_step", KernelsLibrary.EXPRBERT_ERROR_INVALID_ARGUMENT, nativeError);
    assertEquals(KernelsLibrary.EXPRBERT_ERROR_INVALID_ARGUMENT, e.status());
    assertTrue(e.getMessage().contains("INVALID_ARGUMENT") && e.getMessage().contains(nativeError), e.getMessage());
  }

  private static AdamwStepArgs args(List<Tensor> params, List<Tensor> master, List<Tensor> grads, Tensor m, Tensor v,
      int[] groupIndex, Tensor step) {
    return new AdamwStepArgs(params, master, grads, List.of(m), List.of(v), groupIndex, new double[] {1.0},
        new double[] {0.01}, 1e-3, 0.9, 0.999, 1e-8, step, null, null);
  }

  private static void assertMessage(String expectedPart, org.junit.jupiter.api.function.Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().contains(expectedPart), "message was: " + e.getMessage());
  }
}
