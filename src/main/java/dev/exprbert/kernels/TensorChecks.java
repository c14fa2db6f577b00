package dev.exprbert.kernels;

import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The checks every kernel argument passes before any native call, so bad input never reaches native code: each failure is an
 * IllegalArgumentException naming the argument, the rule, and what was found.
 */
final class TensorChecks {
  private TensorChecks() {}

  static final int CPU = -1;

  /** -1 for a CPU tensor, else its CUDA device index. */
  static int deviceOf(Tensor t) {
    if (t.is_cuda()) {
      return t.device().index();
    }
    if (t.device().type().value != org.bytedeco.pytorch.global.torch.DeviceType.CPU.value) {
      throw new IllegalArgumentException("only CPU and CUDA tensors are supported, got device type "
          + t.device().type());
    }
    return CPU;
  }

  static String deviceName(int device) {
    return device < 0 ? "cpu" : "cuda:" + device;
  }

  static String dtypeName(Tensor t) {
    return ScalarTypes.name(t.scalar_type().value);
  }

  static void requireDefined(Tensor t, String name) {
    if (t == null || t.isNull() || !t.defined()) {
      throw new IllegalArgumentException(name + " must be a defined tensor, got " + (t == null ? "null" : "an undefined tensor"));
    }
  }

  /** Defined, contiguous, on `device`, of one of the allowed dtypes; returns its exprbert dtype. */
  static int check(Tensor t, String name, int device, int... allowedScalarTypes) {
    requireDefined(t, name);
    int found = deviceOf(t);
    if (found != device) {
      throw new IllegalArgumentException(name + " must be on " + deviceName(device) + " like the other arguments, got "
          + deviceName(found));
    }
    if (!t.is_contiguous()) {
      throw new IllegalArgumentException(name + " must be contiguous (the kernel walks raw memory), got strides of a view;"
          + " call contiguous() first");
    }
    int scalarType = t.scalar_type().value;
    for (int allowed : allowedScalarTypes) {
      if (allowed == scalarType) {
        return ScalarTypes.toExprbert(scalarType);
      }
    }
    StringBuilder expected = new StringBuilder();
    for (int allowed : allowedScalarTypes) {
      expected.append(expected.length() == 0 ? "" : " or ").append(ScalarTypes.name(allowed));
    }
    throw new IllegalArgumentException(name + " must have dtype " + expected + ", got " + ScalarTypes.name(scalarType));
  }

  static void requireNumel(Tensor t, String name, long expected, String expectedFrom) {
    if (t.numel() != expected) {
      throw new IllegalArgumentException(name + " must have " + expected + " elements like " + expectedFrom + ", got "
          + t.numel());
    }
  }

  static void requireSameSize(List<?> list, String name, int expected, String expectedFrom) {
    if (list == null) {
      throw new IllegalArgumentException(name + " must not be null");
    }
    if (list.size() != expected) {
      throw new IllegalArgumentException(name + " must hold " + expected + " tensors like " + expectedFrom + ", got "
          + list.size());
    }
  }
}
