package dev.exprbert.data;

import java.util.NoSuchElementException;

/**
 * The iterator plumbing shared by the line-based readers: one sentence of look-ahead, and the
 * "no sentences" error when a file ends without having produced any.
 */
abstract class LineSentenceReader implements SentenceReader {
  protected final Utf8LineReader lines;
  private LabeledSentence pending;
  private long emitted;
  private boolean finished;

  LineSentenceReader(Utf8LineReader lines) {
    this.lines = lines;
  }

  /** The next sentence from the file, or {@code null} at its end. */
  protected abstract LabeledSentence readSentence();

  /** What a sentence looks like in this format, for the "no sentences" message. */
  protected abstract String sentenceShape();

  @Override
  public final boolean hasNext() {
    if (pending == null && !finished) {
      pending = readSentence();
      if (pending == null) {
        finished = true;
        if (emitted == 0) {
          throw new InputFormatException(
              lines.source(),
              Math.max(1, lines.lineNumber()),
              "at least one sentence (" + sentenceShape() + ")",
              "no sentences in " + lines.lineNumber() + " line(s)");
        }
      }
    }
    return pending != null;
  }

  @Override
  public final LabeledSentence next() {
    if (!hasNext()) {
      throw new NoSuchElementException("no more sentences in " + lines.source());
    }
    LabeledSentence sentence = pending;
    pending = null;
    emitted++;
    return sentence;
  }

  @Override
  public final String source() {
    return lines.source();
  }

  @Override
  public void close() {
    lines.close();
  }
}
