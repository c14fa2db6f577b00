package dev.exprbert.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.io.ModelTokenizer;
import dev.exprbert.io.TokenizerLoader;
import dev.exprbert.testing.TestTokenizers;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one window rule shared by training, evaluation, predict and the Tagger: run_ner's limit (positions and the
 * tokenizer's model_max_length), the default stride, and the stride cap.
 */
class WindowTest {
  @TempDir
  Path tmp;

  @Test
  void theDefaultIsTheSmallerOfThePositionsAndTheTokenizerLimit() throws Exception {
    try (ModelTokenizer limited = TokenizerLoader.load(TestTokenizers.miniLmVocabOnly(tmp, "{\"model_max_length\": 64}"))) {
      assertEquals(new Window(64, Window.DEFAULT_STRIDE), Window.resolve(null, null, 512, limited));
      assertEquals(new Window(40, Window.DEFAULT_STRIDE), Window.resolve(null, null, 40, limited));
      // an explicit window may go beyond the tokenizer's model_max_length, never beyond the positions
      assertEquals(128, Window.resolve(128, null, 512, limited).maxSeqLength());
      IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class, () -> Window.resolve(600, null, 512, limited));
      assertEquals("max_seq_length 600 exceeds the model's max_position_embeddings limit of 512 tokens", tooLong.getMessage());
    }
  }

  @Test
  void withoutATokenizerLimitThePositionsDecide() throws Exception {
    try (ModelTokenizer unlimited = TokenizerLoader.load(TestTokenizers.miniLmVocabOnly(tmp, null))) {
      assertEquals(new Window(512, 32), Window.resolve(null, null, 512, unlimited));
    }
  }

  @Test
  void theStrideDefaultsTo32AndIsCappedBelowTheTextBudget() throws Exception {
    try (ModelTokenizer tokenizer = TokenizerLoader.load(TestTokenizers.miniLmVocabOnly(tmp, null))) {
      assertEquals(2, tokenizer.specialTokenCount());
      assertEquals(new Window(16, 13), Window.resolve(16, null, 512, tokenizer), "budget 14: at most 13 of overlap");
      assertEquals(new Window(16, 4), Window.resolve(16, 4, 512, tokenizer));
      assertEquals(new Window(3, 0), Window.resolve(3, 8, 512, tokenizer), "one sub-token of text: no overlap");
      assertTrue(assertThrows(IllegalArgumentException.class, () -> Window.resolve(16, -1, 512, tokenizer)).getMessage()
          .contains("stride must be >= 0"));
      assertTrue(assertThrows(IllegalArgumentException.class, () -> Window.resolve(2, null, 512, tokenizer)).getMessage()
          .contains("leaves no room for text"));
    }
  }
}
