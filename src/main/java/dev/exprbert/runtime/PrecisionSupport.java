package dev.exprbert.runtime;

import org.bytedeco.pytorch.Context;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * Whether a device can train in a lower precision, and the TF32 switch. Hugging Face's rules: bfloat16 on a GPU
 * needs compute capability 8.0 (Ampere) or newer, as does TF32; float16 runs on any CUDA GPU. On the CPU nothing is
 * assumed: a tiny autocast forward and backward in the type shows whether this LibTorch has the kernels (LibTorch
 * 2.10's CPU build has them for both bfloat16 and float16).
 */
public final class PrecisionSupport {
  private static final int AMPERE = 8;

  private PrecisionSupport() {}

  /**
   * Throws IllegalArgumentException, in one line naming {@code flag}, the device and what to do instead, when
   * {@code placement}'s device cannot train with autocast to {@code precision}; does nothing for float32.
   */
  public static void requireTraining(Placement placement, Placement.Precision precision, String flag) {
    if (precision == Placement.Precision.FLOAT32) {
      return;
    }
    Natives.init();
    String name = precision == Placement.Precision.BFLOAT16 ? "bfloat16" : "float16";
    if (placement.isCuda() && precision == Placement.Precision.BFLOAT16) {
      int index = cudaIndex(placement);
      int[] capability = CudaDevices.computeCapability(index);
      if (capability[0] < AMPERE) {
        throw new IllegalArgumentException(flag + " needs a GPU of compute capability 8.0 (Ampere) or newer for bfloat16,"
            + " but cuda:" + index + " is " + capability[0] + "." + capability[1] + "; use --fp16 (or neither) on it");
      }
    }
    String failure = probe(placement, precision);
    if (failure != null) {
      throw new IllegalArgumentException(flag + ": LibTorch cannot train in " + name + " on " + placement.device()
          + " (a " + name + " autocast linear forward and backward failed: " + failure + "); train in float32 or"
          + " choose the other precision");
    }
  }

  /**
   * Applies {@code tf32} (Hugging Face's {@code tf32}: TF32 tensor cores for float32 matrix products and cuDNN
   * convolutions, LibTorch's {@code allow_tf32} flags) for {@code placement}; null leaves LibTorch's defaults. Returns
   * what it did, for the log; on the CPU TF32 does not exist and nothing changes. A GPU older than Ampere is refused
   * when {@code tf32} is true, as Hugging Face refuses it.
   */
  public static String applyTf32(Placement placement, Boolean tf32) {
    if (tf32 == null) {
      return null;
    }
    Natives.init();
    if (!placement.isCuda()) {
      return "tf32 " + tf32 + " has no effect on the CPU (TF32 is a tensor-core format of NVIDIA GPUs)";
    }
    if (tf32) {
      int index = cudaIndex(placement);
      int[] capability = CudaDevices.computeCapability(index);
      if (capability[0] < AMPERE) {
        throw new IllegalArgumentException("--tf32 needs a GPU of compute capability 8.0 (Ampere) or newer, but cuda:"
            + index + " is " + capability[0] + "." + capability[1] + "; drop --tf32");
      }
    }
    Context context = torch.globalContext();
    context.setAllowTF32CuBLAS(tf32);
    context.setAllowTF32CuDNN(tf32);
    return "tf32 " + (tf32 ? "on" : "off") + ": float32 matrix products and cuDNN convolutions "
        + (tf32 ? "may use" : "do not use") + " TF32 tensor cores";
  }

  private static int cudaIndex(Placement placement) {
    try (Device device = placement.torchDevice()) {
      return device.has_index() ? device.index() : CudaDevices.currentDevice();
    }
  }

  /** Null when a tiny autocast linear forward and backward in {@code precision} runs on the device, else why not. */
  private static String probe(Placement placement, Placement.Precision precision) {
    try (Autocast.Scope scope = Autocast.of(placement, precision).enter();
        TensorOptions options = placement.options(torch.ScalarType.Float);
        Tensor w = torch.ones(new long[] {4, 4}, options);
        Tensor x = torch.ones(new long[] {2, 4}, options);
        Tensor leaf = w.requires_grad_(true);
        TensorOptional noBias = new TensorOptional();
        Tensor y = torch.linear(x, leaf, noBias);
        Tensor loss = y.sum()) {
      if (y.scalar_type().value != precision.scalarType().value) {
        return "the product came back as " + y.scalar_type() + ", not " + precision.scalarType();
      }
      loss.backward();
      return null;
    } catch (RuntimeException e) {
      String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return message.lines().findFirst().orElse(message).strip();
    }
  }
}
