package dev.exprbert.metrics;

import java.util.EnumSet;
import java.util.Set;

/**
 * One {@code (prev_prefix, current_prefix, tag_condition)} triple of seqeval's scheme tables: it
 * matches when the previous token's prefix is in {@code previous}, the current token's prefix is
 * in {@code current}, and the two entity types relate as {@code condition} says.
 */
record TransitionPattern(Set<Prefix> previous, Set<Prefix> current, Condition condition) {
  /** seqeval's {@code Tag} flag: how the two tokens' entity types must compare. */
  enum Condition {
    SAME,
    DIFF,
    ANY
  }

  static TransitionPattern of(Prefix previous, Prefix current, Condition condition) {
    return new TransitionPattern(EnumSet.of(previous), EnumSet.of(current), condition);
  }

  /** seqeval's {@code Prefix.ANY} as the previous prefix. */
  static TransitionPattern fromAny(Prefix current, Condition condition) {
    return new TransitionPattern(EnumSet.allOf(Prefix.class), EnumSet.of(current), condition);
  }

  /** seqeval's {@code Prefix.ANY} as the current prefix. */
  static TransitionPattern toAny(Prefix previous, Condition condition) {
    return new TransitionPattern(EnumSet.of(previous), EnumSet.allOf(Prefix.class), condition);
  }

  boolean matches(Prefix previousPrefix, String previousType, Prefix currentPrefix, String type) {
    if (!previous.contains(previousPrefix) || !current.contains(currentPrefix)) {
      return false;
    }
    switch (condition) {
      case SAME:
        return previousType.equals(type);
      case DIFF:
        return !previousType.equals(type);
      default:
        return true;
    }
  }
}
