package dev.exprbert.io;

/**
 * The typed storage classes ({@code torch.FloatStorage}...) that {@code torch.save} names in each
 * storage's persistent id, and the element type each one holds (sizes and LibTorch types come from
 * {@link SafetensorsDtype}, the one table of them). The complex and quantized storages are not
 * listed: no BERT checkpoint holds them, so they are refused by name.
 */
enum TorchStorageType {
  FloatStorage(SafetensorsDtype.F32),
  DoubleStorage(SafetensorsDtype.F64),
  HalfStorage(SafetensorsDtype.F16),
  BFloat16Storage(SafetensorsDtype.BF16),
  LongStorage(SafetensorsDtype.I64),
  IntStorage(SafetensorsDtype.I32),
  ShortStorage(SafetensorsDtype.I16),
  CharStorage(SafetensorsDtype.I8),
  ByteStorage(SafetensorsDtype.U8),
  BoolStorage(SafetensorsDtype.BOOL);

  private final SafetensorsDtype dtype;

  TorchStorageType(SafetensorsDtype dtype) {
    this.dtype = dtype;
  }

  int elementBytes() {
    return dtype.byteSize();
  }

  org.bytedeco.pytorch.global.torch.ScalarType scalarType() {
    return dtype.scalarType();
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
