package dev.exprbert.runtime;

import java.util.Arrays;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Small tensor helpers the LibTorch Java API lacks. Every returned tensor is owned by the caller. */
public final class Tensors {
  private Tensors() {}

  /** A new tensor on {@code device} with {@code type}, never an alias of {@code t}. */
  public static Tensor copyTo(Tensor t, Device device, ScalarType type) {
    try (MemoryFormatOptional keep = new MemoryFormatOptional()) {
      return t.to(device, type, false, true, keep);
    }
  }

  /**
   * {@code t} as {@code type} on {@code device}, for a batch's inputs on their way to the model: a host tensor bound
   * for a GPU is copied into pinned (page-locked) memory and from there asynchronously ({@code non_blocking}), so the
   * host does not wait for the copy to finish and the GPU may still be running the previous step. LibTorch's
   * caching host allocator keeps the pinned block until the copy is done, so closing the result of {@code t} early is
   * safe. Anything else is {@code t.to(device, type)} (an alias when nothing changes). The caller owns the result.
   */
  public static Tensor toDevice(Tensor t, Device device, ScalarType type) {
    if (!device.is_cuda() || t.is_cuda()) {
      return t.to(device, type);
    }
    try (Tensor typed = t.to(type);
        Tensor pinned = typed.is_pinned() ? typed.alias() : typed.pin_memory();
        MemoryFormatOptional keep = new MemoryFormatOptional()) {
      return pinned.to(device, type, true, false, keep);
    }
  }

  /** A new CPU tensor with {@code t}'s values converted to {@code type}, never an alias. */
  public static Tensor copyAs(Tensor t, ScalarType type) {
    try (MemoryFormatOptional keep = new MemoryFormatOptional()) {
      return t.to(type, false, true, keep);
    }
  }

  /**
   * Moves {@code t} out of {@code scope} so it outlives it (the caller then owns it and closes it). PointerScope's
   * detach also drops one reference, so this retains one first.
   */
  public static <P extends org.bytedeco.javacpp.Pointer> P outlive(org.bytedeco.javacpp.PointerScope scope, P t) {
    t.retainReference();
    scope.detach(t);
    return t;
  }

  /** An uninitialised tensor of {@code shape} with {@code options}. */
  public static Tensor empty(long[] shape, TensorOptions options) {
    try (MemoryFormatOptional contiguous = new MemoryFormatOptional()) {
      return torch.empty(shape, options, contiguous);
    }
  }

  public static long[] shape(Tensor t) {
    long[] dims = new long[(int) t.dim()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = t.size(i);
    }
    return dims;
  }

  public static boolean hasShape(Tensor t, long... shape) {
    return Arrays.equals(shape(t), shape);
  }

  /** {@code [3, 11, 5]}, for error messages. */
  public static String shapeString(Tensor t) {
    return Arrays.toString(shape(t));
  }

  /** An int64 CPU tensor holding {@code values} with the given shape. */
  public static Tensor longs(long[] values, long... shape) {
    try (TensorOptions options = new TensorOptions(ScalarType.Long)) {
      Tensor t = empty(shape, options);
      if (values.length != t.numel()) {
        t.close();
        throw new IllegalArgumentException("expected " + t.numel() + " values for shape " + Arrays.toString(shape)
            + ", got " + values.length);
      }
      if (values.length > 0) { // an empty tensor has no data pointer
        new org.bytedeco.javacpp.LongPointer(t.data_ptr()).put(values);
      }
      return t;
    }
  }

  /** A float32 CPU tensor holding {@code values} with the given shape. */
  public static Tensor floats(float[] values, long... shape) {
    try (TensorOptions options = new TensorOptions(ScalarType.Float)) {
      Tensor t = empty(shape, options);
      if (values.length != t.numel()) {
        t.close();
        throw new IllegalArgumentException("expected " + t.numel() + " values for shape " + Arrays.toString(shape)
            + ", got " + values.length);
      }
      if (values.length > 0) { // an empty tensor has no data pointer
        new org.bytedeco.javacpp.FloatPointer(t.data_ptr()).put(values);
      }
      return t;
    }
  }

  /** The values of a tensor as a float array (converted to float32 on the CPU first). */
  public static float[] toFloatArray(Tensor t) {
    try (Device host = new Device("cpu"); Tensor cpu = copyTo(t, host, ScalarType.Float); Tensor c = cpu.contiguous()) {
      float[] out = new float[(int) c.numel()];
      new org.bytedeco.javacpp.FloatPointer(c.data_ptr()).get(out);
      return out;
    }
  }

  /** The values of an integer tensor as a long array. */
  public static long[] toLongArray(Tensor t) {
    try (Device host = new Device("cpu"); Tensor cpu = copyTo(t, host, ScalarType.Long); Tensor c = cpu.contiguous()) {
      long[] out = new long[(int) c.numel()];
      new org.bytedeco.javacpp.LongPointer(c.data_ptr()).get(out);
      return out;
    }
  }
}
