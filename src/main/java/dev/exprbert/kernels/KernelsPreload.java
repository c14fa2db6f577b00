package dev.exprbert.kernels;

import dev.exprbert.runtime.LibTorchPreload;

/**
 * Sets process environment variables for {@link dev.exprbert.runtime.Natives} before LibTorch loads (the thread plan's
 * {@code OMP_NUM_THREADS}, {@code OPENBLAS_NUM_THREADS}, {@code OMP_WAIT_POLICY}): the JVM cannot set its own
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
}
