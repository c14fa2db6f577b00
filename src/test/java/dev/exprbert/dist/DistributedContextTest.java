package dev.exprbert.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.runtime.Tensors;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The collectives of {@link DistributedContext} on two ranks (threads of this JVM, Gloo over loopback), and the
 * one-line failures of launches that cannot work and of ranks that go missing.
 */
class DistributedContextTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final Duration SHORT = Duration.ofSeconds(2);

  @Test
  void sumsGathersBroadcastsAndShares() throws Exception {
    List<Object[]> out = LocalRanks.run(2, TIMEOUT, c -> {
      long[] sum = c.allReduceSum(new long[] {c.rank() + 1, 10L * (c.rank() + 1), Long.MAX_VALUE / 4}, "sum");
      long[][] gathered = c.allGather(c.rank() == 0 ? new long[] {7} : new long[] {1, 2, 3}, "gather");
      float[] broadcast;
      try (Tensor t = Tensors.floats(new float[] {c.rank(), c.rank() + 0.5f}, 2)) {
        c.broadcast(List.of(t), 1, "broadcast");
        broadcast = Tensors.toFloatArray(t);
      }
      String shared = c.shareFromMain("answer", () -> "from rank " + c.rank());
      c.barrier("barrier");
      return new Object[] {sum, gathered, broadcast, shared};
    });
    for (Object[] rank : out) {
      assertArrayEquals(new long[] {3, 30, 2 * (Long.MAX_VALUE / 4)}, (long[]) rank[0]);
      assertArrayEquals(new long[][] {{7}, {1, 2, 3}}, (long[][]) rank[1]);
      assertArrayEquals(new float[] {1, 1.5f}, (float[]) rank[2]);
      assertEquals("from rank 0", rank[3]);
    }
  }

  @Test
  void aSingleProcessReturnsItsOwnValues() {
    try (DistributedContext c = DistributedContext.single()) {
      assertEquals(0, c.rank());
      assertEquals(1, c.worldSize());
      assertArrayEquals(new long[] {4, 5}, c.allReduceSum(new long[] {4, 5}, "sum"));
      assertArrayEquals(new long[][] {{4}}, c.allGather(new long[] {4}, "gather"));
      assertEquals("x", c.shareFromMain("x", () -> "x"));
    }
  }

  @Test
  void aPortInUseIsOneLineNamingThePort() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("0.0.0.0"))) {
      DistributedException e = assertThrows(DistributedException.class,
          () -> LocalRanks.connect(0, 2, taken.getLocalPort(), SHORT));
      assertOneLine(e);
      assertTrue(e.getMessage().contains("port " + taken.getLocalPort()), e.getMessage());
    }
  }

  @Test
  void anUnreachableMasterIsOneLineWithinTheTimeout() throws Exception {
    int nobody = LocalRanks.freePort();
    long t0 = System.nanoTime();
    DistributedException e = assertThrows(DistributedException.class, () -> LocalRanks.connect(1, 2, nobody, SHORT));
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertOneLine(e);
    assertTrue(e.getMessage().contains("cannot reach the rendezvous store at 127.0.0.1:" + nobody), e.getMessage());
    assertTrue(seconds < 10, "gave up after " + seconds + " s");
  }

  @Test
  void aRankThatNeverJoinsIsNamed() throws Exception {
    DistributedException e = assertThrows(DistributedException.class,
        () -> LocalRanks.connect(0, 2, LocalRanks.freePort(), SHORT));
    assertOneLine(e);
    assertTrue(e.getMessage().startsWith("rank 1 did not join"), e.getMessage());
    assertEquals(List.of(1), e.lostRanks());
  }

  /** A rank that is alive (heartbeat on) but never reaches the collective: named as behind, after the timeout. */
  @Test
  void aRankThatFallsBehindIsNamedAfterTheTimeout() throws Exception {
    List<Object> out = LocalRanks.run(2, SHORT, c -> {
      if (c.rank() == 1) {
        Thread.sleep(SHORT.toMillis() + 1500); // busy elsewhere, past rank 0's timeout
        return null;
      }
      long t0 = System.nanoTime();
      DistributedException e = assertThrows(DistributedException.class, () -> c.barrier("the test barrier"));
      return new Object[] {e, (System.nanoTime() - t0) / 1e9};
    });
    DistributedException e = (DistributedException) ((Object[]) out.get(0))[0];
    double seconds = (double) ((Object[]) out.get(0))[1];
    assertOneLine(e);
    assertTrue(e.getMessage().startsWith("the test barrier failed on rank 0 of 2: rank 1 is alive but had not reached"
        + " this collective"), e.getMessage());
    assertEquals(List.of(1), e.lostRanks());
    assertTrue(seconds < SHORT.toSeconds() + 1.5, "named after " + seconds + " s, timeout " + SHORT);
  }

  /** A rank whose heartbeat stops (its process gone or stopped) is named as lost. */
  @Test
  void aRankWhoseHeartbeatStopsIsNamedAsLost() throws Exception {
    List<Object> out = LocalRanks.run(2, SHORT, c -> {
      if (c.rank() == 1) {
        c.close(); // its heartbeat stops and it leaves without reaching the barrier, as a rank whose process ended
        Thread.sleep(SHORT.toMillis() + 1500);
        return null;
      }
      return assertThrows(DistributedException.class, () -> c.barrier("the test barrier"));
    });
    DistributedException e = (DistributedException) out.get(0);
    assertOneLine(e);
    assertTrue(e.getMessage().startsWith("the test barrier failed on rank 0 of 2: rank 1 is lost (no heartbeat for"),
        e.getMessage());
    assertEquals(List.of(1), e.lostRanks());
  }

  @Test
  void aRankClaimedTwiceIsRefused() throws Exception {
    int port = LocalRanks.freePort();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      java.util.concurrent.Future<DistributedContext> zero = pool.submit(() -> LocalRanks.connect(0, 2, port, TIMEOUT));
      DistributedContext one = LocalRanks.connect(1, 2, port, TIMEOUT);
      DistributedException twice = assertThrows(DistributedException.class, () -> LocalRanks.connect(1, 2, port, SHORT));
      one.close();
      zero.get().close(); // rank 0 hosts the store: it leaves last
      assertOneLine(twice);
      assertTrue(twice.getMessage().startsWith("RANK 1 was already claimed by "), twice.getMessage());
    } finally {
      pool.shutdownNow();
    }
  }

  static void assertOneLine(Exception e) {
    assertTrue(e.getMessage() != null && !e.getMessage().contains("\n") && e.getMessage().length() < 400,
        "not one short line: " + e.getMessage());
  }
}
