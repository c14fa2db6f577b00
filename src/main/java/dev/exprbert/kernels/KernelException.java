package dev.exprbert.kernels;

/** A native kernel call returned a status other than OK; the message is the library's exprbert_last_error(). */
public final class KernelException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;

  public KernelException(String function, int status, String nativeError) {
    super(function + " failed with status " + status + " (" + statusName(status) + "): " + nativeError);
    this.status = status;
  }

  /** The exprbert_status value ({@link KernelsLibrary#EXPRBERT_ERROR_INVALID_ARGUMENT} ...). */
  public int status() {
    return status;
  }

  static String statusName(int status) {
    return switch (status) {
      case KernelsLibrary.EXPRBERT_OK -> "OK";
      case KernelsLibrary.EXPRBERT_ERROR_INVALID_ARGUMENT -> "INVALID_ARGUMENT";
      case KernelsLibrary.EXPRBERT_ERROR_UNSUPPORTED -> "UNSUPPORTED";
      case KernelsLibrary.EXPRBERT_ERROR_CUDA_UNAVAILABLE -> "CUDA_UNAVAILABLE";
      case KernelsLibrary.EXPRBERT_ERROR_CUDA -> "CUDA";
      case KernelsLibrary.EXPRBERT_ERROR_INTERNAL -> "INTERNAL";
      default -> "unknown status";
    };
  }
}
