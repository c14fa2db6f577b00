package dev.exprbert.dist;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.SizeTPointer;
import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.Store;
import org.bytedeco.pytorch.StringVector;
import org.bytedeco.pytorch.TCPStore;
import org.bytedeco.pytorch.TCPStoreOptions;

/**
 * The rendezvous of a run: rank 0 hosts c10d's {@code TCPStore} on {@code MASTER_PORT} (torch's {@code env://}),
 * every rank connects to it, claims its rank and waits for the others, so a launch that cannot work fails here, in
 * one line, before any process group is built: a port in use, an unreachable master, a rank that never joins, a rank
 * started twice, ranks that disagree on {@code WORLD_SIZE}.
 */
final class Rendezvous {
  static final String PREFIX = "exprbert/";
  private static final long POLL_MILLIS = 20;
  private static final java.util.concurrent.atomic.AtomicInteger JOINS = new java.util.concurrent.atomic.AtomicInteger();

  private Rendezvous() {}

  /**
   * The store: rank 0 starts its server, the others connect within {@code timeout}. The two ways a launch commonly
   * fails here (the port is taken; nothing answers at the master's address) are checked with a plain socket first, so
   * they end in one line instead of the stack trace c10d logs to stderr before it throws.
   */
  static TCPStore open(LaunchEnvironment env, Duration timeout) {
    boolean server = env.rank() == 0;
    String where = env.masterAddr() + ":" + env.masterPort();
    if (server) {
      requireFreePort(env.masterPort());
    } else {
      awaitListener(env, timeout);
    }
    try (TCPStoreOptions options = new TCPStoreOptions(); SizeTPointer workers = new SizeTPointer(1);
        Milliseconds millis = new Milliseconds(timeout.toMillis())) {
      workers.put(env.worldSize());
      options.port((short) env.masterPort()).isServer(server).numWorkers(workers).waitWorkers(false).timeout(millis);
      return new TCPStore(env.masterAddr(), options);
    } catch (RuntimeException e) {
      String reason = DistributedException.firstLine(e);
      if (server) {
        throw new DistributedException("rank 0 cannot start the rendezvous store on port " + env.masterPort()
            + " (MASTER_PORT): " + reason + (reason.contains("in use") ? "; pick a free --master_port" : ""), List.of(), e);
      }
      throw new DistributedException("rank " + env.rank() + " cannot reach the rendezvous store at " + where
          + " (MASTER_ADDR:MASTER_PORT) within " + seconds(timeout) + ": " + reason
          + "; is rank 0 running, and are MASTER_ADDR and MASTER_PORT the ones it was given?", List.of(0), e);
    }
  }

  private static void requireFreePort(int port) {
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true); // as the store's own socket: a port in TIME_WAIT is free
      probe.bind(new InetSocketAddress(port));
    } catch (IOException e) {
      throw new DistributedException("rank 0 cannot start the rendezvous store on port " + port + " (MASTER_PORT): "
          + e.getMessage() + "; pick a free --master_port", List.of(), e);
    }
  }

  /** Waits until something listens at the master's address (rank 0's store, once it has started). */
  private static void awaitListener(LaunchEnvironment env, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String reason = "nothing answered";
    while (System.nanoTime() < deadline) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      try (Socket probe = new Socket()) {
        probe.connect(new InetSocketAddress(env.masterAddr(), env.masterPort()), (int) Math.max(1, Math.min(left, 1000)));
        return;
      } catch (IOException e) {
        reason = e.getMessage() != null ? e.getMessage() : e.toString();
      }
      sleep(Math.min(100, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
    }
    throw new DistributedException("rank " + env.rank() + " cannot reach the rendezvous store at " + env.masterAddr() + ":"
        + env.masterPort() + " (MASTER_ADDR:MASTER_PORT) within " + seconds(timeout) + " (" + reason + "); is rank 0"
        + " running, and are MASTER_ADDR and MASTER_PORT the ones it was given?", List.of(0), null);
  }

  /**
   * Claims this rank, checks that every rank agrees on the world size, and waits until all ranks have claimed
   * theirs.
   */
  static void join(Store store, LaunchEnvironment env, Duration timeout) {
    String me = identity();
    String world = Integer.toString(env.worldSize());
    String agreed = store.compareSet(PREFIX + "world_size", "", world);
    if (!agreed.equals(world)) {
      throw new DistributedException("rank " + env.rank() + " has WORLD_SIZE " + world + " but another rank joined with"
          + " WORLD_SIZE " + agreed + ": every rank must be started with the same WORLD_SIZE", List.of(), null);
    }
    String claimed = store.compareSet(rankKey(env.rank()), "", me);
    if (!claimed.equals(me)) {
      throw new DistributedException("RANK " + env.rank() + " was already claimed by " + claimed + " (this process is "
          + me + "): every process needs its own RANK", List.of(env.rank()), null);
    }
    List<String> keys = new ArrayList<>();
    for (int r = 0; r < env.worldSize(); r++) {
      keys.add(rankKey(r));
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    try (StringVector all = new StringVector(keys.toArray(new String[0]))) {
      while (!store.check(all)) {
        if (System.nanoTime() > deadline) {
          List<Integer> missing = new ArrayList<>();
          for (int r = 0; r < env.worldSize(); r++) {
            try (StringVector one = new StringVector(rankKey(r))) {
              if (!store.check(one)) {
                missing.add(r);
              }
            }
          }
          throw new DistributedException((missing.size() == 1 ? "rank " + missing.get(0) + " did" : "ranks " + missing
              + " did") + " not join the rendezvous at " + env.masterAddr() + ":" + env.masterPort() + " within "
              + seconds(timeout) + " (ddp_timeout): " + (missing.size() == 1 ? "is it" : "are they")
              + " started, with the same MASTER_ADDR and MASTER_PORT?",
              missing, null);
        }
        sleep(POLL_MILLIS);
      }
    }
  }

  static String rankKey(int rank) {
    return PREFIX + "rank/" + rank;
  }

  /** host:pid of this process, as the error messages name it (with a count when one process joins several times). */
  static String identity() {
    int n = JOINS.incrementAndGet();
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = "localhost";
    }
    return host + ":" + ProcessHandle.current().pid() + (n > 1 ? "#" + n : "");
  }

  static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : String.format("%.1f s", d.toMillis() / 1000.0);
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DistributedException("interrupted while waiting for the other ranks", List.of(), e);
    }
  }
}
