package dev.exprbert.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The seqeval mode a model's label set is scored in. */
class LabelSetModeTest {
  @Test
  void iobesAndBilouAreStrictBioIsTheDefault() {
    assertEquals(Mode.DEFAULT, SeqevalModes.forLabelSet(List.of("O", "B-EXPR", "I-EXPR")));
    assertEquals(Mode.DEFAULT, SeqevalModes.forLabelSet(List.of("O")));
    assertEquals(Mode.strict(Scheme.IOBES), SeqevalModes.forLabelSet(List.of("O", "B-X", "I-X", "E-X", "S-X")));
    assertEquals(Mode.strict(Scheme.IOBES), SeqevalModes.forLabelSet(List.of("O", "S-X")), "single-word entities only");
    assertEquals(Mode.strict(Scheme.BILOU), SeqevalModes.forLabelSet(List.of("B-X", "I-X", "L-X", "U-X", "O")));
    IllegalArgumentException mixed = assertThrows(IllegalArgumentException.class,
        () -> SeqevalModes.forLabelSet(List.of("B-X", "E-X", "U-X")));
    assertTrue(mixed.getMessage().contains("mix IOBES (E-, S-) and BILOU (L-, U-)"), mixed.getMessage());
  }
}
