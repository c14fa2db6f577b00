package dev.exprbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.runtime.Natives;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * LibTorch's own exceptions, raised for real, become one sentence: the first line of LibTorch's message without its
 * C++ frames, what the code around it was doing, and a remedy where one is known.
 */
class NativeErrorsTest {
  @BeforeAll
  static void load() {
    Natives.init();
  }

  private static RuntimeException libTorchError(Runnable call) {
    return assertThrows(RuntimeException.class, call::run);
  }

  @Test
  void aShapeMismatchIsItsFirstSentenceWithoutTheCppTrace() {
    RuntimeException raw = libTorchError(() -> {
      try (Tensor a = torch.ones(2, 3); Tensor b = torch.ones(4, 5); Tensor c = a.matmul(b)) {
        // not reached
      }
    });
    assertNotNull(NativeErrors.nativeCause(raw), "JavaCPP raises it from a native frame");
    String line = ErrorHandler.describe(new IllegalStateException("evaluating checkpoint-3", raw));
    assertEquals(1, line.lines().count(), line);
    assertTrue(line.startsWith("evaluating checkpoint-3: LibTorch failed: "), line);
    assertTrue(line.contains("cannot be multiplied") && line.contains("2x3") && line.contains("4x5"), line);
    assertFalse(line.contains("Exception raised from") || line.contains(".cpp"), line);
    assertTrue(line.endsWith("(EXPRBERT_DEBUG=1 shows LibTorch's full message)"), line);
    assertTrue(line.length() < 400, line.length() + " chars: " + line);
  }

  @Test
  void anAllocationLibTorchCannotMakeSaysWhatToLower() {
    RuntimeException raw = libTorchError(() -> {
      try (Tensor huge = torch.empty(1L << 45)) { // 128 TiB of floats: no machine can back it
        // not reached
      }
    });
    String line = ErrorHandler.describe(raw);
    assertTrue(line.startsWith("LibTorch ran out of memory ("), line);
    assertTrue(line.contains("--per_device_train_batch_size") && line.contains("--max_seq_length"), line);
    assertEquals(1, line.lines().count(), line);
  }

  @Test
  void javaExceptionsAreNotTakenForNativeOnesAndFileErrorsNameTheFile() {
    assertNull(NativeErrors.nativeCause(new IllegalArgumentException("plain")));
    assertEquals("/x/config.json: no such file or folder",
        ErrorHandler.describe(new UncheckedIOException(new NoSuchFileException("/x/config.json"))));
    assertEquals("while writing /x/out.json: No space left on device",
        ErrorHandler.describe(new IOException("while writing /x/out.json: No space left on device")));
  }

  @Test
  void anExcerptKeepsTheFirstLineAndCutsAtASentence() {
    String first = "Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu! (when"
        + " checking argument for argument mat1 in method wrapper_CUDA_addmm).";
    String raw = first + " " + "x".repeat(300) + "\nException raised from f at a.cpp:1";
    assertEquals(first, NativeErrors.excerpt(raw));
    assertEquals("y".repeat(200) + "...", NativeErrors.excerpt("y".repeat(500)));
    assertEquals("no message", NativeErrors.excerpt("  \n"));
  }
}
