package dev.exprbert.dist;

/** A launch that cannot work as given (a torchrun variable missing or out of range): a usage error, exit code 2. */
public final class LaunchException extends IllegalArgumentException {
  public LaunchException(String message) {
    super(message);
  }
}
