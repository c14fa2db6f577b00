package dev.exprbert.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SpanGrouperTest {
  /** Units of one character each, separated by spaces: "A B C ..." */
  private static List<SpanGrouper.Unit> units(String... labels) {
    List<SpanGrouper.Unit> out = new ArrayList<>();
    for (int i = 0; i < labels.length; i++) {
      out.add(new SpanGrouper.Unit(labels[i], 0.5 + i / 100.0, 2 * i, 2 * i + 1, i));
    }
    return out;
  }

  private static final String TEXT = "A B C D E F G H";

  @Test
  void followsHuggingFacesDocstringExample() {
    // (A, B-TAG), (B, I-TAG), (C, I-TAG), (D, B-TAG2) (E, B-TAG2) -> ABC TAG, D TAG2, E TAG2
    List<Span> spans = SpanGrouper.group(units("B-TAG", "I-TAG", "I-TAG", "B-TAG2", "B-TAG2"), TEXT, Set.of("O"));
    assertEquals(List.of(
        new Span("TAG", 0, 5, "A B C", (0.5 + 0.51 + 0.52) / 3, 0, 3),
        new Span("TAG2", 6, 7, "D", 0.53, 3, 4),
        new Span("TAG2", 8, 9, "E", 0.54, 4, 5)), spans);
  }

  @Test
  void outsideIsDroppedAndAnIAfterOStartsASpan() {
    List<Span> spans = SpanGrouper.group(units("O", "I-X", "I-X", "O", "O", "I-Y", "B-Y", "I-X"), TEXT, Set.of("O"));
    assertEquals(List.of("X:B C", "Y:F", "Y:G", "X:H"), spans.stream().map(s -> s.type() + ":" + s.text()).toList());
  }

  @Test
  void labelsWithoutPrefixGroupAsTheirOwnType() {
    List<Span> spans = SpanGrouper.group(units("PER", "PER", "LOC", "O"), TEXT, Set.of("O"));
    assertEquals(List.of("PER:A B", "LOC:C"), spans.stream().map(s -> s.type() + ":" + s.text()).toList());
    assertEquals("Polar-Exp", SpanGrouper.splitTag("B-Polar-Exp")[1]);
  }

  @Test
  void noneKeepsFullLabelsOnePerUnit() {
    List<Span> spans = SpanGrouper.ungrouped(units("B-X", "I-X", "O"), TEXT, Set.of("O"));
    assertEquals(List.of(new Span("B-X", 0, 1, "A", 0.5, 0, 1), new Span("I-X", 2, 3, "B", 0.51, 1, 2)), spans);
  }

  @Test
  void wordChoiceFollowsFirstMaxAndAverage() {
    // "Microsoft" = micro|soft: the first piece leans to 1, the second is sure of 2
    float[][] pieces = {{0.1f, 0.5f, 0.4f}, {0.05f, 0.05f, 0.9f}};
    assertEquals(new SpanGrouper.Choice(1, 0.5f), SpanGrouper.wordChoice(pieces, Aggregation.FIRST));
    assertEquals(new SpanGrouper.Choice(2, 0.9f), SpanGrouper.wordChoice(pieces, Aggregation.MAX));
    SpanGrouper.Choice avg = SpanGrouper.wordChoice(pieces, Aggregation.AVERAGE);
    assertEquals(2, avg.label());
    assertEquals((0.4f + 0.9f) / 2.0, avg.score(), 1e-7);
    assertEquals(0, SpanGrouper.argmax(new float[] {0.5f, 0.5f}), "ties go to the first label, like numpy");
  }

  @Test
  void aggregationNamesParseAndBadOnesListTheChoices() {
    assertEquals(Aggregation.AVERAGE, Aggregation.parse(" Average "));
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> Aggregation.parse("mean"));
    assertEquals("unknown aggregation strategy \"mean\": expected none, simple, first, average or max", e.getMessage());
  }
}
