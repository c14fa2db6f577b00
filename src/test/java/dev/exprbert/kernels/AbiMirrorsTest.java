package dev.exprbert.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.Test;

/**
 * {@code native/include/exprbert/kernels.h} is the one source of truth of the C ABI: the JavaCPP binding and the
 * ctypes mirror must declare the same functions (argument kinds in order), the same params struct fields in the same
 * order with the same kinds, and the same constants. The loaded library also describes itself (ABI version and struct
 * sizes), which must match the binding.
 */
class AbiMirrorsTest {
  static final Path HEADER = Path.of("native", "include", "exprbert", "kernels.h");
  static final Path BINDING = Path.of("src", "main", "java", "dev", "exprbert", "kernels", "KernelsLibrary.java");
  static final Path CTYPES = Path.of("benchmarks", "gpu", "exprbert_ctypes.py");

  private static AbiDescription header() throws IOException {
    return AbiDescription.fromHeader(Files.readString(HEADER));
  }

  @Test
  void theHeaderIsReadCompletely() throws IOException {
    AbiDescription truth = header();
    assertEquals(List.of("exprbert_grad_norm_params", "exprbert_adamw_params", "exprbert_attention_params"),
        List.copyOf(truth.structs().keySet()));
    assertEquals(24, truth.structs().get("exprbert_adamw_params").size(), truth.structs().toString());
    assertEquals(54, truth.structs().get("exprbert_attention_params").size(), truth.structs().toString());
    assertEquals(17, truth.functions().size(), truth.functions().keySet().toString());
    assertEquals(List.of("i32", "ptr", "ptr"), truth.functions().get("exprbert_attention_dropout_mask"));
    assertEquals(List.of("i64", "i32"), truth.functions().get("exprbert_params_size"));
    assertEquals(8192L, truth.constants().get("EXPRBERT_GRAD_NORM_WORKSPACE_BYTES"));
    assertEquals(2L, truth.constants().get("EXPRBERT_DTYPE_BF16"));
    assertTrue(truth.structs().get("exprbert_attention_params").contains("dropout_seed:u64"));
    assertTrue(truth.structs().get("exprbert_attention_params").contains("q_head_stride:i64"));
    assertEquals(List.of("window:i32", "window_left:i64", "window_right:i64"),
        truth.structs().get("exprbert_attention_params").subList(51, 54));
    assertEquals(1L, truth.constants().get("EXPRBERT_ATTENTION_WINDOW_SLIDING"));
  }

  @Test
  void theJavaBindingFollowsTheHeader() throws IOException {
    List<String> differences = AbiDescription.fromJavaBinding(Files.readString(BINDING)).differencesFrom(header(), BINDING.toString());
    assertEquals(List.of(), differences, String.join("\n", differences));
  }

  @Test
  void theCtypesMirrorFollowsTheHeader() throws IOException {
    List<String> differences = AbiDescription.fromCtypesMirror(Files.readString(CTYPES)).differencesFrom(header(), CTYPES.toString());
    assertEquals(List.of(), differences, String.join("\n", differences));
  }

  @Test
  void aMirrorThatDriftsIsCaught() throws IOException {
    String binding = Files.readString(BINDING);
    // two fields swapped, an argument type changed, an enum value changed, a function dropped
    String swapped = binding.replace("public native double beta1();", "public native double TMP();")
        .replace("public native double beta2();", "public native double beta1();")
        .replace("public native double TMP();", "public native double beta2();")
        .replace("exprbert_params_size(int kind)", "exprbert_params_size(long kind)")
        .replace("EXPRBERT_DTYPE_BF16 = 2;", "EXPRBERT_DTYPE_BF16 = 3;")
        .replace("public static native int exprbert_cuda_compiled();", "");
    List<String> differences = AbiDescription.fromJavaBinding(swapped).differencesFrom(header(), "binding");
    String all = String.join("\n", differences);
    assertTrue(all.contains("struct exprbert_adamw_params"), all);
    assertTrue(all.contains("function exprbert_params_size is [i64, i64]"), all);
    assertTrue(all.contains("constant EXPRBERT_DTYPE_BF16 is 3"), all);
    assertTrue(all.contains("lacks function exprbert_cuda_compiled"), all);
    String ctypes = Files.readString(CTYPES).replace("(\"lr\", ctypes.c_double),", "(\"lr\", ctypes.c_float),");
    String drift = String.join("\n", AbiDescription.fromCtypesMirror(ctypes).differencesFrom(header(), "ctypes"));
    assertTrue(drift.contains("lr:f32"), drift);
  }

  @Test
  void theLoadedLibraryMatchesTheBinding() {
    NativeKernels.load();
    assertEquals(KernelsLibrary.EXPRBERT_ABI_VERSION, KernelsLibrary.exprbert_abi_version());
    assertEquals(Loader.sizeof(KernelsLibrary.AdamwParams.class),
        KernelsLibrary.exprbert_params_size(KernelsLibrary.EXPRBERT_PARAMS_ADAMW));
    assertEquals(Loader.sizeof(KernelsLibrary.AttentionParams.class),
        KernelsLibrary.exprbert_params_size(KernelsLibrary.EXPRBERT_PARAMS_ATTENTION));
    assertEquals(-1, KernelsLibrary.exprbert_params_size(99));
  }

  @Test
  void aStaleLibraryIsDescribedInOneLine() {
    long[] sizes = {104, 192, 400};
    assertNull(NativeKernels.abiMismatch(1, sizes, 1, sizes.clone()));
    assertEquals("the library has ABI version 2, the binding expects 1", NativeKernels.abiMismatch(2, sizes, 1, sizes));
    assertEquals("sizeof(exprbert_adamw_params) is 192 bytes in the library but 184 in the binding",
        NativeKernels.abiMismatch(1, sizes, 1, new long[] {104, 184, 400}));
  }

  @Test
  void initialisersZeroTheStructs() {
    NativeKernels.load();
    try (KernelsLibrary.AdamwParams p = new KernelsLibrary.AdamwParams()) {
      p.lr(3.0).num_tensors(7).device(2);
      KernelsLibrary.exprbert_adamw_params_init(p);
      assertEquals(0.0, p.lr());
      assertEquals(0, p.num_tensors());
      assertEquals(0, p.device());
    }
  }
}
