package dev.exprbert.cli;

import dev.exprbert.infer.TaggedSentence;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * How {@code predict} streams: read at most {@code chunkSize} inputs, tag them in one call (which batches their
 * windows), hand the results on in input order, forget them, repeat. Nothing is kept across chunks, so memory depends
 * on the chunk size and the longest input, not on how many inputs there are.
 *
 * <p>When reading fails (the iterator throws: a malformed line), the inputs read before it are still tagged and
 * written, then the error goes on: the output holds every input before the bad one, whatever the chunk size.
 */
final class ChunkedTagging {
  private ChunkedTagging() {}

  /**
   * @param inputs read lazily, one at a time
   * @param chunkSize inputs per tagging call, at least 1
   * @param tag tags a chunk, one result per input, in order
   * @param write receives each chunk's results, in order
   * @return the number of inputs tagged
   */
  static <T> long run(Iterator<T> inputs, int chunkSize, Function<List<T>, List<TaggedSentence>> tag,
      Consumer<List<TaggedSentence>> write) {
    if (chunkSize < 1) {
      throw new IllegalArgumentException("chunk size must be >= 1, got " + chunkSize);
    }
    List<T> chunk = new ArrayList<>(Math.min(chunkSize, 1024));
    long tagged = 0;
    while (true) {
      try {
        if (!inputs.hasNext()) {
          break;
        }
        chunk.add(inputs.next());
      } catch (RuntimeException e) {
        try {
          tagged += flush(chunk, tag, write);
        } catch (RuntimeException alsoFailed) {
          e.addSuppressed(alsoFailed);
        }
        throw e;
      }
      if (chunk.size() == chunkSize) {
        tagged += flush(chunk, tag, write);
      }
    }
    return tagged + flush(chunk, tag, write);
  }

  private static <T> int flush(List<T> chunk, Function<List<T>, List<TaggedSentence>> tag,
      Consumer<List<TaggedSentence>> write) {
    if (chunk.isEmpty()) {
      return 0;
    }
    List<TaggedSentence> results = tag.apply(chunk);
    if (results.size() != chunk.size()) {
      throw new IllegalStateException("tagging " + chunk.size() + " inputs gave " + results.size() + " results");
    }
    write.accept(results);
    int count = chunk.size();
    chunk.clear();
    return count;
  }
}
