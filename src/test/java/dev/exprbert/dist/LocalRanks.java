package dev.exprbert.dist;

import dev.exprbert.runtime.Placement;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Ranks of one run as threads of this JVM, on loopback: each thread joins with its own store connection and Gloo
 * process group (c10d allows several in one process), so collectives are tested without starting processes.
 */
final class LocalRanks {
  @FunctionalInterface
  interface RankBody<T> {
    T run(DistributedContext context) throws Exception;
  }

  private LocalRanks() {}

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static LaunchEnvironment env(int rank, int world, int port) {
    return new LaunchEnvironment(rank, world, rank, world, "127.0.0.1", port);
  }

  static DistributedContext connect(int rank, int world, int port, Duration timeout) {
    return DistributedContext.connect(env(rank, world, port), DistributedBackend.GLOO, Placement.CPU_FLOAT32, timeout, null);
  }

  /** Runs {@code body} on {@code world} ranks at once; returns each rank's result, by rank. */
  static <T> List<T> run(int world, Duration timeout, RankBody<T> body) throws Exception {
    int port = freePort();
    ExecutorService pool = Executors.newFixedThreadPool(world);
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (int r = 0; r < world; r++) {
        int rank = r;
        futures.add(pool.submit(() -> {
          try (DistributedContext context = connect(rank, world, port, timeout)) {
            return body.run(context);
          }
        }));
      }
      List<T> out = new ArrayList<>();
      for (Future<T> f : futures) {
        out.add(f.get(60, TimeUnit.SECONDS));
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }
}
