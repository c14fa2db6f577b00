package dev.exprbert.data;

import static dev.exprbert.data.TestFiles.readAll;
import static dev.exprbert.data.TestFiles.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlainTextReaderTest {
  private static final ReaderOptions TEXT =
      ReaderOptions.builder().format(DatasetFormat.TEXT).build();

  @TempDir Path dir;

  @Test
  void eachLineIsASentenceOfSpaceSeparatedWords() {
    Path file = write(dir, "input.txt", "The room was  great .\r\n\n  Staff rude !\n");
    List<LabeledSentence> sentences = readAll(file, TEXT);
    assertEquals(2, sentences.size());
    assertEquals(List.of("The", "room", "was", "great", "."), sentences.get(0).words());
    assertFalse(sentences.get(0).hasTags());
    assertEquals(List.of("Staff", "rude", "!"), sentences.get(1).words());
    assertEquals(3, sentences.get(1).line());
  }

  @Test
  void blankInputHasNoSentences() {
    Path file = write(dir, "input.txt", " \n");
    assertEquals(1, assertThrows(InputFormatException.class, () -> readAll(file, TEXT)).line());
  }
}
