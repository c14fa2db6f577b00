package dev.exprbert.dist;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.Store;

/**
 * Which ranks are alive and how far they are, so a failed collective can name the rank to blame instead of printing
 * gloo's "Connection closed by peer [10.0.0.7]:41235" or "Timed out waiting 1800000ms".
 *
 * <p>[note: heartbeats] A daemon thread writes this rank's heartbeat to the store every {@code interval} (a counter,
 * and how many collectives this rank has started) and reads every other rank's. A rank whose counter has not moved
 * for {@code 4 x interval} is lost: its process exited, was killed or is stopped (a stopped process's heartbeat
 * thread stops too). A rank whose heartbeat moves but whose collective count is below the one that failed is behind
 * (stuck in its own work, or slower than {@code ddp_timeout} allows). When the store itself stops answering, rank 0,
 * which hosts it, is the lost one. The thread has its own store connection and never touches a tensor, so it changes
 * nothing the training computes.
 */
final class Liveness implements AutoCloseable {
  private static final long MIN_INTERVAL_MILLIS = 100;
  private static final long MAX_INTERVAL_MILLIS = 1000;

  private final Store store;
  private final int rank;
  private final int world;
  private final String storeAddress;
  private final long intervalNanos;
  private final long staleNanos;
  private final AtomicLong started = new AtomicLong();
  private final long[] beats;
  private final long[] changedAt;
  private final long[] progress;
  private volatile long storeContactAt;
  private volatile String storeError;
  private volatile boolean running = true;
  private final Thread thread;

  /**
   * Publishes this rank's first heartbeat at once (so every rank's key exists once all have joined), then beats from
   * a daemon thread. Takes ownership of {@code store}, a connection of its own.
   */
  Liveness(Store store, int rank, int world, Duration timeout, String storeAddress) {
    this.store = store;
    this.rank = rank;
    this.world = world;
    this.storeAddress = storeAddress;
    long interval = Math.max(MIN_INTERVAL_MILLIS, Math.min(MAX_INTERVAL_MILLIS, timeout.toMillis() / 10));
    this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(interval);
    this.staleNanos = 4 * intervalNanos;
    try (Milliseconds storeTimeout = new Milliseconds(Math.max(1, TimeUnit.NANOSECONDS.toMillis(staleNanos)))) {
      store.setTimeout(storeTimeout); // a store that does not answer must not freeze the heartbeat for ddp_timeout
    }
    this.beats = new long[world];
    this.changedAt = new long[world];
    this.progress = new long[world];
    long now = System.nanoTime();
    java.util.Arrays.fill(changedAt, now);
    java.util.Arrays.fill(beats, -1);
    this.storeContactAt = now;
    store.set(key(rank), "0 0");
    this.thread = new Thread(this::run, "exprbert-heartbeat-rank" + rank);
    thread.setDaemon(true);
    thread.start();
  }

  /** Counts one more collective started by this rank; returns its number (1 for the first). */
  long started() {
    return started.incrementAndGet();
  }

  private static String key(int rank) {
    return Rendezvous.PREFIX + "heartbeat/" + rank;
  }

  private void run() {
    long beat = 0;
    while (running) {
      beat++;
      try {
        store.set(key(rank), beat + " " + started.get());
        for (int r = 0; r < world && running; r++) {
          if (r != rank) {
            String[] parts = store.get_to_str(key(r)).split(" ");
            record(r, Long.parseLong(parts[0]), Long.parseLong(parts[1]));
          }
        }
        storeContactAt = System.nanoTime();
        storeError = null;
      } catch (RuntimeException e) {
        storeError = DistributedException.firstLine(e);
      }
      LockSupport.parkNanos(intervalNanos);
    }
  }

  private synchronized void record(int r, long beat, long collectives) {
    if (beat != beats[r]) {
      beats[r] = beat;
      changedAt[r] = System.nanoTime();
    }
    progress[r] = collectives;
  }

  /**
   * The failure of {@code what} (collective number {@code collective} of this rank, 0 for a wait on the store, begun
   * at {@code startedAt}, a {@link System#nanoTime}) as one line naming the lost or lagging ranks. A rank that died
   * moments ago still looks alive for up to {@code 4 x interval}: a failure that came sooner than that after the
   * operation began waits that long at most for the picture to clear (one that came after a long wait, a timeout,
   * is answered at once).
   */
  DistributedException failure(String what, long collective, long startedAt, Throwable cause) {
    long now = System.nanoTime();
    long deadline = now - startedAt > staleNanos + intervalNanos ? now : now + staleNanos + intervalNanos;
    Findings f = findings(collective);
    while (f.lost.isEmpty() && System.nanoTime() < deadline) {
      LockSupport.parkNanos(intervalNanos / 4);
      f = findings(collective);
    }
    String reason = cause != null ? " (" + DistributedException.firstLine(cause) + ")" : "";
    List<Integer> named = !f.lost.isEmpty() ? f.lost : f.behind;
    return new DistributedException(what + " failed on rank " + rank + " of " + world + ": " + f.text + reason, named,
        cause);
  }

  private record Findings(List<Integer> lost, List<Integer> behind, String text) {}

  private synchronized Findings findings(long collective) {
    long now = System.nanoTime();
    List<Integer> lost = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    if (rank != 0 && now - storeContactAt > staleNanos) {
      lost.add(0);
      text.append("rank 0 is lost: the rendezvous store it hosts at ").append(storeAddress).append(" has not answered for ")
          .append(secondsSince(storeContactAt, now)).append(storeError != null ? " (" + storeError + ")" : "")
          .append(", so its process exited, was killed or is stopped");
      return new Findings(lost, List.of(), text.toString());
    }
    for (int r = 0; r < world; r++) {
      if (r != rank && now - changedAt[r] > staleNanos) {
        lost.add(r);
      }
    }
    if (!lost.isEmpty()) {
      text.append(lost.size() == 1 ? "rank " + lost.get(0) + " is lost" : "ranks " + lost + " are lost")
          .append(" (no heartbeat for ").append(secondsSince(changedAt[lost.get(0)], now))
          .append(": the process exited, was killed or is stopped)");
      return new Findings(lost, List.of(), text.toString());
    }
    List<Integer> behind = new ArrayList<>();
    for (int r = 0; r < world; r++) {
      if (r != rank && collective > 0 && progress[r] < collective) {
        behind.add(r);
      }
    }
    if (!behind.isEmpty()) {
      text.append(behind.size() == 1 ? "rank " + behind.get(0) + " is" : "ranks " + behind + " are")
          .append(" alive but had not reached this collective (#").append(collective).append(" of this rank; rank ")
          .append(behind.get(0)).append(" had started ").append(progress[behind.get(0)])
          .append("): stuck, or slower than ddp_timeout allows");
      return new Findings(List.of(), behind, text.toString());
    }
    text.append("every rank is alive and had reached this collective");
    return new Findings(List.of(), List.of(), text.toString());
  }

  private static String secondsSince(long then, long now) {
    return String.format("%.1f s", (now - then) / 1e9);
  }

  @Override
  public void close() {
    running = false;
    LockSupport.unpark(thread);
    try {
      thread.join(TimeUnit.NANOSECONDS.toMillis(staleNanos + 2 * intervalNanos));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!thread.isAlive()) {
      store.close(); // its own connection; left to the process's end if the thread is stuck in a call on it
    }
  }
}
