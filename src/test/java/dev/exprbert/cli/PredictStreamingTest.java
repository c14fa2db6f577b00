package dev.exprbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.exprbert.infer.TaggedSentence;
import dev.exprbert.testing.GeneratedInput;
import dev.exprbert.testing.TinyModelDirectory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code predict} streams: its output does not depend on how much input it holds at once (the chunk size), CRLF and
 * a byte order mark read as LF does, a bad line stops the run naming its file and line after the output of every
 * sentence before it, and the command never reads further ahead of what it has written than one chunk (plus the
 * reader's buffer), asserted on a generated standard input it could not hold if it read everything first.
 */
class PredictStreamingTest {
  private static final List<String> INPUT_FORMATS = List.of("words", "text", "conll", "jsonl");
  private static final List<String> OUTPUT_FORMATS = List.of("conll", "jsonl", "spans");

  @TempDir static Path tmp;
  private static Path model;
  private static List<List<String>> sentences;

  @BeforeAll
  static void setUp() throws IOException {
    model = TinyModelDirectory.create(tmp.resolve("model"));
    sentences = sentences(32, 7, 30);
  }

  /**
   * Sentences of 1 to {@code maxWords} known words and some unknown ones; the 12th is far over the 24 sub-tokens the
   * tests allow a window (so predict cuts it into windows).
   */
  private static List<List<String>> sentences(int count, long seed, int maxWords) {
    Random random = new Random(seed);
    List<List<String>> out = new ArrayList<>();
    for (int s = 0; s < count; s++) {
      int length = s == 11 ? 150 : 1 + random.nextInt(maxWords);
      List<String> words = new ArrayList<>();
      for (int w = 0; w < length; w++) {
        words.add(random.nextInt(9) == 0 ? "zebra" + w : TinyModelDirectory.WORDS.get(
            random.nextInt(TinyModelDirectory.WORDS.size())));
      }
      out.add(words);
    }
    return out;
  }

  /** The sentences in an input format, lines ended by {@code eol}. */
  static String input(List<List<String>> sentences, String format, String eol) {
    StringBuilder out = new StringBuilder();
    for (List<String> words : sentences) {
      switch (format) {
        case "words", "text" -> out.append(String.join(" ", words)).append(eol);
        case "conll" -> {
          for (String word : words) {
            out.append(word).append("\tO").append(eol);
          }
          out.append(eol);
        }
        case "jsonl" -> {
          JsonObject record = new JsonObject();
          JsonArray tokens = new JsonArray();
          words.forEach(tokens::add);
          record.add("tokens", tokens);
          out.append(record).append(eol);
        }
        default -> throw new IllegalArgumentException(format);
      }
    }
    return out.toString();
  }

  private static CliRun predict(Path input, String inputFormat, String outputFormat, int chunk, String... more) {
    List<String> args = new ArrayList<>(List.of("predict", "--model", model.toString(), "--input", input.toString(),
        "--input-format", inputFormat, "--output-format", outputFormat, "--chunk-size", String.valueOf(chunk),
        "--max-seq-length", "24"));
    args.addAll(List.of(more));
    return CliRun.of(args.toArray(String[]::new));
  }

  /**
   * With one window per forward pass, nothing but the chunking differs between a streamed run and one holding the
   * whole input: the output is byte for byte the same, in every format.
   */
  @Test
  void theOutputIsByteIdenticalWhateverTheChunkSizeForEveryFormat() throws IOException {
    for (String inputFormat : INPUT_FORMATS) {
      Path file = Files.writeString(tmp.resolve("same." + inputFormat), input(sentences, inputFormat, "\n"));
      for (String outputFormat : OUTPUT_FORMATS) {
        String what = inputFormat + " -> " + outputFormat;
        CliRun whole = predict(file, inputFormat, outputFormat, 1_000_000, "--batch-size", "1");
        assertEquals(0, whole.code(), what + ": " + whole.err());
        assertFalse(whole.out().isEmpty(), what);
        for (int chunk : new int[] {1, 5}) {
          CliRun streamed = predict(file, inputFormat, outputFormat, chunk, "--batch-size", "1");
          assertEquals(0, streamed.code(), what + ": " + streamed.err());
          assertSameOutput(whole.out(), streamed.out(), what + ", chunks of " + chunk + " against the whole input at once");
        }
      }
    }
  }

  /**
   * With batches of many windows, the chunk decides which windows share a forward pass, and LibTorch's CPU matrix
   * products round a row's result differently with the number of rows (measured: 1 ulp in a score): tags, words,
   * offsets and spans stay identical (the conll and spans outputs byte for byte) and scores agree within 1e-6.
   */
  @Test
  void batchedOutputDiffersFromTheWholeInputsAtMostInTheLastDigitsOfScores() throws IOException {
    for (String inputFormat : INPUT_FORMATS) {
      Path file = Files.writeString(tmp.resolve("batched." + inputFormat), input(sentences, inputFormat, "\n"));
      for (String outputFormat : OUTPUT_FORMATS) {
        String what = inputFormat + " -> " + outputFormat + ", batches of 8";
        CliRun whole = predict(file, inputFormat, outputFormat, 1_000_000, "--batch-size", "8");
        CliRun streamed = predict(file, inputFormat, outputFormat, 5, "--batch-size", "8");
        assertEquals(0, streamed.code(), what + ": " + streamed.err());
        if (outputFormat.equals("jsonl")) {
          List<String> expected = whole.out().lines().toList();
          List<String> actual = streamed.out().lines().toList();
          assertEquals(expected.size(), actual.size(), what);
          for (int i = 0; i < expected.size(); i++) {
            assertSameJson(JsonParser.parseString(expected.get(i)), JsonParser.parseString(actual.get(i)),
                what + ", line " + (i + 1));
          }
        } else {
          assertSameOutput(whole.out(), streamed.out(), what);
        }
      }
    }
  }

  /** Equal JSON, numbers within 1e-6. */
  private static void assertSameJson(JsonElement expected, JsonElement actual, String where) {
    if (expected.isJsonObject()) {
      assertEquals(expected.getAsJsonObject().keySet(), actual.getAsJsonObject().keySet(), where);
      for (String key : expected.getAsJsonObject().keySet()) {
        assertSameJson(expected.getAsJsonObject().get(key), actual.getAsJsonObject().get(key), where + "." + key);
      }
    } else if (expected.isJsonArray()) {
      assertEquals(expected.getAsJsonArray().size(), actual.getAsJsonArray().size(), where);
      for (int i = 0; i < expected.getAsJsonArray().size(); i++) {
        assertSameJson(expected.getAsJsonArray().get(i), actual.getAsJsonArray().get(i), where + "[" + i + "]");
      }
    } else if (expected.isJsonPrimitive() && expected.getAsJsonPrimitive().isNumber()) {
      assertEquals(expected.getAsDouble(), actual.getAsDouble(), 1e-6, where);
    } else {
      assertEquals(expected, actual, where);
    }
  }

  @Test
  void crlfAndAByteOrderMarkReadAsLfDoesWhileStreaming() throws IOException {
    for (String inputFormat : INPUT_FORMATS) {
      Path lf = Files.writeString(tmp.resolve("lf." + inputFormat), input(sentences, inputFormat, "\n"));
      Path crlf = Files.writeString(tmp.resolve("crlf." + inputFormat),
          "\uFEFF" + input(sentences, inputFormat, "\r\n"));
      CliRun expected = predict(lf, inputFormat, "jsonl", 3);
      CliRun actual = predict(crlf, inputFormat, "jsonl", 3);
      assertEquals(0, actual.code(), inputFormat + ": " + actual.err());
      assertSameOutput(expected.out(), actual.out(), inputFormat + " (words, offsets, tags, spans)");
      assertFalse(actual.out().contains("\r") || actual.out().contains("\\r") || actual.out().contains("\uFEFF")
          || actual.out().contains("\\ufeff"), actual.out());
    }
  }

  /** Byte for byte; a difference is shown as the first differing line of each, around where they part. */
  static void assertSameOutput(String expected, String actual, String what) {
    if (expected.equals(actual)) {
      return;
    }
    List<String> e = expected.lines().toList();
    List<String> a = actual.lines().toList();
    int line = 0;
    while (line < Math.min(e.size(), a.size()) && e.get(line).equals(a.get(line))) {
      line++;
    }
    String el = line < e.size() ? e.get(line) : "<end>";
    String al = line < a.size() ? a.get(line) : "<end>";
    int at = 0;
    while (at < Math.min(el.length(), al.length()) && el.charAt(at) == al.charAt(at)) {
      at++;
    }
    int from = Math.max(0, at - 60);
    throw new AssertionError(what + ": output line " + (line + 1) + " differs at character " + at + ":\n expected ..."
        + el.substring(from, Math.min(el.length(), at + 60)) + "\n actual   ..."
        + al.substring(from, Math.min(al.length(), at + 60)) + "\n(" + e.size() + " lines expected, " + a.size() + ")");
  }

  /** A malformed input line in each format, and the line it is on. */
  private record Bad(byte[] bytes, long line) {}

  private static Bad withBadLine(List<List<String>> before, String format) {
    String head = input(before, format, "\n");
    long line = head.lines().count() + 1;
    byte[] bad = switch (format) {
      case "words", "text" -> new byte[] {'o', 'k', ' ', (byte) 0xC3, '(', '\n'};
      case "conll" -> "three\tcolumns\there\n".getBytes(StandardCharsets.UTF_8);
      case "jsonl" -> "{\"tokens\": [\"unfinished\"\n".getBytes(StandardCharsets.UTF_8);
      default -> throw new IllegalArgumentException(format);
    };
    byte[] tail = input(sentences.subList(0, 3), format, "\n").getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
    out.writeBytes(bad);
    out.writeBytes(tail);
    return new Bad(out.toByteArray(), line);
  }

  @Test
  void aBadLineStopsWithItsFileAndLineAfterTheOutputOfEverySentenceBeforeIt() throws IOException {
    List<List<String>> before = sentences.subList(0, 25);
    for (String format : INPUT_FORMATS) {
      Bad bad = withBadLine(before, format);
      assertTrue(bad.line() > 25, "the bad line lies beyond the first chunks");
      Path file = Files.write(tmp.resolve("bad." + format), bad.bytes());
      Path good = Files.writeString(tmp.resolve("good." + format), input(before, format, "\n"));
      CliRun expected = predict(good, format, "jsonl", 1_000_000, "--batch-size", "1");
      for (int chunk : new int[] {7, 1_000_000}) {
        CliRun r = predict(file, format, "jsonl", chunk, "--batch-size", "1");
        assertEquals(1, r.code(), format + ": " + r.err());
        assertTrue(r.err().contains("bad." + format + ":" + bad.line() + ": "), format + ": " + r.err());
        assertEquals(1, r.err().strip().split("\\R").length, r.err());
        assertSameOutput(expected.out(), r.out(), format + ", chunks of " + chunk + ": every sentence before the bad line");
      }
    }
    InputStream saved = System.in;
    try {
      System.setIn(new ByteArrayInputStream(withBadLine(before, "conll").bytes()));
      CliRun stdin = CliRun.of("predict", "--model", model.toString(), "--input-format", "conll", "--chunk-size", "4");
      assertEquals(1, stdin.code());
      assertTrue(stdin.err().contains("<stdin>:" + withBadLine(before, "conll").line() + ": "), stdin.err());
    } finally {
      System.setIn(saved);
    }
  }

  /**
   * Standard input of 30,000 short sentences generated as it is read: whenever output arrives, the command has read
   * at most the sentences written, one chunk, one sentence of look-ahead and the line reader's 64 KiB buffer.
   * Reading the whole input before writing (over 8 x 64 KiB, asserted) would break the bound at the first write.
   */
  @Test
  void predictReadsAtMostAChunkAheadOfWhatItHasWritten() {
    int count = 30_000;
    int chunk = 16;
    List<List<String>> generated = sentences(count, 3, 6);
    GeneratedInput in = new GeneratedInput(k -> String.join(" ", generated.get(k)) + "\n", count, new byte[0], 0);
    String[] violation = {null};
    long[] checks = {0};
    Writer out = new Writer() {
      private long written;

      @Override
      public void write(char[] buffer, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
          written += buffer[i] == '\n' ? 1 : 0;
        }
        long allowed = in.endOf(written + chunk + 1) + 65_536;
        checks[0]++;
        if (in.served() > allowed && violation[0] == null) {
          violation[0] = in.served() + " bytes read with " + written + " sentences written; at most " + allowed
              + " allowed";
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    InputStream saved = System.in;
    try {
      System.setIn(in);
      StringWriter err = new StringWriter();
      int code = ExprbertCommand.execute(new String[] {"predict", "--model", model.toString(), "--output-format",
          "jsonl", "--chunk-size", String.valueOf(chunk)}, new PrintWriter(out, true), new PrintWriter(err, true));
      assertEquals(0, code, err.toString());
    } finally {
      System.setIn(saved);
    }
    assertEquals(null, violation[0]);
    assertTrue(checks[0] > 10, "output arrived in many pieces: " + checks[0]);
    assertEquals(in.endOf(count), in.served(), "the whole input was read");
    assertTrue(in.endOf(count) > 8 * 65_536, in.endOf(count) + " bytes: far more than the command may hold");
  }

  @Test
  void chunkedTaggingHoldsAtMostAChunkAndKeepsTheOrder() {
    int[] pulled = {0};
    Iterator<Integer> inputs = new Iterator<>() {
      @Override
      public boolean hasNext() {
        return pulled[0] < 1000;
      }

      @Override
      public Integer next() {
        return pulled[0]++;
      }
    };
    List<String> written = new ArrayList<>();
    long tagged = ChunkedTagging.run(inputs, 32, chunk -> {
      assertTrue(chunk.size() <= 32 && pulled[0] - written.size() <= 32, pulled[0] + " read, " + written.size()
          + " written");
      return chunk.stream().map(i -> new TaggedSentence("s" + i, List.of(), List.of(), List.of())).toList();
    }, results -> results.forEach(r -> written.add(r.text())));
    assertEquals(1000, tagged);
    for (int i = 0; i < 1000; i++) {
      assertEquals("s" + i, written.get(i));
    }
    assertThrows(IllegalArgumentException.class, () -> ChunkedTagging.run(List.of(1).iterator(), 0, c -> List.of(),
        r -> {}));
  }
}
