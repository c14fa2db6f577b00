#!/usr/bin/env python3
"""ExprBERT GPU check, part 2: our CUDA AdamW through ctypes vs torch.optim.AdamW(fused=True).

Run by check.sh after the CMake build and CTest; usable alone:
    python3 harness.py --lib /path/to/libexprbert_kernels.so [--build-status ok --ctest-status ok ...]
Every section runs in its own try/except and records either its numbers or its error, so one failure never hides
the others. The LAST line printed is one JSON object: the summary. Needs PyTorch with CUDA; no Java, no network.
"""
import argparse
import json
import os
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

BETA1, BETA2, EPS = 0.9, 0.999, 1e-8
LR = 1e-3
WEIGHT_DECAY = (0.01, 0.0)  # group 0: weights, group 1: biases and LayerNorm (HF's split)


def bert_shapes(layers=12, hidden=768, intermediate=3072, vocab=30522, labels=9):
    """(shape, group) of every tensor of bert-base with a token-classification head: about 110M parameters."""
    shapes = [((vocab, hidden), 0), ((512, hidden), 0), ((2, hidden), 0), ((hidden,), 1), ((hidden,), 1)]
    for _ in range(layers):
        for _ in range(4):  # query, key, value, attention output
            shapes += [((hidden, hidden), 0), ((hidden,), 1)]
        shapes += [((hidden,), 1), ((hidden,), 1)]
        shapes += [((intermediate, hidden), 0), ((intermediate,), 1), ((hidden, intermediate), 0), ((hidden,), 1)]
        shapes += [((hidden,), 1), ((hidden,), 1)]
    shapes += [((hidden, hidden), 0), ((hidden,), 1), ((labels, hidden), 0), ((labels,), 1)]
    return shapes


# Small but awkward sizes for correctness: odd, tiny, > one 64K chunk, apex's 278011, more than 64 tensors.
CORRECTNESS_SHAPES = [((1,), 1), ((3,), 0), ((17,), 1), ((278011,), 0), ((64, 33), 0), ((65537,), 1), ((768, 768), 0)] + \
    [(((i * 7919) % 5000 + 1,), i % 2) for i in range(70)]


class Setup:
    """Device tensors for one problem: our params/master/moments and the torch reference params."""

    def __init__(self, torch, shapes, param_dtype, grad_dtype, seed):
        self.torch = torch
        self.device = torch.device("cuda", torch.cuda.current_device())
        gen = torch.Generator(device="cpu").manual_seed(seed)
        self.shapes = shapes
        self.groups = [g for _, g in shapes]
        fp32 = [torch.randn(s, generator=gen).to(self.device) for s, _ in shapes]
        self.params = [p.to(param_dtype).contiguous() for p in fp32]
        self.master = [p.float().clone() for p in self.params] if param_dtype != torch.float32 else None
        self.exp_avg = [torch.zeros(s, device=self.device, dtype=torch.float32) for s, _ in shapes]
        self.exp_avg_sq = [torch.zeros(s, device=self.device, dtype=torch.float32) for s, _ in shapes]
        self.grads = [torch.empty(s, device=self.device, dtype=grad_dtype) for s, _ in shapes]
        self.step = torch.zeros(1, device=self.device, dtype=torch.int64)
        self.scalars = torch.zeros(3, device=self.device, dtype=torch.float32)  # norm, clip coef, found_inf
        self.workspace = torch.zeros(8192, device=self.device, dtype=torch.uint8)
        # the torch reference works on fp32 copies of the (master) weights
        self.ref = [(m if self.master else p).detach().float().clone().requires_grad_(True)
                    for p, m in zip(self.params, self.master or self.params)]
        self.param_dtype = param_dtype
        self.grad_dtype = grad_dtype

    def new_grads(self, seed, scale=1.0):
        gen = self.torch.Generator(device="cpu").manual_seed(seed)
        for g, r, (s, _) in zip(self.grads, self.ref, self.shapes):
            values = (self.torch.randn(s, generator=gen) * scale).to(self.device)
            g.copy_(values.to(self.grad_dtype))
            r.grad = g.float().clone()  # the same (possibly bf16-rounded) values, widened

    def reference_optimizer(self):
        torch = self.torch
        groups = [{"params": [r for r, g in zip(self.ref, self.groups) if g == i], "weight_decay": WEIGHT_DECAY[i]}
                  for i in (0, 1)]
        return torch.optim.AdamW(groups, lr=LR, betas=(BETA1, BETA2), eps=EPS, fused=True)

    def _dtype(self, t):
        import exprbert_ctypes as ek
        return {self.torch.float32: ek.DTYPE_F32, self.torch.float16: ek.DTYPE_F16, self.torch.bfloat16: ek.DTYPE_BF16}[t]

    def grad_norm_params(self, kernels, max_norm, stream):
        s = self.scalars.data_ptr()
        return kernels.grad_norm_params([g.data_ptr() for g in self.grads], [g.numel() for g in self.grads],
                                        self._dtype(self.grad_dtype), max_norm, s, s + 4, s + 8,
                                        device=self.device.index, stream=stream, workspace=self.workspace.data_ptr(),
                                        workspace_bytes=self.workspace.numel())

    def adamw_params(self, kernels, clip, stream):
        s = self.scalars.data_ptr()
        return kernels.adamw_params(
            [p.data_ptr() for p in self.params], [m.data_ptr() for m in self.master] if self.master else None,
            [g.data_ptr() for g in self.grads], [m.data_ptr() for m in self.exp_avg],
            [v.data_ptr() for v in self.exp_avg_sq], [p.numel() for p in self.params], self.groups, [1.0, 1.0],
            list(WEIGHT_DECAY), self._dtype(self.param_dtype), self._dtype(self.grad_dtype), LR, BETA1, BETA2, EPS,
            self.step.data_ptr(), clip_coef=(s + 4) if clip else None, found_inf=(s + 8) if clip else None,
            device=self.device.index, stream=stream)

    def weights(self):
        return self.master if self.master else self.params

    def max_abs_diff(self):
        return max((w.float() - r.detach()).abs().max().item() for w, r in zip(self.weights(), self.ref))

    def max_rel_scale(self):
        return max(r.detach().abs().max().item() for r in self.ref)


def current_stream(torch):
    return torch.cuda.current_stream().cuda_stream  # an int: the cudaStream_t that torch queues on


def check_parity(torch, kernels, param_dtype, grad_dtype, steps, max_norm, seed):
    """`steps` steps of ours and of torch fused AdamW on the same grads; returns numbers for the JSON."""
    setup = Setup(torch, CORRECTNESS_SHAPES, param_dtype, grad_dtype, seed)
    reference = setup.reference_optimizer()
    stream = current_stream(torch)
    norms = []
    for step in range(steps):
        setup.new_grads(seed * 100 + step)
        if max_norm > 0:
            kernels.grad_norm(setup.grad_norm_params(kernels, max_norm, stream))
            ref_norm = torch.nn.utils.clip_grad_norm_(setup.ref, max_norm)
            norms.append((setup.scalars[0].item(), ref_norm.item()))
        kernels.adamw_step(setup.adamw_params(kernels, max_norm > 0, stream))
        reference.step()
    torch.cuda.synchronize()
    out = {"steps": steps, "tensors": len(setup.shapes), "elements": sum(p.numel() for p in setup.params),
           "max_abs_diff_vs_torch_fused": setup.max_abs_diff(), "max_abs_weight": setup.max_rel_scale(),
           "step_counter": int(setup.step.item())}
    if setup.master:
        rounded = all(torch.equal(m.to(param_dtype), p) for m, p in zip(setup.master, setup.params))
        out["params_equal_rounded_master"] = bool(rounded)
    if norms:
        out["max_rel_norm_diff"] = max(abs(a - b) / max(b, 1e-30) for a, b in norms)
    return out


def check_found_inf(torch, kernels):
    setup = Setup(torch, CORRECTNESS_SHAPES[:10], torch.float32, torch.float32, 5)
    setup.new_grads(1)
    setup.grads[3].view(-1)[12345] = float("inf")
    before = [p.clone() for p in setup.params]
    stream = current_stream(torch)
    kernels.grad_norm(setup.grad_norm_params(kernels, 1.0, stream))
    kernels.adamw_step(setup.adamw_params(kernels, True, stream))
    torch.cuda.synchronize()
    unchanged = all(torch.equal(a, b) for a, b in zip(before, setup.params))
    return {"found_inf_flag": setup.scalars[2].item(), "params_unchanged": bool(unchanged),
            "step_counter": int(setup.step.item())}


def time_cuda(torch, fn, iters):
    for _ in range(3):
        fn()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    torch.cuda.synchronize()
    start.record()
    for _ in range(iters):
        fn()
    end.record()
    torch.cuda.synchronize()
    return start.elapsed_time(end) / iters


def benchmark(torch, kernels, param_dtype, grad_dtype, bytes_per_param, iters=20):
    """ms per step at bert-base size: ours, ours + grad norm, torch fused AdamW, and a copy of the same bytes."""
    shapes = bert_shapes()
    setup = Setup(torch, shapes, param_dtype, grad_dtype, 11)
    setup.new_grads(3)
    n = sum(p.numel() for p in setup.params)
    stream = current_stream(torch)
    step_params = setup.adamw_params(kernels, False, stream)
    ours = time_cuda(torch, lambda: kernels.adamw_step(step_params), iters)
    norm_params = setup.grad_norm_params(kernels, 1.0, stream)
    clip_params = setup.adamw_params(kernels, True, stream)
    ours_clip = time_cuda(torch, lambda: (kernels.grad_norm(norm_params), kernels.adamw_step(clip_params)), iters)
    reference = setup.reference_optimizer()
    theirs = time_cuda(torch, reference.step, iters)
    # Yardstick: a device-to-device copy that moves the same traffic (read half the bytes, write half).
    src = torch.empty(int(n * bytes_per_param // 2), dtype=torch.uint8, device=setup.device)
    dst = torch.empty_like(src)
    copy = time_cuda(torch, lambda: dst.copy_(src), iters)
    traffic = n * bytes_per_param
    return {"params": n, "tensors": len(shapes), "bytes_per_param": bytes_per_param,
            "ours_ms": ours, "ours_with_grad_norm_ms": ours_clip, "torch_fused_ms": theirs, "copy_same_bytes_ms": copy,
            "ours_GBps": traffic / ours / 1e6, "copy_GBps": traffic / copy / 1e6,
            "ours_pct_of_copy_bandwidth": 100.0 * copy / ours, "speedup_vs_torch_fused": theirs / ours,
            "reference_dtype_note": "torch fused AdamW runs on fp32 params/grads in every case"}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lib", required=True, help="path of libexprbert_kernels.so")
    parser.add_argument("--build-status", default="not given")
    parser.add_argument("--ctest-status", default="not given")
    parser.add_argument("--ctest-summary", default="")
    parser.add_argument("--arch", default="")
    parser.add_argument("--started", type=float, default=time.time())
    args = parser.parse_args()

    summary = {"check": "exprbert-gpu", "build": args.build_status, "ctest": args.ctest_status,
               "ctest_summary": args.ctest_summary, "arch": args.arch, "sections": {}, "errors": {}, "not_run": []}
    state = {}

    def section(name, fn, needs=()):
        missing = [n for n in needs if n not in state]
        if missing:
            summary["not_run"].append("%s (needs %s)" % (name, ", ".join(missing)))
            return
        t0 = time.time()
        try:
            result = fn()
            if isinstance(result, dict):
                result["seconds"] = round(time.time() - t0, 2)
            summary["sections"][name] = result
            state[name] = result
        except Exception as e:  # record and go on: one JSON line must come out whatever happens
            summary["errors"][name] = "%s: %s" % (type(e).__name__, e)
            traceback.print_exc()

    def env():
        import torch
        state["torch_module"] = torch
        if not torch.cuda.is_available():
            raise RuntimeError("torch.cuda.is_available() is False (torch %s)" % torch.__version__)
        props = torch.cuda.get_device_properties(torch.cuda.current_device())
        return {"torch": torch.__version__, "torch_cuda": torch.version.cuda, "device": props.name,
                "capability": "%d.%d" % (props.major, props.minor), "memory_GiB": round(props.total_memory / 2**30, 1)}

    def load():
        import exprbert_ctypes as ek
        kernels = ek.Kernels(args.lib)
        state["kernels_obj"] = kernels
        count = kernels.cuda_device_count()
        out = {"build_info": kernels.build_info(), "cuda_device_count": count}
        if count <= 0:
            raise RuntimeError("library sees no CUDA device (%d): %s" % (count, kernels.last_error()))
        return out

    section("torch", env)
    section("library", load)
    torch = state.get("torch_module")
    kernels = state.get("kernels_obj")
    needs = ("torch", "library")
    if torch is not None:
        section("adamw_fp32_vs_torch_fused", lambda: check_parity(torch, kernels, torch.float32, torch.float32, 10, 0.0, 1), needs)
        section("adamw_bf16_master_bf16_grads_vs_fp32_torch", lambda: check_parity(torch, kernels, torch.bfloat16, torch.bfloat16, 10, 0.0, 2), needs)
        section("adamw_clip_vs_clip_grad_norm_then_torch_fused", lambda: check_parity(torch, kernels, torch.float32, torch.float32, 10, 1.0, 3), needs)
        section("found_inf_skips_step", lambda: check_found_inf(torch, kernels), needs)
        section("perf_110M_fp32", lambda: benchmark(torch, kernels, torch.float32, torch.float32, 28), needs)
        section("perf_110M_bf16_master_bf16_grads", lambda: benchmark(torch, kernels, torch.bfloat16, torch.bfloat16, 30), needs)
    else:
        summary["not_run"].append("all kernel sections (no usable torch)")

    s = summary["sections"]
    verdicts = {}
    if "adamw_fp32_vs_torch_fused" in s:
        verdicts["fp32_parity"] = s["adamw_fp32_vs_torch_fused"]["max_abs_diff_vs_torch_fused"] <= 1e-5
    if "adamw_bf16_master_bf16_grads_vs_fp32_torch" in s:
        r = s["adamw_bf16_master_bf16_grads_vs_fp32_torch"]
        verdicts["bf16_master_parity"] = r["max_abs_diff_vs_torch_fused"] <= 1e-5 and r.get("params_equal_rounded_master", False)
    if "adamw_clip_vs_clip_grad_norm_then_torch_fused" in s:
        r = s["adamw_clip_vs_clip_grad_norm_then_torch_fused"]
        verdicts["clip_parity"] = r["max_abs_diff_vs_torch_fused"] <= 1e-5 and r.get("max_rel_norm_diff", 1) <= 1e-5
    if "found_inf_skips_step" in s:
        r = s["found_inf_skips_step"]
        verdicts["found_inf"] = r["found_inf_flag"] == 1.0 and r["params_unchanged"] and r["step_counter"] == 0
    summary["verdicts"] = verdicts
    summary["ok"] = (args.build_status == "ok" and args.ctest_status == "ok" and not summary["errors"]
                     and bool(verdicts) and all(verdicts.values()))
    summary["seconds_total"] = round(time.time() - args.started, 1)
    print(json.dumps(summary, sort_keys=True))


if __name__ == "__main__":
    main()
