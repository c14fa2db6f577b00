package dev.exprbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code exprbert convert-data}: round trips on OpeNER, the misalignment report, schemes, errors. */
class ConvertDataCommandTest {
  private static final Path OPENER_DEV = Path.of("../shared/data/semeval22-opener_en/full/dev.conll");

  @TempDir Path tmp;

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  private CliRun convert(Path in, Path out, String to, String... more) {
    String[] args = new String[6 + more.length];
    System.arraycopy(new String[] {"convert-data", "--in", in.toString(), "--out", out.toString(), "--to"}, 0, args, 0, 6);
    args = java.util.Arrays.copyOf(args, 7 + more.length);
    args[6] = to;
    System.arraycopy(more, 0, args, 7, more.length);
    CliRun r = run(args);
    assertEquals(0, r.code(), r.err());
    return r;
  }

  /* CoNLL -> spans -> CoNLL and CoNLL -> token JSONL -> spans -> CoNLL give the file back byte for byte. */
  @Test
  void roundTripsOnOpener() throws Exception {
    Path spans = tmp.resolve("dev.spans.jsonl");
    CliRun r = convert(OPENER_DEV, spans, "spans");
    assertEquals("wrote 249 sentences from " + OPENER_DEV + " (conll) to " + spans + " (spans)\n", r.out());
    assertTrue(Files.readAllLines(spans).get(0).startsWith("{\"text\":\"very warm welcome at the reception ,"
        + " very friendly and helpful personnel ,"), "first record");
    Path back = tmp.resolve("back.conll");
    CliRun again = convert(spans, back, "conll");
    assertTrue(again.err().endsWith(": 249 documents, 746 spans: 746 on word boundaries, 0 snapped, 0 dropped\n"),
        again.err());
    assertEquals(Files.readString(OPENER_DEV), Files.readString(back));

    Path tokens = tmp.resolve("dev.tokens.jsonl");
    convert(OPENER_DEV, tokens, "jsonl");
    assertTrue(Files.readAllLines(tokens).get(0).startsWith("{\"tokens\":[\"very\",\"warm\""), "token JSONL");
    Path spans2 = tmp.resolve("dev2.spans.jsonl");
    convert(tokens, spans2, "spans");
    assertEquals(Files.readString(spans), Files.readString(spans2));
  }

  /* A Label Studio export with hand-made selection slips: each one is reported with file:line, its
   * text and what it became; the CoNLL output has the snapped entity. */
  @Test
  void misalignmentReportForALabelStudioExport() throws Exception {
    String text = "very warm welcome at the reception , very friendly and helpful personnel";
    Path export = tmp.resolve("project.json");
    Files.writeString(export, "[\n{\"id\": 1, \"data\": {\"text\": \"" + text + "\"}, \"annotations\": [{\"result\": [\n"
        + region(0, 9, "EXPR") + ",\n" + region(11, 17, "TARGET") + ",\n" + region(41, 50, "EXPR") + ",\n"
        + region(36, 37, "X") + "]}]}\n]\n");
    Path out = tmp.resolve("out.conll");
    CliRun r = convert(export, out, "conll");
    List<String> err = r.err().lines().toList();
    assertEquals(List.of(
        export + ":2: span result[1].value [11, 17) \"elcome\" (TARGET) does not align with word boundaries:"
            + " snapped to [10, 17) \"welcome\"",
        export + ":2: span result[3].value [36, 37) \" \" (X) covers no word (only spaces or control characters):"
            + " dropped",
        export + ": 1 document, 4 spans: 2 on word boundaries (1 after trimming surrounding spaces), 1 snapped,"
            + " 1 dropped (1 covering no word)"), err);
    List<String> lines = Files.readAllLines(out);
    assertEquals(List.of("very\tB-EXPR", "warm\tI-EXPR", "welcome\tB-TARGET", "at\tO"), lines.subList(0, 4));

    // to spans: the snapped entity keeps the original text and gets its new offsets
    Path spans = tmp.resolve("out.jsonl");
    convert(export, spans, "spans", "--label_scheme", "iobes");
    assertTrue(Files.readString(spans).contains("{\"start\":10,\"end\":17,\"label\":\"TARGET\",\"text\":\"welcome\"}"),
        Files.readString(spans));

    CliRun strict = run("convert-data", "--in", export.toString(), "--out", tmp.resolve("x.conll").toString(), "--to",
        "conll", "--on_misaligned", "error");
    assertEquals(1, strict.code());
    assertEquals("exprbert convert-data: " + export + ":2: expected span ends on word boundaries (--on_misaligned"
        + " snap or drop to go on), found span result[1].value [11, 17) \"elcome\" (TARGET): the words it touches are"
        + " \"welcome\"\n", strict.err().lines().filter(l -> l.startsWith("exprbert")).findFirst().orElse("") + "\n");
    assertTrue(Files.notExists(tmp.resolve("x.conll")), "no half-written output");
  }

  private static String region(int start, int end, String label) {
    return "  {\"type\": \"labels\", \"from_name\": \"label\", \"to_name\": \"text\", \"value\": {\"start\": " + start
        + ", \"end\": " + end + ", \"labels\": [\"" + label + "\"]}}";
  }

  @Test
  void labelSchemeRetagsTokenFiles() throws Exception {
    Path in = tmp.resolve("in.conll");
    Files.writeString(in, "very\tB-EXPR\nwarm\tI-EXPR\nwelcome\tB-TARGET\nat\tO\n\n");
    Path out = tmp.resolve("out.conll");
    convert(in, out, "conll", "--label_scheme", "bilou");
    assertEquals("very\tB-EXPR\nwarm\tL-EXPR\nwelcome\tU-TARGET\nat\tO\n\n", Files.readString(out));
    Path back = tmp.resolve("back.conll");
    convert(out, back, "conll", "--label-scheme", "bio");
    assertEquals(Files.readString(in), Files.readString(back));
  }

  @Test
  void usageErrors() throws Exception {
    Path in = tmp.resolve("in.conll");
    Files.writeString(in, "a\tO\n\n");
    CliRun unknown = run("convert-data", "--in", in.toString(), "--out", tmp.resolve("o").toString(), "--to", "xml");
    assertEquals(1, unknown.code());
    assertTrue(unknown.err().contains("unknown --to \"xml\": expected conll, jsonl or spans"), unknown.err());
    CliRun same = run("convert-data", "--in", in.toString(), "--out", in.toString(), "--to", "conll");
    assertEquals(1, same.code());
    assertTrue(same.err().contains("is the input file"), same.err());
    CliRun scheme = run("convert-data", "--in", in.toString(), "--out", tmp.resolve("o").toString(), "--to", "conll",
        "--label_scheme", "iob1");
    assertTrue(scheme.err().contains("expected bio, iobes or bilou"), scheme.err());
    CliRun missing = run("convert-data", "--in", in.toString(), "--out", tmp.resolve("o").toString());
    assertEquals(2, missing.code());
  }
}
