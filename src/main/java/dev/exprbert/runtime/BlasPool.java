package dev.exprbert.runtime;

import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.presets.openblas_nolapack;

/**
 * The thread pool of the library that runs LibTorch's matrix products ({@link BlasLibrary}), as the process has it
 * loaded: which library that is, its live size, and a way to correct the size after the library has loaded.
 *
 * <p>OpenBLAS: the bytedeco presets load two copies with the same soname ({@code libopenblas_nolapack.so.0} first,
 * then {@code libopenblas.so.0}), and {@code libtorch_cpu.so} binds to the first; symbol lookups by name
 * ({@code Loader.addressof}, which the presets' {@code blas_set_num_threads} uses) find that one too. MKL: the presets
 * load {@code libmkl_rt} under those names, and its symbols are found the same way. Both read their thread variable
 * when they load, which is how {@link Natives} sizes them.
 */
final class BlasPool {
  private BlasPool() {}

  /** The library whose symbols the process has loaded (MKL wins if both are), or null when neither is loaded. */
  static BlasLibrary loaded() {
    if (Loader.addressof("MKL_Get_Max_Threads") != null) {
      return BlasLibrary.MKL;
    }
    return Loader.addressof("blas_cpu_number") != null ? BlasLibrary.OPENBLAS : null;
  }

  /**
   * The loaded library's current thread count ({@code MKL_Get_Max_Threads()}, OpenBLAS's {@code blas_cpu_number}),
   * or -1 when none is loaded (or when MKL is and no kernel library is there to call its getter).
   */
  static int threads(LibTorchPreload natives) {
    Pointer mkl = Loader.addressof("MKL_Get_Max_Threads");
    if (mkl != null) {
      return natives == null ? -1 : natives.callIntGetter(mkl); // no kernel library: nothing can call it
    }
    Pointer count = Loader.addressof("blas_cpu_number"); // what openblas_get_num_threads() returns
    return count == null ? -1 : new IntPointer(count).get();
  }

  /** Sets the loaded library's pool ({@code MKL_Set_Num_Threads} or {@code openblas_set_num_threads}). */
  static void setThreads(int threads) {
    openblas_nolapack.blas_set_num_threads(threads);
  }
}
