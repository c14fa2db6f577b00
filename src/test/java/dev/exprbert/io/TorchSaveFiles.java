package dev.exprbert.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes files in the layout of Python's {@code torch.save} (zip; pickle protocol 2), for tests on a
 * machine without Python torch. The opcode sequence per tensor copies what LibTorch's own
 * {@code torch::pickle_save} emits (checked with pickletools on its output):
 * GLOBAL torch._utils._rebuild_tensor_v2, ((storage, torch.FloatStorage, key, 'cpu', numel) BINPERSID,
 * offset, size, stride, False, OrderedDict()) REDUCE. The containers around them are what Python
 * pickles for a dict ({@code EMPTY_DICT MARK ... SETITEMS}) and an OrderedDict
 * ({@code GLOBAL collections.OrderedDict, EMPTY_TUPLE, REDUCE, MARK ... SETITEMS}).
 */
final class TorchSaveFiles {
  /** One float32 view of a storage. */
  record View(String name, String storageKey, long offset, long[] size, long[] stride) {}

  private TorchSaveFiles() {}

  static void write(Path file, boolean orderedDict, List<View> views, java.util.Map<String, float[]> storages)
      throws IOException {
    java.util.Map<String, Long> numels = new java.util.LinkedHashMap<>();
    java.util.Map<String, byte[]> records = new java.util.LinkedHashMap<>();
    for (var s : storages.entrySet()) {
      numels.put(s.getKey(), (long) s.getValue().length);
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * s.getValue().length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      for (float f : s.getValue()) {
        b.putFloat(f);
      }
      records.put(s.getKey(), b.array());
    }
    writeZip(file, pickle(orderedDict, views, numels, "FloatStorage"), records);
  }

  /**
   * The data.pkl of a state dict whose storages are declared with {@code numels} elements of
   * {@code storageType} (torch.FloatStorage...); an OrderedDict gets the {@code _metadata} state that
   * {@code state_dict()} attaches (BUILD after SETITEMS, as pickle writes it).
   */
  static byte[] pickle(boolean orderedDict, List<View> views, java.util.Map<String, Long> numels, String storageType)
      throws IOException {
    ByteArrayOutputStream p = new ByteArrayOutputStream();
    p.write(new byte[] {(byte) 0x80, 2});
    if (orderedDict) {
      global(p, "collections", "OrderedDict");
      p.write(')');
      p.write('R');
    } else {
      p.write('}');
    }
    p.write('(');
    for (View v : views) {
      unicode(p, v.name());
      global(p, "torch._utils", "_rebuild_tensor_v2");
      p.write('(');
      p.write('(');
      unicode(p, "storage");
      global(p, "torch", storageType);
      unicode(p, v.storageKey());
      unicode(p, "cpu");
      integer(p, numels.get(v.storageKey()));
      p.write('t');
      p.write('Q');
      integer(p, v.offset());
      tuple(p, v.size());
      tuple(p, v.stride());
      p.write(0x89); // NEWFALSE: requires_grad
      global(p, "collections", "OrderedDict");
      p.write(')');
      p.write('R');
      p.write('t');
      p.write('R');
    }
    p.write('u');
    if (orderedDict) {
      p.write('}');
      unicode(p, "_metadata");
      global(p, "collections", "OrderedDict");
      p.write(')');
      p.write('R');
      p.write('s');
      p.write('b'); // BUILD: the OrderedDict's __dict__
    }
    p.write('.');
    return p.toByteArray();
  }

  /** A torch.save zip around {@code pickle}, with one stored record per storage key. */
  static void writeZip(Path file, byte[] pickle, java.util.Map<String, byte[]> records) throws IOException {
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
      stored(zip, "archive/data.pkl", pickle);
      for (var r : records.entrySet()) {
        stored(zip, "archive/data/" + r.getKey(), r.getValue());
      }
      stored(zip, "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
      stored(zip, "archive/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
    }
  }

  private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
    ZipEntry e = new ZipEntry(name);
    e.setMethod(ZipEntry.STORED);
    e.setSize(data.length);
    e.setCompressedSize(data.length);
    CRC32 crc = new CRC32();
    crc.update(data);
    e.setCrc(crc.getValue());
    zip.putNextEntry(e);
    zip.write(data);
    zip.closeEntry();
  }

  static void global(OutputStream p, String module, String name) throws IOException {
    p.write('c');
    p.write((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
  }

  static void unicode(OutputStream p, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    p.write('X');
    p.write(new byte[] {(byte) b.length, (byte) (b.length >> 8), (byte) (b.length >> 16), (byte) (b.length >> 24)});
    p.write(b);
  }

  /** BININT for 0..2^31-1 as pickle writes it, LONG1 (8 bytes, two's complement) for anything else. */
  static void integer(OutputStream p, long v) throws IOException {
    if (v >= 0 && v <= Integer.MAX_VALUE) {
      p.write('J'); // BININT, 4-byte little-endian signed
      p.write(new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)});
      return;
    }
    p.write(0x8a);
    p.write(8);
    for (int i = 0; i < 8; i++) {
      p.write((int) (v >> (8 * i)));
    }
  }

  private static void tuple(OutputStream p, long[] values) throws IOException {
    p.write('(');
    for (long v : values) {
      integer(p, v);
    }
    p.write('t');
  }
}
