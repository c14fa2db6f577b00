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

  /**
   * Calls a native {@code int (void)} function found by name (a library's live setting, such as
   * {@code MKL_Get_Max_Threads}) and returns its result.
   *
   * @throws IllegalStateException when the native library that does it did not load
   */
  int callIntGetter(org.bytedeco.javacpp.Pointer getter);
}
