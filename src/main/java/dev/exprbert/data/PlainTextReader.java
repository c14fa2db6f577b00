package dev.exprbert.data;

/**
 * Reads pre-split text for prediction: each non-blank line is one sentence whose words are
 * separated by spaces or tabs. Sentences carry no tags. Blank lines are skipped.
 */
public final class PlainTextReader extends LineSentenceReader {

  PlainTextReader(Utf8LineReader lines) {
    super(lines);
  }

  @Override
  protected String sentenceShape() {
    return "one sentence per line, words separated by spaces";
  }

  @Override
  protected LabeledSentence readSentence() {
    for (NumberedLine line = lines.readLine(); line != null; line = lines.readLine()) {
      if (!line.isBlank()) {
        return new LabeledSentence(
            ColumnSeparator.WHITESPACE.split(line.text()), null, lines.source(), line.number());
      }
    }
    return null;
  }
}
