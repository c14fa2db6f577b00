package dev.exprbert.runtime;

import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.presets.openblas_nolapack;

/**
 * OpenBLAS's own thread pool, as LibTorch's matrix products see it. The bytedeco presets load two copies of
 * OpenBLAS with the same soname ({@code libopenblas_nolapack.so.0} first, then {@code libopenblas.so.0}), and
 * {@code libtorch_cpu.so} binds to the first; symbol lookups by name ({@code Loader.addressof}, which the presets'
 * {@code blas_set_num_threads} uses) find that one too. Both copies read {@code OPENBLAS_NUM_THREADS} when they load,
 * which is how {@link Natives} sizes them; this class reads the live size and corrects it after the fact.
 */
final class OpenBlasPool {
  private OpenBlasPool() {}

  /** OpenBLAS's current thread count ({@code openblas_get_num_threads}), or -1 when no OpenBLAS is loaded. */
  static int threads() {
    Pointer count = Loader.addressof("blas_cpu_number"); // what openblas_get_num_threads() returns
    return count == null ? -1 : new IntPointer(count).get();
  }

  static void setThreads(int threads) {
    openblas_nolapack.blas_set_num_threads(threads);
  }
}
