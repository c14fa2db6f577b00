package dev.exprbert.data;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A model's label set, applied to data: either every data label must be one the model knows, or
 * (when asked) unknown labels become {@code O}, counted so the caller can report how many.
 *
 * <p>Not thread-safe: the counters are updated by {@link #apply}.
 */
public final class KnownLabels {
  public static final String OUTSIDE = "O";

  private final List<String> modelLabels;
  private final Set<String> known;
  private final boolean mapUnknownToOutside;
  private final SortedSet<String> mappedLabels = new TreeSet<>(LabelSets.PYTHON_ORDER);
  private long mappedTags;

  /**
   * @param modelLabels the model's labels in id order ({@code id2label})
   * @param mapUnknownToOutside map unknown labels to {@code O} instead of failing; the model must
   *     then know {@code O}
   */
  public KnownLabels(List<String> modelLabels, boolean mapUnknownToOutside) {
    this.modelLabels = List.copyOf(modelLabels);
    this.known = new HashSet<>(this.modelLabels);
    if (known.size() != this.modelLabels.size()) {
      throw new IllegalArgumentException("model labels must be unique, got " + modelLabels);
    }
    if (mapUnknownToOutside && !known.contains(OUTSIDE)) {
      throw new IllegalArgumentException(
          "cannot map unknown labels to O: the model's labels " + modelLabels + " have no O");
    }
    this.mapUnknownToOutside = mapUnknownToOutside;
  }

  /** The labels of {@code labels} the model does not know, sorted. */
  public SortedSet<String> unknownIn(Collection<String> labels) {
    SortedSet<String> unknown = new TreeSet<>(LabelSets.PYTHON_ORDER);
    for (String label : labels) {
      if (!known.contains(label)) {
        unknown.add(label);
      }
    }
    return unknown;
  }

  /**
   * Fails when a dataset's labels include some the model does not know, listing both sides.
   *
   * @param datasetLabels e.g. {@link LabelSets#collect} of the dataset
   * @param dataset names the dataset in the message
   */
  public void requireAllKnown(Collection<String> datasetLabels, String dataset) {
    SortedSet<String> unknown = unknownIn(datasetLabels);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(unknownMessage(dataset, unknown));
    }
  }

  /**
   * The sentence with unknown labels mapped to {@code O} when that was asked for; otherwise the
   * sentence itself, or an {@link InputFormatException} at its line if it has an unknown label.
   */
  public LabeledSentence apply(LabeledSentence sentence) {
    if (!sentence.hasTags()) {
      throw new IllegalArgumentException(
          "cannot check labels: the sentence at " + sentence.location() + " has no tags");
    }
    SortedSet<String> unknown = unknownIn(sentence.tags());
    if (unknown.isEmpty()) {
      return sentence;
    }
    if (!mapUnknownToOutside) {
      throw new InputFormatException(
          sentence.source(), sentence.line(), "labels the model knows " + modelLabels,
          "unknown label(s) " + unknown + " (map them to O if that is intended)");
    }
    List<String> mapped = new ArrayList<>(sentence.tags().size());
    for (String tag : sentence.tags()) {
      if (known.contains(tag)) {
        mapped.add(tag);
      } else {
        mapped.add(OUTSIDE);
        mappedTags++;
      }
    }
    mappedLabels.addAll(unknown);
    return sentence.withTags(mapped);
  }

  /** Tags mapped to {@code O} so far by {@link #apply}. */
  public long mappedTags() {
    return mappedTags;
  }

  /** The distinct unknown labels mapped to {@code O} so far. */
  public SortedSet<String> mappedLabels() {
    return new TreeSet<>(mappedLabels);
  }

  public List<String> modelLabels() {
    return modelLabels;
  }

  private String unknownMessage(String dataset, SortedSet<String> unknown) {
    return dataset + " has label(s) " + unknown + " that the model does not know; the model's "
        + "labels are " + modelLabels + " (map unknown labels to O if that is intended, or "
        + "train a new classification head)";
  }
}
