package dev.exprbert.data;

import static dev.exprbert.data.TestFiles.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SentenceReadersTest {
  @TempDir Path dir;

  @Test
  void extensionsChooseTheFormat() {
    for (String name : new String[] {"a.conll", "a.txt", "a.BIO", "a.iob", "a.tsv"}) {
      assertEquals(DatasetFormat.CONLL, DatasetFormat.fromPath(Path.of(name)), name);
    }
    assertEquals(DatasetFormat.JSONL, DatasetFormat.fromPath(Path.of("dir/a.jsonl")));
    assertEquals(DatasetFormat.JSONL, DatasetFormat.fromPath(Path.of("a.json")));
  }

  @Test
  void unknownExtensionNamesTheFileAndTheKnownOnes() {
    IllegalArgumentException e = assertThrows(
        IllegalArgumentException.class, () -> DatasetFormat.fromPath(Path.of("data/train.csv")));
    assertTrue(e.getMessage().contains("data/train.csv"), e.getMessage());
    assertTrue(e.getMessage().contains("\".csv\""), e.getMessage());
    assertTrue(e.getMessage().contains(".conll"), e.getMessage());
  }

  @Test
  void formatNames() {
    assertEquals(DatasetFormat.CONLL, DatasetFormat.fromName("CoNLL"));
    assertEquals(DatasetFormat.JSONL, DatasetFormat.fromName("json"));
    assertEquals(DatasetFormat.TEXT, DatasetFormat.fromName("text"));
    assertThrows(IllegalArgumentException.class, () -> DatasetFormat.fromName("xml"));
    assertEquals(ColumnSeparator.TAB, ColumnSeparator.fromName("tab"));
    assertThrows(IllegalArgumentException.class, () -> ColumnSeparator.fromName("comma"));
  }

  @Test
  void openPicksTheReaderByExtensionUnlessAFormatIsGiven() {
    Path jsonl = write(dir, "a.jsonl", "{\"tokens\": [\"a\"], \"ner_tags\": [\"O\"]}\n");
    try (SentenceReader reader = SentenceReaders.open(jsonl)) {
      assertInstanceOf(JsonlReader.class, reader);
      assertEquals("a", reader.next().words().get(0));
    }
    Path text = write(dir, "b.txt", "plain words here\n");
    try (SentenceReader reader = SentenceReaders.open(text)) {
      assertInstanceOf(ConllReader.class, reader);
    }
    ReaderOptions asText = ReaderOptions.builder().format(DatasetFormat.TEXT).build();
    try (SentenceReader reader = SentenceReaders.open(text, asText)) {
      assertEquals(3, reader.next().size());
    }
  }

  @Test
  void missingFileIsAnArgumentError() {
    Path absent = dir.resolve("absent.conll");
    IllegalArgumentException e = assertThrows(
        IllegalArgumentException.class, () -> SentenceReaders.open(absent));
    assertTrue(e.getMessage().contains(absent.toString()), e.getMessage());
  }

  @Test
  void streamsAreNamedBySource() {
    var in = new ByteArrayInputStream("a\tO\n\nb\n".getBytes(StandardCharsets.UTF_8));
    try (SentenceReader reader =
        SentenceReaders.open(in, "<stdin>", DatasetFormat.CONLL, ReaderOptions.DEFAULTS)) {
      assertEquals("<stdin>", reader.next().source());
      InputFormatException e = assertThrows(InputFormatException.class, reader::next);
      assertTrue(e.getMessage().startsWith("<stdin>:3: "), e.getMessage());
    }
  }

  @Test
  void readAllKeepsFileOrder() {
    Path file = write(dir, "a.conll", "a\tO\n\nb\tO\n\nc\tO\n");
    var sentences = SentenceReaders.readAll(file, ReaderOptions.DEFAULTS);
    assertEquals(3, sentences.size());
    assertEquals("c", sentences.get(2).words().get(0));
  }
}
