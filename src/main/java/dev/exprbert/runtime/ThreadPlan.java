package dev.exprbert.runtime;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * How many CPU threads each native pool of this process runs: pools sized to the cores the process may use, that
 * take turns instead of spinning against each other.
 *
 * <p>[note: one compute pool] LibTorch's CPU build runs its intra-op work on OpenMP (libgomp) and its matrix
 * products on OpenBLAS or MKL ({@link BlasLibrary}), which keep a thread pool of their own; our native kernels
 * (attention, AdamW) run their own std::threads between LibTorch ops. The three never work at the same time (a
 * product, then the element-wise ops around it, then a kernel), so each may have every core, provided the idle ones
 * get off the cores at once. They do not by default: libgomp's workers and OpenBLAS's threads spin-wait after each
 * piece of work (OpenBLAS for 2^28 cycles), and on 2 vCPUs under load that made a packed MiniLM step 4-10x slower
 * (benchmarks/NOTES.md, "Thread matrix"). So:
 * <ul>
 *   <li>LibTorch's intra-op pool gets the process's cores ({@link #intraOp}); OpenMP waits passively;</li>
 *   <li>OpenBLAS gets as many threads ({@link #blas}), and its idle threads sleep after 2^4 cycles
 *       ({@code OPENBLAS_THREAD_TIMEOUT=4}, its minimum): on the quiet machine products on both cores made a step
 *       1.14-1.41x faster than products on one thread; with two busy processes beside it they cost 1.07-1.65x, where
 *       OpenBLAS's default spinning cost 1.35-2.7x (NOTES.md, "The thread experiment");</li>
 *   <li>our kernels use as many threads as the intra-op pool.</li>
 * </ul>
 * On a machine shared with other CPU-heavy work, {@code OPENBLAS_NUM_THREADS=1} keeps the products on the calling
 * thread (the previous default).
 * The cores are {@code Runtime.availableProcessors()} (the JDK counts the scheduler affinity mask and the cgroup CPU
 * quota), capped by the cgroup quota read directly ({@link CgroupCpuLimit}, for a JVM without container support).
 * OpenMP and OpenBLAS read their sizes from the environment once, when they load, so {@link Natives} writes the plan
 * there first ({@link #environmentDefaults}); variables the user set are respected.
 *
 * <p>Precedence for the intra-op pool: {@code --threads N} ({@value #THREADS_PROPERTY}), then
 * {@code EXPRBERT_NUM_THREADS}, then the user's {@code OMP_NUM_THREADS}, then the cores. OpenBLAS: the user's
 * {@code OPENBLAS_NUM_THREADS}, else the intra-op pool's size (and it follows a later {@link #withIntraOp}).
 *
 * @param cores the cores the process may use
 * @param coresFrom where {@code cores} came from
 * @param intraOp LibTorch's intra-op threads (also our kernels' threads)
 * @param intraOpFrom who chose {@code intraOp}
 * @param blas OpenBLAS's threads, or 0 when the user's {@code OPENBLAS_NUM_THREADS} is not a number (OpenBLAS then
 *     decides)
 * @param blasFrom who chose {@code blas}
 * @param library the library that runs the products ({@link BlasLibrary}); with MKL the same rules hold with
 *     {@code MKL_NUM_THREADS} for {@code OPENBLAS_NUM_THREADS}, and its idle threads (Intel OpenMP) sleep after 1 ms
 *     ({@code KMP_BLOCKTIME=1}; 0 made a step slower, measured in NOTES.md, "MKL")
 */
public record ThreadPlan(int cores, String coresFrom, int intraOp, String intraOpFrom, int blas, String blasFrom,
    BlasLibrary library) {
  /** The system property {@code --threads} sets before LibTorch loads. */
  public static final String THREADS_PROPERTY = "exprbert.threads";
  /** {@link #blasFrom} when OpenBLAS takes the intra-op pool's size (the user did not set it). */
  public static final String FOLLOWS_INTRA_OP = "as the intra-op pool, taking turns";
  /** OpenBLAS's idle-thread spin, log2 of cycles: its minimum (see [note: one compute pool]). */
  static final String BLAS_THREAD_TIMEOUT = "4";
  /** Intel OpenMP's (MKL's pool's) idle spin in milliseconds before its threads sleep. */
  static final String MKL_BLOCK_TIME_MS = "1";

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
    return resolve(env, requested, availableProcessors, quotaCores, BlasLibrary.OPENBLAS);
  }

  /** As {@link #resolve(Map, String, int, OptionalInt)}, for products on {@code library}. */
  public static ThreadPlan resolve(Map<String, String> env, String requested, int availableProcessors,
      OptionalInt quotaCores, BlasLibrary library) {
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
    int blas = intraOp;
    String blasFrom = FOLLOWS_INTRA_OP;
    String userBlas = env.get(library.threadsVariable());
    if (userBlas != null) {
      OptionalInt parsed = leadingCount(userBlas);
      blas = parsed.orElse(0);
      blasFrom = library.threadsVariable();
    }
    return new ThreadPlan(cores, coresFrom, intraOp, intraOpFrom, blas, blasFrom, library);
  }

  /**
   * The variables to set in the process environment before LibTorch loads, unless the user set them: the pool sizes
   * and the short waits of both pools' idle threads (spinning workers starve the pool whose turn it is).
   */
  public Map<String, String> environmentDefaults() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("OMP_WAIT_POLICY", "PASSIVE");
    env.put("OMP_NUM_THREADS", Integer.toString(intraOp));
    if (blas > 0) {
      env.put(library.threadsVariable(), Integer.toString(blas));
    }
    if (library == BlasLibrary.MKL) {
      env.put("MKL_DYNAMIC", "FALSE"); // the planned size for every product, as OpenBLAS does
      env.put("KMP_BLOCKTIME", MKL_BLOCK_TIME_MS);
    } else {
      env.put("OPENBLAS_THREAD_TIMEOUT", BLAS_THREAD_TIMEOUT);
    }
    return env;
  }

  /**
   * The same plan with the intra-op pool changed at run time (for example by a server's {@code --threads}); OpenBLAS
   * follows unless the user sized it.
   */
  public ThreadPlan withIntraOp(int threads, String from) {
    int intra = count(Integer.toString(threads), from);
    return new ThreadPlan(cores, coresFrom, intra, from, FOLLOWS_INTRA_OP.equals(blasFrom) ? intra : blas, blasFrom,
        library);
  }

  /** One line for the log. */
  public String describe() {
    return String.format("%d cores (%s); LibTorch intra-op %d (%s), %s %s (%s), ExprBERT kernels %d", cores,
        coresFrom, intraOp, intraOpFrom, library.displayName(), blas > 0 ? Integer.toString(blas) : "its own choice",
        blasFrom, intraOp);
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
