package dev.exprbert.metrics;

import static dev.exprbert.metrics.Prefix.B;
import static dev.exprbert.metrics.Prefix.E;
import static dev.exprbert.metrics.Prefix.I;
import static dev.exprbert.metrics.Prefix.L;
import static dev.exprbert.metrics.Prefix.O;
import static dev.exprbert.metrics.Prefix.S;
import static dev.exprbert.metrics.Prefix.U;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * seqeval's {@code auto_detect}: the scheme is decided by the exact set of prefixes in the gold
 * labels, checked against IOB2, then IOE2, IOBES, BILOU. IOB1 and IOE1 are never detected; a set
 * that fits none of the lists (all {@code O}; {@code I} and {@code O} only; B with E but also U...)
 * is "not supported".
 */
final class SchemeDetector {
  private static final List<Set<Prefix>> IOB2_SETS =
      List.of(EnumSet.of(I, O, B), EnumSet.of(I, B), EnumSet.of(B, O), EnumSet.of(B));
  private static final List<Set<Prefix>> IOE2_SETS =
      List.of(EnumSet.of(I, O, E), EnumSet.of(I, E), EnumSet.of(E, O), EnumSet.of(E));
  private static final List<Set<Prefix>> IOBES_SETS =
      List.of(
          EnumSet.of(I, O, B, E, S), EnumSet.of(I, B, E, S), EnumSet.of(I, O, B, E),
          EnumSet.of(O, B, E, S), EnumSet.of(I, B, E), EnumSet.of(B, E, S), EnumSet.of(O, B, E),
          EnumSet.of(B, E), EnumSet.of(S));
  private static final List<Set<Prefix>> BILOU_SETS =
      List.of(
          EnumSet.of(I, O, B, L, U), EnumSet.of(I, B, L, U), EnumSet.of(I, O, B, L),
          EnumSet.of(O, B, L, U), EnumSet.of(I, B, L), EnumSet.of(B, L, U), EnumSet.of(O, B, L),
          EnumSet.of(B, L), EnumSet.of(U));

  private SchemeDetector() {}

  static Scheme detect(List<List<String>> goldSentences) {
    Set<Prefix> prefixes = EnumSet.noneOf(Prefix.class);
    for (int s = 0; s < goldSentences.size(); s++) {
      List<String> sentence = goldSentences.get(s);
      for (int i = 0; i < sentence.size(); i++) {
        prefixes.add(StrictEntityExtractor.prefixOf(sentence.get(i), null, s, i));
      }
    }
    if (IOB2_SETS.contains(prefixes)) {
      return Scheme.IOB2;
    } else if (IOE2_SETS.contains(prefixes)) {
      return Scheme.IOE2;
    } else if (IOBES_SETS.contains(prefixes)) {
      return Scheme.IOBES;
    } else if (BILOU_SETS.contains(prefixes)) {
      return Scheme.BILOU;
    }
    throw new IllegalArgumentException(
        "cannot detect the tagging scheme of y_true: its prefixes "
            + prefixes
            + " fit none of IOB2, IOE2, IOBES, BILOU (seqeval raises ValueError: This scheme is not"
            + " supported); pass Mode.strict(scheme) explicitly, e.g. Scheme.IOB1 for I/O-only data");
  }
}
