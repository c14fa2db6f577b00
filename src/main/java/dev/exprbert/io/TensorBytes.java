package dev.exprbert.io;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * Moves raw tensor bytes between a file and LibTorch memory without staging them on the Java heap:
 * the tensor's own storage is wrapped as a direct ByteBuffer and the FileChannel reads into it (or
 * writes from it). So a 440 MB checkpoint costs one kernel copy per byte and no heap.
 *
 * <p>Byte order: safetensors is little-endian, and so is every platform LibTorch's Java presets ship
 * for (x86_64, arm64, ppc64le), so bytes are copied as they are.
 */
final class TensorBytes {
  /** Largest slice one ByteBuffer can address; tensors beyond 2 GiB are moved in chunks. */
  private static final long CHUNK = 1L << 30;

  private TensorBytes() {}

  /** A new CPU tensor of the given dtype and shape filled with {@code byteLength} bytes read at {@code position}. */
  static Tensor read(FileChannel channel, long position, SafetensorsDtype dtype, long[] shape, long byteLength)
      throws IOException {
    Tensor tensor = torch.empty(shape, new TensorOptions(dtype.scalarType()), new MemoryFormatOptional());
    try {
      if (tensor.nbytes() != byteLength) {
        throw new IllegalStateException("LibTorch allocated " + tensor.nbytes() + " bytes for " + dtype + " "
            + java.util.Arrays.toString(shape) + ", expected " + byteLength);
      }
      if (byteLength > 0) {
        Pointer data = tensor.data_ptr();
        for (long done = 0; done < byteLength; done += CHUNK) {
          ByteBuffer slice = slice(data, done, Math.min(CHUNK, byteLength - done));
          long at = position + done;
          while (slice.hasRemaining()) {
            int n = channel.read(slice, at);
            if (n < 0) {
              throw new EOFException("file ended at byte " + at + " while reading a tensor of " + byteLength + " bytes");
            }
            at += n;
          }
        }
      }
      return tensor;
    } catch (IOException | RuntimeException e) {
      tensor.close();
      throw e;
    }
  }

  /** Writes the bytes of a contiguous CPU tensor at the channel's current position. */
  static void write(FileChannel channel, Tensor contiguousCpu) throws IOException {
    long byteLength = contiguousCpu.nbytes();
    if (byteLength == 0) {
      return;
    }
    Pointer data = contiguousCpu.data_ptr();
    for (long done = 0; done < byteLength; done += CHUNK) {
      ByteBuffer slice = slice(data, done, Math.min(CHUNK, byteLength - done));
      while (slice.hasRemaining()) {
        channel.write(slice);
      }
    }
  }

  private static ByteBuffer slice(Pointer base, long offset, long length) {
    BytePointer at = new BytePointer(base);
    at = at.getPointer(offset); // address + offset, position 0
    return at.capacity(length).limit(length).asBuffer();
  }
}
