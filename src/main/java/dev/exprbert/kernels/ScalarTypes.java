package dev.exprbert.kernels;

import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * LibTorch scalar types <-> exprbert_dtype. JavaCPP enums returned by native calls are new objects, so
 * everything here compares {@code .value}, never the enum constants themselves (docs/build-notes.md, "JavaCPP enums are new objects").
 */
public final class ScalarTypes {
  private ScalarTypes() {}

  public static final int FLOAT = ScalarType.Float.value;
  public static final int HALF = ScalarType.Half.value;
  public static final int BFLOAT16 = ScalarType.BFloat16.value;
  public static final int LONG = ScalarType.Long.value;

  static int toExprbert(int scalarType) {
    if (scalarType == FLOAT) {
      return KernelsLibrary.EXPRBERT_DTYPE_F32;
    }
    if (scalarType == HALF) {
      return KernelsLibrary.EXPRBERT_DTYPE_F16;
    }
    if (scalarType == BFLOAT16) {
      return KernelsLibrary.EXPRBERT_DTYPE_BF16;
    }
    return -1; // int64 bookkeeping tensors have no exprbert dtype
  }

  public static String name(int scalarType) {
    for (ScalarType t : ScalarType.values()) {
      if (t.value == scalarType) {
        return t.name();
      }
    }
    return "ScalarType(" + scalarType + ")";
  }
}
