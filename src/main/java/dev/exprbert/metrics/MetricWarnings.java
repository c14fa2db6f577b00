package dev.exprbert.metrics;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where seqeval calls {@code warnings.warn} we log through SLF4J and keep the message, so callers
 * and tests can read what was warned. Each distinct message is logged once per evaluation, like
 * Python's default warning filter shows a repeated warning once.
 */
final class MetricWarnings {
  private static final Logger LOG = LoggerFactory.getLogger(Seqeval.class);

  private final Set<String> messages = new LinkedHashSet<>();

  void warn(String message) {
    if (messages.add(message)) {
      LOG.warn(message);
    }
  }

  /** Takes over messages another collector has already logged, without logging them again. */
  void addAll(MetricWarnings other) {
    messages.addAll(other.messages);
  }

  List<String> messages() {
    return List.copyOf(new ArrayList<>(messages));
  }
}
