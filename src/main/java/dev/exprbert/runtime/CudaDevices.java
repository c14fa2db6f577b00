package dev.exprbert.runtime;

import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.pytorch.global.torch_cuda;

/**
 * Facts about a CUDA device from LibTorch's CUDA context. Kept in its own class so that the JVM resolves the CUDA
 * classes (and the -gpu natives behind them) only when a CUDA placement asks: the CPU build never loads it.
 */
final class CudaDevices {
  private CudaDevices() {}

  /** The compute capability of CUDA device {@code index} as {major, minor} (8, 0 for an A100; 9, 0 for an H100). */
  static int[] computeCapability(int index) {
    cudaDeviceProp properties = torch_cuda.getDeviceProperties((byte) index);
    return new int[] {properties.major(), properties.minor()};
  }

  /** The device LibTorch uses for "cuda" without an index. */
  static int currentDevice() {
    return torch_cuda.current_device();
  }
}
