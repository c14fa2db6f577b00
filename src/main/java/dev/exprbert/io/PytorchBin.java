package dev.exprbert.io;

import dev.exprbert.runtime.Natives;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * Reads a state dict saved by Python's {@code torch.save} (the zip format, PyTorch >= 1.6): a zip
 * holding {@code <name>/data.pkl} (the pickled dict) and one record {@code <name>/data/<key>} of raw
 * little-endian bytes per storage.
 *
 * <p>[note: validate before native memory] Everything is read in Java first: the zip by
 * {@link ZipFile}, the pickle by the restricted {@link TorchPickle} (no code execution). Each tensor is
 * a view (offset, sizes, strides) into a storage, and a crafted file can describe a view that reaches
 * past its storage; LibTorch's own unpickler builds such views unchecked, and copying one read other
 * native memory or crashed the JVM. So every view is checked against its storage's element count
 * ({@link TorchTensorView#checkWithinStorage}, overflow-safe) and every storage against its zip
 * record's size, for all tensors, before the first byte reaches LibTorch. Only then are the storages
 * copied into native memory and each view materialised as its own contiguous tensor.
 *
 * <p>Reads plain dicts and the OrderedDict that {@code torch.save(model.state_dict())} writes, tensors
 * and {@code nn.Parameter}s of float, half, bfloat16, double, integer and bool storages, saved on any
 * device (read onto the CPU). Not read: the legacy non-zip format of torch < 1.6, big-endian files,
 * and anything that is not a flat dict of tensors; for those the message carries the Python command
 * that converts the file to safetensors.
 */
public final class PytorchBin {
  private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};
  /** A state dict's pickle holds names and shapes, a few hundred kB for BERT-large; this bounds a crafted one. */
  static final long MAX_PICKLE_BYTES = 64L << 20;
  /** zlib cannot expand data more than about 1032:1; a record claiming more is corrupt. */
  private static final long MAX_DEFLATE_RATIO = 1032;

  private PytorchBin() {}

  /**
   * Reads every tensor into new, contiguous CPU tensors that the caller owns, in the dict's order.
   *
   * @throws PytorchBinException when the file is not a readable zip-format dict of tensors, or a tensor
   *     does not fit its storage (the message names the file and the tensor)
   */
  public static LinkedHashMap<String, Tensor> read(Path file) throws IOException {
    byte[] head = new byte[4];
    int got;
    try (InputStream in = Files.newInputStream(file)) {
      got = in.readNBytes(head, 0, 4);
    }
    if (got < 4 || !java.util.Arrays.equals(head, ZIP_MAGIC)) {
      throw new PytorchBinException(file, "not a zip-format torch.save file (expected the bytes PK\\3\\4 at the start);"
          + " it is probably the legacy format of torch < 1.6, which is not read", null);
    }
    ZipFile zip;
    try {
      zip = new ZipFile(file.toFile());
    } catch (ZipException e) {
      throw PytorchBinException.corrupt(file, "could not load it as a zip archive: " + e.getMessage(), e);
    }
    try (zip) {
      Archive archive = Archive.locate(file, zip);
      Map<String, TorchTensorView> views = parse(file, archive.readPickle());
      Map<String, ZipEntry> records = archive.checkStorages(views);
      return materialize(file, zip, views, records);
    } catch (PytorchBinException e) {
      throw e;
    } catch (ZipException e) {
      // ZipFile reads local headers lazily: a damaged entry surfaces only when it is opened
      throw PytorchBinException.corrupt(file, "a zip entry cannot be read: " + e.getMessage(), e);
    }
  }

  /** The dict of tensor views the pickle describes, every view checked against its storage. */
  private static Map<String, TorchTensorView> parse(Path file, byte[] pickle) throws PytorchBinException {
    Object root;
    try {
      root = TorchPickle.read(pickle);
    } catch (TorchPickle.PickleException e) {
      String problem = "data.pkl cannot be read: " + e.getMessage();
      throw e.unsupported ? new PytorchBinException(file, problem, e) : PytorchBinException.corrupt(file, problem, e);
    }
    if (!(root instanceof Map<?, ?> dict)) {
      throw new PytorchBinException(file, "expected a dict of tensors (a state dict) at the top, found a "
          + TorchPickle.kind(root), null);
    }
    LinkedHashMap<String, TorchTensorView> views = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : dict.entrySet()) {
      if (!(e.getKey() instanceof String name)) {
        throw new PytorchBinException(file, "expected string keys, found a " + TorchPickle.kind(e.getKey()) + " key", null);
      }
      if (!(e.getValue() instanceof TorchTensorView view)) {
        throw new PytorchBinException(file, "entry '" + name + "' is a " + TorchPickle.kind(e.getValue())
            + ", expected a tensor", null);
      }
      try {
        view.checkWithinStorage();
      } catch (IllegalArgumentException bad) {
        throw PytorchBinException.corrupt(file, "tensor '" + name + "': " + bad.getMessage(), null);
      }
      views.put(name, view);
    }
    return views;
  }

  /** Copies each used storage into native memory once, then each view into its own contiguous tensor. */
  private static LinkedHashMap<String, Tensor> materialize(Path file, ZipFile zip, Map<String, TorchTensorView> views,
      Map<String, ZipEntry> records) throws IOException {
    Natives.init();
    LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
    Map<String, Tensor> storages = new HashMap<>();
    try {
      for (Map.Entry<String, TorchTensorView> e : views.entrySet()) {
        TorchTensorView view = e.getValue();
        TorchTensorView.Storage storage = view.storage();
        try (TensorOptions options = new TensorOptions(storage.type().scalarType())) {
          if (view.checkWithinStorage() == 0) {
            out.put(e.getKey(), torch.empty(view.size(), options, new MemoryFormatOptional()));
            continue;
          }
        }
        Tensor bytes = storages.get(storage.key());
        if (bytes == null) {
          bytes = readStorage(file, zip, records.get(storage.key()), storage);
          storages.put(storage.key(), bytes);
        }
        try (Tensor typed = bytes.view(storage.type().scalarType());
            LongOptional offset = new LongOptional(view.offset());
            Tensor strided = typed.as_strided(view.size(), view.stride(), offset)) {
          // Entries may be views into one shared storage (tied weights); give each its own buffer.
          out.put(e.getKey(), strided.clone(new MemoryFormatOptional(torch.MemoryFormat.Contiguous)));
        }
      }
      return out;
    } catch (IOException | RuntimeException e) {
      out.values().forEach(Tensor::close);
      throw e;
    } finally {
      storages.values().forEach(Tensor::close);
    }
  }

  /** A uint8 CPU tensor holding the storage's numel x element-size bytes from its zip record. */
  private static Tensor readStorage(Path file, ZipFile zip, ZipEntry record, TorchTensorView.Storage storage)
      throws IOException {
    long length = storage.byteLength();
    Tensor bytes;
    try (TensorOptions options = new TensorOptions(torch.ScalarType.Byte)) {
      bytes = torch.empty(new long[] {length}, options, new MemoryFormatOptional());
    }
    try (InputStream in = zip.getInputStream(record)) {
      byte[] chunk = new byte[1 << 16];
      BytePointer base = new BytePointer(bytes.data_ptr());
      for (long done = 0; done < length; ) {
        int want = (int) Math.min(chunk.length, length - done);
        int n = in.read(chunk, 0, want);
        if (n < 0) {
          throw new EOFException("record ended after " + done + " bytes");
        }
        ByteBuffer target = new BytePointer(base).getPointer(done).capacity(n).limit(n).asBuffer();
        target.put(chunk, 0, n);
        done += n;
      }
      return bytes;
    } catch (IOException | RuntimeException e) {
      bytes.close();
      throw PytorchBinException.corrupt(file, "storage '" + storage.key() + "' (" + record.getName() + ") cannot be read: "
          + e.getMessage() + "; expected " + length + " bytes", e);
    }
  }

  /** The zip's layout: one top folder holding data.pkl and data/<key> records. */
  private record Archive(Path file, ZipFile zip, String prefix) {
    static Archive locate(Path file, ZipFile zip) throws PytorchBinException {
      List<String> pickles = new ArrayList<>();
      try {
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements()) {
          String name = entries.nextElement().getName();
          if (name.endsWith("data.pkl") && name.indexOf('/') == name.lastIndexOf('/')
              && (name.equals("data.pkl") || name.endsWith("/data.pkl"))) {
            pickles.add(name);
          }
        }
      } catch (IllegalArgumentException | IllegalStateException e) {
        throw PytorchBinException.corrupt(file, "could not load it as a zip archive: " + e.getMessage(), e);
      }
      if (pickles.size() != 1) {
        throw PytorchBinException.corrupt(file, "expected exactly one <name>/data.pkl in the zip, found "
            + (pickles.isEmpty() ? "none" : pickles), null);
      }
      String pickle = pickles.get(0);
      Archive archive = new Archive(file, zip, pickle.substring(0, pickle.length() - "data.pkl".length()));
      archive.checkByteOrder();
      return archive;
    }

    byte[] readPickle() throws IOException {
      ZipEntry entry = zip.getEntry(prefix + "data.pkl");
      byte[] bytes = readSmall(entry, MAX_PICKLE_BYTES);
      if (bytes == null) {
        throw PytorchBinException.corrupt(file, entry.getName() + " is larger than " + MAX_PICKLE_BYTES
            + " bytes; a state dict's pickle holds only names and shapes", null);
      }
      return bytes;
    }

    /** torch >= 2.1 writes 'little' or 'big'; older files have no record and are little-endian. */
    private void checkByteOrder() throws PytorchBinException {
      ZipEntry entry = zip.getEntry(prefix + "byteorder");
      if (entry == null) {
        return;
      }
      try {
        byte[] bytes = readSmall(entry, 16);
        String order = bytes == null ? "(too long)" : new String(bytes, StandardCharsets.US_ASCII).trim();
        if (!order.equals("little")) {
          throw PytorchBinException.corrupt(file, prefix + "byteorder says '" + order + "'; only little-endian files"
              + " are read", null);
        }
      } catch (IOException e) {
        throw PytorchBinException.corrupt(file, prefix + "byteorder cannot be read: " + e.getMessage(), e);
      }
    }

    /**
     * The zip record of every storage a view uses, each checked to hold the storage's bytes (as its
     * zip entry declares; a record that then ends early is reported while reading).
     */
    Map<String, ZipEntry> checkStorages(Map<String, TorchTensorView> views) throws IOException {
      long fileSize = Files.size(file);
      Map<String, ZipEntry> records = new HashMap<>();
      Map<String, TorchTensorView.Storage> declared = new HashMap<>();
      for (Map.Entry<String, TorchTensorView> e : views.entrySet()) {
        TorchTensorView.Storage storage = e.getValue().storage();
        String where = "tensor '" + e.getKey() + "': storage '" + storage.key() + "'";
        TorchTensorView.Storage before = declared.putIfAbsent(storage.key(), storage);
        if (before != null && !before.equals(storage)) {
          throw PytorchBinException.corrupt(file, where + " is declared as " + storage.type() + " x " + storage.numel()
              + " here and as " + before.type() + " x " + before.numel() + " before", null);
        }
        if (records.containsKey(storage.key()) || e.getValue().checkWithinStorage() == 0) {
          continue;
        }
        ZipEntry record = zip.getEntry(prefix + "data/" + storage.key());
        if (record == null || record.isDirectory()) {
          throw PytorchBinException.corrupt(file, where + " has no record " + prefix + "data/" + storage.key()
              + " in the zip", null);
        }
        long needed = storage.byteLength();
        long bound = record.getMethod() == ZipEntry.STORED ? fileSize : multiplyOrMax(fileSize, MAX_DEFLATE_RATIO);
        if (record.getSize() < needed || needed > bound) {
          throw PytorchBinException.corrupt(file, where + " needs " + needed + " bytes (" + storage.numel() + " x "
              + storage.type().elementBytes() + ") but its record holds " + record.getSize(), null);
        }
        records.put(storage.key(), record);
      }
      return records;
    }

    /** The entry's bytes, or null when it holds more than {@code limit}. */
    private byte[] readSmall(ZipEntry entry, long limit) throws IOException {
      try (InputStream in = zip.getInputStream(entry)) {
        byte[] bytes = in.readNBytes((int) limit + 1);
        return bytes.length > limit ? null : bytes;
      }
    }

    private static long multiplyOrMax(long a, long b) {
      try {
        return Math.multiplyExact(a, b);
      } catch (ArithmeticException e) {
        return Long.MAX_VALUE;
      }
    }
  }

  /** The Python command that turns this file into model.safetensors beside it. */
  public static String conversionCommand(Path file) {
    Path absolute = file.toAbsolutePath();
    Path target = absolute.resolveSibling("model.safetensors");
    return "python -c \"import torch; from safetensors.torch import save_file; "
        + "sd = torch.load(" + pyString(absolute) + ", map_location='cpu', weights_only=True); "
        + "save_file({k: v.contiguous().clone() for k, v in sd.items()}, " + pyString(target)
        + ", metadata={'format': 'pt'})\"";
  }

  private static String pyString(Path path) {
    return "'" + path.toString().replace("\\", "\\\\").replace("'", "\\'").replace("\"", "\\\"") + "'";
  }
}
