package dev.exprbert.io;

import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The typed storage classes ({@code torch.FloatStorage}...) that {@code torch.save} names in each
 * storage's persistent id, with their element size and LibTorch type. The complex and quantized
 * storages are not listed: no BERT checkpoint holds them, so they are refused by name.
 */
enum TorchStorageType {
  FloatStorage(4, ScalarType.Float),
  DoubleStorage(8, ScalarType.Double),
  HalfStorage(2, ScalarType.Half),
  BFloat16Storage(2, ScalarType.BFloat16),
  LongStorage(8, ScalarType.Long),
  IntStorage(4, ScalarType.Int),
  ShortStorage(2, ScalarType.Short),
  CharStorage(1, ScalarType.Char),
  ByteStorage(1, ScalarType.Byte),
  BoolStorage(1, ScalarType.Bool);

  private final int elementBytes;
  private final ScalarType scalarType;

  TorchStorageType(int elementBytes, ScalarType scalarType) {
    this.elementBytes = elementBytes;
    this.scalarType = scalarType;
  }

  int elementBytes() {
    return elementBytes;
  }

  ScalarType scalarType() {
    return scalarType;
  }

  /** The type for a class name in module {@code torch}, or null when it is not a supported storage. */
  static TorchStorageType named(String className) {
    for (TorchStorageType t : values()) {
      if (t.name().equals(className)) {
        return t;
      }
    }
    return null;
  }
}
