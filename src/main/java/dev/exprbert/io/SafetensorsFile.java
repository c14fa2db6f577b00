package dev.exprbert.io;

import dev.exprbert.runtime.Natives;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.Tensor;

/**
 * An open safetensors file: the validated header is read on open, tensors only when asked for, so a
 * caller can inspect names and shapes, or load one layer, without touching the rest of the file.
 * Each {@link #get} returns a fresh CPU tensor that the caller owns and must close.
 * Not thread-safe for concurrent {@link #close}; concurrent {@link #get} calls are fine (positional reads).
 */
public final class SafetensorsFile implements AutoCloseable {
  private final Path path;
  private final FileChannel channel;
  private final SafetensorsHeader header;
  private final Map<String, SafetensorsTensorInfo> byName = new LinkedHashMap<>();

  private SafetensorsFile(Path path, FileChannel channel, SafetensorsHeader header) {
    this.path = path;
    this.channel = channel;
    this.header = header;
    for (SafetensorsTensorInfo info : header.tensors()) {
      byName.put(info.name(), info);
    }
  }

  /**
   * Opens and validates the header.
   *
   * @throws SafetensorsFormatException when the header breaks the format
   * @throws IOException when the file cannot be read
   */
  public static SafetensorsFile open(Path path) throws IOException {
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
    try {
      return new SafetensorsFile(path, channel, SafetensorsHeader.read(path, channel));
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  public Path path() {
    return path;
  }

  /** Tensor names in the order the header lists them. */
  public Set<String> names() {
    return java.util.Collections.unmodifiableSet(byName.keySet());
  }

  /** Every header entry, in header order. */
  public List<SafetensorsTensorInfo> tensors() {
    return header.tensors();
  }

  /** The {@code __metadata__} strings (HF writes {"format": "pt"}); empty when the file has none. */
  public Map<String, String> metadata() {
    return header.metadata();
  }

  /** Absolute file offset where the data section starts (8 + header length). */
  public long dataStart() {
    return header.dataStart();
  }

  public boolean contains(String name) {
    return byName.containsKey(name);
  }

  /** The header entry for a name. */
  public SafetensorsTensorInfo info(String name) {
    SafetensorsTensorInfo info = byName.get(name);
    if (info == null) {
      throw new IllegalArgumentException(path + ": no tensor named '" + name + "'; the file holds "
          + byName.size() + " tensors" + (byName.isEmpty() ? "" : ", e.g. '" + byName.keySet().iterator().next() + "'"));
    }
    return info;
  }

  /** Reads one tensor into new CPU memory; the caller owns (closes) it. */
  public Tensor get(String name) throws IOException {
    SafetensorsTensorInfo info = info(name);
    Natives.init();
    ensureOpen();
    return TensorBytes.read(channel, header.dataStart() + info.begin(), info.dtype(), info.shape(), info.byteLength());
  }

  /** Reads every tensor, in header order. On failure the tensors read so far are closed. */
  public LinkedHashMap<String, Tensor> readAll() throws IOException {
    LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
    try {
      for (String name : byName.keySet()) {
        out.put(name, get(name));
      }
      return out;
    } catch (IOException | RuntimeException e) {
      out.values().forEach(Tensor::close);
      throw e;
    }
  }

  private void ensureOpen() {
    if (!channel.isOpen()) {
      throw new IllegalStateException(path + ": SafetensorsFile is closed");
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
