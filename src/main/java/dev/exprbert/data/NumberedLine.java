package dev.exprbert.data;

/** One decoded line of a file, without its terminator, and its 1-based number. */
public record NumberedLine(String text, long number) {

  /** Empty or only spaces and tabs: a sentence separator in CoNLL, skipped elsewhere. */
  public boolean isBlank() {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c != ' ' && c != '\t') {
        return false;
      }
    }
    return true;
  }
}
