package dev.exprbert.kernels;

import dev.exprbert.runtime.LibTorchPreload;

/**
 * Sets process environment variables for {@link dev.exprbert.runtime.Natives} before LibTorch loads (the thread plan's
 * {@code OMP_NUM_THREADS}, {@code OPENBLAS_NUM_THREADS} or {@code MKL_NUM_THREADS}, {@code OMP_WAIT_POLICY}) and reads
 * a native library's live setting for it ({@code exprbert_call_int_getter}): the JVM cannot set its own
 * environment, so our library does ({@code exprbert_set_default_env}). Registered in
 * {@code META-INF/services/dev.exprbert.runtime.LibTorchPreload}.
 */
public final class KernelsPreload implements LibTorchPreload {
  @Override
  public void setDefaultEnvironment(String name, String value) {
    NativeKernels.loadLibrary(); // IllegalStateException when the library is missing or stale
    if (KernelsLibrary.exprbert_set_default_env(name, value) < 0) {
      throw new IllegalStateException(KernelsLibrary.exprbert_last_error().getString());
    }
  }

  @Override
  public int callIntGetter(org.bytedeco.javacpp.Pointer getter) {
    if (getter == null || getter.isNull()) {
      throw new IllegalArgumentException("callIntGetter needs the address of a native int (void) function, got null");
    }
    NativeKernels.loadLibrary();
    return KernelsLibrary.exprbert_call_int_getter(getter);
  }
}
