package dev.exprbert.kernels;

import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.cuda.CUDAStream;
import org.bytedeco.pytorch.global.torch_cuda;

/**
 * LibTorch's current CUDA stream for a device. Kept in its own class so that the JVM resolves the CUDA
 * classes (and the -gpu natives behind them) only when a CUDA tensor actually reaches a kernel call: the CPU
 * build never loads this class.
 */
final class CudaStreams {
  private CudaStreams() {}

  /** The raw {@code cudaStream_t} that LibTorch queues work on for {@code device}. */
  static Pointer current(int device) {
    CUDAStream stream = torch_cuda.getCurrentCUDAStream((byte) device);
    return stream.stream();
  }
}
