package dev.exprbert.metrics;

/**
 * seqeval's default-mode {@code get_entities} as a streaming state machine: feed labels one at a
 * time (sentence separators included), receive each chunk when it closes.
 *
 * <p>Reading a label: tag = first character, type = what follows the first {@code -} after it
 * ({@code chunk[1:].split('-', 1)[-1]}), {@code _} when empty. So {@code B-DATE-TIME} is type
 * {@code DATE-TIME}, bare {@code B} is {@code _}, {@code O} is {@code _}, and the unprefixed
 * {@code PER} is tag {@code P}, type {@code ER}. Chunk boundaries are seqeval's
 * {@code end_of_chunk}/{@code start_of_chunk}, which know only B, I, E, S and O: a type change
 * always splits, {@code I} after {@code O} starts a chunk, and BILOU's {@code U}/{@code L} are
 * unknown letters that close nothing until the type changes (pitfall 10).
 *
 * <p>Offsets are positions in the fed stream. A chunk is reported with the inclusive end seqeval
 * uses. Copy a chunker ({@link #copy}) to close it with the final {@code O} without ending the
 * original stream.
 */
final class DefaultChunker {
  /** Receives closed chunks: type and inclusive stream positions. */
  interface Sink {
    void chunk(String type, long begin, long endInclusive);
  }

  private int prevTag = 'O';
  private String prevType = "";
  private long beginOffset = 0;
  private long position = 0;

  DefaultChunker copy() {
    DefaultChunker copy = new DefaultChunker();
    copy.prevTag = prevTag;
    copy.prevType = prevType;
    copy.beginOffset = beginOffset;
    copy.position = position;
    return copy;
  }

  /** Position the next label will have in the stream. */
  long position() {
    return position;
  }

  /** Feeds one label that {@link #checkLabel} has accepted. */
  void accept(String label, Sink sink) {
    int tag = label.codePointAt(0);
    String type = typeOf(label);
    if (endOfChunk(prevTag, tag, prevType, type)) {
      sink.chunk(prevType, beginOffset, position - 1);
    }
    if (startOfChunk(prevTag, tag, prevType, type)) {
      beginOffset = position;
    }
    prevTag = tag;
    prevType = type;
    position++;
  }

  /**
   * seqeval {@code _validate_chunk}: true when the label is one seqeval accepts silently; false
   * when seqeval would warn "seems not to be NE tag" (it still uses the label).
   */
  static boolean isNeTag(String label) {
    switch (label) {
      case "O":
      case "B":
      case "I":
      case "E":
      case "S":
        return true;
      default:
        return label.startsWith("B-")
            || label.startsWith("I-")
            || label.startsWith("E-")
            || label.startsWith("S-");
    }
  }

  /** seqeval: {@code chunk[1:].split('-', maxsplit=1)[-1] or '_'}. */
  static String typeOf(String label) {
    String rest = label.substring(Character.charCount(label.codePointAt(0)));
    int dash = rest.indexOf('-');
    String type = dash < 0 ? rest : rest.substring(dash + 1);
    return type.isEmpty() ? "_" : type;
  }

  /** seqeval {@code end_of_chunk}, condition for condition. */
  static boolean endOfChunk(int prevTag, int tag, String prevType, String type) {
    boolean chunkEnd = false;
    if (prevTag == 'E') {
      chunkEnd = true;
    }
    if (prevTag == 'S') {
      chunkEnd = true;
    }
    if (prevTag == 'B' && (tag == 'B' || tag == 'S' || tag == 'O')) {
      chunkEnd = true;
    }
    if (prevTag == 'I' && (tag == 'B' || tag == 'S' || tag == 'O')) {
      chunkEnd = true;
    }
    if (prevTag != 'O' && prevTag != '.' && !prevType.equals(type)) {
      chunkEnd = true;
    }
    return chunkEnd;
  }

  /** seqeval {@code start_of_chunk}, condition for condition. */
  static boolean startOfChunk(int prevTag, int tag, String prevType, String type) {
    boolean chunkStart = false;
    if (tag == 'B' || tag == 'S') {
      chunkStart = true;
    }
    if ((prevTag == 'E' || prevTag == 'S' || prevTag == 'O') && (tag == 'E' || tag == 'I')) {
      chunkStart = true;
    }
    if (tag != 'O' && tag != '.' && !prevType.equals(type)) {
      chunkStart = true;
    }
    return chunkStart;
  }
}
