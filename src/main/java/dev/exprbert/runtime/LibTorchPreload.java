package dev.exprbert.runtime;

/**
 * Work that must happen in this process before LibTorch is loaded, found with {@link java.util.ServiceLoader}
 * (so the runtime layer knows no library above it). The kernel library provides the one implementation: it sets
 * {@code OMP_WAIT_POLICY=PASSIVE} unless the environment already chose a policy (see {@link Natives}).
 */
public interface LibTorchPreload {
  /**
   * Runs once, on the thread that first calls {@link Natives#init()}, before LibTorch loads.
   *
   * @return the OpenMP wait policy LibTorch will run with and who chose it, for the logs
   */
  String beforeLibTorch();
}
