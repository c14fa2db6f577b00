package dev.exprbert.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerJsonVocabularyTest {
  @TempDir Path dir;

  @Test
  void wordPieceVocabAndAddedTokensGiveHighestIdPlusOne() throws IOException {
    Path file = Files.writeString(dir.resolve("tokenizer.json"), "{\"added_tokens\": [{\"id\": 0, \"content\": \"[PAD]\"},"
        + " {\"id\": 5, \"content\": \"<ent>\"}], \"model\": {\"type\": \"WordPiece\", \"vocab\": {\"[PAD]\": 0, \"a\": 1, \"b\": 2}}}");
    assertEquals(6, TokenizerJsonVocabulary.size(file), "the added token with id 5 needs row 5");
  }

  @Test
  void unigramVocabIsAListIndexedById() throws IOException {
    Path file = Files.writeString(dir.resolve("tokenizer.json"),
        "{\"model\": {\"type\": \"Unigram\", \"vocab\": [[\"<pad>\", 0.0], [\"a\", -1.5], [\"b\", -2.0], [\"c\", -2.5]]}}");
    assertEquals(4, TokenizerJsonVocabulary.size(file));
  }

  @Test
  void filesThatAreNotTokenizersAreRefused() throws IOException {
    Path notJson = Files.writeString(dir.resolve("vocab.txt"), "[PAD]\n[UNK]\n");
    IllegalArgumentException e1 = assertThrows(IllegalArgumentException.class, () -> TokenizerJsonVocabulary.size(notJson));
    assertTrue(e1.getMessage().contains(notJson.toString()) && e1.getMessage().contains("JSON object"), e1.getMessage());
    Path config = Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"bert\"}");
    IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> TokenizerJsonVocabulary.size(config));
    assertTrue(e2.getMessage().contains(config.toString()) && e2.getMessage().contains("no model.vocab"), e2.getMessage());
  }
}
