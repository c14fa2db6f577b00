package dev.exprbert.runtime;

import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads LibTorch exactly once per JVM, with its CPU thread pools sized by one {@link ThreadPlan} ([note: one compute
 * pool]): the plan's environment variables are set first, through the {@link LibTorchPreload} on the class path (the
 * kernel library's), then LibTorch loads, then its intra-op pool is set and OpenBLAS's checked, and the result is
 * logged once. The kernel library itself is loaded by {@code dev.exprbert.kernels.NativeKernels}; this layer knows
 * nothing above it.
 *
 * <p>[note: pre-extraction] JavaCPP extracts and loads the pytorch libraries one at a time in link
 * order. {@code libtorch.so} (RUNPATH $ORIGIN) is dlopened before {@code libtorch_cpu.so} sits next to
 * it in the cache, so on a cold cache the dynamic loader may pick a system LibTorch and crash the
 * JVM (docs/build-notes.md, "cold JavaCPP cache"). So every file of the platform folder is extracted first,
 * then loaded.
 *
 * <p>[note: OpenMP wait policy] LibTorch's CPU build runs its intra-op threads on OpenMP (libgomp) and its matrix
 * products on OpenBLAS, which has a thread pool of its own. With libgomp's default (active) waiting, the idle
 * OpenMP workers spin through every OpenBLAS call and the two pools fight for the cores: on 2 vCPUs a MiniLM
 * training step ran 3-5x slower than with {@code OMP_WAIT_POLICY=PASSIVE} (benchmarks/README.md, training step).
 * libgomp reads that variable once, when it is loaded, and the JVM cannot set its own environment; so before
 * LibTorch is loaded our kernel library sets {@code OMP_WAIT_POLICY=PASSIVE} in the process environment unless
 * the user already set it ({@code OMP_WAIT_POLICY=ACTIVE java ...} keeps spinning).
 */
public final class Natives {
  private static final Logger LOG = LoggerFactory.getLogger(Natives.class);
  private static volatile boolean loaded;
  private static volatile String ompWaitPolicy = "not set by ExprBERT (LibTorch not loaded yet)";
  private static volatile ThreadPlan threads;
  private static volatile ThreadPlan planned; // set by prepareEnvironment, before LibTorch loads
  private static volatile Map<String, String> environment;
  private static volatile BlasLibrary.Choice blasChoice;
  private static volatile LibTorchPreload preload; // see preload()
  private static volatile boolean preloadLookedUp;

  private Natives() {}

  /**
   * The process environment LibTorch will read (thread plan, OpenMP wait policy), set now. [note: environment first]
   * Call it before any other thread starts a native library: libc's {@code setenv} may free the environment another thread's {@code getenv} is
   * reading, so a caller that loads something in the background (a tokenizer) calls this first. Idempotent,
   * thread-safe, and cheap next to {@link #init()} (our kernel library, not LibTorch).
   */
  public static void prepareEnvironment() {
    if (planned != null) {
      return;
    }
    synchronized (Natives.class) {
      if (planned != null) {
        return;
      }
      long start = System.nanoTime();
      String platform = Loader.getPlatform();
      String iomp = BlasLibrary.mklFolder(platform) + "libiomp5.so";
      BlasLibrary.Choice blas = BlasLibrary.choose(System.getenv(), System.getProperty(BlasLibrary.PROPERTY),
          System.getProperty(BlasLibrary.PRESETS_PROPERTY),
          Natives.class.getClassLoader().getResource(BlasLibrary.mklFolder(platform) + "libmkl_rt.so.2") != null);
      if (blas.library() == BlasLibrary.MKL) {
        useOwnCacheForMkl(); // before anything is extracted: JavaCPP reads the folder once
      }
      ThreadPlan plan = ThreadPlan.resolve(System.getenv(), System.getProperty(ThreadPlan.THREADS_PROPERTY),
          Runtime.getRuntime().availableProcessors(), CgroupCpuLimit.cores(), blas.library());
      long[] extracted = new long[1];
      withCacheLock(() -> {
        preExtract("org/bytedeco/pytorch/" + platform + "-gpu/");
        preExtract("org/bytedeco/pytorch/" + platform + "/");
        extracted[0] = System.nanoTime();
        environment = setEnvironmentDefaults(plan.environmentDefaults()); // loads our kernel library: a cache writer too
        if (blas.library() == BlasLibrary.MKL) {
          prepareMkl(blas, iomp);
        }
      });
      ompWaitPolicy = environment.get("OMP_WAIT_POLICY");
      blasChoice = blas;
      LOG.debug("environment for LibTorch in {} ms (natives extracted or checked {} ms)",
          (System.nanoTime() - start) / 1_000_000, (extracted[0] - start) / 1_000_000);
      planned = plan;
    }
  }

  /** Idempotent and thread-safe; call before touching any LibTorch class. */
  public static void init() {
    if (loaded) {
      return;
    }
    synchronized (Natives.class) {
      if (loaded) {
        return;
      }
      prepareEnvironment();
      ThreadPlan plan = planned;
      long start = System.nanoTime();
      withCacheLock(() -> Loader.load(torch.class));
      torch.set_num_threads(plan.intraOp()); // the pool every thread gets (ATen re-applies it on each new thread)
      if (plan.blas() > 0 && BlasPool.threads(preload()) != plan.blas()) {
        BlasPool.setThreads(plan.blas()); // the library was loaded before the environment could size it
      }
      threads = plan;
      loaded = true;
      // debug, not info: every command loads LibTorch, and a command's stderr is for its one line of result or error;
      // a training run logs the plan at its start (LogPrinter), serve and predict say it under -v / debug logging
      LOG.debug("CPU threads: {}; matrix products on {} ({}; loaded: {}); environment: {}", plan.describe(),
          blasChoice.library().displayName(), blasChoice.from(), BlasPool.loaded(), environment);
      LOG.debug("LibTorch loaded in {} ms", (System.nanoTime() - start) / 1_000_000);
    }
  }

  /** The thread plan LibTorch runs with (loads LibTorch first). */
  public static ThreadPlan threads() {
    init();
    return threads;
  }

  /**
   * Asks for {@code count} intra-op threads: before LibTorch loads, the plan is made with it (as {@code --threads}
   * does); afterwards LibTorch's pool is resized (OpenBLAS keeps its one thread per the plan).
   */
  public static void requestThreads(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("--threads must be >= 1, got " + count);
    }
    synchronized (Natives.class) {
      if (!loaded) {
        System.setProperty(ThreadPlan.THREADS_PROPERTY, Integer.toString(count));
        if (planned != null) { // the environment is set already; the pool LibTorch gets still follows the request
          planned = planned.withIntraOp(count, "--threads");
        }
        return;
      }
      torch.set_num_threads(count);
      threads = threads.withIntraOp(count, "--threads");
      if (threads.blas() > 0 && BlasPool.threads(preload()) != threads.blas()) {
        BlasPool.setThreads(threads.blas()); // the products' pool follows unless the user sized it
      }
      LOG.debug("CPU threads: {}", threads.describe());
    }
  }

  /** The live thread count of the library that runs the matrix products (for tests and logs); -1 when none loaded. */
  public static int blasThreads() {
    init();
    return BlasPool.threads(preload());
  }

  /** The library the process has loaded for the matrix products ({@link BlasLibrary}), null when none is. */
  public static BlasLibrary blasLibrary() {
    init();
    return BlasPool.loaded();
  }

  /**
   * Makes the OpenBLAS presets load MKL in OpenBLAS's place ([note: MKL by default] in {@link BlasLibrary}). MKL's
   * threaded layer calls Intel OpenMP ({@code libiomp5}) by symbol name without linking it, and JavaCPP loads every
   * library with local symbols; so libiomp5 is loaded first with global ones, or the first product dies with
   * "undefined symbol: __kmpc_global_thread_num". The environment ({@code MKL_NUM_THREADS}, {@code KMP_BLOCKTIME})
   * is set before, as Intel OpenMP reads it when it starts.
   */
  private static void prepareMkl(BlasLibrary.Choice blas, String iomp) {
    if (blas.setPresetsProperty()) {
      System.setProperty(BlasLibrary.PRESETS_PROPERTY, BlasLibrary.PRESETS_MKL);
    }
    if (Natives.class.getClassLoader().getResource(iomp) == null) {
      return; // the user's own MKL (-Dorg.bytedeco.openblas.load with a system install): their set-up
    }
    try {
      Loader.loadGlobal(Loader.cacheResource("/" + iomp).getPath());
    } catch (IOException e) {
      throw new IllegalStateException("Could not extract " + iomp + " into the JavaCPP cache ("
          + System.getProperty(CACHE_DIR_PROPERTY, "its default folder") + ": " + e.getMessage() + "); make that"
          + " folder writable, set -D" + CACHE_DIR_PROPERTY + " to a writable folder, or use OpenBLAS ("
          + BlasLibrary.VARIABLE + "=openblas)", e);
    }
  }

  /**
   * Runs {@code body}, which extracts, links or loads native libraries of JavaCPP's cache, while this process holds an
   * exclusive lock on a file in that cache ([note: one loader at a time]). JavaCPP's cache is shared by every process
   * of the user, and a process that starts while another extracts or re-links a library there can map a file that is
   * being rewritten: with MKL, 4 processes started together on a fresh cache lost one to SIGBUS in the dynamic loader
   * and another to "libopenblas.so.0: cannot open shared object file" (NOTES.md, "MKL"). With the lock, the first
   * process fills and links the cache and the others find it complete, so nothing is rewritten under a running
   * process. A cache folder that cannot hold the lock file (read-only) is used without it.
   */
  private static void withCacheLock(Runnable body) {
    Path lockFile;
    FileChannel channel;
    try {
      lockFile = Loader.getCacheDir().toPath().resolve(".exprbert-load.lock");
      channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException | RuntimeException e) {
      LOG.debug("loading without the cache lock: {}", e.toString());
      body.run();
      return;
    }
    try (channel; FileLock lock = channel.lock()) {
      body.run();
    } catch (IOException e) {
      throw new IllegalStateException("Could not lock " + lockFile + " (" + e.getMessage() + "); set "
          + CACHE_DIR_PROPERTY + " to a folder of your own", e);
    }
  }

  /** JavaCPP's cache folder property. */
  static final String CACHE_DIR_PROPERTY = "org.bytedeco.javacpp.cachedir";

  /**
   * [note: a cache of MKL's own] With MKL, JavaCPP links MKL's library into the OpenBLAS presets' cache folder under
   * OpenBLAS's file names, and a process with OpenBLAS puts the real files back; in one shared folder the two kinds
   * of process rewrite those files at every start, and a process that starts meanwhile fails with
   * "libopenblas.so.0: cannot open shared object file" (seen: 1-2 of 4 processes started together, after the folder
   * had served both). So MKL gets a folder of its own beside JavaCPP's default ({@code ~/.javacpp/cache-mkl}), where
   * the links are made once and never rewritten (16 of 16 simultaneous starts, NOTES.md "MKL"), unless the user chose
   * a folder ({@value #CACHE_DIR_PROPERTY}): then two libraries in one folder are theirs to keep apart.
   */
  private static void useOwnCacheForMkl() {
    if (System.getProperty(CACHE_DIR_PROPERTY) != null || System.getProperty("org.bytedeco.javacpp.cacheDir") != null) {
      return;
    }
    System.setProperty(CACHE_DIR_PROPERTY,
        Path.of(System.getProperty("user.home"), ".javacpp", "cache-mkl").toString());
  }

  /** The kernel library's {@link LibTorchPreload} (null when it is not on the class path), looked up once. */
  private static LibTorchPreload preload() {
    LibTorchPreload found = preload;
    if (found == null && !preloadLookedUp) {
      for (LibTorchPreload candidate : ServiceLoader.load(LibTorchPreload.class, Natives.class.getClassLoader())) {
        found = candidate;
      }
      preload = found;
      preloadLookedUp = true;
    }
    return found;
  }

  /** The OpenMP wait policy LibTorch runs with and who chose it (see [note: OpenMP wait policy]). */
  public static String ompWaitPolicy() {
    return ompWaitPolicy;
  }

  /** Sets each variable unless the environment has it; returns, per variable, its value and who chose it. */
  private static Map<String, String> setEnvironmentDefaults(Map<String, String> defaults) {
    LibTorchPreload setter = preload();
    String why = "no kernel library on the class path";
    Map<String, String> result = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : defaults.entrySet()) {
      String name = e.getKey();
      String user = System.getenv(name);
      if (user != null) {
        result.put(name, user + " (from the environment)");
        continue;
      }
      try {
        if (setter == null) {
          throw new IllegalStateException(why);
        }
        setter.setDefaultEnvironment(name, e.getValue());
        result.put(name, e.getValue() + " (ExprBERT's default)");
      } catch (IllegalStateException failed) {
        why = failed.getMessage();
        result.put(name, "the library's default (could not set " + e.getValue() + ": " + why + ")");
      }
    }
    return result;
  }

  private static void preExtract(String folder) {
    ClassLoader loader = Natives.class.getClassLoader();
    try {
      Enumeration<URL> urls = loader.getResources(folder);
      while (urls.hasMoreElements()) {
        URL url = urls.nextElement();
        if (!"jar".equals(url.getProtocol())) {
          continue; // an exploded folder needs no extraction
        }
        JarURLConnection connection = (JarURLConnection) url.openConnection();
        connection.setUseCaches(false);
        try (JarFile jar = connection.getJarFile()) {
          Enumeration<JarEntry> entries = jar.entries();
          while (entries.hasMoreElements()) {
            JarEntry entry = entries.nextElement();
            String name = entry.getName();
            if (!entry.isDirectory() && name.startsWith(folder) && name.indexOf('/', folder.length()) < 0) {
              Loader.cacheResource("/" + name);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(
          "Could not extract the LibTorch native libraries from " + folder
              + " into the JavaCPP cache (" + e.getMessage() + "); check that ~/.javacpp/cache is writable"
              + " or set -Dorg.bytedeco.javacpp.cachedir to a writable folder",
          e);
    }
  }
}
