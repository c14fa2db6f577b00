package dev.exprbert.dist;

import java.util.List;

/**
 * A distributed run that cannot go on: a rank did not join, died, stopped or fell behind, or the store is unreachable.
 * The message is one line and names the ranks concerned ({@link #lostRanks()}).
 */
public final class DistributedException extends RuntimeException {
  private final List<Integer> lostRanks;

  public DistributedException(String message, List<Integer> lostRanks, Throwable cause) {
    super(message, cause);
    this.lostRanks = List.copyOf(lostRanks);
  }

  /** The ranks found dead, stopped or behind (empty when none could be named). */
  public List<Integer> lostRanks() {
    return lostRanks;
  }

  /** The first line of a native exception's message, without the C++ source locations gloo and c10d put in it. */
  static String firstLine(Throwable e) {
    String m = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    int newline = m.indexOf('\n');
    m = newline >= 0 ? m.substring(0, newline) : m;
    m = m.replaceAll("\\[[^\\]\\[]*\\.(cc|cpp|h):\\d+\\]\\s*", "").strip();
    return m.endsWith(".") ? m.substring(0, m.length() - 1) : m;
  }
}
