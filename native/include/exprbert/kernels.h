/*
 * ExprBERT native kernels: the ONLY interface the JVM sees (plain C).
 *
 * This header is the single source of truth of the ABI. Two mirrors follow it by hand and a test holds them to it
 * (AbiMirrorsTest parses this file): the JavaCPP binding src/main/java/dev/exprbert/kernels/KernelsLibrary.java and
 * the ctypes mirror benchmarks/gpu/exprbert_ctypes.py (functions with their argument types in order, every params
 * struct field in order, every enum value and numeric #define). Both also check exprbert_abi_version() and
 * exprbert_params_size() of the loaded library when they load it, so a stale library fails with one clear error.
 *
 * Invariants every entry point keeps:
 *  - LibTorch owns all memory; kernels borrow raw pointers (Tensor.data_ptr()) for the duration of the call.
 *  - A call returns an exprbert_status; on anything but EXPRBERT_OK, exprbert_last_error() (thread-local)
 *    says why. No entry point exits, aborts or lets a C++ exception escape.
 *  - device == -1 means every pointer in the params struct is host memory; device >= 0 means every tensor
 *    pointer lives on that CUDA device and the work is queued on `stream` (a cudaStream_t, NULL = legacy
 *    default stream) without a host synchronisation. The pointer ARRAYS themselves are always host memory.
 *  - Params structs are zero-initialised by the caller with exprbert_*_params_init(), then filled in one place; a
 *    zero field means "absent / default" wherever that is meaningful. New fields are only ever appended, so a
 *    caller that zero-initialises keeps working when the struct grows.
 */
#ifndef EXPRBERT_KERNELS_H
#define EXPRBERT_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define EXPRBERT_API __declspec(dllexport)
#else
#define EXPRBERT_API __attribute__((visibility("default")))
#endif

/* Version of this ABI; bumped when a struct layout or a function signature changes incompatibly. */
#define EXPRBERT_ABI_VERSION 2

typedef enum exprbert_status {
  EXPRBERT_OK = 0,
  EXPRBERT_ERROR_INVALID_ARGUMENT = 1, /* a null pointer, a negative size, an unknown enum value ... */
  EXPRBERT_ERROR_UNSUPPORTED = 2,      /* a valid combination this build does not implement (names it) */
  EXPRBERT_ERROR_CUDA_UNAVAILABLE = 3, /* built without CUDA, or no driver / no device */
  EXPRBERT_ERROR_CUDA = 4,             /* a CUDA runtime call or kernel launch failed */
  EXPRBERT_ERROR_INTERNAL = 5          /* an unexpected C++ exception, caught at the boundary */
} exprbert_status;

typedef enum exprbert_dtype {
  EXPRBERT_DTYPE_F32 = 0,
  EXPRBERT_DTYPE_F16 = 1,
  EXPRBERT_DTYPE_BF16 = 2
} exprbert_dtype;

/* EXPRBERT_ABI_VERSION as this library was compiled; a caller compares it with the header it was built against. */
EXPRBERT_API int32_t exprbert_abi_version(void);

/* The params structs, for exprbert_params_size(). */
typedef enum exprbert_params_kind {
  EXPRBERT_PARAMS_GRAD_NORM = 0, /* exprbert_grad_norm_params */
  EXPRBERT_PARAMS_ADAMW = 1,     /* exprbert_adamw_params */
  EXPRBERT_PARAMS_ATTENTION = 2  /* exprbert_attention_params */
} exprbert_params_kind;

/* sizeof the params struct `kind` (exprbert_params_kind) as this library was compiled, or -1 for an unknown kind. */
EXPRBERT_API int64_t exprbert_params_size(int32_t kind);

/* Why the last call on this thread failed ("" after a success). Valid until the next call on this thread. */
EXPRBERT_API const char* exprbert_last_error(void);

/* One line: ABI version, library version, whether CUDA is compiled in, its version and the compiled archs. */
EXPRBERT_API const char* exprbert_build_info(void);

/* 1 when the CUDA path was compiled in, else 0. */
EXPRBERT_API int32_t exprbert_cuda_compiled(void);

/*
 * Number of CUDA devices (>= 0), or a negative value when it cannot be known: -EXPRBERT_ERROR_CUDA_UNAVAILABLE
 * when built without CUDA, otherwise minus the cudaError_t (e.g. -35, insufficient driver, with no libcuda).
 * Never fails hard; exprbert_last_error() explains a negative value.
 */
EXPRBERT_API int32_t exprbert_cuda_device_count(void);

/*
 * Sets the process environment variable `name` to `value` unless it is already set (setenv with overwrite 0):
 * 1 when it was set, 0 when the environment already had it, -EXPRBERT_ERROR_INVALID_ARGUMENT for a NULL or empty
 * name or a NULL value. For settings that native runtimes read once when they are loaded (OpenMP's
 * OMP_WAIT_POLICY): the JVM cannot set its own environment, so the loader calls this before LibTorch.
 */
EXPRBERT_API int32_t exprbert_set_default_env(const char* name, const char* value);

/*
 * Calls `getter`, a native `int (void)` function the caller found by name (JavaCPP's Loader.addressof), and returns
 * its result; -EXPRBERT_ERROR_INVALID_ARGUMENT for NULL. How the loader reads a library's live setting
 * (MKL_Get_Max_Threads) without a Java binding of that library.
 */
EXPRBERT_API int32_t exprbert_call_int_getter(const void* getter);

/* Waits for `stream` on `device`; for tests and benchmarks only (training never needs it). */
EXPRBERT_API exprbert_status exprbert_cuda_stream_synchronize(int32_t device, void* stream);

/* ------------------------------------------------------------------------------------------------ */
/* Global gradient norm (torch.nn.utils.clip_grad_norm_ with norm_type 2), deterministic.            */
/* ------------------------------------------------------------------------------------------------ */

/* Bytes of `workspace` a CUDA grad-norm call needs (the CPU path needs none). */
#define EXPRBERT_GRAD_NORM_WORKSPACE_BYTES 8192

typedef struct exprbert_grad_norm_params {
  int64_t num_tensors;
  const void* const* grads; /* [num_tensors] gradient storage, all of grad_dtype, contiguous */
  const int64_t* numels;    /* [num_tensors] element counts, >= 0 */
  int32_t grad_dtype;       /* exprbert_dtype: F32 or BF16 (F16 too) */
  double max_norm;          /* > 0: write clip_coef; <= 0: clip_coef (if given) is set to 1 */

  /* Outputs: each one float in the same memory space as the gradients. */
  float* total_norm; /* required: sqrt(sum of squares) over every element (inf/nan when a grad is not finite) */
  float* clip_coef;  /* optional: min(1, max_norm / (total_norm + 1e-6)); 1 when max_norm <= 0 or not finite */
  float* found_inf;  /* optional: 1 when any gradient element is inf or nan, else 0 */

  int32_t device;        /* -1 = CPU, else the CUDA device index */
  void* stream;          /* cudaStream_t (CUDA only) */
  void* workspace;       /* CUDA only: device memory of workspace_bytes >= EXPRBERT_GRAD_NORM_WORKSPACE_BYTES */
  int64_t workspace_bytes;
  int32_t num_threads;   /* CPU only: 0 = hardware concurrency; results do not depend on it */
} exprbert_grad_norm_params;

/* Zeroes every byte of *params (no-op for NULL): the one way callers start a params struct. */
EXPRBERT_API void exprbert_grad_norm_params_init(exprbert_grad_norm_params* params);

EXPRBERT_API exprbert_status exprbert_grad_norm(const exprbert_grad_norm_params* params);

/* ------------------------------------------------------------------------------------------------ */
/* Fused multi-tensor AdamW step (PyTorch torch.optim.AdamW semantics, decoupled weight decay).       */
/* ------------------------------------------------------------------------------------------------ */
/*
 * For every tensor i (group g = group_index[i]), with t = *step + 1, lr_g = lr * group_lr_scale[g],
 * wd = group_weight_decay[g] and c = *clip_coef (1 when clip_coef is NULL):
 *   w  = master ? master[i] : params[i]            (float math whatever the storage type)
 *   gr = float(grads[i]) * c
 *   w *= 1 - lr_g * wd
 *   m  = m * b1 + (1 - b1) * gr
 *   v  = v * b2 + (1 - b2) * gr * gr
 *   w += (-(lr_g / (1 - b1^t)) * m) / (sqrt(v) / sqrt(1 - b2^t) + eps)
 *   master[i] = w (when given); params[i] = round_to_param_dtype(w)
 * then *step = t. When *found_inf != 0, nothing is written at all (neither tensors nor step).
 * Scalar coefficients are computed in double and rounded to float once, the way LibTorch's
 * torch::optim::AdamW passes double Scalars to float kernels.
 */
typedef struct exprbert_adamw_params {
  int64_t num_tensors;
  void* const* params;           /* [num_tensors] parameter storage of param_dtype */
  float* const* master;          /* [num_tensors] fp32 master weights; required iff param_dtype != F32, else NULL */
  const void* const* grads;      /* [num_tensors] gradients of grad_dtype */
  float* const* exp_avg;         /* [num_tensors] fp32 first moments */
  float* const* exp_avg_sq;      /* [num_tensors] fp32 second moments */
  const int64_t* numels;         /* [num_tensors] element counts, >= 0 */
  const int32_t* group_index;    /* [num_tensors] index into the group arrays, in [0, num_groups) */
  int32_t num_groups;
  const double* group_lr_scale;      /* [num_groups] host array: lr multiplier per group */
  const double* group_weight_decay;  /* [num_groups] host array: decoupled weight decay per group, >= 0 */
  int32_t param_dtype;           /* exprbert_dtype */
  int32_t grad_dtype;            /* exprbert_dtype: F32 or BF16 (F16 too) */

  double lr;                     /* used when lr_device is NULL */
  const float* lr_device;        /* optional: learning rate read from the tensors' memory space (no host sync) */
  double beta1, beta2, eps;

  int64_t* step;                 /* required: updates applied so far (tensors' memory space); incremented */
  const float* clip_coef;        /* optional: gradient multiplier, e.g. exprbert_grad_norm's clip_coef */
  const float* found_inf;        /* optional: skip the whole update when *found_inf != 0 */

  int32_t device;                /* -1 = CPU, else the CUDA device index */
  void* stream;                  /* cudaStream_t (CUDA only) */
  int32_t num_threads;           /* CPU only: 0 = hardware concurrency; results do not depend on it */
} exprbert_adamw_params;

/* Zeroes every byte of *params (no-op for NULL). */
EXPRBERT_API void exprbert_adamw_params_init(exprbert_adamw_params* params);

EXPRBERT_API exprbert_status exprbert_adamw_step(const exprbert_adamw_params* params);

/* ================================================================================================ */
/* Fused attention: forward and backward, padded or packed (varlen), with attention dropout.           */
/* ================================================================================================ */
/*
 * For each sequence b, head h, query row i < L_b and key column j < L_b (L_b the sequence's length):
 *   s_ij  = scale * <q_i, k_j>                  (float math whatever the storage dtype)
 *   p_ij  = exp(s_ij - lse_i),  lse_i = log(sum_j exp(s_ij))
 *   z_ij  = keep(b, h, i, j) / (1 - dropout_p)   (keep in {0, 1}, see exprbert_attention_dropout_mask)
 *   out_i = sum_j p_ij * z_ij * v_j
 * Keys j >= L_b are masked (key padding). Query rows i >= L_b of a padded batch get out = 0 and lse = 0
 * and no work: nothing a real token computes depends on them, so the padded and the varlen layout give the
 * same values for every real token. The backward returns dq, dk, dv for the same function (zero on rows
 * >= L_b) and regenerates z from (seed, offset); nothing else is stored between forward and backward.
 *
 * Sliding window (local attention; window = EXPRBERT_ATTENTION_WINDOW_SLIDING): every sum over j above also
 * skips the keys outside [i - window_left, i + window_right], where -1 makes that side unlimited
 * (FlashAttention's window_size convention). ModernBERT's local layers are window_left = window_right =
 * local_attention / 2. Each side is >= 0 or unlimited, so a real query row always sees at least itself and its
 * softmax is never empty. A query row whose window holds no real key is therefore a padding row (i >= L_b): it
 * gets the zeros, lse 0 and zero gradients of every padding row, never NaN. (Hugging Face's eager attention adds
 * finfo.min there and gets a uniform row; no real token depends on that row either way.) Key blocks outside a
 * query block's window are skipped, so a local layer costs O(L_b * window), not O(L_b^2). The dropout mask is
 * the same function of (b, h, i, j) with or without a window: the window only removes terms.
 *
 * Tensors are addressed with element strides (the innermost head_dim stride is 1):
 *   padded: element (b, i, h, d) at ptr + b*batch_stride + i*row_stride + h*head_stride + d
 *   varlen: element (b, i, h, d) at ptr + (cu_seqlens[b] + i)*row_stride + h*head_stride + d (batch_stride unused)
 * so q, k, v taken as [batch, seq, heads, head_dim] views of one fused projection need no copy.
 * lse is fp32 and contiguous: padded [batch, heads, max_seqlen]; varlen [heads, total_tokens].
 *
 * Support matrix: CPU: f32, f16 and bf16 storage, any head_dim in [1, 256]. CUDA: f32, f16 and bf16 with
 * head_dim 32, 64 or 128. Anything else returns EXPRBERT_ERROR_UNSUPPORTED naming the combination.
 */
typedef enum exprbert_attention_layout {
  EXPRBERT_ATTENTION_PADDED = 0, /* [batch, max_seqlen, heads, head_dim] via strides; seqlens optional */
  EXPRBERT_ATTENTION_VARLEN = 1  /* [total_tokens, heads, head_dim] via strides; cu_seqlens required */
} exprbert_attention_layout;

typedef enum exprbert_attention_window {
  EXPRBERT_ATTENTION_WINDOW_NONE = 0,   /* every key of the sequence (window_left and window_right must be 0) */
  EXPRBERT_ATTENTION_WINDOW_SLIDING = 1 /* keys j with i - window_left <= j <= i + window_right */
} exprbert_attention_window;

typedef struct exprbert_attention_params {
  int32_t layout;            /* exprbert_attention_layout */
  int32_t dtype;             /* exprbert_dtype of q, k, v, out, dout, dq, dk, dv */
  int64_t batch;             /* number of sequences, >= 0 */
  int64_t max_seqlen;        /* padded: the padded length; varlen: >= every sequence's length */
  int64_t total_tokens;      /* varlen: cu_seqlens[batch]; padded: unused */
  int64_t heads;             /* >= 1 */
  int64_t head_dim;          /* >= 1 (see the support matrix) */
  const int32_t* seqlens;    /* padded, optional: [batch] lengths in [0, max_seqlen]; NULL = all max_seqlen */
  const int32_t* cu_seqlens; /* varlen, required: [batch + 1] non-decreasing offsets, cu_seqlens[0] = 0 */
  /* seqlens / cu_seqlens live in the tensors' memory space; CPU calls read them, CUDA kernels read them on device. */
  const int32_t* host_cu_seqlens; /* varlen on CUDA: the same offsets in host memory (sizes the launch grid) */

  double scale;              /* softmax scale > 0, usually 1 / sqrt(head_dim) */
  double dropout_p;          /* in [0, 1); 0 = no dropout */
  uint64_t dropout_seed;     /* Philox key */
  uint64_t dropout_offset;   /* Philox counter offset; a new forward uses a new (seed, offset) pair */

  /* forward inputs (also backward inputs) */
  const void* q; int64_t q_batch_stride, q_row_stride, q_head_stride;
  const void* k; int64_t k_batch_stride, k_row_stride, k_head_stride;
  const void* v; int64_t v_batch_stride, v_row_stride, v_head_stride;
  /* forward output (backward input) */
  void* out; int64_t out_batch_stride, out_row_stride, out_head_stride;
  float* lse;                /* forward output, backward input: see the layout above */

  /* backward only */
  const void* dout; int64_t dout_batch_stride, dout_row_stride, dout_head_stride;
  void* dq; int64_t dq_batch_stride, dq_row_stride, dq_head_stride;
  void* dk; int64_t dk_batch_stride, dk_row_stride, dk_head_stride;
  void* dv; int64_t dv_batch_stride, dv_row_stride, dv_head_stride;
  float* delta;              /* CUDA backward: fp32 scratch shaped like lse (rowsum(dout * out)); CPU: unused */

  int32_t device;            /* -1 = CPU, else the CUDA device index */
  void* stream;              /* cudaStream_t (CUDA only) */
  int32_t num_threads;       /* CPU only: 0 = hardware concurrency; results do not depend on it */

  /* Appended in ABI version 2: sliding-window (local) attention. Zeroed (NONE) = every key of the sequence. A
     separate switch rather than "0 = unlimited", so that window_left = 0 (no key to the left) stays expressible
     and a zeroed struct still means no window. */
  int32_t window;            /* exprbert_attention_window */
  int64_t window_left;       /* SLIDING: keys up to this many positions before the query; -1 = unlimited */
  int64_t window_right;      /* SLIDING: keys up to this many positions after the query; -1 = unlimited */
} exprbert_attention_params;

/* Zeroes every byte of *params (no-op for NULL). */
EXPRBERT_API void exprbert_attention_params_init(exprbert_attention_params* params);

/* q, k, v -> out, lse. */
EXPRBERT_API exprbert_status exprbert_attention_forward(const exprbert_attention_params* params);

/* dout, q, k, v, out, lse -> dq, dk, dv (overwritten, not accumulated). */
EXPRBERT_API exprbert_status exprbert_attention_backward(const exprbert_attention_params* params);

/*
 * The dropout keep-mask the kernels use, materialised for tests: keep[((b*heads + h)*max_seqlen + i)*max_seqlen + j]
 * = 1 when element (i, j) of sequence b, head h survives, else 0; for every i, j < max_seqlen whatever the lengths.
 * Reads batch, heads, max_seqlen, dropout_p, dropout_seed and dropout_offset only; host memory only.
 * [note: dropout RNG] Philox 4x32-10 with key = (seed_lo, seed_hi ^ offset_hi) and counter = (j / 4, i,
 * b*heads + h, offset_lo); word j % 4 of the result, x, keeps the element iff (x >> 8) >= floor(dropout_p * 2^24).
 * Rows and columns count within the sequence, so padded and varlen batches draw the same mask.
 */
EXPRBERT_API exprbert_status exprbert_attention_dropout_mask(const exprbert_attention_params* params, uint8_t* keep);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* EXPRBERT_KERNELS_H */
