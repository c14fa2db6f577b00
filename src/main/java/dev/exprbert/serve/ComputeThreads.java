package dev.exprbert.serve;

import dev.exprbert.runtime.Natives;

/**
 * The CPU threads of one forward pass: the process's compute pools ({@code runtime.ThreadPlan}). {@code --threads T}
 * sizes LibTorch's intra-op pool (and so our kernels') and OpenBLAS's, unless the user set {@code OPENBLAS_NUM_THREADS};
 * the pools take turns and their idle threads stop spinning at once (with OpenBLAS's default spinning, pool workers
 * waiting for cores other processes held made a one-sentence MiniLM forward 0.3-2 s instead of 20-70 ms on a busy
 * machine; {@code OPENBLAS_NUM_THREADS=1} remains the choice for a server sharing its cores).
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
