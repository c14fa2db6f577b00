package dev.exprbert.serve;

import dev.exprbert.runtime.Natives;
import org.bytedeco.openblas.presets.openblas_nolapack;
import org.bytedeco.pytorch.global.torch;

/**
 * The CPU threads of one forward pass: LibTorch's intra-op (OpenMP) threads and OpenBLAS's own pool, which runs the
 * matrix products. Both are set, because {@code torch.set_num_threads} leaves OpenBLAS at one thread per core: on a
 * busy machine its spinning workers then wait for cores other processes hold (a MiniLM forward of one sentence was
 * measured at 0.3-2 s with the pools left as they were on 2 cores under a load of 10, 20-70 ms with both at 1).
 */
public final class ComputeThreads {
  private ComputeThreads() {}

  public static void set(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
    }
    Natives.init();
    torch.set_num_threads(threads);
    openblas_nolapack.blas_set_num_threads(threads);
  }

  /** LibTorch's intra-op thread count. */
  public static int current() {
    Natives.init();
    return torch.get_num_threads();
  }
}
