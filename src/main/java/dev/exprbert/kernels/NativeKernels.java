package dev.exprbert.kernels;

import dev.exprbert.runtime.Natives;
import org.bytedeco.javacpp.Loader;

/**
 * Loads {@code libexprbert_kernels.so} with its JNI glue (both from {@code dev/exprbert/kernels/linux-x86_64/} on the
 * class path, extracted to the JavaCPP cache when running from a jar; no LD_LIBRARY_PATH) exactly once, and checks
 * that the library is the one this binding was built for: its {@code exprbert_abi_version()} must equal
 * {@link KernelsLibrary#EXPRBERT_ABI_VERSION} and its {@code exprbert_params_size()} of every params struct must
 * equal the size the JNI glue was compiled with. A mismatch (a stale library on the class path) is one
 * IllegalStateException saying what differs, before any kernel runs.
 */
public final class NativeKernels {
  private static volatile boolean loaded;
  private static volatile IllegalStateException failure;

  private NativeKernels() {}

  /** Loads LibTorch ({@link Natives#init()}) and the kernel library; idempotent and thread-safe. */
  public static void load() {
    Natives.init();
    loadLibrary();
  }

  /**
   * The threads a CPU kernel call may use: LibTorch's intra-op pool size, so that our kernels, which run between
   * LibTorch ops, never take more cores than the process's one compute pool (see {@code runtime.ThreadPlan}).
   * Never 0, which the ABI reads as "every core of the machine", more than a cgroup-limited process may have.
   */
  static int cpuThreads() {
    return Math.max(1, org.bytedeco.pytorch.global.torch.get_num_threads());
  }

  /** One line: ABI and library version, whether CUDA is compiled in, and its archs. */
  public static String buildInfo() {
    load();
    return KernelsLibrary.exprbert_build_info().getString();
  }

  public static boolean cudaCompiled() {
    load();
    return KernelsLibrary.exprbert_cuda_compiled() != 0;
  }

  /** Number of CUDA devices the library sees; 0 when there is no usable GPU, driver or CUDA build. */
  public static int cudaDeviceCount() {
    load();
    return Math.max(KernelsLibrary.exprbert_cuda_device_count(), 0);
  }

  /** The kernel library alone (LibTorch may not be loaded yet: {@link KernelsPreload} runs before it). */
  static void loadLibrary() {
    if (loaded) {
      return;
    }
    synchronized (NativeKernels.class) {
      if (loaded) {
        return;
      }
      if (failure != null) {
        throw failure;
      }
      try {
        Loader.load(KernelsLibrary.class);
        String mismatch = abiMismatch(KernelsLibrary.exprbert_abi_version(), new long[] {
            KernelsLibrary.exprbert_params_size(KernelsLibrary.EXPRBERT_PARAMS_GRAD_NORM),
            KernelsLibrary.exprbert_params_size(KernelsLibrary.EXPRBERT_PARAMS_ADAMW),
            KernelsLibrary.exprbert_params_size(KernelsLibrary.EXPRBERT_PARAMS_ATTENTION)},
            KernelsLibrary.EXPRBERT_ABI_VERSION, new long[] {Loader.sizeof(KernelsLibrary.GradNormParams.class),
                Loader.sizeof(KernelsLibrary.AdamwParams.class), Loader.sizeof(KernelsLibrary.AttentionParams.class)});
        if (mismatch != null) {
          failure = new IllegalStateException("libexprbert_kernels does not match its Java binding (" + mismatch
              + "): a stale native library is on the class path; rebuild with `mvn package`");
          throw failure;
        }
      } catch (UnsatisfiedLinkError e) {
        failure = new IllegalStateException("Could not load libexprbert_kernels from dev/exprbert/kernels/"
            + Loader.getPlatform() + "/ on the classpath (" + e.getMessage() + "); build it with `mvn package`, which"
            + " runs CMake on native/ and JavaCPP's Builder", e);
        throw failure;
      }
      loaded = true;
    }
  }

  private static final String[] STRUCTS = {"exprbert_grad_norm_params", "exprbert_adamw_params",
      "exprbert_attention_params"};

  /**
   * What differs between the loaded library ({@code libraryVersion}, {@code librarySizes} in
   * {@code exprbert_params_kind} order) and the binding, or null when nothing does.
   */
  static String abiMismatch(int libraryVersion, long[] librarySizes, int bindingVersion, long[] bindingSizes) {
    if (libraryVersion != bindingVersion) {
      return "the library has ABI version " + libraryVersion + ", the binding expects " + bindingVersion;
    }
    for (int i = 0; i < STRUCTS.length; i++) {
      if (librarySizes[i] != bindingSizes[i]) {
        return "sizeof(" + STRUCTS[i] + ") is " + librarySizes[i] + " bytes in the library but " + bindingSizes[i]
            + " in the binding";
      }
    }
    return null;
  }
}
