package dev.exprbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.exprbert.infer.TokenClassifier;
import dev.exprbert.runtime.Placement;
import dev.exprbert.testing.ChildJvms;
import dev.exprbert.testing.Cli;
import dev.exprbert.testing.TinyModelDirectory;
import dev.exprbert.train.CheckpointStore;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code exprbert launch} and a rank's launch environment, as processes: a rank killed with SIGKILL mid-training makes
 * the other fail within {@code ddp_timeout}, naming it, the launcher return non-zero, and the last finished checkpoint
 * still loads; launches that cannot work end in one line with exit code 1 or 2.
 */
class LaunchCommandTest {
  private static final int DDP_TIMEOUT = 30;

  @TempDir
  Path tmp;

  /** Sentences of the tiny model's words, tagged with its labels. */
  private Path trainFile(int sentences) throws Exception {
    List<String> lines = new ArrayList<>();
    List<String> words = TinyModelDirectory.WORDS;
    String[] tags = {"O", "B-EXPR", "I-EXPR", "O", "B-TIME", "I-TIME", "O"};
    for (int s = 0; s < sentences; s++) {
      for (int w = 0; w < 3 + s % 5; w++) {
        lines.add(words.get((s * 7 + w * 3) % words.size()) + "\t" + tags[(s + w) % tags.length]);
      }
      lines.add("");
    }
    return Files.write(tmp.resolve("train.conll"), lines);
  }

  @Test
  void aKilledRankIsNamedByTheOtherAndTheLauncherFails() throws Exception {
    Path model = TinyModelDirectory.create(tmp.resolve("model"));
    Path out = tmp.resolve("run");
    Path log = tmp.resolve("launch.log");
    Process launcher = ChildJvms.java(ExprbertCommand.class.getName(), List.of("launch", "--nproc_per_node", "2",
        "--master_port", "" + ChildJvms.freePort(), "train", "--model_name_or_path", model.toString(),
        "--train_file", trainFile(64).toString(), "--output_dir", out.toString(), "--per_device_train_batch_size", "2",
        "--max_steps", "1000000", "--save_steps", "5", "--save_total_limit", "2", "--logging_steps", "1000000",
        "--ddp_timeout", "" + DDP_TIMEOUT, "--disable_tqdm"), Map.of(), log).start();
    try {
      Path checkpoint = out.resolve("checkpoint-5").resolve(CheckpointStore.MARKER);
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
      while (!Files.isRegularFile(checkpoint)) {
        assertTrue(launcher.isAlive(), "the launch ended early:\n" + Files.readString(log));
        assertTrue(System.nanoTime() < until, "no checkpoint after 240 s:\n" + Files.readString(log));
        Thread.sleep(100);
      }
      ProcessHandle rank1 = rank(launcher, 1);
      ProcessHandle rank0 = rank(launcher, 0);
      CompletableFuture<ProcessHandle> rank0Exit = rank0.onExit();
      long killed = System.nanoTime();
      assertTrue(rank1.destroyForcibly(), "SIGKILL to rank 1");
      rank0Exit.get(DDP_TIMEOUT + 30, TimeUnit.SECONDS);
      double rank0Seconds = (System.nanoTime() - killed) / 1e9;
      assertTrue(launcher.waitFor(60, TimeUnit.SECONDS), "the launcher did not end");
      String output = Files.readString(log, StandardCharsets.UTF_8);
      assertNotEquals(0, launcher.exitValue(), output);
      assertTrue(rank0Seconds < DDP_TIMEOUT, "rank 0 took " + rank0Seconds + " s to fail\n" + output);
      String named = output.lines().filter(l -> l.startsWith("[rank0]: exprbert train: ")).findFirst().orElse("");
      assertTrue(named.contains("rank 1 is lost"), "rank 0 names the lost rank in its one-line error:\n" + output);
      assertTrue(output.contains("exprbert launch: rank 1 exited with code 137 (killed by signal 9)"), output);
      Optional<Path> last = new CheckpointStore(out).latest();
      assertTrue(last.isPresent(), "a finished checkpoint remains");
      try (TokenClassifier loaded = TokenClassifier.load(last.get(), Placement.CPU_FLOAT32, "sdpa")) {
        assertEquals(List.of(List.of("O", "O")).size(), loaded.predictTags(List.of(List.of("we", "met"))).size());
      }
    } finally {
      launcher.descendants().forEach(ProcessHandle::destroyForcibly);
      launcher.destroyForcibly();
    }
  }

  /** The launcher's child running {@code rank} (read from its RANK variable). */
  private static ProcessHandle rank(Process launcher, int rank) throws Exception {
    for (ProcessHandle child : launcher.children().toList()) {
      String environ = Files.readString(Path.of("/proc", "" + child.pid(), "environ"), StandardCharsets.ISO_8859_1);
      if (List.of(environ.split("\0")).contains("RANK=" + rank)) {
        return child;
      }
    }
    throw new AssertionError("no child of the launcher runs rank " + rank);
  }

  private record Outcome(int code, String output) {}

  private Outcome train(Map<String, String> env, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("train", "--train_file", "train.conll", "--output_dir",
        tmp.resolve("out").toString()));
    args.addAll(List.of(extra));
    Path log = Files.createTempFile(tmp, "train", ".log");
    Process p = ChildJvms.java(ExprbertCommand.class.getName(), args, env, log).start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "did not end");
    return new Outcome(p.exitValue(), Files.readString(log));
  }

  private static void assertOneLine(Outcome o, int code, String start) {
    assertEquals(code, o.code(), o.output());
    assertEquals(1, o.output().strip().lines().count(), "one line:\n" + o.output());
    assertTrue(o.output().startsWith("exprbert train: " + start), o.output());
  }

  @Test
  void launchesThatCannotWorkEndInOneLine() throws Exception {
    int nobody = ChildJvms.freePort();
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("0.0.0.0"))) {
      // four processes at once: most of their time is JVM start-up and waiting
      CompletableFuture<Outcome> noRank = start(Map.of("WORLD_SIZE", "2"));
      CompletableFuture<Outcome> rankTooHigh = start(Map.of("RANK", "2", "WORLD_SIZE", "2", "MASTER_ADDR", "127.0.0.1",
          "MASTER_PORT", "29500"));
      CompletableFuture<Outcome> portInUse = start(Map.of("RANK", "0", "WORLD_SIZE", "2", "MASTER_ADDR", "127.0.0.1",
          "MASTER_PORT", "" + taken.getLocalPort()));
      CompletableFuture<Outcome> unreachable = start(Map.of("RANK", "1", "WORLD_SIZE", "2", "MASTER_ADDR", "127.0.0.1",
          "MASTER_PORT", "" + nobody), "--ddp_timeout", "3");
      assertOneLine(noRank.get(), 2, "WORLD_SIZE is 2 but RANK is not set");
      assertOneLine(rankTooHigh.get(), 2, "RANK 2 is out of range for WORLD_SIZE 2");
      assertOneLine(portInUse.get(), 1, "rank 0 cannot start the rendezvous store on port " + taken.getLocalPort());
      assertOneLine(unreachable.get(), 1, "rank 1 cannot reach the rendezvous store at 127.0.0.1:" + nobody);
    }
  }

  private CompletableFuture<Outcome> start(Map<String, String> env, String... extra) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return train(env, extra);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  @Test
  void badLaunchArgumentsAreUsageErrors() {
    Cli.Run notTrain = Cli.run("launch", "--nproc_per_node", "2", "predict", "--model", "x");
    assertEquals(2, notTrain.code(), notTrain.err());
    assertTrue(notTrain.err().contains("launch runs the train command"), notTrain.err());
    Cli.Run noMaster = Cli.run("launch", "--nnodes", "2", "--node_rank", "1", "train", "--output_dir", "x");
    assertEquals(2, noMaster.code(), noMaster.err());
    assertTrue(noMaster.err().contains("--nnodes 2 needs --master_addr"), noMaster.err());
    Cli.Run badNode = Cli.run("launch", "--nnodes", "2", "--node_rank", "2", "--master_addr", "10.0.0.1", "train");
    assertEquals(2, badNode.code(), badNode.err());
    assertTrue(badNode.err().contains("--node_rank 2 is out of range for --nnodes 2"), badNode.err());
  }
}
