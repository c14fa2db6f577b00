package dev.exprbert.runtime;

/**
 * Sets process environment variables before LibTorch loads, found with {@link java.util.ServiceLoader} (so the
 * runtime layer knows no library above it): the JVM cannot change its own environment, and OpenMP and OpenBLAS read
 * their thread settings from it once, when they load ({@link ThreadPlan}). The kernel library provides the one
 * implementation.
 */
public interface LibTorchPreload {
  /**
   * Sets {@code name} to {@code value} in the process environment unless it is already set.
   *
   * @throws IllegalStateException when it cannot (the native library that does it did not load), saying why
   */
  void setDefaultEnvironment(String name, String value);
}
