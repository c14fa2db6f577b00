package dev.exprbert.data;

import dev.exprbert.runtime.CodePointOrder;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** The label list of a dataset, in the order Hugging Face's run_ner gives label ids. */
public final class LabelSets {
  /**
   * Python's {@code str} ordering: by Unicode code point. Java's {@code String.compareTo} compares
   * UTF-16 units, which differs for characters above U+FFFF against U+E000..U+FFFF.
   */
  public static final Comparator<String> PYTHON_ORDER = CodePointOrder.COMPARATOR;

  private LabelSets() {}

  /**
   * The sorted unique tags of all sentences, as run_ner's {@code get_label_list} builds them for
   * string tags ({@code sorted(set(...))}); index i of the result is label id i.
   *
   * @throws IllegalArgumentException if a sentence has no tags
   */
  public static List<String> collect(Iterator<LabeledSentence> sentences) {
    Set<String> unique = new HashSet<>();
    while (sentences.hasNext()) {
      LabeledSentence sentence = sentences.next();
      if (!sentence.hasTags()) {
        throw new IllegalArgumentException(
            "cannot collect labels: the sentence at " + sentence.location() + " has no tags");
      }
      unique.addAll(sentence.tags());
    }
    return sorted(unique);
  }

  /** {@link #collect(Iterator)} over an in-memory dataset. */
  public static List<String> collect(Iterable<LabeledSentence> sentences) {
    return collect(sentences.iterator());
  }

  /** Unique labels in {@link #PYTHON_ORDER}. */
  public static List<String> sorted(Collection<String> labels) {
    List<String> list = new ArrayList<>(new HashSet<>(labels));
    list.sort(PYTHON_ORDER);
    return list;
  }

}
