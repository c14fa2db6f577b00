package dev.exprbert.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

class KernelsPreloadTest {
  @Test
  void aNullGetterIsRefusedBeforeTheNativeCall() {
    KernelsPreload preload = new KernelsPreload();
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> preload.callIntGetter(null));
    assertEquals("callIntGetter needs the address of a native int (void) function, got null", none.getMessage());
    assertThrows(IllegalArgumentException.class, () -> preload.callIntGetter(new Pointer()));
  }
}
