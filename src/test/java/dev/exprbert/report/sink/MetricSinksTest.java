package dev.exprbert.report.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricSinksTest {
  @TempDir Path dir;

  private static Map<String, Number> metrics(Object... pairs) {
    Map<String, Number> out = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      out.put((String) pairs[i], (Number) pairs[i + 1]);
    }
    return out;
  }

  /* The CRC itself, on the standard check value: CRC-32C("123456789") = 0xE3069283. */
  @Test
  void crc32cCheckValue() {
    byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
    assertEquals(0xE3069283, TfEventFileReader.crc32c(check, 0, check.length));
    assertEquals(TfEventFileReader.masked(0xE3069283), TfRecordWriter.maskedCrc(check, 0, check.length));
  }

  @Test
  void tensorBoardEventFileParses() throws IOException {
    Path file;
    try (TensorBoardSink sink = TensorBoardSink.open(dir.resolve("tb"))) {
      file = sink.file();
      sink.write(0, metrics("train/loss", 2.5, "train/learning_rate", 5e-5));
      sink.write(10, metrics("eval/f1", 0.625f, "eval/loss", Double.NaN));
      sink.flush();
      sink.write(20, metrics("train/loss", 1));
    }
    assertTrue(file.getFileName().toString().startsWith("events.out.tfevents."), file.toString());
    List<TfEventFileReader.Event> events = TfEventFileReader.read(file);
    assertEquals(4, events.size());
    assertEquals("brain.Event:2", events.get(0).fileVersion());
    assertNull(events.get(0).scalars());
    assertEquals(0, events.get(1).step());
    assertEquals(Map.of("train/loss", 2.5f, "train/learning_rate", 5e-5f), events.get(1).scalars());
    assertEquals(10, events.get(2).step());
    assertEquals(0.625f, events.get(2).scalars().get("eval/f1"));
    assertTrue(Float.isNaN(events.get(2).scalars().get("eval/loss")));
    assertEquals(20, events.get(3).step());
    double now = System.currentTimeMillis() / 1000.0;
    assertTrue(Math.abs(events.get(3).wallTime() - now) < 60, "wall time in seconds since the epoch");

    // a second sink in the same second gets its own file
    try (TensorBoardSink other = TensorBoardSink.open(dir.resolve("tb"))) {
      assertTrue(!other.file().equals(file));
    }
    // a torn last record is detected by the reader (and skipped by TensorBoard)
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 3));
    assertThrows(IOException.class, () -> TfEventFileReader.read(file));
  }

  @Test
  void csvWidensItsHeaderAtomically() throws IOException {
    try (MetricSink sink = MetricSinks.open("csv", dir)) {
      sink.write(1, metrics("loss", 0.5, "learning_rate", 5e-5));
      sink.write(2, metrics("loss", 0.25));
      sink.write(3, metrics("eval_f1", Double.NaN, "odd,name", 7));
      sink.write(4, metrics("loss", Double.POSITIVE_INFINITY));
    }
    List<String> lines = Files.readAllLines(dir.resolve("metrics.csv"));
    assertEquals("step,wall_time,loss,learning_rate,eval_f1,\"odd,name\"", lines.get(0));
    assertEquals(5, lines.size());
    assertTrue(lines.get(1).matches("1,[0-9.E]+,0\\.5,5\\.0E-5,,"), lines.get(1));
    assertTrue(lines.get(2).matches("2,[0-9.E]+,0\\.25,,,"), lines.get(2));
    assertTrue(lines.get(3).matches("3,[0-9.E]+,,,nan,7"), lines.get(3));
    assertTrue(lines.get(4).matches("4,[0-9.E]+,inf,,,"), lines.get(4));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(dir.resolve("metrics.csv")), files.toList(), "no temporary file left");
    }
  }

  @Test
  void jsonlOneObjectPerWrite() throws IOException {
    MetricSink sink = MetricSinks.open("jsonl", dir.resolve("logs"));
    sink.write(5, metrics("loss", 0.125, "epoch", 1, "grad_norm", Double.NaN));
    sink.close();
    assertThrows(IllegalStateException.class, () -> sink.write(6, metrics("loss", 1)));
    List<String> lines = Files.readAllLines(dir.resolve("logs").resolve("metrics.jsonl"));
    assertEquals(1, lines.size());
    JsonObject record = JsonParser.parseString(lines.get(0)).getAsJsonObject();
    assertEquals(5, record.get("step").getAsLong());
    assertEquals(0.125, record.get("loss").getAsDouble());
    assertEquals("1", record.get("epoch").toString());
    assertTrue(record.get("grad_norm").isJsonNull());
    assertNotNull(record.get("wall_time"));
  }

  @Test
  void badWritesAndNames() throws IOException {
    try (MetricSink sink = MetricSinks.open("jsonl", dir)) {
      assertThrows(IllegalArgumentException.class, () -> sink.write(-1, metrics("loss", 1)));
      assertThrows(IllegalArgumentException.class, () -> sink.write(1, metrics("", 1)));
    }
    IllegalArgumentException unknown =
        assertThrows(IllegalArgumentException.class, () -> MetricSinks.open("wandb", dir));
    assertTrue(unknown.getMessage().contains("expected tensorboard, csv, jsonl or none"), unknown.getMessage());
    MetricSinks.open("none", dir).write(1, metrics("loss", 1));
  }
}
