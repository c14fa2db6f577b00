package dev.exprbert.runtime;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.pytorch.Device;
import org.junit.jupiter.api.Test;

/**
 * A device the machine lacks is refused in one line before anything is placed on it; LibTorch's own error for it is
 * kilobytes of dispatcher text. Written for both kinds of machine: the count comes from LibTorch.
 */
class PlacementTest {
  @Test
  void aCudaDeviceBeyondWhatLibTorchSeesIsOneLineNamingWhatExists() {
    int count = Placement.cudaDeviceCount();
    Placement missing = new Placement("cuda:" + count, Placement.Precision.FLOAT32);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, missing::torchDevice);
    String message = e.getMessage();
    assertTrue(message.startsWith("--device cuda:" + count + ": "), message);
    assertTrue(message.endsWith("--device cpu"), message);
    assertEquals(1, message.lines().count(), message);
    if (count == 0) {
      assertTrue(message.contains("this machine has no CUDA device LibTorch can use (LibTorch sees 0"), message);
    } else {
      assertTrue(message.contains("LibTorch sees " + count + " CUDA device"), message);
    }
  }

  @Test
  void theCpuAndExistingDevicesPass() {
    assertDoesNotThrow(() -> {
      try (Device cpu = Placement.CPU_FLOAT32.torchDevice()) {
        assertTrue(cpu.is_cpu());
      }
    });
    if (Placement.cudaDeviceCount() > 0) {
      assertDoesNotThrow(() -> new Placement("cuda:0", Placement.Precision.FLOAT32).requireAvailable());
    }
  }

  @Test
  void aMalformedDeviceNameSaysWhatIsExpected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Placement("gpu", Placement.Precision.FLOAT32));
    assertEquals("device 'gpu' is unknown: expected cpu, cuda or cuda:N", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Placement("cuda:12345", Placement.Precision.FLOAT32));
  }
}
