package dev.exprbert.runtime;

import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Child JVM of {@link ThreadPoolsTest}: loads LibTorch in the environment it was given and prints the live pools. */
public final class ThreadPoolsProbe {
  private ThreadPoolsProbe() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0) {
      String threads = args[0];
      if (threads.startsWith("prepared:")) { // the environment first, as a load with a background tokenizer does
        Natives.prepareEnvironment();
        threads = threads.substring("prepared:".length());
      }
      Natives.requestThreads(Integer.parseInt(threads)); // as --threads does, before LibTorch loads
    }
    ThreadPlan plan = Natives.threads();
    AtomicInteger otherThread = new AtomicInteger();
    Thread worker = new Thread(() -> {
      try (Tensor a = torch.ones(256, 256); Tensor b = a.matmul(a); Tensor s = b.sum()) {
        s.item_float(); // a product and a parallel reduction on a thread that never set the pool size
        otherThread.set(torch.get_num_threads());
      }
    });
    worker.start();
    worker.join();
    System.out.printf("POOLS plan=%d/%d intraop=%d other-thread=%d %s=%d%n", plan.intraOp(), plan.blas(),
        torch.get_num_threads(), otherThread.get(), Natives.blasLibrary(), Natives.blasThreads());
  }
}
