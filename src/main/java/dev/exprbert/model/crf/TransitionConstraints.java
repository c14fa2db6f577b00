package dev.exprbert.model.crf;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which label may follow which, which may open a sequence and which may close it, from the label scheme the label
 * names spell (AllenNLP's {@code allowed_transitions}):
 * <ul>
 *   <li>BIO (IOB2): {@code I-X} only after {@code B-X} or {@code I-X}, never first; anything else anywhere;
 *   <li>IOBES: after {@code B-X} or {@code I-X} only {@code I-X} or {@code E-X}; after {@code O}, {@code E-*},
 *       {@code S-*} (and first) only {@code O}, {@code B-*}, {@code S-*}; last only {@code O}, {@code E-*},
 *       {@code S-*};
 *   <li>BILOU: IOBES with {@code L-} for {@code E-} and {@code U-} for {@code S-}.
 * </ul>
 * The scheme is inferred from the prefixes (E or S: IOBES; L or U: BILOU; else BIO). A label set that fits none of
 * them, or in which some label could never be reached or completed, is refused in one line naming the label: the
 * constraints would otherwise be guesses.
 */
public final class TransitionConstraints {
  /**
   * The score a forbidden transition gets in training (AllenNLP's choice): large enough that such a path weighs
   * {@code exp(-10000) = 0} in float32 and double, finite so that the forward algorithm's log-sum-exp never sees a
   * column of infinities (whose gradient is NaN). Viterbi decoding forbids them outright.
   */
  public static final double FORBIDDEN = -10000.0;

  private static final Pattern TAG = Pattern.compile("([BIESLU])-(.+)");

  /** The tagging schemes whose transitions the CRF constrains. */
  public enum Scheme { BIO, IOBES, BILOU }

  /** What a label does in its entity. */
  private enum Role { OUTSIDE, BEGIN, INSIDE, LAST, SINGLE }

  private final List<String> labels;
  private final Scheme scheme;
  private final boolean[][] allowed; // [from][to]
  private final boolean[] start;
  private final boolean[] end;

  private TransitionConstraints(List<String> labels, Scheme scheme, boolean[][] allowed, boolean[] start, boolean[] end) {
    this.labels = labels;
    this.scheme = scheme;
    this.allowed = allowed;
    this.start = start;
    this.end = end;
  }

  /**
   * The constraints of {@code labels} (id order).
   *
   * @throws IllegalArgumentException naming the label when the scheme cannot be inferred or leaves a label unusable
   */
  public static TransitionConstraints forLabels(List<String> labels) {
    if (labels == null || labels.isEmpty()) {
      throw new IllegalArgumentException("a CRF needs labels; found none");
    }
    int n = labels.size();
    Set<Character> prefixes = new TreeSet<>();
    String[] types = new String[n];
    char[] letters = new char[n];
    for (int i = 0; i < n; i++) {
      String label = labels.get(i);
      if ("O".equals(label)) {
        continue;
      }
      Matcher m = label == null ? null : TAG.matcher(label);
      if (m == null || !m.matches()) {
        throw new IllegalArgumentException("cannot infer the label scheme for the CRF's transition constraints: label "
            + i + " \"" + label + "\" is neither O nor a B-, I-, E-, S-, L- or U- prefix with a type (such as B-PER);"
            + " rename the labels to BIO, IOBES or BILOU, or train without --crf");
      }
      letters[i] = m.group(1).charAt(0);
      types[i] = m.group(2);
      prefixes.add(letters[i]);
    }
    boolean iobes = prefixes.contains('E') || prefixes.contains('S');
    boolean bilou = prefixes.contains('L') || prefixes.contains('U');
    if (iobes && bilou) {
      throw new IllegalArgumentException("cannot infer the label scheme for the CRF's transition constraints: the labels "
          + labels + " mix IOBES (E-, S-) and BILOU (L-, U-) prefixes; expected one scheme");
    }
    Scheme scheme = iobes ? Scheme.IOBES : bilou ? Scheme.BILOU : Scheme.BIO;
    Role[] roles = new Role[n];
    for (int i = 0; i < n; i++) {
      roles[i] = types[i] == null ? Role.OUTSIDE : role(scheme, letters[i]);
    }
    requireUsable(labels, scheme, roles, types);
    boolean[][] allowed = new boolean[n][n];
    boolean[] start = new boolean[n];
    boolean[] end = new boolean[n];
    for (int to = 0; to < n; to++) {
      start[to] = opens(roles[to]);
      end[to] = scheme == Scheme.BIO || closes(roles[to]);
      for (int from = 0; from < n; from++) {
        allowed[from][to] = allowedAfter(scheme, roles[from], types[from], roles[to], types[to]);
      }
    }
    boolean oneWord = false;
    for (int i = 0; i < n; i++) {
      oneWord |= start[i] && end[i];
    }
    if (!oneWord) {
      throw new IllegalArgumentException("the labels " + labels + " (" + scheme + ") leave the CRF no tag for a one-word"
          + " sentence (no label may both open and close a sequence); add O");
    }
    return new TransitionConstraints(List.copyOf(labels), scheme, allowed, start, end);
  }

  private static Role role(Scheme scheme, char letter) {
    return switch (letter) {
      case 'B' -> Role.BEGIN;
      case 'I' -> Role.INSIDE;
      case 'E', 'L' -> Role.LAST;
      case 'S', 'U' -> Role.SINGLE;
      default -> throw new IllegalStateException("prefix " + letter + " in " + scheme);
    };
  }

  /** The roles that may open a sequence (or follow a closed entity). */
  private static boolean opens(Role role) {
    return role == Role.OUTSIDE || role == Role.BEGIN || role == Role.SINGLE;
  }

  /** The roles after which an entity is complete (IOBES, BILOU). */
  private static boolean closes(Role role) {
    return role == Role.OUTSIDE || role == Role.LAST || role == Role.SINGLE;
  }

  private static boolean allowedAfter(Scheme scheme, Role from, String fromType, Role to, String toType) {
    boolean continues = to == Role.INSIDE || to == Role.LAST;
    boolean inEntity = from == Role.BEGIN || from == Role.INSIDE;
    if (scheme == Scheme.BIO) {
      return !continues || (inEntity && fromType.equals(toType));
    }
    return inEntity ? continues && fromType.equals(toType) : !continues;
  }

  /**
   * Refuses a label set in which some label can never be produced or an entity never completed: BIO's {@code I-X}
   * without {@code B-X} (IOB1 data, whose {@code I-} starts entities), or IOBES/BILOU's {@code B-X}, {@code I-X},
   * {@code E-X} without both {@code B-X} and {@code E-X}.
   */
  private static void requireUsable(List<String> labels, Scheme scheme, Role[] roles, String[] types) {
    Set<String> begins = new LinkedHashSet<>();
    Set<String> lasts = new LinkedHashSet<>();
    for (int i = 0; i < roles.length; i++) {
      if (roles[i] == Role.BEGIN) {
        begins.add(types[i]);
      } else if (roles[i] == Role.LAST) {
        lasts.add(types[i]);
      }
    }
    String last = scheme == Scheme.BILOU ? "L" : "E";
    for (int i = 0; i < roles.length; i++) {
      if (roles[i] == Role.OUTSIDE || roles[i] == Role.SINGLE) {
        continue;
      }
      String type = types[i];
      if (!begins.contains(type)) {
        throw new IllegalArgumentException("the CRF's " + scheme + " constraints never allow label \"" + labels.get(i)
            + "\": there is no B-" + type + " to start its entity" + (scheme == Scheme.BIO
                ? " (I- starting entities is IOB1; convert the data to BIO/IOB2, where entities start with B-)" : ""));
      }
      if (scheme != Scheme.BIO && !lasts.contains(type)) {
        throw new IllegalArgumentException("the CRF's " + scheme + " constraints never let a " + type + " entity of"
            + " label \"" + labels.get(i) + "\" end: there is no " + last + "-" + type + " label");
      }
    }
  }

  public Scheme scheme() {
    return scheme;
  }

  public List<String> labels() {
    return labels;
  }

  public int numLabels() {
    return labels.size();
  }

  /** Whether label {@code to} may follow label {@code from}. */
  public boolean allowed(int from, int to) {
    return allowed[from][to];
  }

  /** Whether a sequence may start with {@code label}. */
  public boolean allowedAtStart(int label) {
    return start[label];
  }

  /** Whether a sequence may end with {@code label}. */
  public boolean allowedAtEnd(int label) {
    return end[label];
  }

  /**
   * The first place where {@code tags} break the constraints: the index of a tag that may not open the sequence or
   * follow its predecessor, {@code tags.length} when the last tag may not close it, -1 when none.
   *
   * @param opens whether the first tag opens the sentence (a later window of a long sentence does not)
   * @param closes whether the last tag closes it
   */
  public int firstViolation(int[] tags, boolean opens, boolean closes) {
    for (int t = 0; t < tags.length; t++) {
      if (t == 0 ? opens && !start[tags[0]] : !allowed[tags[t - 1]][tags[t]]) {
        return t;
      }
    }
    return tags.length > 0 && closes && !end[tags[tags.length - 1]] ? tags.length : -1;
  }

  /** What {@link #firstViolation} found at {@code at}, in words ("I-EXPR after O"). */
  public String describe(int[] tags, int at) {
    if (at == 0) {
      return labels.get(tags[0]) + " opens the sequence";
    }
    if (at == tags.length) {
      return labels.get(tags[at - 1]) + " ends it";
    }
    return labels.get(tags[at]) + " after " + labels.get(tags[at - 1]);
  }

  /** Transition penalties, row-major {@code [from * L + to]}: 0 where allowed, {@link #FORBIDDEN} elsewhere. */
  float[] transitionPenalties() {
    int n = labels.size();
    float[] out = new float[n * n];
    for (int from = 0; from < n; from++) {
      for (int to = 0; to < n; to++) {
        out[from * n + to] = allowed[from][to] ? 0f : (float) FORBIDDEN;
      }
    }
    return out;
  }

  /** Start penalties: 0 for labels that may open a sequence, {@link #FORBIDDEN} for the others. */
  float[] startPenalties() {
    return penalties(start);
  }

  /** End penalties: 0 for labels that may close a sequence, {@link #FORBIDDEN} for the others. */
  float[] endPenalties() {
    return penalties(end);
  }

  private static float[] penalties(boolean[] ok) {
    float[] out = new float[ok.length];
    for (int i = 0; i < ok.length; i++) {
      out[i] = ok[i] ? 0f : (float) FORBIDDEN;
    }
    return out;
  }

  /** The forbidden transitions as "from -> to" pairs, for logs and tests. */
  public List<String> forbidden() {
    List<String> out = new ArrayList<>();
    for (int from = 0; from < labels.size(); from++) {
      for (int to = 0; to < labels.size(); to++) {
        if (!allowed[from][to]) {
          out.add(labels.get(from) + " -> " + labels.get(to));
        }
      }
    }
    return out;
  }
}
