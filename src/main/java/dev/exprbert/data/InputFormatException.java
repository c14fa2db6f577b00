package dev.exprbert.data;

/**
 * A dataset file does not have the shape its reader expects. Unchecked, because readers are
 * iterators; the message is {@code file:line: expected ..., found ...} so editors and terminals
 * can jump to the place.
 */
public final class InputFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final long line;
  private final String expected;
  private final String found;

  /**
   * @param file the file as the caller named it
   * @param line the 1-based line where the problem is
   * @param expected what the reader needed there
   * @param found what it got instead
   */
  public InputFormatException(String file, long line, String expected, String found) {
    this(file, line, expected, found, null);
  }

  public InputFormatException(
      String file, long line, String expected, String found, Throwable cause) {
    super(file + ":" + line + ": expected " + expected + ", found " + found, cause);
    this.file = file;
    this.line = line;
    this.expected = expected;
    this.found = found;
  }

  public String file() {
    return file;
  }

  /** 1-based line number. */
  public long line() {
    return line;
  }

  public String expected() {
    return expected;
  }

  public String found() {
    return found;
  }

  /**
   * A line quoted for a message: tabs and other control characters escaped (so a separator
   * problem is visible), long lines cut at 120 characters.
   */
  public static String quote(String text) {
    StringBuilder out = new StringBuilder(Math.min(text.length(), 130) + 2).append('"');
    int shown = 0;
    for (int i = 0; i < text.length(); i++) {
      if (shown == 120) {
        out.append("...(").append(text.length()).append(" chars)");
        break;
      }
      char c = text.charAt(i);
      switch (c) {
        case '\t' -> out.append("\\t");
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (Character.isISOControl(c)) {
            out.append(String.format("\\u%04X", (int) c));
          } else {
            out.append(c);
          }
        }
      }
      shown++;
    }
    return out.append('"').toString();
  }
}
