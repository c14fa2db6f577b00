package dev.exprbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.exprbert.data.DatasetFormat;
import dev.exprbert.data.spans.AlignedDocument;
import dev.exprbert.data.spans.AlignedDocuments;
import dev.exprbert.data.spans.CharRange;
import dev.exprbert.data.spans.SpanDocumentReaders;
import dev.exprbert.data.spans.SpanOptions;
import dev.exprbert.data.spans.SpanRecords;
import dev.exprbert.testing.TinyModelDirectory;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictCommandTest {
  @TempDir Path tmp;
  private Path model;

  private record Run(int code, String out, String err) {}

  @BeforeEach
  void createModel() throws Exception {
    model = TinyModelDirectory.create(tmp.resolve("m"));
  }

  private Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of("predict", "--model", model.toString()));
    all.addAll(List.of(args));
    int code = ExprbertCommand.execute(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  private static List<JsonObject> jsonLines(String out) {
    return out.lines().map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
  }

  private static List<String> strings(JsonArray a) {
    List<String> out = new ArrayList<>();
    for (JsonElement e : a) {
      out.add(e.getAsString());
    }
    return out;
  }

  @Test
  void rawTextToJsonlGivesWordsOffsetsTagsAndSpans() throws Exception {
    Path in = tmp.resolve("reviews.txt");
    Files.writeString(in, "\uFEFFWe met on Monday, the hotel was very nice.\r\n\r\nI loved it!\n");
    Run r = run("--input", in.toString(), "--input-format", "text", "--output-format", "jsonl", "--aggregation", "simple");
    assertEquals(0, r.code(), r.err());
    List<JsonObject> lines = jsonLines(r.out());
    assertEquals(2, lines.size(), r.out());
    JsonObject first = lines.get(0);
    String text = first.get("text").getAsString();
    assertEquals("We met on Monday, the hotel was very nice.", text);
    List<String> words = strings(first.getAsJsonArray("words"));
    assertEquals(List.of("We", "met", "on", "Monday", ",", "the", "hotel", "was", "very", "nice", "."), words);
    JsonArray offsets = first.getAsJsonArray("offsets");
    for (int w = 0; w < words.size(); w++) {
      JsonArray at = offsets.get(w).getAsJsonArray();
      assertEquals(words.get(w), text.substring(at.get(0).getAsInt(), at.get(1).getAsInt()));
    }
    assertEquals(words.size(), first.getAsJsonArray("tags").size());
    int spans = 0;
    for (JsonObject line : lines) {
      for (JsonElement e : line.getAsJsonArray("spans")) {
        JsonObject span = e.getAsJsonObject();
        String lineText = line.get("text").getAsString();
        assertEquals(span.get("text").getAsString(),
            lineText.substring(span.get("start").getAsInt(), span.get("end").getAsInt()));
        assertTrue(span.get("score").getAsDouble() > 0 && span.get("score").getAsDouble() <= 1);
        assertTrue(span.get("start_word").getAsInt() < span.get("end_word").getAsInt());
        assertTrue(List.of("EXPR", "TIME").contains(span.get("type").getAsString()), span.toString());
        spans++;
      }
    }
    assertTrue(spans > 0, "the fixture model tags some words: " + r.out());
  }

  /**
   * {@code --output-format spans} writes span JSON Lines that load back: the span reader re-splits each text into
   * words, finds every span on word boundaries (no misalignment reported), and writes the same record again. The
   * entities are the jsonl output's word tags. Offsets count code points (the emoji and the accented letters).
   */
  @Test
  void spansOutputLoadsBackIntoTheSpanReader() throws Exception {
    Path in = tmp.resolve("reviews.txt");
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 12; i++) {
      text.append("Café 😀 we met on monday, the hotel was very nice and staff friendly ").append(i).append(" times.\n");
    }
    Files.writeString(in, text);
    Run spans = run("--input", in.toString(), "--input-format", "text", "--output-format", "spans");
    assertEquals(0, spans.code(), spans.err());
    Run jsonl = run("--input", in.toString(), "--input-format", "text", "--output-format", "jsonl");
    List<String> written = spans.out().lines().toList();
    List<JsonObject> tagged = jsonLines(jsonl.out());
    assertEquals(12, written.size());
    Path file = Files.write(tmp.resolve("predicted.jsonl"), written);
    List<String> issues = new ArrayList<>();
    SpanOptions options = SpanOptions.DEFAULTS.withIssues(issue -> issues.add(issue.toString()));
    int entities = 0;
    try (AlignedDocuments documents = new AlignedDocuments(
        SpanDocumentReaders.open(file, DatasetFormat.SPANS, options, true), options)) {
      for (int i = 0; documents.hasNext(); i++) {
        AlignedDocument document = documents.next();
        assertEquals(written.get(i), SpanRecords.fromAligned(document).toJson(), "record " + i + " round trip");
        JsonObject expected = tagged.get(i);
        assertEquals(expected.get("text").getAsString(), document.text());
        List<String> tags = strings(expected.getAsJsonArray("tags"));
        JsonArray offsets = expected.getAsJsonArray("offsets");
        List<CharRange> words = new ArrayList<>();
        for (JsonElement at : offsets) {
          words.add(new CharRange(at.getAsJsonArray().get(0).getAsInt(), at.getAsJsonArray().get(1).getAsInt()));
        }
        assertEquals(SpanRecords.fromText(document.text(), words, tags).toJson(), written.get(i),
            "the spans are the word tags' entities");
        entities += JsonParser.parseString(written.get(i)).getAsJsonObject().getAsJsonArray("spans").size();
      }
    }
    assertEquals(List.of(), issues, "every predicted span is on word boundaries of the span reader");
    assertTrue(entities > 0, "the fixture model tags some words: " + spans.out());
    assertTrue(spans.out().contains("\"text\":\"Café 😀 we met"), spans.out());
    IllegalArgumentException unprefixed = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> PredictionWriter.SPANS.checkLabels(List.of("O", "LABEL_1")));
    assertTrue(unprefixed.getMessage().contains("the model has \"LABEL_1\""), unprefixed.getMessage());
  }

  @Test
  void conllDatasetInputPrintsItsWordsWithPredictedTags() throws Exception {
    Path in = tmp.resolve("dev.conll");
    Files.writeString(in, "-DOCSTART- O\n\nwe O\nmet O\non O\nmonday B-TIME\n\ni O\nloved B-EXPR\nit O\n");
    Run r = run("--input", in.toString(), "--input-format", "conll");
    assertEquals(0, r.code(), r.err());
    String[] blocks = r.out().strip().split("\\R\\R");
    assertEquals(2, blocks.length, r.out());
    List<String> words = new ArrayList<>();
    for (String line : blocks[0].split("\\R")) {
      assertTrue(line.matches("\\S+\t(O|[BI]-(EXPR|TIME))"), line);
      words.add(line.split("\t")[0]);
    }
    assertEquals(List.of("we", "met", "on", "monday"), words);
  }

  @Test
  void jsonlDatasetInputAndEveryAggregationRun() throws Exception {
    Path in = tmp.resolve("dev.jsonl");
    Files.writeString(in, "{\"tokens\": [\"the\", \"room\", \"was\", \"clean\"], \"ner_tags\": [\"O\", \"O\", \"O\", \"B-EXPR\"]}\n"
        + "{\"words\": [\"last\", \"night\"]}\n");
    for (String aggregation : List.of("none", "simple", "first", "average", "max")) {
      Run r = run("--input", in.toString(), "--input-format", "jsonl", "--output-format", "jsonl",
          "--aggregation", aggregation, "--batch-size", "1");
      assertEquals(0, r.code(), aggregation + ": " + r.err());
      List<JsonObject> lines = jsonLines(r.out());
      assertEquals("the room was clean", lines.get(0).get("text").getAsString());
      assertEquals("last night", lines.get(1).get("text").getAsString());
    }
  }

  @Test
  void standardInputAndLongSentencesWork() throws Exception {
    StringBuilder longLine = new StringBuilder();
    for (int i = 0; i < 120; i++) {
      longLine.append(TinyModelDirectory.WORDS.get(i % TinyModelDirectory.WORDS.size())).append(' ');
    }
    InputStream saved = System.in;
    try {
      System.setIn(new ByteArrayInputStream((longLine + "\nI loved it\n").getBytes(StandardCharsets.UTF_8)));
      Run r = run("--max-seq-length", "16", "--stride", "4");
      assertEquals(0, r.code(), r.err());
      String[] blocks = r.out().strip().split("\\R\\R");
      assertEquals(120, blocks[0].split("\\R").length, "one tag per word of a sentence far over 16 sub-tokens");
      assertEquals(3, blocks[1].split("\\R").length);
    } finally {
      System.setIn(saved);
    }
  }

  @Test
  void badOptionsAreUsageErrorsAndBadInputFailsWithOneLine() throws Exception {
    Path in = tmp.resolve("in.txt");
    Files.writeString(in, "we met\n");
    Run agg = run("--input", in.toString(), "--aggregation", "mean");
    assertEquals(2, agg.code(), agg.err());
    assertTrue(agg.err().contains("none, simple, first, average or max"), agg.err());
    assertEquals(2, run("--input", in.toString(), "--output-format", "xml").code());
    assertEquals(2, run("--input", in.toString(), "--input-format", "csv").code());

    Path bad = tmp.resolve("bad.txt");
    Files.write(bad, new byte[] {'o', 'k', '\n', 'a', (byte) 0xC3, '(', '\n'});
    Run utf8 = run("--input", bad.toString(), "--input-format", "text");
    assertEquals(1, utf8.code());
    assertTrue(utf8.err().contains("bad.txt:2") && utf8.err().contains("invalid UTF-8"), utf8.err());
    assertEquals(1, utf8.err().strip().split("\\R").length, utf8.err());

    Path empty = Files.writeString(tmp.resolve("empty.txt"), "");
    Run none = run("--input", empty.toString(), "--input-format", "text");
    assertEquals(1, none.code());
    assertTrue(none.err().contains("empty.txt"), none.err());

    Run missing = run("--input", tmp.resolve("nope.txt").toString());
    assertEquals(1, missing.code());
    assertTrue(missing.err().contains("nope.txt"), missing.err());
  }
}
