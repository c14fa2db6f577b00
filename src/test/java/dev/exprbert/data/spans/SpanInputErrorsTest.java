package dev.exprbert.data.spans;

import static dev.exprbert.data.spans.SpanTestFiles.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.data.DatasetFormat;
import dev.exprbert.data.InputFormatException;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.data.ReaderOptions;
import dev.exprbert.data.SentenceReaders;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input: one-line errors naming file:line and what was expected; and line-ending/BOM handling. */
class SpanInputErrorsTest {
  @TempDir Path dir;
  private final SpanTestFiles files = new SpanTestFiles();

  private String error(String name, String content) {
    Path file = write(dir.resolve(name), content);
    return assertThrows(InputFormatException.class, () -> files.read(file)).getMessage();
  }

  /** The message after "file:" for span JSON Lines named explicitly (not sniffed). */
  private String jsonlError(String lines) {
    Path file = write(dir.resolve("e.jsonl"), lines);
    ReaderOptions spans = ReaderOptions.builder().format(DatasetFormat.SPANS).build();
    InputFormatException e = assertThrows(InputFormatException.class, () -> SentenceReaders.readAll(file, spans));
    return e.getMessage().substring(file.toString().length() + 1);
  }

  @Test
  void jsonlDocumentErrors() {
    String ok = "{\"text\": \"Nice room\", \"spans\": []}\n";
    assertEquals("2: expected a document with at least one word, found an empty text",
        jsonlError(ok + "{\"text\": \"\", \"spans\": []}\n"));
    assertEquals("1: expected a document with at least one word, found a text of only spaces or control characters",
        jsonlError("{\"text\": \" \\t\\r\\n\", \"spans\": []}\n"));
    assertEquals("1: expected offsets within the text (9 code points), found spans[0] [5, 12), which ends beyond"
        + " the text", jsonlError("{\"text\": \"Nice room\", \"spans\": [{\"start\": 5, \"end\": 12, \"label\": \"X\"}]}"));
    assertEquals("1: expected a span with end > start (a zero-length span marks no text), found label[0] [5, 5)",
        jsonlError("{\"text\": \"Nice room\", \"label\": [[5, 5, \"X\"]]}"));
    assertEquals("1: expected offsets >= 0, found entities[0] [-1, 4)", jsonlError(
        "{\"text\": \"Nice room\", \"entities\": [{\"start_offset\": -1, \"end_offset\": 4, \"label\": \"X\"}]}"));
    assertEquals("1: expected a span list in one of [spans, entities, label, labels, ents] (an empty list for a"
        + " document without entities), found fields [text, annotations]",
        jsonlError("{\"text\": \"Nice room\", \"annotations\": []}"));
    assertEquals("1: expected keys \"start\" (or \"start_offset\"), \"end\" (or \"end_offset\") and \"label\" in"
        + " spans[0], found keys [start, end, tag]",
        jsonlError("{\"text\": \"Nice room\", \"spans\": [{\"start\": 0, \"end\": 4, \"tag\": \"X\"}]}"));
    assertEquals("1: expected [start, end, \"LABEL\"] at label[0], found an array of 2 elements",
        jsonlError("{\"text\": \"Nice room\", \"label\": [[0, 4]]}"));
    assertEquals("1: expected a span at label[0]: {\"start\", \"end\", \"label\"} or [start, end, \"LABEL\"], found"
        + " the string \"positive\"", jsonlError("{\"text\": \"Nice room\", \"label\": [\"positive\"]}"));
    assertEquals("1: expected a string field \"text\" holding the document text, found fields [tokens_x]",
        jsonlError("{\"tokens_x\": []}"));
    assertTrue(jsonlError(ok + "{\"text\": \"x\", spans: []}\n").startsWith("2: expected one JSON object per line,"
        + " found malformed JSON"));
  }

  /* A BOM and CRLF line ends around the records change nothing (offsets are inside the strings). */
  @Test
  void bomAndCrlfJsonl() {
    Path file = write(dir.resolve("crlf.jsonl"), "\uFEFF{\"text\": \"Nice room\", \"spans\": [[5, 9, \"T\"]]}\r\n"
        .replace("[[5, 9, \"T\"]]", "[{\"start\": 5, \"end\": 9, \"label\": \"T\"}]")
        + "\r\n{\"text\": \"Bad\\r\\nbed\", \"spans\": [{\"start\": 5, \"end\": 8, \"label\": \"T\"}]}\r\n");
    List<LabeledSentence> read = files.read(file);
    assertEquals(List.of(List.of("O", "B-T"), List.of("O", "B-T")), read.stream().map(LabeledSentence::tags).toList());
    assertEquals(3, read.get(1).line());
  }

  @Test
  void noDocumentAtAll() {
    assertEquals("1: expected at least one document, found none",
        jsonlError("\n\n").substring(0));
  }

  @Test
  void labelStudioErrorsNameTheTaskLine() {
    String task = "{\n  \"id\": 1,\n  \"data\": {\"text\": \"Nice room\"},\n  \"annotations\": [{\"result\": [\n"
        + "    {\"type\": \"labels\", \"value\": {\"start\": 5, \"end\": 9, \"text\": \"room\", \"labels\": [\"T\"]}}]}]\n}";
    String badTask = "{\n  \"id\": 2,\n  \"data\": {\"body\": \"Nice room\"},\n  \"annotations\": []\n}";
    String message = error("ls.json", "[\n" + task + ",\n" + badTask + "\n]\n");
    assertTrue(message.endsWith(":8: expected a string \"text\" in the task's data (--text_field names another),"
        + " found keys [body]"), message);
    assertTrue(error("ls2.json", "[\n" + task.replace("\"labels\": [\"T\"]", "\"labels\": [\"T\", \"U\"]") + "]")
        .contains(":2: expected spans that share no word"), "two labels on one region overlap");
    Path notArray = write(dir.resolve("obj.json"), "{\"text\": \"x\"}");
    InputFormatException e = assertThrows(InputFormatException.class, () -> files.read(notArray,
        SpanOptions.DEFAULTS), "sniffed as span JSONL: no span list");
    assertTrue(e.getMessage().contains("expected a span list"), e.getMessage());
    ReaderOptions ls = ReaderOptions.builder().format(DatasetFormat.LABEL_STUDIO).build();
    InputFormatException named = assertThrows(InputFormatException.class,
        () -> SentenceReaders.open(notArray, ls).hasNext());
    assertEquals(notArray + ":1: expected a JSON array of tasks (Label Studio JSON or JSON-MIN export), found a"
        + " JSON begin_object first", named.getMessage());
  }

  /* brat: offsets count every character of the .txt as stored, BOM and CR included. */
  @Test
  void bratCrlfBomAndDiscontinuousSpans() throws Exception {
    write(dir.resolve("a.txt"), "\uFEFFGood hotel\r\nvery warm and friendly staff\r\n");
    // \uFEFF=0, Good 1-5, hotel 6-11, \r\n 11-13, very 13-17, warm 18-22, and 23-26, friendly 27-35
    write(dir.resolve("a.ann"), "T1\tTARGET 6 11\thotel\r\nT2\tEXPR 13 17;27 35\tvery friendly\r\n"
        + "R1\tRel Arg1:T1 Arg2:T2\r\n#1\tAnnotatorNotes T1\tchecked\r\n");
    List<LabeledSentence> read = files.read(dir.resolve("a.ann"));
    assertEquals(List.of("Good", "hotel", "very", "warm", "and", "friendly", "staff"), read.get(0).words());
    assertEquals(List.of("O", "B-TARGET", "B-EXPR", "O", "O", "B-EXPR", "O"), read.get(0).tags());
    assertEquals(2, files.issueLines().size());
    assertTrue(files.issueLines().get(1).contains("a.ann:2: span T2 [27, 35) \"friendly\" (EXPR): fragment 2 of 2 of"
        + " a discontinuous span, tagged as an entity of its own"), files.issueLines().toString());
    // the .txt names the same pair
    assertEquals(read, new SpanTestFiles().read(dir.resolve("a.txt"), SpanOptions.DEFAULTS.withIssues(i -> { })));

    write(dir.resolve("b.txt"), "Nice room");
    write(dir.resolve("b.ann"), "T1\tT 5 9\troom\nX1\tsomething\n");
    InputFormatException bad = assertThrows(InputFormatException.class, () -> files.read(dir.resolve("b.ann")));
    assertEquals(dir.resolve("b.ann") + ":2: expected a brat annotation line starting with T, R, E, A, M, N, # or *,"
        + " found \"X1\\tsomething\"", bad.getMessage());
    write(dir.resolve("c.ann"), "T1\tT 5 9\troom\n");
    assertTrue(assertThrows(InputFormatException.class, () -> files.read(dir.resolve("c.ann"))).getMessage()
        .endsWith("c.ann:1: expected its text file c.txt beside it, found none"));
    Files.delete(dir.resolve("c.ann"));
    IllegalArgumentException stream = assertThrows(IllegalArgumentException.class, () -> SentenceReaders.open(
        new ByteArrayInputStream("x".getBytes(StandardCharsets.UTF_8)), "stdin", DatasetFormat.BRAT,
        ReaderOptions.DEFAULTS));
    assertTrue(stream.getMessage().contains("not a stream"), stream.getMessage());
  }

  /* brat's web UI counts UTF-16 units after an emoji; the text column shows it. */
  @Test
  void bratTextColumnRevealsUtf16Offsets() {
    write(dir.resolve("e.txt"), "😀 great staff");
    write(dir.resolve("e.ann"), "T1\tEXPR 3 8\tgreat\n");
    assertEquals(List.of("O", "B-EXPR", "O"), files.read(dir.resolve("e.ann")).get(0).tags());
    assertTrue(files.issueLines().get(0).contains("its offsets count UTF-16 code units"), files.issueLines().toString());
  }
}
