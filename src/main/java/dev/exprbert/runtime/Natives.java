package dev.exprbert.runtime;

import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import dev.exprbert.kernels.KernelsLibrary;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.global.torch;

/**
 * Loads our kernel library and LibTorch, each exactly once per JVM (the kernel library first: [note: OpenMP wait
 * policy]; LibTorch alone when the kernel library is missing, until a caller needs the kernels).
 *
 * <p>[note: pre-extraction] JavaCPP extracts and loads the pytorch libraries one at a time in link
 * order. {@code libtorch.so} (RUNPATH $ORIGIN) is dlopened before {@code libtorch_cpu.so} sits next to
 * it in the cache, so on a cold cache the dynamic loader may pick a system LibTorch and crash the
 * JVM (../shared/notes/javacpp-build-facts.md, pitfall 1). So every file of the platform folder is
 * extracted first, then loaded.
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
  private static volatile boolean loaded;
  private static volatile boolean kernelsLoaded;
  private static volatile String ompWaitPolicy = "not set by ExprBERT (LibTorch not loaded yet)";

  private Natives() {}

  /** Idempotent and thread-safe; call before touching any LibTorch class. */
  public static void init() {
    if (loaded) {
      return;
    }
    synchronized (Natives.class) {
      if (loaded) {
        return;
      }
      String platform = Loader.getPlatform();
      preExtract("org/bytedeco/pytorch/" + platform + "-gpu/");
      preExtract("org/bytedeco/pytorch/" + platform + "/");
      defaultOmpWaitPolicy();
      Loader.load(torch.class);
      loaded = true;
    }
  }

  /**
   * Loads LibTorch (as {@link #init()}, which loads our kernel library first when it can) and makes sure our kernel
   * library {@code libexprbert_kernels.so} with its JNI glue is loaded, both from {@code dev/exprbert/kernels/linux-x86_64/} on the classpath (extracted to the JavaCPP cache
   * when running from a jar; no LD_LIBRARY_PATH). Idempotent and thread-safe.
   *
   * @throws IllegalStateException when the kernel library is missing from the classpath or cannot be loaded
   */
  public static void initKernels() {
    init();
    loadKernels(); // init() tried already; this throws the reason if that attempt failed
  }

  /** The OpenMP wait policy LibTorch runs with and who chose it (see [note: OpenMP wait policy]). */
  public static String ompWaitPolicy() {
    return ompWaitPolicy;
  }

  private static void defaultOmpWaitPolicy() {
    try {
      loadKernels();
    } catch (IllegalStateException e) { // LibTorch alone still works; it keeps OpenMP's default
      ompWaitPolicy = "OpenMP's default (the kernel library did not load: " + e.getMessage() + ")";
      return;
    }
    int set = KernelsLibrary.exprbert_set_default_env("OMP_WAIT_POLICY", "PASSIVE");
    ompWaitPolicy = set == 1 ? "PASSIVE (ExprBERT's default; set OMP_WAIT_POLICY to choose another)"
        : set == 0 ? System.getenv("OMP_WAIT_POLICY") + " (from the environment)"
        : "OpenMP's default (" + KernelsLibrary.exprbert_last_error().getString() + ")";
  }

  private static void loadKernels() {
    synchronized (Natives.class) {
      if (kernelsLoaded) {
        return;
      }
      try {
        Loader.load(KernelsLibrary.class);
      } catch (UnsatisfiedLinkError e) {
        throw new IllegalStateException(
            "Could not load libexprbert_kernels from dev/exprbert/kernels/" + Loader.getPlatform()
                + "/ on the classpath (" + e.getMessage() + "); build it with `mvn package`, which runs CMake"
                + " on native/ and JavaCPP's Builder",
            e);
      }
      kernelsLoaded = true;
    }
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
