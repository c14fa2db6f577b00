package dev.exprbert.hub;

import java.io.IOException;

/** A model that cannot be resolved from the hub or its cache; the message says which repository, file and why. */
public class HubException extends IOException {
  private static final long serialVersionUID = 1L;

  public HubException(String message) {
    super(message);
  }

  public HubException(String message, Throwable cause) {
    super(message, cause);
  }
}
