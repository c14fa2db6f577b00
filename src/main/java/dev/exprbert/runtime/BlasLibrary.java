package dev.exprbert.runtime;

import java.util.Locale;
import java.util.Map;

/**
 * The library that runs LibTorch's CPU matrix products, and how it is chosen.
 *
 * <p>[note: MKL by default] {@code libtorch_cpu.so} from the bytedeco presets asks for {@code libopenblas.so.0}; the
 * OpenBLAS presets satisfy it with their OpenBLAS build or, with {@code -Dorg.bytedeco.openblas.load=mkl_rt},
 * with Intel MKL from the {@code org.bytedeco:mkl} {@code -redist} jar. PyTorch's own wheels use MKL, so at equal work
 * this is where the Hugging Face Trainer's lead came from: measured on a 2-vCPU Intel Xeon with AVX-512
 * (benchmarks/NOTES.md, "MKL"), a packed MiniLM training step ran 1.1-1.46x faster with MKL than with OpenBLAS (on AMD
 * processors MKL runs its AVX2 code, as in PyTorch's wheels; not timed against OpenBLAS there). So
 * MKL is the default wherever its libraries are on the class path (the project depends on them for linux-x86_64);
 * OpenBLAS is used when they are not (a slimmed deployment, another platform) or when asked for.
 *
 * <p>Precedence: the user's own {@code -Dorg.bytedeco.openblas.load} (we then leave the presets alone), then
 * {@code -Dexprbert.blas} ({@value #PROPERTY}), then {@code EXPRBERT_BLAS} ({@value #VARIABLE}), then MKL if its
 * libraries are on the class path, else OpenBLAS.
 */
public enum BlasLibrary {
  MKL("MKL", "MKL_NUM_THREADS"),
  OPENBLAS("OpenBLAS", "OPENBLAS_NUM_THREADS");

  /** The system property that picks the library ({@code mkl} or {@code openblas}). */
  public static final String PROPERTY = "exprbert.blas";
  /** The environment variable that picks the library ({@code mkl} or {@code openblas}). */
  public static final String VARIABLE = "EXPRBERT_BLAS";
  /** The OpenBLAS presets' own switch: the library they load in OpenBLAS's place. */
  public static final String PRESETS_PROPERTY = "org.bytedeco.openblas.load";
  /** The value of {@link #PRESETS_PROPERTY} that loads MKL ({@code mkl_rt}, its single dynamic library). */
  public static final String PRESETS_MKL = "mkl_rt";

  private final String displayName;
  private final String threadsVariable;

  BlasLibrary(String displayName, String threadsVariable) {
    this.displayName = displayName;
    this.threadsVariable = threadsVariable;
  }

  /** The name logs use ("MKL", "OpenBLAS"). */
  public String displayName() {
    return displayName;
  }

  /** The variable the library reads its thread count from when it loads. */
  public String threadsVariable() {
    return threadsVariable;
  }

  /** The folder of MKL's native libraries inside the {@code -redist} jar, for a JavaCPP platform name. */
  public static String mklFolder(String platform) {
    return "org/bytedeco/mkl/" + platform + "/";
  }

  /**
   * Which library and why.
   *
   * @param library the library LibTorch's products will run on
   * @param from who chose it
   * @param setPresetsProperty whether {@link #PRESETS_PROPERTY} must be set to load it (false when the user set it,
   *     or for OpenBLAS, the presets' default)
   */
  public record Choice(BlasLibrary library, String from, boolean setPresetsProperty) {}

  /**
   * The choice for this process. Pure: tests give it any setting.
   *
   * @param env the process environment
   * @param property {@value #PROPERTY}, or null
   * @param presetsProperty {@value #PRESETS_PROPERTY} as the user set it, or null
   * @param mklOnClassPath whether MKL's native libraries (the {@code -redist} jar) are on the class path
   * @throws IllegalArgumentException for a value other than mkl / openblas
   * @throws IllegalStateException when MKL is asked for and its libraries are not on the class path
   */
  public static Choice choose(Map<String, String> env, String property, String presetsProperty,
      boolean mklOnClassPath) {
    if (presetsProperty != null && !presetsProperty.isBlank()) {
      String lib = presetsProperty.strip().toLowerCase(Locale.ROOT);
      BlasLibrary library = lib.startsWith("mkl") ? MKL : OPENBLAS;
      return new Choice(library, "-D" + PRESETS_PROPERTY + "=" + presetsProperty, false);
    }
    String value = property;
    String source = "-D" + PROPERTY;
    if (value == null) {
      value = env.get(VARIABLE);
      source = VARIABLE;
    }
    if (value != null) {
      BlasLibrary library = switch (value.strip().toLowerCase(Locale.ROOT)) {
        case "mkl" -> MKL;
        case "openblas" -> OPENBLAS;
        default -> throw new IllegalArgumentException(
            source + " must be mkl or openblas, found '" + value + "'");
      };
      if (library == MKL && !mklOnClassPath) {
        throw new IllegalStateException(source + "=" + value + " asks for MKL, but its libraries are not on the class"
            + " path: add org.bytedeco:mkl with classifier linux-x86_64-redist (the version that matches the"
            + " other bytedeco presets) or set " + source + "=openblas");
      }
      return new Choice(library, source, library == MKL);
    }
    return mklOnClassPath
        ? new Choice(MKL, "MKL's libraries on the class path", true)
        : new Choice(OPENBLAS, "no MKL libraries on the class path", false);
  }
}
