package dev.exprbert.data.spans;

import static dev.exprbert.data.spans.SpanTestFiles.q;
import static dev.exprbert.data.spans.SpanTestFiles.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.data.DatasetFormat;
import dev.exprbert.data.LabeledSentence;
import dev.exprbert.data.ReaderOptions;
import dev.exprbert.data.SentenceReaders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each reader on files in the shapes the tools export, made from OpeNER sentences: reading them
 * must give back the CoNLL words and tags exactly, with nothing reported.
 */
class SpanReadersTest {
  @TempDir Path dir;
  private final SpanTestFiles files = new SpanTestFiles();
  private final List<LabeledSentence> gold = OpenerSample.sentences(40);

  private void assertSameAsConll(List<LabeledSentence> read) {
    assertEquals(gold.size(), read.size());
    for (int i = 0; i < gold.size(); i++) {
      assertEquals(gold.get(i).words(), read.get(i).words(), "sentence " + i);
      assertEquals(gold.get(i).tags(), read.get(i).tags(), "sentence " + i);
    }
    assertEquals(List.of(), files.issueLines());
    assertEquals(files.report.spans(), files.report.aligned());
  }

  private static String spanArray(SpanRecord record, String shape) {
    List<String> parts = new ArrayList<>();
    for (CharSpan s : record.spans()) {
      parts.add(switch (shape) {
        case "doccano-label" -> "[" + s.start() + ", " + s.end() + ", " + q(s.label()) + "]";
        case "doccano-entities" -> "{\"id\": 7, \"label\": " + q(s.label()) + ", \"start_offset\": " + s.start()
            + ", \"end_offset\": " + s.end() + "}";
        default -> "{\"start\": " + s.start() + ", \"end\": " + s.end() + ", \"label\": " + q(s.label())
            + ", \"token_start\": 0}";
      });
    }
    return "[" + String.join(", ", parts) + "]";
  }

  @Test
  void doccanoLabelTriples() {
    StringBuilder out = new StringBuilder();
    for (LabeledSentence s : gold) {
      SpanRecord r = OpenerSample.record(s);
      out.append("{\"id\": 1, \"text\": ").append(q(r.text())).append(", \"label\": ")
          .append(spanArray(r, "doccano-label")).append(", \"Comments\": []}\n");
    }
    Path file = write(dir.resolve("doccano.jsonl"), out.toString());
    assertEquals(DatasetFormat.SPANS, SentenceReaders.format(file, ReaderOptions.DEFAULTS));
    assertSameAsConll(files.read(file));
  }

  @Test
  void doccanoEntitiesWithRelations() {
    StringBuilder out = new StringBuilder();
    for (LabeledSentence s : gold) {
      SpanRecord r = OpenerSample.record(s);
      out.append("{\"text\": ").append(q(r.text())).append(", \"entities\": ")
          .append(spanArray(r, "doccano-entities")).append(", \"relations\": []}\n");
    }
    assertSameAsConll(files.read(write(dir.resolve("doccano-rel.jsonl"), out.toString())));
  }

  @Test
  void spacyStyleSpansAndEnts() {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < gold.size(); i++) {
      SpanRecord r = OpenerSample.record(gold.get(i));
      out.append("{\"text\": ").append(q(r.text())).append(i % 2 == 0 ? ", \"spans\": " : ", \"ents\": ")
          .append(spanArray(r, "spacy")).append("}\n");
    }
    assertSameAsConll(files.read(write(dir.resolve("spacy.jsonl"), out.toString())));
  }

  /* The writer's own output (span text included and checked) reads back unchanged. */
  @Test
  void spanRecordsReadBack() {
    StringBuilder out = new StringBuilder();
    for (LabeledSentence s : gold) {
      out.append(OpenerSample.record(s).toJson()).append('\n');
    }
    assertSameAsConll(files.read(write(dir.resolve("records.jsonl"), out.toString())));
  }

  private String labelStudioTask(SpanRecord r, int id, boolean cancelledFirst) {
    List<String> results = new ArrayList<>();
    for (CharSpan s : r.spans()) {
      String text = r.text().substring(r.text().offsetByCodePoints(0, s.start()), r.text().offsetByCodePoints(0, s.end()));
      results.add("{\"value\": {\"start\": " + s.start() + ", \"end\": " + s.end() + ", \"text\": " + q(text)
          + ", \"labels\": [" + q(s.label()) + "]}, \"id\": \"r" + results.size() + "\", \"from_name\": \"label\","
          + " \"to_name\": \"text\", \"type\": \"labels\", \"origin\": \"manual\"}");
    }
    String annotation = "{\"id\": " + id + ", \"result\": [" + String.join(",\n", results) + "], \"was_cancelled\": false}";
    String cancelled = "{\"id\": 99, \"result\": [], \"was_cancelled\": true}";
    return "{\n  \"id\": " + id + ",\n  \"annotations\": [" + (cancelledFirst ? cancelled + ", " : "") + annotation
        + "],\n  \"data\": {\"text\": " + q(r.text()) + "},\n  \"predictions\": []\n}";
  }

  @Test
  void labelStudioJsonExport() {
    List<String> tasks = new ArrayList<>();
    for (int i = 0; i < gold.size(); i++) {
      tasks.add(labelStudioTask(OpenerSample.record(gold.get(i)), i + 1, i % 3 == 0));
    }
    // an unannotated task (download_all_tasks) is skipped and counted
    tasks.add("{\"id\": 1000, \"annotations\": [], \"data\": {\"text\": \"not labelled yet\"}}");
    Path file = write(dir.resolve("project-1.json"), "[" + String.join(",\n", tasks) + "]\n");
    assertEquals(DatasetFormat.LABEL_STUDIO, SentenceReaders.format(file, ReaderOptions.DEFAULTS));
    assertSameAsConll(files.read(file));
    assertTrue(files.report.summary().contains("1 of 41 tasks skipped"), files.report.summary());
  }

  @Test
  void labelStudioJsonMinExport() {
    List<String> tasks = new ArrayList<>();
    for (LabeledSentence s : gold) {
      SpanRecord r = OpenerSample.record(s);
      List<String> regions = new ArrayList<>();
      for (CharSpan span : r.spans()) {
        regions.add("{\"start\": " + span.start() + ", \"end\": " + span.end() + ", \"labels\": [" + q(span.label()) + "]}");
      }
      tasks.add("{\"text\": " + q(r.text()) + ", \"id\": 3, \"label\": [" + String.join(", ", regions)
          + "], \"annotator\": 1, \"lead_time\": 4.2}");
    }
    assertSameAsConll(files.read(write(dir.resolve("min.json"), "[" + String.join(",\n", tasks) + "]")));
  }

  @Test
  void bratFolder() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("brat"));
    for (int i = 0; i < gold.size(); i++) {
      SpanRecord r = OpenerSample.record(gold.get(i));
      StringBuilder ann = new StringBuilder();
      int t = 1;
      for (CharSpan s : r.spans()) {
        String text = r.text().substring(s.start(), s.end()); // OpeNER English has no astral characters
        ann.append('T').append(t++).append('\t').append(s.label()).append(' ').append(s.start()).append(' ')
            .append(s.end()).append('\t').append(text).append('\n');
        ann.append("A").append(t).append("\tNegation T").append(t - 1).append('\n');
      }
      String name = String.format("doc-%03d", i);
      write(folder.resolve(name + ".txt"), r.text());
      write(folder.resolve(name + ".ann"), ann.toString());
    }
    assertSameAsConll(files.read(folder));
    assertTrue(files.report.summary().contains("lines skipped"), files.report.summary());
  }
}
