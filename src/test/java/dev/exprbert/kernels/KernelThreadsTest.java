package dev.exprbert.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.exprbert.runtime.Natives;
import org.junit.jupiter.api.Test;

class KernelThreadsTest {
  @Test
  void cpuKernelsUseTheIntraOpPoolsSizeNeverAllCores() {
    int before = Natives.threads().intraOp();
    try {
      assertEquals(before, NativeKernels.cpuThreads());
      Natives.requestThreads(1);
      assertEquals(1, NativeKernels.cpuThreads()); // 0 would mean every core of the machine to the kernels
    } finally {
      Natives.requestThreads(before);
    }
  }
}
