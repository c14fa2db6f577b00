package dev.exprbert.io.onnx;

import dev.exprbert.io.onnx.proto.OnnxProto.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Copies an ONNX weight initializer into a new float32 LibTorch tensor (CPU, contiguous) that the
 * caller owns. Weights stored as float16, bfloat16 or double are widened or narrowed to float32,
 * the precision the CPU path and the optimizer's master weights use (DESIGN.md section 6).
 */
final class OnnxTensors {
  private OnnxTensors() {}

  static long[] shape(TensorProto t) {
    return t.getDimsList().stream().mapToLong(Long::longValue).toArray();
  }

  /** More dimensions than any weight or graph constant has. */
  private static final int MAX_DIMS = 64;

  /**
   * The element count of an initializer, after checking its dims: at most {@value #MAX_DIMS} of them,
   * each >= 0, and a product that fits 64 bits (dims are int64 in the file, so any value can appear).
   */
  static long checkedNumel(TensorProto t) {
    long[] shape = shape(t);
    if (shape.length > MAX_DIMS) {
      throw new OnnxImportException(describe(t) + " has " + shape.length + " dims; expected at most " + MAX_DIMS);
    }
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new OnnxImportException(describe(t) + " has a negative dimension; expected sizes >= 0");
      }
      try {
        n = Math.multiplyExact(n, d);
      } catch (ArithmeticException e) {
        throw new OnnxImportException(describe(t) + " has dims whose product overflows 64 bits");
      }
    }
    return n;
  }

  static boolean isFloating(TensorProto t) {
    int type = t.getDataType();
    return type == TensorProto.DataType.FLOAT_VALUE || type == TensorProto.DataType.FLOAT16_VALUE
        || type == TensorProto.DataType.BFLOAT16_VALUE || type == TensorProto.DataType.DOUBLE_VALUE;
  }

  /** A new float32 tensor with the initializer's shape and values. */
  static Tensor toFloatTensor(TensorProto t) {
    long[] shape = shape(t);
    long numel = checkedNumel(t);
    int type = t.getDataType();
    if (type == TensorProto.DataType.FLOAT_VALUE && t.getRawData().isEmpty()) {
      if (t.getFloatDataCount() != numel) {
        throw new OnnxImportException(describe(t) + " holds " + t.getFloatDataCount() + " values in float_data; expected " + numel);
      }
      float[] values = new float[(int) numel];
      for (int i = 0; i < values.length; i++) {
        values[i] = t.getFloatData(i);
      }
      Tensor out = torch.empty(shape, new TensorOptions(ScalarType.Float), new MemoryFormatOptional());
      try (FloatPointer dst = new FloatPointer(out.data_ptr())) {
        dst.capacity(numel).put(values);
      }
      return out;
    }
    ScalarType stored;
    long elementBytes;
    switch (type) {
      case TensorProto.DataType.FLOAT_VALUE:
        stored = ScalarType.Float;
        elementBytes = 4;
        break;
      case TensorProto.DataType.FLOAT16_VALUE:
        stored = ScalarType.Half;
        elementBytes = 2;
        break;
      case TensorProto.DataType.BFLOAT16_VALUE:
        stored = ScalarType.BFloat16;
        elementBytes = 2;
        break;
      case TensorProto.DataType.DOUBLE_VALUE:
        stored = ScalarType.Double;
        elementBytes = 8;
        break;
      default:
        throw new OnnxImportException(describe(t) + " has ONNX data type " + type + "; expected a floating weight"
            + " (FLOAT=1, FLOAT16=10, DOUBLE=11, BFLOAT16=16)");
    }
    long expectedBytes = Math.multiplyExact(numel, elementBytes);
    if (t.getRawData().size() != expectedBytes) {
      throw new OnnxImportException(describe(t) + " holds " + t.getRawData().size() + " bytes of raw_data; expected " + expectedBytes
          + " (" + numel + " elements of " + elementBytes + " bytes); only raw_data is read for this data type");
    }
    Tensor storedTensor = torch.empty(shape, new TensorOptions(stored), new MemoryFormatOptional());
    // ONNX raw_data is little-endian; copy it byte for byte into the tensor's storage.
    try (BytePointer dst = new BytePointer(storedTensor.data_ptr())) {
      ByteBuffer target = dst.capacity(expectedBytes).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      target.put(t.getRawData().asReadOnlyByteBuffer());
    }
    if (stored == ScalarType.Float) {
      return storedTensor;
    }
    try (storedTensor) {
      return storedTensor.to(ScalarType.Float);
    }
  }

  static String describe(TensorProto t) {
    return "initializer '" + t.getName() + "' " + java.util.Arrays.toString(shape(t));
  }
}
