package dev.exprbert.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The launcher with plain shell processes as ranks: torchrun's variables per rank, output prefixed with the rank, and
 * the first failure ending the others and giving its exit code.
 */
class RankLauncherTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private RankLauncher launcher(RankLauncher.Layout layout, Map<String, String> env) {
    return new RankLauncher(layout, env, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void eachRankGetsTorchrunsVariablesAndItsOutputIsPrefixed() throws Exception {
    RankLauncher.Layout layout = new RankLauncher.Layout(2, 3, 1, "10.0.0.7", 29501);
    int code = launcher(layout, Map.of("PATH", System.getenv("PATH"))).run(rank -> List.of("sh", "-c",
        "echo $RANK $WORLD_SIZE $LOCAL_RANK $LOCAL_WORLD_SIZE $GROUP_RANK $MASTER_ADDR $MASTER_PORT $OMP_NUM_THREADS"));
    assertEquals(0, code, err.toString());
    assertTrue(out.toString().contains("[rank2]: 2 6 0 2 1 10.0.0.7 29501 1\n"), out.toString());
    assertTrue(out.toString().contains("[rank3]: 3 6 1 2 1 10.0.0.7 29501 1\n"), out.toString());
  }

  @Test
  void anOmpThreadCountOfTheUserIsKept() {
    Map<String, String> env = new HashMap<>(Map.of("OMP_NUM_THREADS", "3"));
    assertEquals("3", launcher(new RankLauncher.Layout(2, 1, 0, "127.0.0.1", 29500), env).environmentOf(1)
        .get("OMP_NUM_THREADS"));
  }

  @Test
  void theFirstFailureEndsTheOtherRanksAndGivesTheExitCode() throws Exception {
    long t0 = System.nanoTime();
    int code = launcher(new RankLauncher.Layout(2, 1, 0, "127.0.0.1", 29500), Map.of("PATH", System.getenv("PATH")))
        .run(rank -> rank == 1 ? List.of("sh", "-c", "echo failing >&2; exit 3") : List.of("sleep", "120"));
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertEquals(3, code);
    assertTrue(seconds < 60, "the sleeping rank was ended after " + seconds + " s");
    assertTrue(err.toString().contains("[rank1]: failing\n"), err.toString());
    assertTrue(err.toString().contains("exprbert launch: rank 1 exited with code 3; ending the other ranks"), err.toString());
  }
}
