package dev.exprbert.kernels;

/** Turns a native status into a {@link KernelException} carrying {@code exprbert_last_error()}. */
final class KernelStatus {
  private KernelStatus() {}

  static void check(String function, int status) {
    if (status != KernelsLibrary.EXPRBERT_OK) {
      throw new KernelException(function, status, KernelsLibrary.exprbert_last_error().getString());
    }
  }
}
