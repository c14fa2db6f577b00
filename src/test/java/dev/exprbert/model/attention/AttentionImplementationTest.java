package dev.exprbert.model.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AttentionImplementationTest {
  @Test
  void theDefaultIsTheFastestTheFamilySupports() {
    assertEquals(AttentionImplementation.FUSED, AttentionImplementation.fastest(EnumSet.allOf(AttentionImplementation.class)));
    assertEquals(AttentionImplementation.SDPA,
        AttentionImplementation.fastest(EnumSet.of(AttentionImplementation.EAGER, AttentionImplementation.SDPA)));
    assertEquals(AttentionImplementation.EAGER, AttentionImplementation.fastest(Set.of(AttentionImplementation.EAGER)));
    assertThrows(IllegalArgumentException.class, () -> AttentionImplementation.fastest(Set.of()));
  }
}
