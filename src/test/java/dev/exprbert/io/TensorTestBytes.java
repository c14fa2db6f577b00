package dev.exprbert.io;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/** Raw bytes in and out of CPU tensors, independent of the code under test. */
final class TensorTestBytes {
  private TensorTestBytes() {}

  static Tensor tensor(SafetensorsDtype dtype, long[] shape, byte[] bytes) {
    Tensor t = torch.empty(shape, new TensorOptions(dtype.scalarType()), new MemoryFormatOptional());
    if (t.nbytes() != bytes.length) {
      throw new IllegalArgumentException("expected " + t.nbytes() + " bytes, got " + bytes.length);
    }
    if (bytes.length > 0) {
      new BytePointer(t.data_ptr()).capacity(bytes.length).put(bytes);
    }
    return t;
  }

  static byte[] bytes(Tensor t) {
    try (Tensor c = t.contiguous()) {
      byte[] out = new byte[(int) c.nbytes()];
      if (out.length > 0) {
        new BytePointer(c.data_ptr()).capacity(out.length).get(out);
      }
      return out;
    }
  }

  static long[] shape(Tensor t) {
    return t.sizes().vec().get();
  }
}
