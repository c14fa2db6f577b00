package dev.exprbert.kernels;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Const;
import org.bytedeco.javacpp.annotation.Name;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP binding of {@code native/include/exprbert/kernels.h}, one to one and unchecked: use
 * {@link OptimizerKernels} and {@link AttentionKernels}, which validate every argument first. The header is the
 * source of truth: {@code AbiMirrorsTest} fails when a function, argument, struct field or constant here disagrees
 * with it, and {@link NativeKernels#load()} compares the loaded library's ABI version and struct sizes with this
 * binding's. JavaCPP's Builder compiles the JNI glue from this class at process-classes; the Loader finds
 * {@code libexprbert_kernels.so} and the glue in {@code dev/exprbert/kernels/linux-x86_64/} on the classpath. Load
 * it through {@link NativeKernels#load()} (LibTorch first).
 */
@Platform(value = "linux-x86_64", include = "exprbert/kernels.h", link = "exprbert_kernels")
public final class KernelsLibrary {
  static {
    Loader.load();
  }

  private KernelsLibrary() {}

  // exprbert_status
  public static final int EXPRBERT_OK = 0;
  public static final int EXPRBERT_ERROR_INVALID_ARGUMENT = 1;
  public static final int EXPRBERT_ERROR_UNSUPPORTED = 2;
  public static final int EXPRBERT_ERROR_CUDA_UNAVAILABLE = 3;
  public static final int EXPRBERT_ERROR_CUDA = 4;
  public static final int EXPRBERT_ERROR_INTERNAL = 5;

  // exprbert_dtype
  public static final int EXPRBERT_DTYPE_F32 = 0;
  public static final int EXPRBERT_DTYPE_F16 = 1;
  public static final int EXPRBERT_DTYPE_BF16 = 2;

  public static final int EXPRBERT_ABI_VERSION = 2;

  public static native int exprbert_abi_version();

  // exprbert_params_kind
  public static final int EXPRBERT_PARAMS_GRAD_NORM = 0;
  public static final int EXPRBERT_PARAMS_ADAMW = 1;
  public static final int EXPRBERT_PARAMS_ATTENTION = 2;

  public static native @Cast("int64_t") long exprbert_params_size(int kind);

  public static native @Cast("const char*") BytePointer exprbert_last_error();

  public static native @Cast("const char*") BytePointer exprbert_build_info();

  public static native int exprbert_cuda_compiled();

  public static native int exprbert_cuda_device_count();

  public static native int exprbert_set_default_env(String name, String value);

  public static native int exprbert_call_int_getter(@Const Pointer getter);

  public static native @Cast("int32_t") int exprbert_cuda_stream_synchronize(int device, Pointer stream);

  public static final int EXPRBERT_GRAD_NORM_WORKSPACE_BYTES = 8192;

  public static native void exprbert_grad_norm_params_init(GradNormParams params);

  public static native @Cast("int32_t") int exprbert_grad_norm(@Const GradNormParams params);

  public static native void exprbert_adamw_params_init(AdamwParams params);

  public static native @Cast("int32_t") int exprbert_adamw_step(@Const AdamwParams params);

  /** {@code exprbert_grad_norm_params}: allocate, {@link #exprbert_grad_norm_params_init}, then set the fields. */
  @Name("exprbert_grad_norm_params")
    public static class GradNormParams extends Pointer {
    static {
      Loader.load();
    }

    public GradNormParams() {
      super((Pointer) null);
      allocate();
    }

    private native void allocate();

    public native long num_tensors();
    public native GradNormParams num_tensors(long value);

    public native @Cast("const void* const*") PointerPointer grads();
    public native GradNormParams grads(@Cast("const void* const*") PointerPointer value);

    public native @Cast("const int64_t*") LongPointer numels();
    public native GradNormParams numels(@Cast("const int64_t*") LongPointer value);

    public native int grad_dtype();
    public native GradNormParams grad_dtype(int value);

    public native double max_norm();
    public native GradNormParams max_norm(double value);

    public native FloatPointer total_norm();
    public native GradNormParams total_norm(FloatPointer value);

    public native FloatPointer clip_coef();
    public native GradNormParams clip_coef(FloatPointer value);

    public native FloatPointer found_inf();
    public native GradNormParams found_inf(FloatPointer value);

    public native int device();
    public native GradNormParams device(int value);

    public native Pointer stream();
    public native GradNormParams stream(Pointer value);

    public native Pointer workspace();
    public native GradNormParams workspace(Pointer value);

    public native long workspace_bytes();
    public native GradNormParams workspace_bytes(long value);

    public native int num_threads();
    public native GradNormParams num_threads(int value);
  }

  /** {@code exprbert_adamw_params}: allocate, {@link #exprbert_adamw_params_init}, then set the fields. */
  @Name("exprbert_adamw_params")
    public static class AdamwParams extends Pointer {
    static {
      Loader.load();
    }

    public AdamwParams() {
      super((Pointer) null);
      allocate();
    }

    private native void allocate();

    public native long num_tensors();
    public native AdamwParams num_tensors(long value);

    public native @Cast("void* const*") PointerPointer params();
    public native AdamwParams params(@Cast("void* const*") PointerPointer value);

    public native @Cast("float* const*") PointerPointer master();
    public native AdamwParams master(@Cast("float* const*") PointerPointer value);

    public native @Cast("const void* const*") PointerPointer grads();
    public native AdamwParams grads(@Cast("const void* const*") PointerPointer value);

    public native @Cast("float* const*") PointerPointer exp_avg();
    public native AdamwParams exp_avg(@Cast("float* const*") PointerPointer value);

    public native @Cast("float* const*") PointerPointer exp_avg_sq();
    public native AdamwParams exp_avg_sq(@Cast("float* const*") PointerPointer value);

    public native @Cast("const int64_t*") LongPointer numels();
    public native AdamwParams numels(@Cast("const int64_t*") LongPointer value);

    public native @Cast("const int32_t*") IntPointer group_index();
    public native AdamwParams group_index(@Cast("const int32_t*") IntPointer value);

    public native int num_groups();
    public native AdamwParams num_groups(int value);

    public native @Const DoublePointer group_lr_scale();
    public native AdamwParams group_lr_scale(@Const DoublePointer value);

    public native @Const DoublePointer group_weight_decay();
    public native AdamwParams group_weight_decay(@Const DoublePointer value);

    public native int param_dtype();
    public native AdamwParams param_dtype(int value);

    public native int grad_dtype();
    public native AdamwParams grad_dtype(int value);

    public native double lr();
    public native AdamwParams lr(double value);

    public native @Const FloatPointer lr_device();
    public native AdamwParams lr_device(@Const FloatPointer value);

    public native double beta1();
    public native AdamwParams beta1(double value);

    public native double beta2();
    public native AdamwParams beta2(double value);

    public native double eps();
    public native AdamwParams eps(double value);

    public native @Cast("int64_t*") LongPointer step();
    public native AdamwParams step(@Cast("int64_t*") LongPointer value);

    public native @Const FloatPointer clip_coef();
    public native AdamwParams clip_coef(@Const FloatPointer value);

    public native @Const FloatPointer found_inf();
    public native AdamwParams found_inf(@Const FloatPointer value);

    public native int device();
    public native AdamwParams device(int value);

    public native Pointer stream();
    public native AdamwParams stream(Pointer value);

    public native int num_threads();
    public native AdamwParams num_threads(int value);
  }

  // ---------------------------------------------------------------------------------------------
  // Fused attention: exprbert_attention_params and its entry points.
  // ---------------------------------------------------------------------------------------------

  // exprbert_attention_layout
  public static final int EXPRBERT_ATTENTION_PADDED = 0;
  public static final int EXPRBERT_ATTENTION_VARLEN = 1;

  // exprbert_attention_window
  public static final int EXPRBERT_ATTENTION_WINDOW_NONE = 0;
  public static final int EXPRBERT_ATTENTION_WINDOW_SLIDING = 1;

  public static native void exprbert_attention_params_init(AttentionParams params);

  public static native @Cast("int32_t") int exprbert_attention_forward(@Const AttentionParams params);

  public static native @Cast("int32_t") int exprbert_attention_backward(@Const AttentionParams params);

  public static native @Cast("int32_t") int exprbert_attention_dropout_mask(@Const AttentionParams params,
      @Cast("uint8_t*") BytePointer keep);

  /** {@code exprbert_attention_params}: allocate, {@link #exprbert_attention_params_init}, then set the fields. */
  @Name("exprbert_attention_params")
    public static class AttentionParams extends Pointer {
    static {
      Loader.load();
    }

    public AttentionParams() {
      super((Pointer) null);
      allocate();
    }

    private native void allocate();

    public native int layout();
    public native AttentionParams layout(int value);

    public native int dtype();
    public native AttentionParams dtype(int value);

    public native long batch();
    public native AttentionParams batch(long value);

    public native long max_seqlen();
    public native AttentionParams max_seqlen(long value);

    public native long total_tokens();
    public native AttentionParams total_tokens(long value);

    public native long heads();
    public native AttentionParams heads(long value);

    public native long head_dim();
    public native AttentionParams head_dim(long value);

    public native @Cast("const int32_t*") IntPointer seqlens();
    public native AttentionParams seqlens(@Cast("const int32_t*") IntPointer value);

    public native @Cast("const int32_t*") IntPointer cu_seqlens();
    public native AttentionParams cu_seqlens(@Cast("const int32_t*") IntPointer value);

    public native @Cast("const int32_t*") IntPointer host_cu_seqlens();
    public native AttentionParams host_cu_seqlens(@Cast("const int32_t*") IntPointer value);

    public native double scale();
    public native AttentionParams scale(double value);

    public native double dropout_p();
    public native AttentionParams dropout_p(double value);

    public native @Cast("uint64_t") long dropout_seed();
    public native AttentionParams dropout_seed(@Cast("uint64_t") long value);

    public native @Cast("uint64_t") long dropout_offset();
    public native AttentionParams dropout_offset(@Cast("uint64_t") long value);

    public native @Const Pointer q();
    public native AttentionParams q(@Const Pointer value);

    public native long q_batch_stride();
    public native AttentionParams q_batch_stride(long value);

    public native long q_row_stride();
    public native AttentionParams q_row_stride(long value);

    public native long q_head_stride();
    public native AttentionParams q_head_stride(long value);

    public native @Const Pointer k();
    public native AttentionParams k(@Const Pointer value);

    public native long k_batch_stride();
    public native AttentionParams k_batch_stride(long value);

    public native long k_row_stride();
    public native AttentionParams k_row_stride(long value);

    public native long k_head_stride();
    public native AttentionParams k_head_stride(long value);

    public native @Const Pointer v();
    public native AttentionParams v(@Const Pointer value);

    public native long v_batch_stride();
    public native AttentionParams v_batch_stride(long value);

    public native long v_row_stride();
    public native AttentionParams v_row_stride(long value);

    public native long v_head_stride();
    public native AttentionParams v_head_stride(long value);

    public native Pointer out();
    public native AttentionParams out(Pointer value);

    public native long out_batch_stride();
    public native AttentionParams out_batch_stride(long value);

    public native long out_row_stride();
    public native AttentionParams out_row_stride(long value);

    public native long out_head_stride();
    public native AttentionParams out_head_stride(long value);

    public native FloatPointer lse();
    public native AttentionParams lse(FloatPointer value);

    public native @Const Pointer dout();
    public native AttentionParams dout(@Const Pointer value);

    public native long dout_batch_stride();
    public native AttentionParams dout_batch_stride(long value);

    public native long dout_row_stride();
    public native AttentionParams dout_row_stride(long value);

    public native long dout_head_stride();
    public native AttentionParams dout_head_stride(long value);

    public native Pointer dq();
    public native AttentionParams dq(Pointer value);

    public native long dq_batch_stride();
    public native AttentionParams dq_batch_stride(long value);

    public native long dq_row_stride();
    public native AttentionParams dq_row_stride(long value);

    public native long dq_head_stride();
    public native AttentionParams dq_head_stride(long value);

    public native Pointer dk();
    public native AttentionParams dk(Pointer value);

    public native long dk_batch_stride();
    public native AttentionParams dk_batch_stride(long value);

    public native long dk_row_stride();
    public native AttentionParams dk_row_stride(long value);

    public native long dk_head_stride();
    public native AttentionParams dk_head_stride(long value);

    public native Pointer dv();
    public native AttentionParams dv(Pointer value);

    public native long dv_batch_stride();
    public native AttentionParams dv_batch_stride(long value);

    public native long dv_row_stride();
    public native AttentionParams dv_row_stride(long value);

    public native long dv_head_stride();
    public native AttentionParams dv_head_stride(long value);

    public native FloatPointer delta();
    public native AttentionParams delta(FloatPointer value);

    public native int device();
    public native AttentionParams device(int value);

    public native Pointer stream();
    public native AttentionParams stream(Pointer value);

    public native int num_threads();
    public native AttentionParams num_threads(int value);

    public native int window();
    public native AttentionParams window(int value);

    public native long window_left();
    public native AttentionParams window_left(long value);

    public native long window_right();
    public native AttentionParams window_right(long value);
  }
}
