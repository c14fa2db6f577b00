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
import org.junit.jupiter.api.io.TempDir;

/**
 * The live pool sizes after LibTorch has loaded equal the {@link ThreadPlan}: LibTorch's intra-op pool (also on a
 * thread that never set it) and the pool of the library that runs the matrix products (MKL by default, the project
 * ships it; OpenBLAS on request), each sized to the cores and taking turns, the user's own variables respected. Each
 * environment runs in a child JVM, since the pools are sized once per process; they share the JavaCPP caches, as a
 * user's processes do.
 */
class ThreadPoolsTest {
  private static final List<String> THREAD_VARIABLES = List.of("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
      "EXPRBERT_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_WAIT_POLICY", "MKL_NUM_THREADS", "MKL_DYNAMIC", "KMP_BLOCKTIME",
      "MKL_VERBOSE", BlasLibrary.VARIABLE);

  @Test
  void thisJvmsPoolsAreThePlans() {
    ThreadPlan plan = Natives.threads();
    assertEquals(plan.intraOp(), torch.get_num_threads());
    assertEquals(plan.library(), Natives.blasLibrary(), "the chosen library is the one loaded");
    if (plan.blas() > 0) {
      assertEquals(plan.blas(), Natives.blasThreads());
    }
    if (System.getenv(plan.library().threadsVariable()) == null) {
      assertEquals(plan.intraOp(), Natives.blasThreads(), "the products take the intra-op pool's size, taking turns");
    }
  }

  @Test
  void byDefaultBothPoolsGetTheAvailableCores() throws Exception {
    int cores = ThreadPlan.resolve(Map.of(), null, Runtime.getRuntime().availableProcessors(),
        CgroupCpuLimit.cores()).cores();
    assertEquals("plan=" + cores + "/" + cores + " intraop=" + cores + " other-thread=" + cores + " MKL=" + cores,
        probe(Map.of()));
    assertEquals("plan=" + cores + "/" + cores + " intraop=" + cores + " other-thread=" + cores + " OPENBLAS=" + cores,
        probe(Map.of(BlasLibrary.VARIABLE, "openblas")));
  }

  /**
   * LibTorch's products really run on the chosen library (MKL_VERBOSE makes MKL print each call it serves), and a
   * user who switches between the two on one machine gets each (MKL is loaded under OpenBLAS's file names, in a
   * JavaCPP cache folder of its own), so the order MKL, OpenBLAS, MKL is checked.
   */
  @Test
  void theProductsRunOnTheChosenLibraryAcrossSwitches() throws Exception {
    for (String library : List.of("mkl", "openblas", "mkl")) {
      String output = run(Map.of(BlasLibrary.VARIABLE, library, "MKL_VERBOSE", "1"));
      boolean mklServed = output.contains("MKL_VERBOSE SGEMM");
      assertEquals(library.equals("mkl"), mklServed, library + ": MKL served the product? output:\n" + output);
      String pools = pools(output);
      assertTrue(pools.contains(library.equals("mkl") ? " MKL=" : " OPENBLAS="), pools);
    }
  }

  @Test
  void exprbertVariableAndThreadsFlagSizeThePool() throws Exception {
    assertEquals("plan=1/1 intraop=1 other-thread=1 MKL=1", probe(Map.of("EXPRBERT_NUM_THREADS", "1")));
    assertEquals("plan=3/3 intraop=3 other-thread=3 MKL=3",
        probe(Map.of("OMP_NUM_THREADS", "2", "EXPRBERT_NUM_THREADS", "1"), "3"));
    // --threads after the environment was set (before LibTorch loads) still sizes both pools
    assertEquals("plan=3/3 intraop=3 other-thread=3 MKL=3",
        probe(Map.of("EXPRBERT_NUM_THREADS", "1"), "prepared:3"));
    // the user's size for the products' library stays when --threads changes the intra-op pool
    assertEquals("plan=3/1 intraop=3 other-thread=3 MKL=1", probe(Map.of("MKL_NUM_THREADS", "1"), "3"));
    assertEquals("plan=3/1 intraop=3 other-thread=3 OPENBLAS=1",
        probe(Map.of(BlasLibrary.VARIABLE, "openblas", "OPENBLAS_NUM_THREADS", "1"), "3"));
  }

  @Test
  void theUsersOwnVariablesAreRespected() throws Exception {
    assertEquals("plan=2/1 intraop=2 other-thread=2 MKL=1",
        probe(Map.of("OMP_NUM_THREADS", "2", "MKL_NUM_THREADS", "1")));
    assertEquals("plan=2/1 intraop=2 other-thread=2 OPENBLAS=1",
        probe(Map.of("OMP_NUM_THREADS", "2", "OPENBLAS_NUM_THREADS", "1", BlasLibrary.VARIABLE, "openblas")));
    // OpenBLAS's variable does not size MKL
    assertEquals("plan=2/2 intraop=2 other-thread=2 MKL=2",
        probe(Map.of("OMP_NUM_THREADS", "2", "OPENBLAS_NUM_THREADS", "1")));
  }

  /**
   * Processes that start together on an empty JavaCPP cache all load (Natives' cache lock): without it, 4 MKL
   * processes started together lost 1-2 to SIGBUS in the dynamic loader or a missing libopenblas.so.0 while another
   * extracted and linked the same files.
   */
  @Test
  void processesStartingTogetherOnAnEmptyCacheAllLoad(@TempDir Path cache) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<Process> children = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-Dorg.bytedeco.javacpp.cachedir=" + cache,
          "-cp", System.getProperty("java.class.path"), ThreadPoolsProbe.class.getName()).redirectErrorStream(true);
      THREAD_VARIABLES.forEach(builder.environment()::remove);
      children.add(builder.start());
    }
    for (Process child : children) {
      String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(child.waitFor(3, TimeUnit.MINUTES), "a probe did not finish");
      assertEquals(0, child.exitValue(), "a probe failed:\n" + output);
      assertTrue(pools(output).contains(" MKL="), pools(output));
    }
  }

  private static String probe(Map<String, String> env, String... args) throws Exception {
    return pools(run(env, args));
  }

  private static String run(Map<String, String> env, String... args) throws Exception {
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
    return output;
  }

  private static String pools(String output) {
    for (String line : output.split("\n")) {
      if (line.startsWith("POOLS ")) {
        return line.substring(6).strip();
      }
    }
    throw new AssertionError("no POOLS line from the probe:\n" + output);
  }
}
