package dev.exprbert.data;

import static dev.exprbert.data.TestFiles.readAll;
import static dev.exprbert.data.TestFiles.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlReaderTest {
  @TempDir Path dir;

  private InputFormatException failure(String content) {
    Path file = write(dir, "train.jsonl", content);
    return assertThrows(InputFormatException.class, () -> readAll(file));
  }

  @Test
  void readsStringTagsAndSkipsBlankLines() {
    Path file = write(dir, "train.jsonl",
        "{\"id\": \"0\", \"tokens\": [\"Nice\", \"room\"], \"ner_tags\": [\"B-EXPR\", \"O\"]}\n\n  \n"
            + "{\"tokens\": [\"Bad\"], \"ner_tags\": [\"B-EXPR\"]}\n");
    List<LabeledSentence> sentences = readAll(file);
    assertEquals(2, sentences.size());
    assertEquals(List.of("Nice", "room"), sentences.get(0).words());
    assertEquals(List.of("B-EXPR", "O"), sentences.get(0).tags());
    assertEquals(1, sentences.get(0).line());
    assertEquals(4, sentences.get(1).line());
  }

  @Test
  void readsHuggingFaceWordsAndNerShape() {
    Path file = write(dir, "hf.json", "{\"words\": [\"Paris\", \"!\"], \"ner\": [\"B-LOC\", \"O\"]}\n");
    LabeledSentence sentence = readAll(file).get(0);
    assertEquals(List.of("Paris", "!"), sentence.words());
    assertEquals(List.of("B-LOC", "O"), sentence.tags());
  }

  @Test
  void intTagsIndexTheLabelList() {
    Path file = write(dir, "ids.jsonl", "{\"tokens\": [\"a\", \"b\", \"c\"], \"ner_tags\": [0, 2, 1]}\n");
    ReaderOptions options = ReaderOptions.builder().labelNames(List.of("O", "B-X", "I-X")).build();
    assertEquals(List.of("O", "I-X", "B-X"), readAll(file, options).get(0).tags());
  }

  @Test
  void intTagOutsideTheLabelListIsAnError() {
    Path file = write(dir, "ids.jsonl",
        "{\"tokens\": [\"a\"], \"ner_tags\": [0]}\n{\"tokens\": [\"a\", \"b\"], \"ner_tags\": [0, 3]}\n");
    ReaderOptions options = ReaderOptions.builder().labelNames(List.of("O", "B-X", "I-X")).build();
    InputFormatException e = assertThrows(InputFormatException.class, () -> readAll(file, options));
    assertEquals(2, e.line());
    assertEquals(
        file + ":2: expected a tag index in [0, 3) at ner_tags[1] (labels [O, B-X, I-X]), found 3",
        e.getMessage());
  }

  @Test
  void fractionalAndNegativeTagIndicesAreErrors() {
    ReaderOptions options = ReaderOptions.builder().labelNames(List.of("O", "B-X")).build();
    Path half = write(dir, "half.jsonl", "{\"tokens\": [\"a\"], \"ner_tags\": [0.5]}\n");
    assertTrue(assertThrows(InputFormatException.class, () -> readAll(half, options))
        .found().equals("0.5"));
    Path negative = write(dir, "neg.jsonl", "{\"tokens\": [\"a\"], \"ner_tags\": [-1]}\n");
    assertEquals(1, assertThrows(InputFormatException.class, () -> readAll(negative, options)).line());
  }

  @Test
  void intTagsWithoutALabelListAreAnError() {
    InputFormatException e = failure("{\"tokens\": [\"a\"], \"ner_tags\": [1]}\n");
    assertEquals(1, e.line());
    assertTrue(e.expected().contains("integer tags need the label list"), e.expected());
  }

  @Test
  void badJsonIsReportedAtItsLine() {
    InputFormatException e = failure(
        "{\"tokens\": [\"a\"], \"ner_tags\": [\"O\"]}\n\n{\"tokens\": [\"a\", \"ner_tags\": [\"O\"]}\n");
    assertEquals(3, e.line());
    assertEquals(
        dir.resolve("train.jsonl") + ":3: expected one JSON object per line, found malformed JSON "
            + "(Unterminated array at column 29 path $.tokens[2]): "
            + "\"{\\\"tokens\\\": [\\\"a\\\", \\\"ner_tags\\\": [\\\"O\\\"]}\"",
        e.getMessage());
  }

  @Test
  void lenientJsonIsRejected() {
    // Gson's default parser would accept unquoted names and single quotes.
    assertEquals(1, failure("{tokens: ['a'], ner_tags: ['O']}\n").line());
    assertEquals(1, failure("{\"tokens\": [\"a\"], \"ner_tags\": [\"O\"]} trailing\n").line());
  }

  @Test
  void prettyPrintedJsonArrayIsExplained() {
    InputFormatException e = failure("[{\"tokens\": [\"a\"], \"ner_tags\": [\"O\"]}]\n");
    assertEquals(1, e.line());
    assertTrue(e.found().contains("an array (a JSON file holding one array is not JSON Lines"),
        e.found());
  }

  @Test
  void missingTokenFieldListsTheFieldsFound() {
    InputFormatException e = failure(
        "{\"tokens\": [\"a\"], \"ner_tags\": [\"O\"]}\n{\"text\": \"a b\", \"ner_tags\": [\"O\"]}\n");
    assertEquals(2, e.line());
    assertEquals("a field \"tokens\" (or \"words\")", e.expected());
    assertEquals("fields [text, ner_tags]", e.found());
  }

  @Test
  void missingTagFieldIsAnErrorUnlessTagsAreOptional() {
    String content = "{\"tokens\": [\"a\", \"b\"]}\n";
    InputFormatException e = failure(content);
    assertEquals(1, e.line());
    assertEquals("a field \"ner_tags\" (or \"ner\")", e.expected());
    Path file = write(dir, "predict.jsonl", content);
    LabeledSentence untagged =
        readAll(file, ReaderOptions.builder().tagsRequired(false).build()).get(0);
    assertFalse(untagged.hasTags());
  }

  @Test
  void configuredFieldNamesAreUsedWithoutFallback() {
    Path file = write(dir, "custom.jsonl", "{\"toks\": [\"a\"], \"labels\": [\"O\"]}\n");
    ReaderOptions options = ReaderOptions.builder().tokensField("toks").tagsField("labels").build();
    assertEquals(List.of("O"), readAll(file, options).get(0).tags());
    Path hf = write(dir, "hf.jsonl", "{\"words\": [\"a\"], \"labels\": [\"O\"]}\n");
    InputFormatException e = assertThrows(InputFormatException.class, () -> readAll(hf, options));
    assertEquals("a field \"toks\"", e.expected());
  }

  @Test
  void lengthMismatchIsAnError() {
    InputFormatException e = failure(
        "{\"tokens\": [\"a\"], \"ner_tags\": [\"O\"]}\n{\"tokens\": [\"a\", \"b\"], \"ner_tags\": [\"O\"]}\n");
    assertEquals(2, e.line());
    assertEquals("2 tokens and 1 tags", e.found());
  }

  @Test
  void nonStringTokenAndEmptySentenceAreErrors() {
    InputFormatException notString = failure("{\"tokens\": [\"a\", 5], \"ner_tags\": [\"O\", \"O\"]}\n");
    assertEquals("a string at tokens[1]", notString.expected());
    assertEquals("the number 5", notString.found());
    InputFormatException empty = failure("{\"tokens\": [], \"ner_tags\": []}\n");
    assertEquals("an empty array", empty.found());
  }

  @Test
  void fieldThatIsNotAnArrayIsAnError() {
    InputFormatException e = failure("{\"tokens\": \"a b\", \"ner_tags\": [\"O\", \"O\"]}\n");
    assertEquals("an array in \"tokens\"", e.expected());
  }

  @Test
  void emptyJsonLinesFileHasNoSentences() {
    InputFormatException e = failure("\n\n");
    assertEquals(2, e.line());
    assertTrue(e.getMessage().contains("no sentences"), e.getMessage());
  }
}
