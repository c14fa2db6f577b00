package dev.exprbert.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * The live pool sizes after LibTorch has loaded equal the {@link ThreadPlan}: LibTorch's intra-op pool (also on a
 * thread that never set it) and OpenBLAS's own pool, which must stay at one thread unless the user asks otherwise,
 * so that two pools never compete for the same cores. Each environment runs in a child JVM, since the pools are
 * sized once per process.
 */
class ThreadPoolsTest {
  private static final List<String> THREAD_VARIABLES = List.of("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
      "EXPRBERT_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_WAIT_POLICY");

  @Test
  void thisJvmsPoolsAreThePlans() {
    ThreadPlan plan = Natives.threads();
    assertEquals(plan.intraOp(), torch.get_num_threads());
    if (plan.blas() > 0) {
      assertEquals(plan.blas(), Natives.openBlasThreads());
    }
    if (System.getenv("OPENBLAS_NUM_THREADS") == null) {
      assertEquals(plan.intraOp(), Natives.openBlasThreads(), "OpenBLAS takes the intra-op pool's size, taking turns");
    }
  }

  @Test
  void byDefaultBothPoolsGetTheAvailableCores() throws Exception {
    int cores = ThreadPlan.resolve(Map.of(), null, Runtime.getRuntime().availableProcessors(),
        CgroupCpuLimit.cores()).cores();
    assertEquals("plan=" + cores + "/" + cores + " intraop=" + cores + " other-thread=" + cores + " openblas=" + cores,
        probe(Map.of()));
  }

  @Test
  void exprbertVariableAndThreadsFlagSizeThePool() throws Exception {
    assertEquals("plan=1/1 intraop=1 other-thread=1 openblas=1", probe(Map.of("EXPRBERT_NUM_THREADS", "1")));
    assertEquals("plan=3/3 intraop=3 other-thread=3 openblas=3",
        probe(Map.of("OMP_NUM_THREADS", "2", "EXPRBERT_NUM_THREADS", "1"), "3"));
    // --threads after the environment was set (before LibTorch loads) still sizes both pools
    assertEquals("plan=3/3 intraop=3 other-thread=3 openblas=3",
        probe(Map.of("EXPRBERT_NUM_THREADS", "1"), "prepared:3"));
    // the user's OpenBLAS size stays when --threads changes the intra-op pool
    assertEquals("plan=3/1 intraop=3 other-thread=3 openblas=1", probe(Map.of("OPENBLAS_NUM_THREADS", "1"), "3"));
  }

  @Test
  void theUsersOwnVariablesAreRespected() throws Exception {
    assertEquals("plan=2/2 intraop=2 other-thread=2 openblas=2",
        probe(Map.of("OMP_NUM_THREADS", "2", "OPENBLAS_NUM_THREADS", "2")));
  }

  private static String probe(Map<String, String> env, String... args) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        ThreadPoolsProbe.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    THREAD_VARIABLES.forEach(builder.environment()::remove);
    builder.environment().putAll(env);
    Process child = builder.start();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(child.waitFor(2, TimeUnit.MINUTES), "the probe did not finish");
    assertEquals(0, child.exitValue(), "the probe failed:\n" + output);
    for (String line : output.split("\n")) {
      if (line.startsWith("POOLS ")) {
        return line.substring(6).strip();
      }
    }
    throw new AssertionError("no POOLS line from the probe:\n" + output);
  }
}
