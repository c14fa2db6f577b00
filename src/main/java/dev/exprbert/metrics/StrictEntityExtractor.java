package dev.exprbert.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * Strict-mode entities of one sentence: a port of seqeval's {@code Tokens(seq, scheme).entities}.
 *
 * <p>The automaton: scan tokens plus a trailing {@code O} sentinel; at a token that
 * {@link Scheme#isStart starts} a chunk after its predecessor, run forward while tokens are
 * {@link Scheme#isInside inside}; the chunk counts only if the token where the run stopped says
 * its predecessor {@link Scheme#isEnd ended} a chunk. So ill-formed chunks are dropped, never
 * repaired (IOB2 {@code I-PER I-PER} yields nothing; IOBES {@code B-PER I-PER} without {@code E}
 * yields nothing).
 *
 * <p>Labels are read as seqeval does: prefix = first character, type = the rest with {@code -}
 * stripped from both ends, {@code _} when empty. All labels are read before the scan, so an
 * unknown prefix is reported before a disallowed one, as in seqeval's current {@code Token}.
 */
final class StrictEntityExtractor {
  private StrictEntityExtractor() {}

  static List<Entity> extract(List<String> labels, Scheme scheme, int sentence) {
    int n = labels.size();
    Prefix[] prefixes = new Prefix[n + 1];
    String[] types = new String[n + 1];
    for (int i = 0; i < n; i++) {
      String label = labels.get(i);
      prefixes[i] = prefixOf(label, scheme, sentence, i);
      types[i] = typeOf(label);
    }
    prefixes[n] = Prefix.O; // seqeval's outside sentinel
    types[n] = "_";

    List<Entity> entities = new ArrayList<>();
    Prefix prevPrefix = Prefix.O;
    String prevType = "_";
    int i = 0;
    while (i <= n) {
      if (!scheme.allows(prefixes[i])) {
        throw disallowed(labels.get(i), scheme, sentence, i);
      }
      if (scheme.isStart(prevPrefix, prevType, prefixes[i], types[i])) {
        int end = forward(prefixes, types, scheme, i + 1);
        if (scheme.isEnd(prefixes[end - 1], types[end - 1], prefixes[end], types[end])) {
          entities.add(new Entity(types[i], sentence, i, end));
        }
        i = end;
      } else {
        i++;
      }
      prevPrefix = prefixes[i - 1];
      prevType = types[i - 1];
    }
    return entities;
  }

  /** seqeval {@code _forward}: the first index from {@code start} that is not inside the chunk. */
  private static int forward(Prefix[] prefixes, String[] types, Scheme scheme, int start) {
    for (int i = start; i < prefixes.length; i++) {
      if (!scheme.isInside(prefixes[i - 1], types[i - 1], prefixes[i], types[i])) {
        return i;
      }
    }
    // Unreachable: the O sentinel is never inside a chunk in any scheme. seqeval returns
    // len(tokens) - 1 here; keep that so a future table change behaves the same.
    return prefixes.length - 2;
  }

  static Prefix prefixOf(String label, Scheme scheme, int sentence, int position) {
    if (label == null || label.isEmpty()) {
      throw new InvalidTagException(
          String.format(
              "label at sentence %d, position %d is %s; strict mode (%s) expects a prefix from %s"
                  + " followed by an optional -TYPE",
              sentence, position, label == null ? "null" : "empty", schemeName(scheme),
              scheme == null ? "I, O, B, E, S, U, L" : scheme.allowedPrefixes()),
          label,
          sentence,
          position);
    }
    Prefix prefix = Prefix.ofCodePoint(label.codePointAt(0));
    if (prefix == null) {
      throw new InvalidTagException(
          String.format(
              "label '%s' at sentence %d, position %d has no known prefix: strict mode (%s) reads"
                  + " the first character as the prefix and expects one of %s (seqeval raises"
                  + " KeyError here)",
              label, sentence, position, schemeName(scheme),
              scheme == null ? "I, O, B, E, S, U, L" : scheme.allowedPrefixes()),
          label,
          sentence,
          position);
    }
    return prefix;
  }

  private static InvalidTagException disallowed(
      String label, Scheme scheme, int sentence, int position) {
    return new InvalidTagException(
        String.format(
            "label '%s' at sentence %d, position %d is not allowed in strict mode with scheme %s:"
                + " allowed prefixes are %s (seqeval raises ValueError: Invalid token is found)",
            label, sentence, position, scheme, scheme.allowedPrefixes()),
        label,
        sentence,
        position);
  }

  private static String schemeName(Scheme scheme) {
    return scheme == null ? "scheme detection" : "scheme " + scheme;
  }

  /** seqeval {@code Token.tag}: {@code token[1:].strip('-') or '_'}. */
  static String typeOf(String label) {
    String rest = label.substring(Character.charCount(label.codePointAt(0)));
    int from = 0;
    int to = rest.length();
    while (from < to && rest.charAt(from) == '-') {
      from++;
    }
    while (to > from && rest.charAt(to - 1) == '-') {
      to--;
    }
    return from == to ? "_" : rest.substring(from, to);
  }
}
