package dev.exprbert.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The entities of one side (gold or predicted), collected one sentence at a time in either mode.
 *
 * <p>Default mode keeps one {@link DefaultChunker} running over all sentences with an {@code O}
 * after each, which is exactly seqeval's flattening, so even its cross-sentence quirks come out
 * the same. Chunk positions in that stream are turned back into (sentence, offset) with the
 * recorded sentence start positions. Strict mode extracts each sentence on its own, as seqeval's
 * {@code Entities} does.
 */
final class EntityCollector {
  private final Mode mode;
  private final String side;
  private final MetricWarnings warnings;
  private final List<Entity> entities = new ArrayList<>();
  private final DefaultChunker chunker = new DefaultChunker();
  /** Stream position of each default-mode sentence's first token; strictly increasing. */
  private long[] sentenceStarts = new long[16];
  private int sentences;
  private int startsRecorded;
  private boolean bilouWarned;

  EntityCollector(Mode mode, String side, MetricWarnings warnings) {
    this.mode = mode;
    this.side = side;
    this.warnings = warnings;
  }

  int sentences() {
    return sentences;
  }

  /** Rejects null and empty labels, naming the side and where; changes nothing. */
  void checkLabels(List<String> labels) {
    checkLabels(labels, sentences);
  }

  /** {@link #checkLabels(List)} for the sentence with index {@code sentence}. */
  void checkLabels(List<String> labels, int sentence) {
    for (int i = 0; i < labels.size(); i++) {
      String label = labels.get(i);
      if (label == null || label.isEmpty()) {
        throw new IllegalArgumentException(
            String.format(
                "%s: label at sentence %d, position %d is %s; every token needs a tag such as O"
                    + " or B-PER",
                side, sentence, i, label == null ? "null" : "empty"));
      }
    }
  }

  /** Strict mode: adds the next sentence's entities, already extracted by the caller. */
  void addStrictSentence(List<Entity> sentenceEntities) {
    if (!(mode instanceof Mode.Strict)) {
      throw new IllegalStateException("addStrictSentence called on a " + mode + " collector");
    }
    entities.addAll(sentenceEntities);
    sentences++;
  }

  /** Default mode: feeds the next sentence (labels checked) and seqeval's separator O. */
  void addDefaultSentence(List<String> labels) {
    if (mode != Mode.DEFAULT) {
      throw new IllegalStateException("addDefaultSentence called on a " + mode + " collector");
    }
    if (startsRecorded == sentenceStarts.length) {
      sentenceStarts = Arrays.copyOf(sentenceStarts, startsRecorded * 2);
    }
    sentenceStarts[startsRecorded++] = chunker.position();
    for (String label : labels) {
      checkDefaultModeLabel(label);
      chunker.accept(label, this::addChunk);
    }
    chunker.accept("O", this::addChunk); // seqeval's separator after every sentence
    sentences++;
  }

  /** All entities so far; default mode closes a copy of the stream with seqeval's final O. */
  List<Entity> entities() {
    List<Entity> all = new ArrayList<>(entities);
    if (mode == Mode.DEFAULT) {
      chunker.copy().accept("O", (type, begin, end) -> all.add(toEntity(type, begin, end)));
    }
    return all;
  }

  private void addChunk(String type, long begin, long endInclusive) {
    entities.add(toEntity(type, begin, endInclusive));
  }

  private Entity toEntity(String type, long begin, long endInclusive) {
    int sentence = Arrays.binarySearch(sentenceStarts, 0, startsRecorded, begin);
    if (sentence < 0) {
      sentence = -sentence - 2; // the last sentence starting before begin
    }
    // Starts grow by at least 1 per sentence (its separator O), so the search is unambiguous. A
    // chunk never begins on a separator (O never starts one), except seqeval's initial begin 0
    // when the first sentence is empty; the mapping stays one-to-one either way.
    long start = begin - sentenceStarts[sentence];
    long end = endInclusive + 1 - sentenceStarts[sentence];
    return new Entity(type, sentence, Math.toIntExact(start), Math.toIntExact(end));
  }

  private void checkDefaultModeLabel(String label) {
    if (!DefaultChunker.isNeTag(label)) {
      warnings.warn(label + " seems not to be NE tag.");
    }
    if (!bilouWarned && looksLikeBilou(label)) {
      bilouWarned = true;
      warnings.warn(
          side
              + " contains BILOU label '"
              + label
              + "' but is evaluated in default mode, whose get_entities knows only B/I/E/S/O:"
              + " U-X U-X becomes one entity and B-X L-X B-X L-X keeps only the second;"
              + " evaluate BILOU with Mode.strict(Scheme.BILOU)");
    }
  }

  private static boolean looksLikeBilou(String label) {
    char first = label.charAt(0);
    return (first == 'U' || first == 'L') && (label.length() == 1 || label.charAt(1) == '-');
  }
}
