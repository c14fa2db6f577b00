package dev.exprbert.io;

import dev.exprbert.runtime.CodePointOrder;

import com.google.gson.stream.JsonWriter;
import dev.exprbert.runtime.Natives;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * Writes safetensors the way the HF library does ({@code prepare} in safetensors/src/tensor.rs):
 * tensors laid out by descending dtype alignment, then by name; header = compact JSON with
 * {@code __metadata__} first and the tensors in data order, padded with spaces to a multiple of 8 so
 * that the data section starts 8-byte aligned. HF orders names by their UTF-8 bytes, which is code
 * point order, so that is what we compare (String.compareTo would differ past U+FFFF).
 */
final class SafetensorsWriter {
  private SafetensorsWriter() {}

  private record Entry(String name, Tensor tensor, SafetensorsDtype dtype, long[] shape, long byteLength) {}

  static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
    Natives.init();
    List<Entry> entries = new ArrayList<>(tensors.size());
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      entries.add(describe(file, e.getKey(), e.getValue()));
    }
    entries.sort(Comparator.comparing((Entry e) -> e.dtype().ordinal()).reversed()
        .thenComparing(Entry::name, CodePointOrder.COMPARATOR));
    byte[] header = headerBytes(entries, metadata == null ? Map.of() : metadata);
    AtomicFiles.write(file, channel -> {
      ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
      writeFully(channel, prefix);
      writeFully(channel, ByteBuffer.wrap(header));
      for (Entry entry : entries) {
        writeTensor(channel, entry);
      }
    });
  }

  private static Entry describe(Path file, String name, Tensor tensor) {
    if (name == null) {
      throw new IllegalArgumentException(file + ": tensor names must not be null");
    }
    if (SafetensorsHeader.METADATA_KEY.equals(name)) {
      throw new IllegalArgumentException(file + ": a tensor cannot be named \"__metadata__\"; that key holds the metadata");
    }
    if (tensor == null || tensor.isNull() || !tensor.defined()) {
      throw new IllegalArgumentException(file + ": tensor '" + name + "' is null or undefined; expected a defined tensor");
    }
    SafetensorsDtype dtype = SafetensorsDtype.fromScalarType(tensor.scalar_type(), name);
    long[] shape = tensor.sizes().vec().get();
    return new Entry(name, tensor, dtype, shape, tensor.numel() * dtype.byteSize());
  }

  private static byte[] headerBytes(List<Entry> entries, Map<String, String> metadata) throws IOException {
    StringWriter text = new StringWriter();
    try (JsonWriter json = new JsonWriter(text)) {
      json.setHtmlSafe(false); // serde_json writes '<', '>', '&', '=' as they are
      json.beginObject();
      if (!metadata.isEmpty()) {
        json.name(SafetensorsHeader.METADATA_KEY).beginObject();
        for (Map.Entry<String, String> m : metadata.entrySet()) {
          if (m.getKey() == null || m.getValue() == null) {
            throw new IllegalArgumentException("safetensors metadata keys and values must not be null, found "
                + m.getKey() + "=" + m.getValue());
          }
          json.name(m.getKey()).value(m.getValue());
        }
        json.endObject();
      }
      long offset = 0;
      for (Entry e : entries) {
        json.name(e.name()).beginObject();
        json.name("dtype").value(e.dtype().name());
        json.name("shape").beginArray();
        for (long d : e.shape()) {
          json.value(d);
        }
        json.endArray();
        json.name("data_offsets").beginArray().value(offset).value(offset + e.byteLength()).endArray();
        json.endObject();
        offset += e.byteLength();
      }
      json.endObject();
    }
    byte[] raw = text.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (raw.length + 7) / 8 * 8;
    byte[] header = java.util.Arrays.copyOf(raw, padded);
    java.util.Arrays.fill(header, raw.length, padded, (byte) ' ');
    return header;
  }

  /** CPU tensors that are already contiguous are written in place; others go through one temporary copy. */
  private static void writeTensor(FileChannel channel, Entry entry) throws IOException {
    Tensor t = entry.tensor();
    if (t.is_cpu() && t.is_contiguous()) {
      TensorBytes.write(channel, t);
      return;
    }
    try (Tensor cpu = t.is_cpu() ? t.contiguous() : t.cpu(); Tensor dense = cpu.contiguous()) {
      TensorBytes.write(channel, dense);
    }
  }

  private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

}
