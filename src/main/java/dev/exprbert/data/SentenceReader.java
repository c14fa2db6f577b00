package dev.exprbert.data;

import java.util.Iterator;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Sentences of one dataset file, read lazily: only the current sentence is in memory, so a file of
 * any size streams through. Close it (try-with-resources) to release the file.
 *
 * <p>{@link #hasNext()} and {@link #next()} throw {@link InputFormatException} for malformed input,
 * at the first bad line, and also when the file holds no sentence at all (an empty dataset is
 * always a mistake). I/O failures surface as {@link java.io.UncheckedIOException}.
 */
public interface SentenceReader extends Iterator<LabeledSentence>, AutoCloseable {

  /** The file name used in messages and in {@link LabeledSentence#source()}. */
  String source();

  @Override
  void close();

  /** The remaining sentences as a sequential stream; closing the stream closes this reader. */
  default Stream<LabeledSentence> stream() {
    return StreamSupport.stream(
            Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL),
            false)
        .onClose(this::close);
  }
}
