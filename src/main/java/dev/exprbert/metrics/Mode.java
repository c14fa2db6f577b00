package dev.exprbert.metrics;

import java.util.Objects;

/**
 * How labels become entities. Unlike seqeval, the choice is explicit: {@link #DEFAULT} is
 * conlleval-like {@code get_entities} (lenient, never raises), {@link Strict} runs the scheme
 * automaton of {@code seqeval.scheme} and needs its scheme. seqeval's own string modes, where
 * {@code mode='strict'} without a scheme means different things to different functions, are
 * reproduced by {@link SeqevalModes}.
 */
public sealed interface Mode permits Mode.Default, Mode.Strict {
  /** seqeval's default mode: {@code get_entities} over all sentences joined by {@code O}. */
  Mode DEFAULT = new Default();

  /** seqeval's {@code mode='strict', scheme=scheme}. */
  static Mode strict(Scheme scheme) {
    return new Strict(scheme);
  }

  /** The default, lenient mode; use {@link #DEFAULT}. */
  final class Default implements Mode {
    private Default() {}

    @Override
    public String toString() {
      return "DEFAULT";
    }
  }

  /** Strict mode under one scheme; the scheme is required. */
  record Strict(Scheme scheme) implements Mode {
    public Strict {
      Objects.requireNonNull(
          scheme,
          "Mode.strict(scheme): scheme must be one of IOB1, IOE1, IOB2, IOE2, IOBES, BILOU, got"
              + " null (use Seqeval.autoDetectScheme(yTrue) to pick one the way seqeval's"
              + " classification_report does)");
    }

    @Override
    public String toString() {
      return "STRICT(" + scheme + ")";
    }
  }
}
