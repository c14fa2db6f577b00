package dev.exprbert.data;

import java.util.List;
import java.util.Set;

/** Tags that the label map does not know; readers add the file and line around it. */
public final class UnknownLabelException extends IllegalArgumentException {
  private final Set<String> unknownLabels;

  UnknownLabelException(Set<String> unknownLabels, List<String> knownLabels) {
    this(
        "unknown labels " + unknownLabels + "; expected one of the " + knownLabels.size()
            + " labels " + knownLabels,
        unknownLabels);
  }

  private UnknownLabelException(String message, Set<String> unknownLabels) {
    super(message);
    this.unknownLabels = Set.copyOf(unknownLabels);
  }

  /** The same exception with {@code context} (a file:line, a sentence index) in front. */
  public UnknownLabelException inContext(String context) {
    UnknownLabelException wrapped = new UnknownLabelException(context + ": " + getMessage(), unknownLabels);
    wrapped.initCause(this);
    return wrapped;
  }

  /** The tags that were not in the label map. */
  public Set<String> unknownLabels() {
    return unknownLabels;
  }
}
