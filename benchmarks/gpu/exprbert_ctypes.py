"""ctypes mirror of native/include/exprbert/kernels.h (ABI version 1) for the GPU check harness.

Field order and types follow the C structs exactly; ctypes applies the same alignment rules as the C compiler
on x86-64. Callers pass raw addresses (torch: tensor.data_ptr(), numpy: array.ctypes.data), so this module needs
neither torch nor numpy.
"""
import ctypes

ABI_VERSION = 1
OK = 0
STATUS_NAMES = {0: "OK", 1: "INVALID_ARGUMENT", 2: "UNSUPPORTED", 3: "CUDA_UNAVAILABLE", 4: "CUDA", 5: "INTERNAL"}
DTYPE_F32, DTYPE_F16, DTYPE_BF16 = 0, 1, 2
GRAD_NORM_WORKSPACE_BYTES = 8192

_p = ctypes.c_void_p


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


class KernelError(RuntimeError):
    pass


def _addresses(values):
    return (_p * max(len(values), 1))(*[_p(int(v)) for v in values])


class Kernels:
    """The library plus keep-alive storage for the arrays a call points into."""

    def __init__(self, path):
        self.lib = ctypes.CDLL(path)
        self.lib.exprbert_last_error.restype = ctypes.c_char_p
        self.lib.exprbert_build_info.restype = ctypes.c_char_p
        self.lib.exprbert_cuda_compiled.restype = ctypes.c_int32
        self.lib.exprbert_cuda_device_count.restype = ctypes.c_int32
        self.lib.exprbert_cuda_stream_synchronize.restype = ctypes.c_int32
        self.lib.exprbert_cuda_stream_synchronize.argtypes = [ctypes.c_int32, _p]
        self.lib.exprbert_grad_norm.restype = ctypes.c_int32
        self.lib.exprbert_grad_norm.argtypes = [ctypes.POINTER(GradNormParams)]
        self.lib.exprbert_adamw_step.restype = ctypes.c_int32
        self.lib.exprbert_adamw_step.argtypes = [ctypes.POINTER(AdamwParams)]

    def last_error(self):
        return (self.lib.exprbert_last_error() or b"").decode("utf-8", "replace")

    def build_info(self):
        return self.lib.exprbert_build_info().decode("utf-8", "replace")

    def cuda_device_count(self):
        return int(self.lib.exprbert_cuda_device_count())

    def _check(self, function, status):
        if status != OK:
            raise KernelError("%s failed: status %d (%s): %s"
                              % (function, status, STATUS_NAMES.get(status, "?"), self.last_error()))

    def grad_norm_params(self, grad_ptrs, numels, grad_dtype, max_norm, total_norm, clip_coef=None,
                         found_inf=None, device=-1, stream=None, workspace=None, workspace_bytes=0):
        """Builds (zero-initialised, then filled in one place) the struct; keep the result alive for the call."""
        p = GradNormParams()
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
        p.num_threads = 0
        return p

    def adamw_params(self, param_ptrs, master_ptrs, grad_ptrs, exp_avg_ptrs, exp_avg_sq_ptrs, numels, group_index,
                     group_lr_scale, group_weight_decay, param_dtype, grad_dtype, lr, beta1, beta2, eps, step,
                     clip_coef=None, found_inf=None, device=-1, stream=None):
        p = AdamwParams()
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
        p.lr_device = None
        p.beta1 = float(beta1)
        p.beta2 = float(beta2)
        p.eps = float(eps)
        p.step = step
        p.clip_coef = clip_coef
        p.found_inf = found_inf
        p.device = device
        p.stream = stream
        p.num_threads = 0
        return p

    def grad_norm(self, params):
        self._check("exprbert_grad_norm", self.lib.exprbert_grad_norm(ctypes.byref(params)))

    def adamw_step(self, params):
        self._check("exprbert_adamw_step", self.lib.exprbert_adamw_step(ctypes.byref(params)))

    def synchronize(self, device, stream):
        self._check("exprbert_cuda_stream_synchronize", self.lib.exprbert_cuda_stream_synchronize(device, stream))
