package dev.exprbert.metrics;

/**
 * The chunk prefixes seqeval's strict mode knows ({@code seqeval.scheme.Prefix}). A label's prefix
 * is its first character, nothing more: {@code "ORG"} has prefix {@code O} and {@code "PER"} has
 * none.
 */
public enum Prefix {
  I,
  O,
  B,
  E,
  S,
  U,
  L;

  /** The prefix named by {@code codePoint}, or null where seqeval raises KeyError. */
  static Prefix ofCodePoint(int codePoint) {
    switch (codePoint) {
      case 'I':
        return I;
      case 'O':
        return O;
      case 'B':
        return B;
      case 'E':
        return E;
      case 'S':
        return S;
      case 'U':
        return U;
      case 'L':
        return L;
      default:
        return null;
    }
  }
}
