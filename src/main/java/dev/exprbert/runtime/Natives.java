package dev.exprbert.runtime;

import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.ServiceLoader;
import java.util.jar.JarFile;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.global.torch;

/**
 * Loads LibTorch exactly once per JVM, after the {@link LibTorchPreload}s on the class path have run (the kernel
 * library's sets the OpenMP wait policy: [note: OpenMP wait policy]). The kernel library itself is loaded by
 * {@code dev.exprbert.kernels.NativeKernels}; this layer knows nothing above it.
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
  private static volatile boolean loaded;
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
      runPreloads();
      Loader.load(torch.class);
      loaded = true;
    }
  }

  /** The OpenMP wait policy LibTorch runs with and who chose it (see [note: OpenMP wait policy]). */
  public static String ompWaitPolicy() {
    return ompWaitPolicy;
  }

  private static void runPreloads() {
    String policy = null;
    for (LibTorchPreload preload : ServiceLoader.load(LibTorchPreload.class, Natives.class.getClassLoader())) {
      String said = preload.beforeLibTorch();
      policy = said != null ? said : policy;
    }
    ompWaitPolicy = policy != null ? policy : "OpenMP's default (no kernel library on the class path set one)";
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
