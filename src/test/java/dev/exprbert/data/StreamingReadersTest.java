package dev.exprbert.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.testing.GeneratedInput;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * The readers stream: on an input generated while it is read (several MB, CRLF line ends, a byte order mark, served
 * in pieces of 1 to 97 bytes across record ends, so that a CR and its LF often arrive apart), every sentence comes out right, and after
 * each one the reader has taken no more than that sentence's end plus its 64 KiB read buffer from the input, so it
 * holds one sentence however long the input is. A bad line far into the stream is still reported at its own line.
 */
class StreamingReadersTest {
  private static final int SENTENCES = 40_000;
  private static final int READ_BUFFER = 1 << 16;
  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  /** Words of sentence k: 1 to 12 of them, non-ASCII ones among them. */
  private static List<String> words(int k) {
    int n = 1 + Math.floorMod(k * 7919, 12);
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add((i % 5 == 4 ? "café" : "w") + k + "x" + i);
    }
    return out;
  }

  private static List<String> tags(int k) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < words(k).size(); i++) {
      out.add(i == 0 ? "B-X" : i == 1 ? "I-X" : "O");
    }
    return out;
  }

  private static String conll(int k) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < words(k).size(); i++) {
      out.append(words(k).get(i)).append('\t').append(tags(k).get(i)).append("\r\n");
    }
    return out.append("\r\n").toString();
  }

  private static String jsonl(int k) {
    return "{\"tokens\": [\"" + String.join("\", \"", words(k)) + "\"], \"ner_tags\": [\""
        + String.join("\", \"", tags(k)) + "\"]}\r\n";
  }

  private static String text(int k) {
    return String.join(" ", words(k)) + "\r\n";
  }

  /** One span over the first two words, labelled X. */
  private static String spans(int k) {
    List<String> w = words(k);
    int end = w.size() > 1 ? w.get(0).length() + 1 + w.get(1).length() : w.get(0).length();
    return "{\"text\": \"" + String.join(" ", w) + "\", \"spans\": [{\"start\": 0, \"end\": " + end
        + ", \"label\": \"X\"}]}\r\n";
  }

  private void streams(DatasetFormat format, IntFunction<String> record, boolean tagged) {
    GeneratedInput in = new GeneratedInput(record, SENTENCES, BOM, 97);
    ReaderOptions options = ReaderOptions.builder().format(format).tagsRequired(tagged).build();
    long worstAhead = 0;
    try (SentenceReader reader = SentenceReaders.open(in, "generated", format, options)) {
      for (int k = 0; k < SENTENCES; k++) {
        assertTrue(reader.hasNext(), format + ": sentence " + k);
        LabeledSentence sentence = reader.next();
        assertEquals(words(k), sentence.words(), format + ": sentence " + k);
        if (tagged) {
          assertEquals(tags(k), sentence.tags(), format + ": sentence " + k);
        }
        long ahead = in.served() - in.endOf(k + 1);
        worstAhead = Math.max(worstAhead, ahead);
        assertTrue(ahead <= READ_BUFFER, format + ": " + ahead + " bytes read past sentence " + k);
      }
      assertFalse(reader.hasNext());
    }
    assertTrue(in.endOf(SENTENCES) > 30L * READ_BUFFER, format + ": " + in.endOf(SENTENCES) + " bytes in all");
    assertTrue(worstAhead > 0, "the reader buffers ahead, within its buffer");
  }

  @Test
  void conllStreams() {
    streams(DatasetFormat.CONLL, StreamingReadersTest::conll, true);
  }

  @Test
  void tokenJsonLinesStream() {
    streams(DatasetFormat.JSONL, StreamingReadersTest::jsonl, true);
  }

  @Test
  void preSplitTextStreams() {
    streams(DatasetFormat.TEXT, StreamingReadersTest::text, false);
  }

  @Test
  void spanJsonLinesStream() {
    streams(DatasetFormat.SPANS, StreamingReadersTest::spans, true);
  }

  @Test
  void aBadLineFarIntoTheStreamIsReportedAtItsLine() {
    int bad = 31_337;
    // the bad record loses its closing quote, brackets and brace
    GeneratedInput in = new GeneratedInput(k -> k == bad ? jsonl(k).substring(0, jsonl(k).length() - 5) + "\r\n"
        : jsonl(k), SENTENCES, BOM, 97);
    ReaderOptions options = ReaderOptions.builder().format(DatasetFormat.JSONL).build();
    try (SentenceReader reader = SentenceReaders.open(in, "generated.jsonl", DatasetFormat.JSONL, options)) {
      for (int k = 0; k < bad; k++) {
        reader.next();
      }
      InputFormatException e = assertThrows(InputFormatException.class, reader::next);
      assertEquals(bad + 1, e.line(), e.getMessage());
      assertTrue(e.getMessage().startsWith("generated.jsonl:" + (bad + 1) + ": "), e.getMessage());
      assertTrue(in.served() <= in.endOf(bad + 1) + READ_BUFFER, "read on no further than its buffer");
    }
  }
}
