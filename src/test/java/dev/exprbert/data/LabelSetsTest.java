package dev.exprbert.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LabelSetsTest {
  private static LabeledSentence sentence(List<String> tags) {
    return new LabeledSentence(tags.stream().map(t -> "w").toList(), tags, "t.conll", 1);
  }

  @Test
  void labelsAreSortedUniqueLikeRunNerGetLabelList() {
    // sorted(set(...)) in Python: upper case before lower case, 'B-' before 'I-' before 'O'.
    List<String> labels = LabelSets.collect(List.of(
        sentence(List.of("O", "B-person", "I-person")),
        sentence(List.of("B-creative-work", "O", "B-LOC", "I-LOC"))));
    assertEquals(
        List.of("B-LOC", "B-creative-work", "B-person", "I-LOC", "I-person", "O"), labels);
  }

  @Test
  void orderIsByCodePointAsInPython() {
    // U+1F600 (surrogate pair in UTF-16) sorts after U+FF21 by code point, before it by UTF-16 unit.
    String emoji = new String(Character.toChars(0x1F600));
    String fullwidthA = "\uFF21";
    assertEquals(List.of(fullwidthA, emoji), LabelSets.sorted(List.of(emoji, fullwidthA)));
    assertTrue(emoji.compareTo(fullwidthA) < 0, "Java's own order differs, which is the point");
  }

  @Test
  void sentenceWithoutTagsCannotGiveLabels() {
    var untagged = new LabeledSentence(List.of("a"), null, "p.txt", 4);
    IllegalArgumentException e = assertThrows(
        IllegalArgumentException.class, () -> LabelSets.collect(List.of(untagged)));
    assertTrue(e.getMessage().contains("p.txt:4"), e.getMessage());
  }

  @Test
  void sentenceRecordRejectsMismatchedOrEmptyInput() {
    assertThrows(IllegalArgumentException.class,
        () -> new LabeledSentence(List.of("a", "b"), List.of("O"), "x", 1));
    assertThrows(IllegalArgumentException.class,
        () -> new LabeledSentence(List.of(), List.of(), "x", 1));
    assertThrows(IllegalArgumentException.class,
        () -> new LabeledSentence(List.of("a"), null, "x", 0));
  }
}
