package dev.exprbert.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Child JVMs for tests that need processes of their own (the ranks of a distributed run, a launcher): this JVM's java
 * and class path, the project folder as working directory (for {@code ../shared}), output kept in a file so a child
 * never blocks on a full pipe.
 */
public final class ChildJvms {
  /** Exit codes (by rank) and everything the children printed, each line prefixed with its rank. */
  public record Result(List<Integer> exitCodes, String output) {}

  private ChildJvms() {}

  /** A free TCP port on this machine (for a rendezvous store). */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** {@code java -Xmx512m -cp <this class path> <main> <args>}, with {@code env} added to this JVM's environment. */
  public static ProcessBuilder java(String main, List<String> args, Map<String, String> env, Path log) {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-cp", System.getProperty("java.class.path"), main));
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).directory(Path.of("").toAbsolutePath().toFile());
    pb.environment().keySet().removeIf(k -> List.of("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR",
        "MASTER_PORT").contains(k));
    pb.environment().putAll(env);
    return pb.redirectErrorStream(true).redirectOutput(log.toFile());
  }

  /**
   * Runs {@code main} as ranks 0..world-1 of one run (torchrun's variables, loopback, a free port, one thread each)
   * and waits at most {@code timeoutSeconds} for all of them.
   */
  public static Result runRanks(int world, Class<?> main, List<String> args, int timeoutSeconds) throws Exception {
    int port = freePort();
    List<Process> ranks = new ArrayList<>();
    List<Path> logs = new ArrayList<>();
    try {
      for (int r = 0; r < world; r++) {
        Path log = Files.createTempFile("exprbert-rank" + r + "-", ".log");
        logs.add(log);
        ranks.add(java(main.getName(), args, Map.of("RANK", "" + r, "WORLD_SIZE", "" + world, "LOCAL_RANK", "" + r,
            "LOCAL_WORLD_SIZE", "" + world, "MASTER_ADDR", "127.0.0.1", "MASTER_PORT", "" + port, "OMP_NUM_THREADS", "1"),
            log).start());
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
      List<Integer> codes = new ArrayList<>();
      for (Process p : ranks) {
        boolean done = p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        codes.add(done ? p.exitValue() : null);
      }
      StringBuilder output = new StringBuilder();
      for (int r = 0; r < world; r++) {
        for (String line : Files.readAllLines(logs.get(r), StandardCharsets.UTF_8)) {
          output.append("[rank").append(r).append("] ").append(line).append('\n');
        }
      }
      return new Result(codes, output.toString());
    } finally {
      ranks.forEach(Process::destroyForcibly);
      for (Path log : logs) {
        Files.deleteIfExists(log);
      }
    }
  }
}
