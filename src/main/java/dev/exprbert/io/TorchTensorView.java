package dev.exprbert.io;

import java.util.Arrays;

/**
 * One tensor of a {@code torch.save} file as its pickle describes it: a strided view (element offset,
 * sizes, strides) into a storage. Nothing here has touched native memory; {@link #checkWithinStorage}
 * is what makes the view safe to hand to LibTorch.
 */
record TorchTensorView(Storage storage, long offset, long[] size, long[] stride) {
  /** More dimensions than any weight has; bounds the work a crafted view can ask for. */
  static final int MAX_DIMS = 64;

  /**
   * A storage's persistent id: {@code ('storage', torch.FloatStorage, key, location, numel)}; its
   * bytes are the zip record {@code data/<key>}. The location ('cpu', 'cuda:0') is not used: every
   * tensor is read onto the CPU, as {@code torch.load(map_location='cpu')} does.
   */
  record Storage(String key, TorchStorageType type, long numel) {
    /** numel x element size, or -1 when that overflows a long. */
    long byteLength() {
      try {
        return Math.multiplyExact(numel, type.elementBytes());
      } catch (ArithmeticException e) {
        return -1;
      }
    }
  }

  TorchTensorView {
    size = size.clone();
    stride = stride.clone();
  }

  @Override
  public long[] size() {
    return size.clone();
  }

  @Override
  public long[] stride() {
    return stride.clone();
  }

  /**
   * Checks that every element the view addresses lies inside its storage: offset >= 0, sizes and
   * strides >= 0 (LibTorch has no negative strides), and offset + sum((size_i - 1) * stride_i) <
   * numel for a non-empty view, computed without overflow.
   *
   * @return the view's element count
   * @throws IllegalArgumentException naming what is out of bounds (the caller adds file and tensor)
   */
  long checkWithinStorage() {
    if (size.length != stride.length) {
      throw new IllegalArgumentException("size " + Arrays.toString(size) + " and stride " + Arrays.toString(stride)
          + " have different lengths");
    }
    if (size.length > MAX_DIMS) {
      throw new IllegalArgumentException(size.length + " dimensions; expected at most " + MAX_DIMS);
    }
    if (storage.numel() < 0 || storage.byteLength() < 0) {
      throw new IllegalArgumentException("storage '" + storage.key() + "' declares " + storage.numel()
          + " elements; expected a count >= 0 whose byte length fits in 64 bits");
    }
    if (offset < 0) {
      throw new IllegalArgumentException("storage offset " + offset + " is negative");
    }
    long numel = 1;
    long last = offset;
    try {
      for (int i = 0; i < size.length; i++) {
        if (size[i] < 0) {
          throw new IllegalArgumentException("size " + Arrays.toString(size) + " has a negative dimension");
        }
        if (stride[i] < 0) {
          throw new IllegalArgumentException("stride " + Arrays.toString(stride) + " is negative; LibTorch views"
              + " have strides >= 0");
        }
        numel = Math.multiplyExact(numel, size[i]);
      }
      if (numel == 0) {
        return 0;
      }
      for (int i = 0; i < size.length; i++) {
        last = Math.addExact(last, Math.multiplyExact(size[i] - 1, stride[i]));
      }
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("view " + describe() + " overflows 64-bit element arithmetic");
    }
    if (last >= storage.numel()) {
      throw new IllegalArgumentException("view " + describe() + " reaches element " + last + " but storage '"
          + storage.key() + "' holds " + storage.numel() + " " + storage.type() + " elements");
    }
    return numel;
  }

  String describe() {
    return "(offset " + offset + ", size " + Arrays.toString(size) + ", stride " + Arrays.toString(stride) + ")";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TorchTensorView v && storage.equals(v.storage) && offset == v.offset
        && Arrays.equals(size, v.size) && Arrays.equals(stride, v.stride);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * storage.hashCode() + Long.hashCode(offset)) + Arrays.hashCode(size) + Arrays.hashCode(stride);
  }

  @Override
  public String toString() {
    return "TorchTensorView" + describe() + " of " + storage;
  }
}
