package dev.exprbert.data.spans;

import static dev.exprbert.data.spans.SpanTestFiles.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.data.InputFormatException;
import dev.exprbert.data.LabeledSentence;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Misaligned, overlapping and repeated spans, Unicode offsets, and the label schemes. */
class SpanAlignmentTest {
  @TempDir Path dir;
  private final SpanTestFiles files = new SpanTestFiles();
  /* The first OpeNER dev sentence starts "very warm welcome at the reception , very friendly". */
  private static final String TEXT = "very warm welcome at the reception , very friendly";

  private Path doc(String spans) {
    return write(dir.resolve("f.jsonl"), "{\"text\": \"" + TEXT + "\", \"spans\": [" + spans + "]}\n");
  }

  private static String span(int start, int end, String label) {
    return "{\"start\": " + start + ", \"end\": " + end + ", \"label\": \"" + label + "\"}";
  }

  private List<String> tags(Path file, SpanOptions options) {
    List<LabeledSentence> read = files.read(file, options);
    assertEquals(1, read.size());
    return read.get(0).tags().subList(0, 4);
  }

  @Test
  void misalignedSpansAreSnappedAndReported() {
    Path file = doc(span(1, 9, "EXPR") + ", " + span(10, 18, "TARGET") + ", " + span(9, 10, "X"));
    assertEquals(List.of("B-EXPR", "I-EXPR", "B-TARGET", "O"), tags(file, files.options()));
    String f = file.toString();
    assertEquals(List.of(
        f + ":1: span spans[0] [1, 9) \"ery warm\" (EXPR) does not align with word boundaries: snapped to"
            + " [0, 9) \"very warm\"",
        f + ":1: span spans[2] [9, 10) \" \" (X) covers no word (only spaces or control characters): dropped"),
        files.issueLines());
    // "welcome " with its trailing space is aligned once trimmed, and not reported one by one
    assertEquals(1, files.report.trimmed());
    assertEquals(f + ": 1 document, 3 spans: 1 on word boundaries (1 after trimming surrounding spaces),"
        + " 1 snapped, 1 dropped (1 covering no word)", files.report.summary());
  }

  @Test
  void dropAndErrorPolicies() {
    Path file = doc(span(1, 9, "EXPR") + ", " + span(10, 17, "TARGET"));
    assertEquals(List.of("O", "O", "B-TARGET", "O"),
        tags(file, SpanOptions.DEFAULTS.withOnMisaligned(MisalignedPolicy.DROP)));
    assertTrue(files.issueLines().get(0).endsWith("(EXPR) does not align with word boundaries (the words it"
        + " touches are \"very warm\"): dropped"), files.issueLines().toString());
    InputFormatException e = assertThrows(InputFormatException.class,
        () -> files.read(file, SpanOptions.DEFAULTS.withOnMisaligned(MisalignedPolicy.ERROR)));
    assertEquals(file + ":1: expected span ends on word boundaries (--on_misaligned snap or drop to go on),"
        + " found span spans[0] [1, 9) \"ery warm\" (EXPR): the words it touches are \"very warm\"", e.getMessage());
  }

  @Test
  void overlapsAreAnErrorUnlessTheLongestIsKept() {
    Path file = doc(span(0, 9, "EXPR") + ", " + span(5, 17, "TARGET") + ", " + span(0, 9, "EXPR"));
    InputFormatException e = assertThrows(InputFormatException.class, () -> files.read(file));
    assertEquals(file + ":1: expected spans that share no word (BIO tags cannot nest; --overlaps keep_longest"
        + " keeps the longest), found span spans[1] [5, 17) \"warm welcome\" (TARGET) overlaps span spans[0]"
        + " [0, 9) \"very warm\" (EXPR)", e.getMessage());
    files.issues.clear();
    assertEquals(List.of("O", "B-TARGET", "I-TARGET", "O"),
        tags(file, SpanOptions.DEFAULTS.withOverlaps(OverlapPolicy.KEEP_LONGEST)));
    assertEquals(List.of(file + ":1: span spans[0] [0, 9) \"very warm\" (EXPR) overlaps the longer span"
        + " spans[1] [5, 17) \"warm welcome\" (TARGET): dropped (--overlaps keep_longest)"), files.issueLines());
    assertEquals(1, files.report.duplicates()); // the repeated [0, 9) EXPR
  }

  @Test
  void labelSchemes() {
    Path file = doc(span(0, 9, "EXPR") + ", " + span(10, 17, "TARGET") + ", " + span(42, 50, "EXPR"));
    List<LabeledSentence> iobes = files.read(file, SpanOptions.DEFAULTS.withLabelScheme(LabelScheme.IOBES));
    assertEquals(List.of("B-EXPR", "E-EXPR", "S-TARGET", "O", "O", "O", "O", "O", "S-EXPR"), iobes.get(0).tags());
    List<LabeledSentence> bilou = files.read(file, SpanOptions.DEFAULTS.withLabelScheme(LabelScheme.BILOU));
    assertEquals(List.of("B-EXPR", "L-EXPR", "U-TARGET", "O", "O", "O", "O", "O", "U-EXPR"), bilou.get(0).tags());
    assertEquals(LabelScheme.decode(iobes.get(0).tags()), LabelScheme.decode(bilou.get(0).tags()));
  }

  /*
   * "😀 Hôtel 東京 was cafe\u0301 good": code points  😀 0-1, Hôtel 2-7, 東京 8-10, cafe+U+0301 15-20;
   * UTF-16 units after the emoji are one more: Hôtel 3-8, cafe+U+0301 16-21.
   */
  private static final String UNICODE = "😀 Hôtel 東京 was cafe\u0301 good";
  private static final List<String> UNICODE_TAGS = List.of("O", "B-LOC", "B-LOC", "O", "B-FOOD", "O");

  @Test
  void offsetUnitsPerFormat() {
    String text = SpanTestFiles.q(UNICODE);
    Path spacy = write(dir.resolve("spacy.jsonl"), "{\"text\": " + text + ", \"spans\": [" + span(2, 7, "LOC")
        + ", " + span(8, 10, "LOC") + ", " + span(15, 20, "FOOD") + "]}\n");
    assertEquals(UNICODE_TAGS, files.read(spacy).get(0).tags());
    Path doccano = write(dir.resolve("doccano.jsonl"),
        "{\"text\": " + text + ", \"label\": [[3, 8, \"LOC\"], [9, 11, \"LOC\"], [16, 21, \"FOOD\"]]}\n");
    assertEquals(UNICODE_TAGS, files.read(doccano).get(0).tags());
    // the same doccano file read as code points is off by one after the emoji
    files.issues.clear();
    files.read(doccano, SpanOptions.DEFAULTS.withOffsetUnit(OffsetUnit.CODE_POINTS));
    assertEquals(3, files.report.snapped());
    assertEquals(List.of(), new SpanTestFiles().issueLines());
  }

  /* A span's own text reveals offsets counted in the other unit; they are read that way, noted. */
  @Test
  void spanTextRevealsTheUnit() {
    Path file = write(dir.resolve("mixed.jsonl"), "{\"text\": " + SpanTestFiles.q(UNICODE)
        + ", \"spans\": [{\"start\": 3, \"end\": 8, \"label\": \"LOC\", \"text\": \"Hôtel\"}]}\n");
    assertEquals(List.of("O", "B-LOC", "O", "O", "O", "O"), files.read(file).get(0).tags());
    assertEquals(List.of(file + ":1: span spans[0] [3, 8) \"Hôtel\" (LOC): its offsets count UTF-16 code units"
        + " (only that reading gives its text \"Hôtel\"); read that way"), files.issueLines());
  }
}
