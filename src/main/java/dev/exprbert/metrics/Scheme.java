package dev.exprbert.metrics;

import static dev.exprbert.metrics.Prefix.B;
import static dev.exprbert.metrics.Prefix.E;
import static dev.exprbert.metrics.Prefix.I;
import static dev.exprbert.metrics.Prefix.L;
import static dev.exprbert.metrics.Prefix.O;
import static dev.exprbert.metrics.Prefix.S;
import static dev.exprbert.metrics.Prefix.U;
import static dev.exprbert.metrics.TransitionPattern.Condition.ANY;
import static dev.exprbert.metrics.TransitionPattern.Condition.DIFF;
import static dev.exprbert.metrics.TransitionPattern.Condition.SAME;
import static dev.exprbert.metrics.TransitionPattern.fromAny;
import static dev.exprbert.metrics.TransitionPattern.of;
import static dev.exprbert.metrics.TransitionPattern.toAny;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The tagging schemes of {@code seqeval.scheme}, each with seqeval's tables copied verbatim: which
 * prefixes it allows, which transitions start a chunk, continue it, and close it. Strict-mode
 * extraction ({@link StrictEntityExtractor}) only reads these tables.
 *
 * <p>seqeval marks IOE1 "hasn't yet been able to handle some cases"; its tables are reproduced as
 * they are, including whatever those cases are.
 */
public enum Scheme {
  IOB1(
      EnumSet.of(I, O, B),
      List.of(of(O, I, ANY), of(I, I, DIFF), of(B, I, ANY), of(I, B, SAME), of(B, B, SAME)),
      List.of(of(B, I, SAME), of(I, I, SAME)),
      List.of(
          of(I, I, DIFF), of(I, O, ANY), of(I, B, ANY), of(B, O, ANY), of(B, I, DIFF),
          of(B, B, SAME))),
  IOE1(
      EnumSet.of(I, O, E),
      List.of(of(O, I, ANY), of(I, I, DIFF), of(E, I, ANY), of(E, E, SAME)),
      List.of(of(I, I, SAME), of(I, E, SAME)),
      List.of(of(I, I, DIFF), of(I, O, ANY), of(I, E, DIFF), of(E, I, SAME), of(E, E, SAME))),
  IOB2(
      EnumSet.of(I, O, B),
      List.of(fromAny(B, ANY)),
      List.of(of(B, I, SAME), of(I, I, SAME)),
      List.of(
          of(I, O, ANY), of(I, I, DIFF), of(I, B, ANY), of(B, O, ANY), of(B, I, DIFF),
          of(B, B, ANY))),
  IOE2(
      EnumSet.of(I, O, E),
      List.of(
          of(O, I, ANY), of(O, E, ANY), of(E, I, ANY), of(E, E, ANY), of(I, I, DIFF),
          of(I, E, DIFF)),
      List.of(of(I, E, SAME), of(I, I, SAME)),
      List.of(toAny(E, ANY))),
  IOBES(
      EnumSet.of(I, O, B, E, S),
      List.of(fromAny(B, ANY), fromAny(S, ANY)),
      List.of(of(B, I, SAME), of(B, E, SAME), of(I, I, SAME), of(I, E, SAME)),
      List.of(toAny(S, ANY), toAny(E, ANY))),
  BILOU(
      EnumSet.of(B, I, L, O, U),
      List.of(fromAny(B, ANY), fromAny(U, ANY)),
      List.of(of(B, I, SAME), of(B, L, SAME), of(I, I, SAME), of(I, L, SAME)),
      List.of(toAny(U, ANY), toAny(L, ANY)));

  private final Set<Prefix> allowedPrefixes;
  private final List<TransitionPattern> startPatterns;
  private final List<TransitionPattern> insidePatterns;
  private final List<TransitionPattern> endPatterns;

  Scheme(
      Set<Prefix> allowedPrefixes,
      List<TransitionPattern> startPatterns,
      List<TransitionPattern> insidePatterns,
      List<TransitionPattern> endPatterns) {
    this.allowedPrefixes = allowedPrefixes;
    this.startPatterns = startPatterns;
    this.insidePatterns = insidePatterns;
    this.endPatterns = endPatterns;
  }

  /** Prefixes a label may carry under this scheme; any other raises in strict mode. */
  public Set<Prefix> allowedPrefixes() {
    return EnumSet.copyOf(allowedPrefixes);
  }

  boolean allows(Prefix prefix) {
    return allowedPrefixes.contains(prefix);
  }

  /** seqeval {@code Token.is_start}: the current token opens a chunk after {@code previous}. */
  boolean isStart(Prefix previous, String previousType, Prefix current, String type) {
    return anyMatches(startPatterns, previous, previousType, current, type);
  }

  /** seqeval {@code Token.is_inside}: the current token continues the chunk of {@code previous}. */
  boolean isInside(Prefix previous, String previousType, Prefix current, String type) {
    return anyMatches(insidePatterns, previous, previousType, current, type);
  }

  /** seqeval {@code Token.is_end}: {@code previous} was the last token of its chunk. */
  boolean isEnd(Prefix previous, String previousType, Prefix current, String type) {
    return anyMatches(endPatterns, previous, previousType, current, type);
  }

  private static boolean anyMatches(
      List<TransitionPattern> patterns,
      Prefix previous,
      String previousType,
      Prefix current,
      String type) {
    for (TransitionPattern pattern : patterns) {
      if (pattern.matches(previous, previousType, current, type)) {
        return true;
      }
    }
    return false;
  }
}
