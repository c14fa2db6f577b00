package dev.exprbert.model.crf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The allowed transitions of BIO, IOBES and BILOU label sets, and the label sets no scheme fits. */
class TransitionConstraintsTest {
  private static int[] ids(List<String> labels, String... tags) {
    int[] out = new int[tags.length];
    for (int i = 0; i < tags.length; i++) {
      out[i] = labels.indexOf(tags[i]);
      assertTrue(out[i] >= 0, tags[i]);
    }
    return out;
  }

  @Test
  void bioAllowsInsideOnlyAfterItsOwnBeginOrInside() {
    List<String> labels = List.of("O", "B-EXPR", "I-EXPR", "B-TIME", "I-TIME");
    TransitionConstraints c = TransitionConstraints.forLabels(labels);
    assertEquals(TransitionConstraints.Scheme.BIO, c.scheme());
    assertEquals(List.of("O -> I-EXPR", "O -> I-TIME", "B-EXPR -> I-TIME", "I-EXPR -> I-TIME", "B-TIME -> I-EXPR",
        "I-TIME -> I-EXPR"), c.forbidden());
    assertFalse(c.allowedAtStart(2));
    assertFalse(c.allowedAtStart(4));
    assertTrue(c.allowedAtStart(0) && c.allowedAtStart(1) && c.allowedAtStart(3));
    for (int i = 0; i < labels.size(); i++) {
      assertTrue(c.allowedAtEnd(i), "BIO may end on any label: " + labels.get(i));
    }
    assertEquals(-1, c.firstViolation(ids(labels, "O", "B-EXPR", "I-EXPR", "I-EXPR", "B-TIME", "O"), true, true));
    int[] bad = ids(labels, "O", "I-EXPR");
    assertEquals(1, c.firstViolation(bad, true, true));
    assertEquals("I-EXPR after O", c.describe(bad, 1));
    int[] opening = ids(labels, "I-TIME", "O");
    assertEquals(0, c.firstViolation(opening, true, true));
    assertEquals(-1, c.firstViolation(opening, false, true), "a window inside a sentence may start inside an entity");
  }

  @Test
  void iobesAndBilouCloseEveryEntity() {
    List<String> iobes = List.of("O", "B-X", "I-X", "E-X", "S-X");
    TransitionConstraints c = TransitionConstraints.forLabels(iobes);
    assertEquals(TransitionConstraints.Scheme.IOBES, c.scheme());
    assertEquals(-1, c.firstViolation(ids(iobes, "S-X", "B-X", "I-X", "E-X", "O", "S-X"), true, true));
    assertEquals(1, c.firstViolation(ids(iobes, "B-X", "O"), true, true), "B-X must be continued");
    assertEquals(1, c.firstViolation(ids(iobes, "E-X", "E-X"), false, true), "E-X closes: another E-X cannot follow");
    int[] open = ids(iobes, "B-X", "I-X");
    assertEquals(2, c.firstViolation(open, true, true));
    assertEquals("I-X ends it", c.describe(open, 2));
    assertEquals(-1, c.firstViolation(open, true, false), "a window cut before the sentence's end may end inside");
    assertFalse(c.allowedAtStart(2) || c.allowedAtStart(3) || c.allowedAtEnd(1) || c.allowedAtEnd(2));

    List<String> bilou = List.of("O", "B-X", "I-X", "L-X", "U-X");
    TransitionConstraints b = TransitionConstraints.forLabels(bilou);
    assertEquals(TransitionConstraints.Scheme.BILOU, b.scheme());
    assertEquals(c.forbidden().size(), b.forbidden().size(), "BILOU is IOBES with other letters");
    assertEquals(-1, b.firstViolation(ids(bilou, "U-X", "B-X", "L-X"), true, true));
  }

  @Test
  void labelSetsWithoutAUsableSchemeAreRefusedNamingTheLabel() {
    IllegalArgumentException plain = assertThrows(IllegalArgumentException.class,
        () -> TransitionConstraints.forLabels(List.of("O", "PER", "LOC")));
    assertTrue(plain.getMessage().contains("cannot infer the label scheme") && plain.getMessage().contains("\"PER\""),
        plain.getMessage());
    IllegalArgumentException defaults = assertThrows(IllegalArgumentException.class,
        () -> TransitionConstraints.forLabels(List.of("LABEL_0", "LABEL_1")));
    assertTrue(defaults.getMessage().contains("\"LABEL_0\""), defaults.getMessage());
    IllegalArgumentException mixed = assertThrows(IllegalArgumentException.class,
        () -> TransitionConstraints.forLabels(List.of("O", "S-X", "U-Y")));
    assertTrue(mixed.getMessage().contains("mix IOBES"), mixed.getMessage());
    IllegalArgumentException iob1 = assertThrows(IllegalArgumentException.class,
        () -> TransitionConstraints.forLabels(List.of("O", "I-PER", "B-LOC", "I-LOC")));
    assertTrue(iob1.getMessage().contains("\"I-PER\"") && iob1.getMessage().contains("IOB1"), iob1.getMessage());
    IllegalArgumentException unfinished = assertThrows(IllegalArgumentException.class,
        () -> TransitionConstraints.forLabels(List.of("O", "B-X", "I-X", "S-X")));
    assertTrue(unfinished.getMessage().contains("no E-X"), unfinished.getMessage());
    IllegalArgumentException noSingle = assertThrows(IllegalArgumentException.class,
        () -> TransitionConstraints.forLabels(List.of("B-X", "I-X", "E-X")));
    assertTrue(noSingle.getMessage().contains("one-word sentence"), noSingle.getMessage());
  }
}
