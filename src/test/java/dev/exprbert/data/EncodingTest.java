package dev.exprbert.data;

import static dev.exprbert.data.TestFiles.concat;
import static dev.exprbert.data.TestFiles.readAll;
import static dev.exprbert.data.TestFiles.utf8;
import static dev.exprbert.data.TestFiles.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** UTF-8 handling shared by every reader: BOM, CRLF, strict decoding with the right line. */
class EncodingTest {
  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  @TempDir Path dir;

  @Test
  void byteOrderMarkIsDroppedFromTheFirstToken() {
    Path file = write(dir, "bom.conll", concat(BOM, utf8("Über\tO\nall\tO\n")));
    LabeledSentence sentence = readAll(file).get(0);
    assertEquals(List.of("Über", "all"), sentence.words());
    assertEquals(1, sentence.line());
  }

  @Test
  void crlfLineEndsLeaveNoCarriageReturnInTags() {
    Path file = write(dir, "crlf.conll", "a\tB-X\r\nb\tI-X\r\n\r\nc\tO\r\n");
    List<LabeledSentence> sentences = readAll(file);
    assertEquals(2, sentences.size());
    assertEquals(List.of("B-X", "I-X"), sentences.get(0).tags());
    assertEquals(List.of("O"), sentences.get(1).tags());
    assertEquals(4, sentences.get(1).line());
  }

  @Test
  void crlfInTabModeLeavesNoCarriageReturnInTags() {
    Path file = write(dir, "crlf.tsv", concat(BOM, utf8("New York\tB-LOC\r\n")));
    ReaderOptions tabs = ReaderOptions.builder().separator(ColumnSeparator.TAB).build();
    assertEquals(List.of("B-LOC"), readAll(file, tabs).get(0).tags());
    assertEquals(List.of("New York"), readAll(file, tabs).get(0).words());
  }

  @Test
  void invalidUtf8IsReportedAtItsOwnLine() {
    byte[] latin1 = {'c', 'a', 'f', (byte) 0xE9, '\t', 'O', '\n'};
    Path file = write(dir, "latin1.conll", concat(utf8("a\tO\nb\tO\n\n"), latin1, utf8("d\tO\n")));
    InputFormatException e = assertThrows(InputFormatException.class, () -> readAll(file));
    assertEquals(4, e.line());
    assertEquals(file.toString(), e.file());
    assertTrue(
        e.getMessage().startsWith(
            file + ":4: expected UTF-8 text, found an invalid UTF-8 sequence 0xE9 at byte 4"),
        e.getMessage());
  }

  @Test
  void invalidUtf8FarIntoTheFileIsReportedAtItsLine() {
    // Past the 64 KiB read buffer, where a chunked decoder would report an earlier line or none.
    StringBuilder good = new StringBuilder();
    for (int i = 0; i < 20_000; i++) {
      good.append("token").append(i).append("\tO\n");
    }
    byte[] bad = {'x', (byte) 0xC3, '\t', 'O', '\n'}; // 0xC3 starts a 2-byte sequence, cut short
    Path file = write(dir, "big.conll", concat(utf8(good.toString()), bad));
    InputFormatException e = assertThrows(InputFormatException.class, () -> readAll(file));
    assertEquals(20_001, e.line());
  }

  @Test
  void linesLongerThanTheReadBufferAreReadWhole() {
    String longToken = "ä".repeat(100_000); // 200,000 bytes
    Path file = write(dir, "long.conll", "a\tO\n" + longToken + "\tO\nb\tO\n");
    LabeledSentence sentence = readAll(file).get(0);
    assertEquals(3, sentence.size());
    assertEquals(longToken, sentence.words().get(1));
    assertEquals("b", sentence.words().get(2));
  }

  @Test
  void encodedSurrogateIsInvalid() {
    byte[] cesu = {(byte) 0xED, (byte) 0xA0, (byte) 0x80, '\t', 'O', '\n'}; // U+D800 as UTF-8
    Path file = write(dir, "cesu.conll", concat(utf8("a\tO\n"), cesu));
    InputFormatException e = assertThrows(InputFormatException.class, () -> readAll(file));
    assertEquals(2, e.line());
  }

  @Test
  void jsonLinesAndTextAlsoDecodeStrictly() {
    byte[] bad = {'{', (byte) 0xFF, '}', '\n'};
    Path jsonl = write(dir, "a.jsonl", concat(BOM, utf8("{\"tokens\":[\"a\"],\"ner_tags\":[\"O\"]}\n"), bad));
    assertEquals(2, assertThrows(InputFormatException.class, () -> readAll(jsonl)).line());
    Path text = write(dir, "a.txt", concat(utf8("fine words\n\n"), new byte[] {'x', (byte) 0x80}));
    ReaderOptions asText = ReaderOptions.builder().format(DatasetFormat.TEXT).build();
    assertEquals(3, assertThrows(InputFormatException.class, () -> readAll(text, asText)).line());
  }
}
