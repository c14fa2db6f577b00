package dev.exprbert.kernels;

import dev.exprbert.runtime.LibTorchPreload;

/**
 * Before LibTorch loads, makes OpenMP wait passively unless the environment chose a policy: the JVM cannot set its
 * own environment and libgomp reads {@code OMP_WAIT_POLICY} once when it is loaded, so our library sets it
 * ({@code exprbert_set_default_env}) first. Why passive: the note on OpenMP in {@link dev.exprbert.runtime.Natives}.
 * Registered in {@code META-INF/services/dev.exprbert.runtime.LibTorchPreload}.
 */
public final class KernelsPreload implements LibTorchPreload {
  @Override
  public String beforeLibTorch() {
    try {
      NativeKernels.loadLibrary();
    } catch (IllegalStateException e) { // LibTorch alone still works; it keeps OpenMP's default
      return "OpenMP's default (the kernel library did not load: " + e.getMessage() + ")";
    }
    int set = KernelsLibrary.exprbert_set_default_env("OMP_WAIT_POLICY", "PASSIVE");
    return set == 1 ? "PASSIVE (ExprBERT's default; set OMP_WAIT_POLICY to choose another)"
        : set == 0 ? System.getenv("OMP_WAIT_POLICY") + " (from the environment)"
        : "OpenMP's default (" + KernelsLibrary.exprbert_last_error().getString() + ")";
  }
}
