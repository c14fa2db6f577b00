package dev.exprbert.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** How a CoNLL line is cut into columns. */
public enum ColumnSeparator {
  /**
   * Any run of spaces and tabs separates columns; leading and trailing ones are ignored. The usual
   * CoNLL reading (CoNLL-2003 uses spaces, most converted data uses tabs). Tokens cannot contain
   * spaces.
   */
  WHITESPACE("separated by tabs or spaces"),
  /**
   * Every single tab separates columns and nothing else does, so tokens may contain spaces (and an
   * empty field is an empty column, which the reader rejects).
   */
  TAB("separated by single tabs");

  private final String description;

  ColumnSeparator(String description) {
    this.description = description;
  }

  /** "separated by ...", for messages. */
  String description() {
    return description;
  }

  /** The columns of a line that is not blank. */
  List<String> split(String line) {
    List<String> columns = new ArrayList<>(4);
    if (this == TAB) {
      int start = 0;
      for (int i = 0; i <= line.length(); i++) {
        if (i == line.length() || line.charAt(i) == '\t') {
          columns.add(line.substring(start, i));
          start = i + 1;
        }
      }
      return columns;
    }
    int i = 0;
    int n = line.length();
    while (i < n) {
      while (i < n && isSpaceOrTab(line.charAt(i))) {
        i++;
      }
      int start = i;
      while (i < n && !isSpaceOrTab(line.charAt(i))) {
        i++;
      }
      if (i > start) {
        columns.add(line.substring(start, i));
      }
    }
    return columns;
  }

  private static boolean isSpaceOrTab(char c) {
    return c == ' ' || c == '\t';
  }

  /** {@code whitespace} or {@code tab}, any case. */
  public static ColumnSeparator fromName(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown column separator \"" + name + "\": expected whitespace or tab", e);
    }
  }
}
