package dev.exprbert.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KnownLabelsTest {
  private static final List<String> MODEL = List.of("B-EXPR", "I-EXPR", "O");

  private static LabeledSentence sentence(String... tags) {
    return new LabeledSentence(
        java.util.Arrays.stream(tags).map(t -> "w").toList(), List.of(tags), "dev.conll", 12);
  }

  @Test
  void unknownLabelsBecomeOWhenAskedAndAreCounted() {
    KnownLabels labels = new KnownLabels(MODEL, true);
    LabeledSentence mapped = labels.apply(sentence("B-TARGET", "I-TARGET", "B-EXPR", "B-TARGET"));
    assertEquals(List.of("O", "O", "B-EXPR", "O"), mapped.tags());
    assertEquals(3, labels.mappedTags());
    assertEquals(Set.of("B-TARGET", "I-TARGET"), labels.mappedLabels());
    assertEquals(12, mapped.line());
  }

  @Test
  void sentenceWithKnownLabelsIsReturnedUnchanged() {
    LabeledSentence known = sentence("B-EXPR", "O");
    assertSame(known, new KnownLabels(MODEL, false).apply(known));
  }

  @Test
  void unknownLabelIsAnErrorAtTheSentenceOtherwise() {
    KnownLabels labels = new KnownLabels(MODEL, false);
    InputFormatException e = assertThrows(
        InputFormatException.class, () -> labels.apply(sentence("O", "B-HOLDER")));
    assertEquals(
        "dev.conll:12: expected labels the model knows [B-EXPR, I-EXPR, O], found unknown "
            + "label(s) [B-HOLDER] (map them to O if that is intended)",
        e.getMessage());
  }

  @Test
  void datasetLevelCheckListsUnknownAgainstKnown() {
    KnownLabels labels = new KnownLabels(MODEL, false);
    labels.requireAllKnown(List.of("O", "B-EXPR"), "dev.conll");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> labels.requireAllKnown(List.of("O", "I-TARGET", "B-TARGET"), "dev.conll"));
    assertTrue(e.getMessage().startsWith("dev.conll has label(s) [B-TARGET, I-TARGET] that the "
        + "model does not know; the model's labels are [B-EXPR, I-EXPR, O]"), e.getMessage());
  }

  @Test
  void mappingToORequiresAModelThatKnowsO() {
    IllegalArgumentException e = assertThrows(
        IllegalArgumentException.class, () -> new KnownLabels(List.of("B-X", "I-X"), true));
    assertTrue(e.getMessage().contains("have no O"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new KnownLabels(List.of("O", "O"), false));
  }
}
