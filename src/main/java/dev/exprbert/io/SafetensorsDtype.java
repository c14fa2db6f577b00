package dev.exprbert.io;

import java.util.Locale;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The safetensors element types this project reads and writes, with their LibTorch counterparts.
 *
 * <p>The declaration order is the order of {@code safetensors::Dtype} (huggingface/safetensors,
 * safetensors/src/tensor.rs, "They MUST be in increasing alignment order"); the HF writer lays tensors
 * out by descending dtype in that order, then by name, and {@link SafetensorsWriter} does the same.
 * Types not listed here (F8_E8M0, F4, complex, packed int4...) are rejected by name when read.
 */
public enum SafetensorsDtype {
  BOOL(1, ScalarType.Bool),
  U8(1, ScalarType.Byte),
  I8(1, ScalarType.Char),
  F8_E5M2(1, ScalarType.Float8_e5m2),
  F8_E4M3(1, ScalarType.Float8_e4m3fn),
  I16(2, ScalarType.Short),
  U16(2, ScalarType.UInt16),
  F16(2, ScalarType.Half),
  BF16(2, ScalarType.BFloat16),
  I32(4, ScalarType.Int),
  U32(4, ScalarType.UInt32),
  F32(4, ScalarType.Float),
  F64(8, ScalarType.Double),
  I64(8, ScalarType.Long),
  U64(8, ScalarType.UInt64);

  private final int byteSize;
  private final ScalarType scalarType;

  SafetensorsDtype(int byteSize, ScalarType scalarType) {
    this.byteSize = byteSize;
    this.scalarType = scalarType;
  }

  /** Bytes per element. */
  public int byteSize() {
    return byteSize;
  }

  /** The LibTorch type a tensor of this dtype is created with. */
  public ScalarType scalarType() {
    return scalarType;
  }

  /** The dtype for a header string such as "F32", or null when the string names no supported type. */
  public static SafetensorsDtype fromHeaderName(String name) {
    for (SafetensorsDtype dtype : values()) {
      if (dtype.name().equals(name)) {
        return dtype;
      }
    }
    return null;
  }

  /**
   * The dtype for a LibTorch scalar type. Compares {@code .value}, because JavaCPP returns a new enum
   * object from every native call ({@code ==} and {@code equals} fail).
   *
   * @throws IllegalArgumentException for a type safetensors cannot hold (complex, quantized...)
   */
  public static SafetensorsDtype fromScalarType(ScalarType type, String tensorName) {
    for (SafetensorsDtype dtype : values()) {
      if (dtype.scalarType.value == type.value) {
        return dtype;
      }
    }
    throw new IllegalArgumentException(String.format(Locale.ROOT,
        "tensor '%s': dtype %s cannot be stored in safetensors; expected one of %s",
        tensorName, type, java.util.Arrays.toString(values())));
  }

  /** Every supported header name, for error messages. */
  static String supportedNames() {
    return java.util.Arrays.toString(values());
  }
}
