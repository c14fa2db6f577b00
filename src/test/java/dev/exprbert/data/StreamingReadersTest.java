package dev.exprbert.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * The readers stream: on an input generated while it is read (several MB, CRLF line ends, a byte order mark, served
 * in pieces of random size so that a CR and its LF often arrive apart), every sentence comes out right, and after
 * each one the reader has taken no more than that sentence's end plus its 64 KiB read buffer from the input, so it
 * holds one sentence however long the input is. A bad line far into the stream is still reported at its own line.
 */
class StreamingReadersTest {
  private static final int SENTENCES = 40_000;
  private static final int READ_BUFFER = 1 << 16;

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
    GeneratedInput in = new GeneratedInput(record, SENTENCES, -1);
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
    GeneratedInput in = new GeneratedInput(StreamingReadersTest::jsonl, SENTENCES, bad);
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

  /**
   * Records generated as they are read, UTF-8, after a byte order mark, in pieces of 1 to 97 bytes that run across
   * record ends; record
   * {@code broken} (or none when negative) loses its last 3 characters before the line end.
   */
  private static final class GeneratedInput extends InputStream {
    private final IntFunction<String> record;
    private final int count;
    private final int broken;
    private final long[] ends;
    private final Random pieces = new Random(5);
    private int next;
    private byte[] current = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private int at;
    private long served;

    GeneratedInput(IntFunction<String> record, int count, int broken) {
      this.record = record;
      this.count = count;
      this.broken = broken;
      this.ends = new long[count + 1];
      ends[0] = 3;
      for (int k = 0; k < count; k++) {
        ends[k + 1] = ends[k] + bytes(k).length;
      }
    }

    private byte[] bytes(int k) {
      String text = record.apply(k);
      if (k == broken) {
        text = text.substring(0, text.length() - 5) + "\r\n";
      }
      return text.getBytes(StandardCharsets.UTF_8);
    }

    long endOf(int records) {
      return ends[Math.min(records, count)];
    }

    long served() {
      return served;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
      int piece = Math.min(length, 1 + pieces.nextInt(97));
      int n = 0;
      while (n < piece) {
        if (at == current.length) {
          if (next == count) {
            break;
          }
          current = bytes(next++);
          at = 0;
        }
        int take = Math.min(piece - n, current.length - at);
        System.arraycopy(current, at, buffer, offset + n, take);
        at += take;
        n += take;
      }
      served += n;
      return n == 0 ? -1 : n;
    }
  }
}
