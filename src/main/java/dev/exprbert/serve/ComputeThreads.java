package dev.exprbert.serve;

import dev.exprbert.runtime.Natives;

/**
 * The CPU threads of one forward pass: the process's one compute pool ({@code runtime.ThreadPlan}). {@code --threads T}
 * sizes LibTorch's intra-op pool (and so our kernels'); OpenBLAS keeps its single thread, so the matrix products run
 * on the calling thread and never wait for a second pool (on a busy machine, spinning pool workers waiting for cores
 * other processes hold made a one-sentence MiniLM forward 0.3-2 s instead of 20-70 ms).
 */
public final class ComputeThreads {
  private ComputeThreads() {}

  public static void set(int threads) {
    Natives.requestThreads(threads);
  }

  /** LibTorch's intra-op thread count. */
  public static int current() {
    return Natives.threads().intraOp();
  }
}
