package dev.exprbert.runtime;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * How many CPU threads each native pool of this process runs: one compute pool, sized to the cores the process may
 * use.
 *
 * <p>[note: one compute pool] LibTorch's CPU build runs its intra-op work on OpenMP (libgomp) and its matrix
 * products on OpenBLAS, which keeps a pthread pool of its own, created when the library loads, one thread per core
 * unless told otherwise; our native kernels (attention, AdamW) run their own std::threads between LibTorch ops. Left
 * alone, the pools add up to several threads per core that spin-wait against each other: on 2 vCPUs a packed MiniLM
 * training step was 4-10x slower than with one pool (benchmarks/NOTES.md, "Thread matrix"). So:
 * <ul>
 *   <li>LibTorch's intra-op pool gets the process's cores ({@link #intraOp}); OpenMP waits passively;</li>
 *   <li>OpenBLAS's own pool gets one thread ({@link #blas}): each matrix product runs on the calling thread, while
 *       the element-wise, reduction and layout ops around it use the intra-op pool;</li>
 *   <li>our kernels use as many threads as the intra-op pool, and run between LibTorch ops, never beside them.</li>
 * </ul>
 * The cores are {@code Runtime.availableProcessors()} (the JDK counts the scheduler affinity mask and the cgroup CPU
 * quota), capped by the cgroup quota read directly ({@link CgroupCpuLimit}, for a JVM without container support).
 * OpenMP and OpenBLAS read their sizes from the environment once, when they load, so {@link Natives} writes the plan
 * there first ({@link #environmentDefaults}); variables the user set are respected.
 *
 * <p>Precedence for the intra-op pool: {@code --threads N} ({@value #THREADS_PROPERTY}), then
 * {@code EXPRBERT_NUM_THREADS}, then the user's {@code OMP_NUM_THREADS}, then the cores. OpenBLAS: the user's
 * {@code OPENBLAS_NUM_THREADS}, else 1.
 *
 * @param cores the cores the process may use
 * @param coresFrom where {@code cores} came from
 * @param intraOp LibTorch's intra-op threads (also our kernels' threads)
 * @param intraOpFrom who chose {@code intraOp}
 * @param blas OpenBLAS's threads, or 0 when the user's {@code OPENBLAS_NUM_THREADS} is not a number (OpenBLAS then
 *     decides)
 * @param blasFrom who chose {@code blas}
 */
public record ThreadPlan(int cores, String coresFrom, int intraOp, String intraOpFrom, int blas, String blasFrom) {
  /** The system property {@code --threads} sets before LibTorch loads. */
  public static final String THREADS_PROPERTY = "exprbert.threads";
  /** The environment variable that overrides the detected cores. */
  public static final String THREADS_VARIABLE = "EXPRBERT_NUM_THREADS";

  /**
   * The plan for a process with this environment, {@code --threads} value ({@code requested}, null when not given),
   * {@code availableProcessors} and cgroup quota. Pure: tests give it any environment.
   *
   * @throws IllegalArgumentException when {@code requested} or {@code EXPRBERT_NUM_THREADS} is not a whole number >= 1
   */
  public static ThreadPlan resolve(Map<String, String> env, String requested, int availableProcessors,
      OptionalInt quotaCores) {
    int cores = Math.max(1, availableProcessors);
    String coresFrom = "available processors";
    if (quotaCores.isPresent() && quotaCores.getAsInt() < cores) {
      cores = quotaCores.getAsInt();
      coresFrom = "cgroup CPU quota";
    }
    int intraOp;
    String intraOpFrom;
    OptionalInt omp = leadingCount(env.get("OMP_NUM_THREADS"));
    if (requested != null) {
      intraOp = count(requested, "--threads (" + THREADS_PROPERTY + ")");
      intraOpFrom = "--threads";
    } else if (env.get(THREADS_VARIABLE) != null) {
      intraOp = count(env.get(THREADS_VARIABLE), THREADS_VARIABLE);
      intraOpFrom = THREADS_VARIABLE;
    } else if (omp.isPresent()) {
      intraOp = omp.getAsInt();
      intraOpFrom = "OMP_NUM_THREADS";
    } else {
      intraOp = cores;
      intraOpFrom = coresFrom;
    }
    int blas = 1;
    String blasFrom = "one compute pool";
    String userBlas = env.get("OPENBLAS_NUM_THREADS");
    if (userBlas != null) {
      OptionalInt parsed = leadingCount(userBlas);
      blas = parsed.orElse(0);
      blasFrom = "OPENBLAS_NUM_THREADS";
    }
    return new ThreadPlan(cores, coresFrom, intraOp, intraOpFrom, blas, blasFrom);
  }

  /**
   * The variables to set in the process environment before LibTorch loads, unless the user set them: the pool sizes
   * and OpenMP's passive waiting (spinning OpenMP workers starve OpenBLAS and our kernels).
   */
  public Map<String, String> environmentDefaults() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("OMP_WAIT_POLICY", "PASSIVE");
    env.put("OMP_NUM_THREADS", Integer.toString(intraOp));
    if (blas > 0) {
      env.put("OPENBLAS_NUM_THREADS", Integer.toString(blas));
    }
    return env;
  }

  /** The same plan with the intra-op pool changed at run time (for example by a server's {@code --threads}). */
  public ThreadPlan withIntraOp(int threads, String from) {
    return new ThreadPlan(cores, coresFrom, count(Integer.toString(threads), from), from, blas, blasFrom);
  }

  /** One line for the log. */
  public String describe() {
    return String.format("%d cores (%s); LibTorch intra-op %d (%s), OpenBLAS %s (%s), ExprBERT kernels %d", cores,
        coresFrom, intraOp, intraOpFrom, blas > 0 ? Integer.toString(blas) : "its own choice", blasFrom, intraOp);
  }

  private static int count(String text, String what) {
    try {
      int n = Integer.parseInt(text.strip());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(what + " must be a whole number >= 1, found '" + text + "'");
  }

  /** OpenMP's and OpenBLAS's reading: the first entry of a comma list ({@code "4,2"} = 4 at the outer level). */
  private static OptionalInt leadingCount(String text) {
    if (text == null) {
      return OptionalInt.empty();
    }
    try {
      int n = Integer.parseInt(text.split(",", -1)[0].strip());
      return n >= 1 ? OptionalInt.of(n) : OptionalInt.empty();
    } catch (NumberFormatException e) {
      return OptionalInt.empty();
    }
  }
}
