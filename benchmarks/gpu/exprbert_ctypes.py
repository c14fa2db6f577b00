"""ctypes mirror of native/include/exprbert/kernels.h (the one source of truth of the ABI) for the GPU check harnesses.

Every constant, every params struct (field order and types exactly as in C; ctypes applies the C compiler's
alignment rules on x86-64) and every function (FUNCTIONS: result and argument types in order) of the header is
declared here once. AbiMirrorsTest (src/test/java/dev/exprbert/kernels) parses this file and fails when it
disagrees with the header, and Kernels() compares the loaded library's exprbert_abi_version() and
exprbert_params_size() with this mirror before any call. Callers pass raw addresses (torch: tensor.data_ptr(),
numpy: array.ctypes.data), so this module needs neither torch nor numpy.
"""
import ctypes

_p = ctypes.c_void_p

# Constants: the header's enum values and numeric #defines, without the EXPRBERT_ prefix.
ABI_VERSION = 2
OK = 0
ERROR_INVALID_ARGUMENT = 1
ERROR_UNSUPPORTED = 2
ERROR_CUDA_UNAVAILABLE = 3
ERROR_CUDA = 4
ERROR_INTERNAL = 5
DTYPE_F32 = 0
DTYPE_F16 = 1
DTYPE_BF16 = 2
PARAMS_GRAD_NORM = 0
PARAMS_ADAMW = 1
PARAMS_ATTENTION = 2
GRAD_NORM_WORKSPACE_BYTES = 8192
ATTENTION_PADDED = 0
ATTENTION_VARLEN = 1
ATTENTION_WINDOW_NONE = 0
ATTENTION_WINDOW_SLIDING = 1

STATUS_NAMES = {OK: "OK", ERROR_INVALID_ARGUMENT: "INVALID_ARGUMENT", ERROR_UNSUPPORTED: "UNSUPPORTED",
                ERROR_CUDA_UNAVAILABLE: "CUDA_UNAVAILABLE", ERROR_CUDA: "CUDA", ERROR_INTERNAL: "INTERNAL"}


class GradNormParams(ctypes.Structure):
    _fields_ = [
        ("num_tensors", ctypes.c_int64),
        ("grads", ctypes.POINTER(_p)),
        ("numels", ctypes.POINTER(ctypes.c_int64)),
        ("grad_dtype", ctypes.c_int32),
        ("max_norm", ctypes.c_double),
        ("total_norm", _p),
        ("clip_coef", _p),
        ("found_inf", _p),
        ("device", ctypes.c_int32),
        ("stream", _p),
        ("workspace", _p),
        ("workspace_bytes", ctypes.c_int64),
        ("num_threads", ctypes.c_int32),
    ]


class AdamwParams(ctypes.Structure):
    _fields_ = [
        ("num_tensors", ctypes.c_int64),
        ("params", ctypes.POINTER(_p)),
        ("master", ctypes.POINTER(_p)),
        ("grads", ctypes.POINTER(_p)),
        ("exp_avg", ctypes.POINTER(_p)),
        ("exp_avg_sq", ctypes.POINTER(_p)),
        ("numels", ctypes.POINTER(ctypes.c_int64)),
        ("group_index", ctypes.POINTER(ctypes.c_int32)),
        ("num_groups", ctypes.c_int32),
        ("group_lr_scale", ctypes.POINTER(ctypes.c_double)),
        ("group_weight_decay", ctypes.POINTER(ctypes.c_double)),
        ("param_dtype", ctypes.c_int32),
        ("grad_dtype", ctypes.c_int32),
        ("lr", ctypes.c_double),
        ("lr_device", _p),
        ("beta1", ctypes.c_double),
        ("beta2", ctypes.c_double),
        ("eps", ctypes.c_double),
        ("step", _p),
        ("clip_coef", _p),
        ("found_inf", _p),
        ("device", ctypes.c_int32),
        ("stream", _p),
        ("num_threads", ctypes.c_int32),
    ]


class AttentionParams(ctypes.Structure):
    _fields_ = [
        ("layout", ctypes.c_int32),
        ("dtype", ctypes.c_int32),
        ("batch", ctypes.c_int64),
        ("max_seqlen", ctypes.c_int64),
        ("total_tokens", ctypes.c_int64),
        ("heads", ctypes.c_int64),
        ("head_dim", ctypes.c_int64),
        ("seqlens", _p),
        ("cu_seqlens", _p),
        ("host_cu_seqlens", _p),
        ("scale", ctypes.c_double),
        ("dropout_p", ctypes.c_double),
        ("dropout_seed", ctypes.c_uint64),
        ("dropout_offset", ctypes.c_uint64),
        ("q", _p),
        ("q_batch_stride", ctypes.c_int64),
        ("q_row_stride", ctypes.c_int64),
        ("q_head_stride", ctypes.c_int64),
        ("k", _p),
        ("k_batch_stride", ctypes.c_int64),
        ("k_row_stride", ctypes.c_int64),
        ("k_head_stride", ctypes.c_int64),
        ("v", _p),
        ("v_batch_stride", ctypes.c_int64),
        ("v_row_stride", ctypes.c_int64),
        ("v_head_stride", ctypes.c_int64),
        ("out", _p),
        ("out_batch_stride", ctypes.c_int64),
        ("out_row_stride", ctypes.c_int64),
        ("out_head_stride", ctypes.c_int64),
        ("lse", _p),
        ("dout", _p),
        ("dout_batch_stride", ctypes.c_int64),
        ("dout_row_stride", ctypes.c_int64),
        ("dout_head_stride", ctypes.c_int64),
        ("dq", _p),
        ("dq_batch_stride", ctypes.c_int64),
        ("dq_row_stride", ctypes.c_int64),
        ("dq_head_stride", ctypes.c_int64),
        ("dk", _p),
        ("dk_batch_stride", ctypes.c_int64),
        ("dk_row_stride", ctypes.c_int64),
        ("dk_head_stride", ctypes.c_int64),
        ("dv", _p),
        ("dv_batch_stride", ctypes.c_int64),
        ("dv_row_stride", ctypes.c_int64),
        ("dv_head_stride", ctypes.c_int64),
        ("delta", _p),
        ("device", ctypes.c_int32),
        ("stream", _p),
        ("num_threads", ctypes.c_int32),
        ("window", ctypes.c_int32),
        ("window_left", ctypes.c_int64),
        ("window_right", ctypes.c_int64),
    ]


# Every function of the header: (result type, [argument types]).
FUNCTIONS = {
    "exprbert_abi_version": (ctypes.c_int32, []),
    "exprbert_params_size": (ctypes.c_int64, [ctypes.c_int32]),
    "exprbert_last_error": (ctypes.c_char_p, []),
    "exprbert_build_info": (ctypes.c_char_p, []),
    "exprbert_cuda_compiled": (ctypes.c_int32, []),
    "exprbert_cuda_device_count": (ctypes.c_int32, []),
    "exprbert_set_default_env": (ctypes.c_int32, [ctypes.c_char_p, ctypes.c_char_p]),
    "exprbert_call_int_getter": (ctypes.c_int32, [_p]),
    "exprbert_cuda_stream_synchronize": (ctypes.c_int32, [ctypes.c_int32, _p]),
    "exprbert_grad_norm_params_init": (None, [ctypes.POINTER(GradNormParams)]),
    "exprbert_grad_norm": (ctypes.c_int32, [ctypes.POINTER(GradNormParams)]),
    "exprbert_adamw_params_init": (None, [ctypes.POINTER(AdamwParams)]),
    "exprbert_adamw_step": (ctypes.c_int32, [ctypes.POINTER(AdamwParams)]),
    "exprbert_attention_params_init": (None, [ctypes.POINTER(AttentionParams)]),
    "exprbert_attention_forward": (ctypes.c_int32, [ctypes.POINTER(AttentionParams)]),
    "exprbert_attention_backward": (ctypes.c_int32, [ctypes.POINTER(AttentionParams)]),
    "exprbert_attention_dropout_mask": (ctypes.c_int32, [ctypes.POINTER(AttentionParams), ctypes.POINTER(ctypes.c_uint8)]),
}

_STRUCTS = ((PARAMS_GRAD_NORM, GradNormParams), (PARAMS_ADAMW, AdamwParams), (PARAMS_ATTENTION, AttentionParams))


class KernelError(RuntimeError):
    pass


def _addresses(values):
    return (_p * max(len(values), 1))(*[_p(int(v)) for v in values])


def load_library(path):
    """The library with FUNCTIONS declared, after checking its ABI version and struct sizes against this mirror."""
    lib = ctypes.CDLL(path)
    for name, (restype, argtypes) in FUNCTIONS.items():
        function = getattr(lib, name)
        function.restype = restype
        function.argtypes = argtypes
    version = lib.exprbert_abi_version()
    if version != ABI_VERSION:
        raise KernelError("%s has ABI version %d but exprbert_ctypes.py mirrors version %d" % (path, version, ABI_VERSION))
    for kind, struct in _STRUCTS:
        size = lib.exprbert_params_size(kind)
        if size != ctypes.sizeof(struct):
            raise KernelError("%s: sizeof(%s) is %d in the library but %d in exprbert_ctypes.py"
                              % (path, struct.__name__, size, ctypes.sizeof(struct)))
    return lib


class Kernels:
    """The library plus keep-alive storage for the arrays a call points into."""

    def __init__(self, path):
        self.lib = load_library(path)

    def last_error(self):
        return (self.lib.exprbert_last_error() or b"").decode("utf-8", "replace")

    def build_info(self):
        return self.lib.exprbert_build_info().decode("utf-8", "replace")

    def cuda_device_count(self):
        return int(self.lib.exprbert_cuda_device_count())

    def check(self, function, status):
        if status != OK:
            raise KernelError("%s failed: status %d (%s): %s"
                              % (function, status, STATUS_NAMES.get(status, "?"), self.last_error()))

    def grad_norm_params(self, grad_ptrs, numels, grad_dtype, max_norm, total_norm, clip_coef=None,
                         found_inf=None, device=-1, stream=None, workspace=None, workspace_bytes=0):
        """Builds the struct (zeroed by the library's initialiser, then filled in one place); keep it alive for the call."""
        p = GradNormParams()
        self.lib.exprbert_grad_norm_params_init(ctypes.byref(p))
        p._keep = [_addresses(grad_ptrs), (ctypes.c_int64 * max(len(numels), 1))(*numels)]
        p.num_tensors = len(grad_ptrs)
        p.grads = p._keep[0]
        p.numels = p._keep[1]
        p.grad_dtype = grad_dtype
        p.max_norm = float(max_norm)
        p.total_norm = total_norm
        p.clip_coef = clip_coef
        p.found_inf = found_inf
        p.device = device
        p.stream = stream
        p.workspace = workspace
        p.workspace_bytes = workspace_bytes
        return p

    def adamw_params(self, param_ptrs, master_ptrs, grad_ptrs, exp_avg_ptrs, exp_avg_sq_ptrs, numels, group_index,
                     group_lr_scale, group_weight_decay, param_dtype, grad_dtype, lr, beta1, beta2, eps, step,
                     clip_coef=None, found_inf=None, device=-1, stream=None):
        p = AdamwParams()
        self.lib.exprbert_adamw_params_init(ctypes.byref(p))
        n = len(param_ptrs)
        keep = {
            "params": _addresses(param_ptrs),
            "master": _addresses(master_ptrs) if master_ptrs else None,
            "grads": _addresses(grad_ptrs),
            "exp_avg": _addresses(exp_avg_ptrs),
            "exp_avg_sq": _addresses(exp_avg_sq_ptrs),
            "numels": (ctypes.c_int64 * max(n, 1))(*numels),
            "group_index": (ctypes.c_int32 * max(n, 1))(*group_index),
            "lr_scale": (ctypes.c_double * len(group_lr_scale))(*group_lr_scale),
            "weight_decay": (ctypes.c_double * len(group_weight_decay))(*group_weight_decay),
        }
        p._keep = keep
        p.num_tensors = n
        p.params = keep["params"]
        if keep["master"] is not None:
            p.master = keep["master"]
        p.grads = keep["grads"]
        p.exp_avg = keep["exp_avg"]
        p.exp_avg_sq = keep["exp_avg_sq"]
        p.numels = keep["numels"]
        p.group_index = keep["group_index"]
        p.num_groups = len(group_lr_scale)
        p.group_lr_scale = keep["lr_scale"]
        p.group_weight_decay = keep["weight_decay"]
        p.param_dtype = param_dtype
        p.grad_dtype = grad_dtype
        p.lr = float(lr)
        p.beta1 = float(beta1)
        p.beta2 = float(beta2)
        p.eps = float(eps)
        p.step = step
        p.clip_coef = clip_coef
        p.found_inf = found_inf
        p.device = device
        p.stream = stream
        return p

    def attention_params(self):
        """A zeroed exprbert_attention_params for the caller to fill."""
        p = AttentionParams()
        self.lib.exprbert_attention_params_init(ctypes.byref(p))
        return p

    def grad_norm(self, params):
        self.check("exprbert_grad_norm", self.lib.exprbert_grad_norm(ctypes.byref(params)))

    def adamw_step(self, params):
        self.check("exprbert_adamw_step", self.lib.exprbert_adamw_step(ctypes.byref(params)))

    def attention_forward(self, params):
        self.check("exprbert_attention_forward", self.lib.exprbert_attention_forward(ctypes.byref(params)))

    def attention_backward(self, params):
        self.check("exprbert_attention_backward", self.lib.exprbert_attention_backward(ctypes.byref(params)))

    def synchronize(self, device, stream):
        self.check("exprbert_cuda_stream_synchronize", self.lib.exprbert_cuda_stream_synchronize(device, stream))
