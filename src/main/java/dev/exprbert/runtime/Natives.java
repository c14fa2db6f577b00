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
 * Loads LibTorch and, on request, our kernel library, each exactly once per JVM.
 *
 * <p>[note: pre-extraction] JavaCPP extracts and loads the pytorch libraries one at a time in link
 * order. {@code libtorch.so} (RUNPATH $ORIGIN) is dlopened before {@code libtorch_cpu.so} sits next to
 * it in the cache, so on a cold cache the dynamic loader may pick a system LibTorch and crash the
 * JVM (../shared/notes/javacpp-build-facts.md, pitfall 1). So every file of the platform folder is
 * extracted first, then loaded.
 */
public final class Natives {
  private static volatile boolean loaded;
  private static volatile boolean kernelsLoaded;

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
      Loader.load(torch.class);
      loaded = true;
    }
  }

  /**
   * Loads LibTorch (as {@link #init()}) and then our kernel library {@code libexprbert_kernels.so} with its JNI
   * glue, both from {@code dev/exprbert/kernels/linux-x86_64/} on the classpath (extracted to the JavaCPP cache
   * when running from a jar; no LD_LIBRARY_PATH). Idempotent and thread-safe.
   *
   * @throws IllegalStateException when the kernel library is missing from the classpath or cannot be loaded
   */
  public static void initKernels() {
    init();
    if (kernelsLoaded) {
      return;
    }
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
