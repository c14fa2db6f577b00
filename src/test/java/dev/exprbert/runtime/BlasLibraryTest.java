package dev.exprbert.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BlasLibraryTest {
  @Test
  void mklIsTheDefaultWhenItsLibrariesAreThereAndOpenBlasOtherwise() {
    BlasLibrary.Choice withMkl = BlasLibrary.choose(Map.of(), null, null, true);
    assertEquals(BlasLibrary.MKL, withMkl.library());
    assertTrue(withMkl.setPresetsProperty(), "the presets must be told to load MKL");
    BlasLibrary.Choice without = BlasLibrary.choose(Map.of(), null, null, false);
    assertEquals(BlasLibrary.OPENBLAS, without.library());
    assertFalse(without.setPresetsProperty());
    assertEquals("no MKL libraries on the class path", without.from());
  }

  @Test
  void thePropertyWinsOverTheVariableAndCaseAndSpacesDoNotMatter() {
    BlasLibrary.Choice choice = BlasLibrary.choose(Map.of("EXPRBERT_BLAS", "mkl"), " OpenBLAS ", null, true);
    assertEquals(BlasLibrary.OPENBLAS, choice.library());
    assertEquals("-Dexprbert.blas", choice.from());
    assertEquals(BlasLibrary.OPENBLAS, BlasLibrary.choose(Map.of("EXPRBERT_BLAS", "openblas"), null, null, true).library());
    assertEquals("EXPRBERT_BLAS", BlasLibrary.choose(Map.of("EXPRBERT_BLAS", "MKL"), null, null, true).from());
  }

  @Test
  void theUsersOwnPresetsSettingIsLeftAlone() {
    BlasLibrary.Choice mkl = BlasLibrary.choose(Map.of("EXPRBERT_BLAS", "openblas"), null, "mkl_rt", false);
    assertEquals(BlasLibrary.MKL, mkl.library());
    assertFalse(mkl.setPresetsProperty());
    assertEquals("-Dorg.bytedeco.openblas.load=mkl_rt", mkl.from());
    assertEquals(BlasLibrary.OPENBLAS, BlasLibrary.choose(Map.of(), null, "blas", true).library());
  }

  @Test
  void badValuesAndAMissingMklAreRefusedSayingWhatToDo() {
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> BlasLibrary.choose(Map.of("EXPRBERT_BLAS", "atlas"), null, null, true));
    assertEquals("EXPRBERT_BLAS must be mkl or openblas, found 'atlas'", bad.getMessage());
    IllegalStateException missing = assertThrows(IllegalStateException.class,
        () -> BlasLibrary.choose(Map.of(), "mkl", null, false));
    assertTrue(missing.getMessage().startsWith("-Dexprbert.blas=mkl asks for MKL, but its libraries are not on the"
        + " class path: add org.bytedeco:mkl"), missing.getMessage());
    assertTrue(missing.getMessage().endsWith("or set -Dexprbert.blas=openblas"), missing.getMessage());
  }
}
