package dev.exprbert.dist;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * torchrun's job for one machine: starts this node's ranks as child processes with torchrun's environment
 * ({@code RANK}, {@code WORLD_SIZE}, {@code LOCAL_RANK}, {@code LOCAL_WORLD_SIZE}, {@code MASTER_ADDR},
 * {@code MASTER_PORT}, {@code GROUP_RANK}), forwards their output line by line with a {@code [rankN]: } prefix, and
 * when one fails ends the others and exits with the first failure's code. The others first get a few seconds to fail
 * by themselves, which they do once their next collective finds the rank gone, naming it (a rank's heartbeat is
 * judged lost after at most 4 s, [note: heartbeats] in {@link Liveness}); then SIGTERM, then SIGKILL after a grace
 * period.
 * As torchrun does, it sets {@code OMP_NUM_THREADS=1} for the children when it starts several and the variable is
 * not set, so the ranks do not fight over the cores. Each machine of a multi-machine run starts its own launcher with
 * its {@code node_rank}; the ranks find each other through rank 0's store.
 */
public final class RankLauncher {
  /** torchrun's default master port. */
  public static final int DEFAULT_PORT = 29500;
  private static final long GRACE_SECONDS = 10;
  /** How long the other ranks may take to fail by themselves, and say why, before they are ended. */
  private static final long REPORT_SECONDS = 8;

  /** Where the ranks of this launch sit. */
  public record Layout(int nprocPerNode, int nnodes, int nodeRank, String masterAddr, int masterPort) {
    public Layout {
      if (nprocPerNode < 1) {
        throw new LaunchException("--nproc_per_node must be at least 1, found " + nprocPerNode);
      }
      if (nnodes < 1) {
        throw new LaunchException("--nnodes must be at least 1, found " + nnodes);
      }
      if (nodeRank < 0 || nodeRank >= nnodes) {
        throw new LaunchException("--node_rank " + nodeRank + " is out of range for --nnodes " + nnodes + " (0.."
            + (nnodes - 1) + ")");
      }
      if (masterPort < 1 || masterPort > 65535) {
        throw new LaunchException("--master_port must be a TCP port (1..65535), found " + masterPort);
      }
      if (masterAddr == null || masterAddr.isBlank()) {
        throw new LaunchException("--master_addr must name the machine of node 0");
      }
    }

    int worldSize() {
      return nprocPerNode * nnodes;
    }

    int rank(int localRank) {
      return nodeRank * nprocPerNode + localRank;
    }
  }

  private final Layout layout;
  private final Map<String, String> environment;
  private final PrintWriter out;
  private final PrintWriter err;

  /** @param environment the environment the ranks inherit (the launcher's own, usually) */
  public RankLauncher(Layout layout, Map<String, String> environment, PrintWriter out, PrintWriter err) {
    this.layout = layout;
    this.environment = Map.copyOf(environment);
    this.out = out;
    this.err = err;
  }

  /** The environment of local rank {@code localRank}. */
  Map<String, String> environmentOf(int localRank) {
    Map<String, String> env = new HashMap<>(environment);
    env.put("RANK", Integer.toString(layout.rank(localRank)));
    env.put("WORLD_SIZE", Integer.toString(layout.worldSize()));
    env.put("LOCAL_RANK", Integer.toString(localRank));
    env.put("LOCAL_WORLD_SIZE", Integer.toString(layout.nprocPerNode()));
    env.put("GROUP_RANK", Integer.toString(layout.nodeRank()));
    env.put("MASTER_ADDR", layout.masterAddr());
    env.put("MASTER_PORT", Integer.toString(layout.masterPort()));
    if (layout.nprocPerNode() > 1 && !environment.containsKey("OMP_NUM_THREADS")) {
      env.put("OMP_NUM_THREADS", "1");
    }
    return env;
  }

  private record Exit(int localRank, int code) {}

  /**
   * Starts every local rank with the command line {@code commandFor(global rank)} and waits. Returns 0 when all succeed, else the exit code of
   * the first rank that failed, after ending the others.
   */
  public int run(java.util.function.IntFunction<List<String>> commandFor) throws IOException, InterruptedException {
    if (layout.nprocPerNode() > 1 && !environment.containsKey("OMP_NUM_THREADS")) {
      err.println("exprbert launch: OMP_NUM_THREADS=1 for each rank (set OMP_NUM_THREADS to choose another count)");
      err.flush();
    }
    List<Process> ranks = new ArrayList<>();
    List<Thread> pumps = new ArrayList<>();
    BlockingQueue<Exit> exits = new LinkedBlockingQueue<>();
    Thread hook = new Thread(() -> ranks.forEach(Process::destroy), "exprbert-launch-shutdown");
    Runtime.getRuntime().addShutdownHook(hook); // a launcher ended by a signal ends its ranks
    try {
      for (int local = 0; local < layout.nprocPerNode(); local++) {
        ProcessBuilder builder = new ProcessBuilder(commandFor.apply(layout.rank(local)));
        builder.environment().clear();
        builder.environment().putAll(environmentOf(local));
        Process p = builder.start();
        ranks.add(p);
        String prefix = "[rank" + layout.rank(local) + "]: ";
        pumps.add(pump(p.getInputStream(), out, prefix));
        pumps.add(pump(p.getErrorStream(), err, prefix));
        int localRank = local;
        p.onExit().thenAccept(done -> exits.add(new Exit(localRank, done.exitValue())));
      }
      Exit failure = null;
      for (int left = ranks.size(); left > 0; left--) {
        Exit exit = exits.take();
        if (exit.code() != 0 && failure == null) {
          failure = exit;
          err.println("exprbert launch: rank " + layout.rank(exit.localRank()) + " exited with code " + exit.code()
              + describe(exit.code()) + "; ending the other ranks");
          err.flush();
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(REPORT_SECONDS);
          for (Process p : ranks) {
            p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          }
          end(ranks);
        }
      }
      for (Thread t : pumps) {
        t.join(TimeUnit.SECONDS.toMillis(GRACE_SECONDS));
      }
      return failure == null ? 0 : failure.code();
    } finally {
      end(ranks);
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down: the hook runs anyway
      }
    }
  }

  private static String describe(int code) {
    return code > 128 && code < 160 ? " (killed by signal " + (code - 128) + ")" : "";
  }

  /** SIGTERM to every rank still running, SIGKILL to those still running after the grace period. */
  private static void end(List<Process> ranks) throws InterruptedException {
    ranks.stream().filter(Process::isAlive).forEach(Process::destroy);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GRACE_SECONDS);
    for (Process p : ranks) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !p.waitFor(left, TimeUnit.NANOSECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  private static Thread pump(InputStream stream, PrintWriter target, String prefix) {
    Thread t = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          target.println(prefix + line);
          target.flush();
        }
      } catch (IOException e) {
        // the rank's pipe closed as it ended: nothing more to forward
      }
    }, "exprbert-launch-output");
    t.setDaemon(true);
    t.start();
    return t;
  }
}
