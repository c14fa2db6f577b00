#!/usr/bin/env python3
"""Fused attention on a GPU host: our kernels (ctypes, libexprbert_kernels.so) against PyTorch's
scaled_dot_product_attention. Prints ONE JSON line; every section records its own error instead of failing.

  python3 attention_harness.py path/to/libexprbert_kernels.so

Sections: correctness (fp32 and bf16, with and without a key-padding mask; forward and dq/dk/dv vs an fp32
SDPA reference, plus the error of bf16 SDPA itself as the flash-attention 2x rule's baseline), then speed
(forward+backward, padded and varlen, seq 64/128/256/512, head dims 32/64; TFLOP/s and ratio to the best SDPA
backend in the same run), then the sliding window (ModernBERT's local layers: correctness against fp32 SDPA with an
explicit window mask, and local against full attention, SDPA with that mask and flash-attn's own window_size when
the flash_attn package is installed). FLOPs: forward 4*sum(len^2)*heads*dim, backward 2.5x forward.
"""
import json
import math
import os
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import exprbert_ctypes as ek  # noqa: E402  (the one ctypes mirror of kernels.h)

RESULT = {"harness": "attention", "errors": {}}


def section(name):
    def wrap(fn):
        def run(*args):
            try:
                return fn(*args)
            except Exception as e:  # record and go on: one broken section must not hide the others
                RESULT["errors"][name] = "%s: %s | %s" % (type(e).__name__, e, traceback.format_exc(limit=3).replace("\n", " "))
                return None
        return run
    return wrap


class Fused:
    def __init__(self, lib_path, torch):
        self.torch = torch
        self.kernels = ek.Kernels(lib_path)
        RESULT["build_info"] = self.kernels.build_info()

    def _dtype(self, t):
        torch = self.torch
        return {torch.float32: ek.DTYPE_F32, torch.float16: ek.DTYPE_F16, torch.bfloat16: ek.DTYPE_BF16}[t.dtype]

    def _set(self, p, name, t, varlen):
        setattr(p, name, t.data_ptr())
        if varlen:
            strides = (0, t.stride(0), t.stride(1))
        else:
            strides = (t.stride(0), t.stride(1), t.stride(2))
        for s, value in zip(("_batch_stride", "_row_stride", "_head_stride"), strides):
            setattr(p, name + s, value)

    def params(self, q, k, v, out, lse, lens=None, cu=None, host_cu=None, max_seqlen=None, dropout=0.0, seed=0, offset=0,
               window=None):
        """window: None (full attention) or (left, right), -1 = unlimited on that side."""
        torch = self.torch
        varlen = cu is not None
        p = self.kernels.attention_params()
        p.layout = ek.ATTENTION_VARLEN if varlen else ek.ATTENTION_PADDED
        p.dtype = self._dtype(q)
        p.batch = (cu.numel() - 1) if varlen else q.shape[0]
        p.max_seqlen = max_seqlen if varlen else q.shape[1]
        p.total_tokens = q.shape[0] if varlen else 0
        p.heads = q.shape[-2]
        p.head_dim = q.shape[-1]
        p.seqlens = lens.data_ptr() if lens is not None else None
        p.cu_seqlens = cu.data_ptr() if varlen else None
        p.host_cu_seqlens = host_cu.data_ptr() if varlen else None
        p.scale = 1.0 / math.sqrt(q.shape[-1])
        p.dropout_p, p.dropout_seed, p.dropout_offset = dropout, seed, offset
        if window is not None:
            p.window = ek.ATTENTION_WINDOW_SLIDING
            p.window_left, p.window_right = window
        for name, t in (("q", q), ("k", k), ("v", v), ("out", out)):
            self._set(p, name, t, varlen)
        p.lse = lse.data_ptr()
        p.device = q.device.index or 0
        p.stream = torch.cuda.current_stream().cuda_stream
        return p

    def forward(self, p):
        self.kernels.attention_forward(p)

    def backward(self, p, dout, dq, dk, dv, delta, varlen):
        for name, t in (("dout", dout), ("dq", dq), ("dk", dk), ("dv", dv)):
            self._set(p, name, t, varlen)
        p.delta = delta.data_ptr()
        self.kernels.attention_backward(p)



def padded_problem(torch, batch, seq, heads, dim, dtype, lens):
    q, k, v, dout = (torch.randn(batch, seq, heads, dim, device="cuda", dtype=dtype) for _ in range(4))
    # Padded query rows carry no gradient in BERT (their labels are -100 and later layers mask them as keys),
    # and our kernel defines their outputs and gradients as 0; SDPA would still back-propagate a random dout
    # there into dk/dv of real keys. Zero it so both sides compute the model's gradient.
    for b, n in enumerate(lens):
        dout[b, n:] = 0
    lens_t = torch.tensor(lens, device="cuda", dtype=torch.int32)
    return q, k, v, dout, lens_t


def run_fused_padded(fused, torch, q, k, v, dout, lens_t, window=None):
    out = torch.empty_like(q)
    lse = torch.empty(q.shape[0], q.shape[2], q.shape[1], device="cuda", dtype=torch.float32)
    p = fused.params(q, k, v, out, lse, lens=lens_t, window=window)
    fused.forward(p)
    dq, dk, dv = torch.empty_like(q), torch.empty_like(k), torch.empty_like(v)
    fused.backward(p, dout, dq, dk, dv, torch.empty_like(lse), False)
    return out, dq, dk, dv


def window_mask(torch, seq, lens, window, dtype):
    """Hugging Face's additive mask of a sliding window: [B, 1, S, S], 0 where query i sees key j (j real and
    i - left <= j <= i + right), finfo.min elsewhere. Additive and finite, so a padding row whose window holds no
    real key is uniform instead of nan (a boolean mask would make it nan and poison dk/dv of real keys)."""
    left, right = window
    pos = torch.arange(seq, device="cuda")
    offset = pos[None, :] - pos[:, None]  # j - i
    band = torch.ones(seq, seq, dtype=torch.bool, device="cuda")
    if left >= 0:
        band &= offset >= -left
    if right >= 0:
        band &= offset <= right
    real = pos[None, :] < torch.tensor(lens, device="cuda")[:, None]
    allowed = band[None, None, :, :] & real[:, None, None, :]
    return torch.zeros(allowed.shape, device="cuda", dtype=dtype).masked_fill(~allowed, torch.finfo(dtype).min)


def sdpa_padded(torch, q, k, v, dout, lens, dtype, window=None):
    """SDPA on [B,H,S,D] with a boolean key-padding mask (or the additive mask of `window`); returns out, dq, dk,
    dv in [B,S,H,D]."""
    F = torch.nn.functional
    qs, ks, vs = (t.detach().to(dtype).transpose(1, 2).requires_grad_(True) for t in (q, k, v))
    seq = q.shape[1]
    if window is None:
        mask = (torch.arange(seq, device="cuda")[None, :] < torch.tensor(lens, device="cuda")[:, None])[:, None, None, :]
    else:
        mask = window_mask(torch, seq, lens, window, dtype)
    out = F.scaled_dot_product_attention(qs, ks, vs, attn_mask=mask)
    out.backward(dout.to(dtype).transpose(1, 2))
    return [t.transpose(1, 2) for t in (out.detach(), qs.grad, ks.grad, vs.grad)]


def add_errors(torch, row, ours, ref, base, lens):
    """Errors of ours (out, dq, dk, dv) on the real rows against the fp32 reference, absolute and relative to the
    tensor's max; with a same-dtype SDPA baseline, the flash-attention 2x rule, else a 1e-4 relative bound."""
    for i, name in enumerate(("out", "dq", "dk", "dv")):
        real = torch.cat([ours[i][b, :n].float() for b, n in enumerate(lens)])
        want = torch.cat([ref[i][b, :n].float() for b, n in enumerate(lens)])
        row[name + "_max_err"] = (real - want).abs().max().item()
        row[name + "_rel_err"] = row[name + "_max_err"] / max(want.abs().max().item(), 1e-30)
        if base is not None:
            got = torch.cat([base[i][b, :n].float() for b, n in enumerate(lens)])
            row[name + "_sdpa_same_dtype_err"] = (got - want).abs().max().item()
            row[name + "_within_2x_rule"] = row[name + "_max_err"] <= 2 * row[name + "_sdpa_same_dtype_err"] + 1e-5
        else:
            row[name + "_ok"] = row[name + "_rel_err"] < 1e-4


@section("correctness")
def correctness(fused, torch):
    rows = []
    for dtype_name, dtype in (("fp32", torch.float32), ("bf16", torch.bfloat16)):
        for masked in (False, True):
            for dim in (32, 64):
                torch.manual_seed(0)
                batch, seq, heads = 4, 128, 12
                lens = [seq, 77, 1, 100] if masked else [seq] * batch
                q, k, v, dout, lens_t = padded_problem(torch, batch, seq, heads, dim, dtype, lens)
                ours = run_fused_padded(fused, torch, q, k, v, dout, lens_t)
                ref = sdpa_padded(torch, q.float(), k.float(), v.float(), dout.float(), lens, torch.float32)
                base = sdpa_padded(torch, q, k, v, dout, lens, dtype) if dtype != torch.float32 else None
                row = {"dtype": dtype_name, "masked": masked, "head_dim": dim}
                add_errors(torch, row, ours, ref, base, lens)
                rows.append(row)
    RESULT["correctness"] = rows


def timed(torch, fn, repeat=20):
    fn()
    torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    torch.cuda.synchronize()
    return (time.perf_counter() - start) / repeat


def kernel_ms(torch, fn, repeat=5):
    """Milliseconds of GPU kernel time per call of fn (CUPTI through torch.profiler), i.e. without the host-side
    launch and Python overhead that dominates wall time for small batches; None if the profiler is unusable."""
    try:
        from torch.profiler import profile, ProfilerActivity
        fn()
        torch.cuda.synchronize()
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            for _ in range(repeat):
                fn()
            torch.cuda.synchronize()
        total_us = 0.0
        for evt in prof.key_averages():
            total_us += getattr(evt, "self_device_time_total", None) or getattr(evt, "self_cuda_time_total", 0.0)
        return total_us / repeat / 1e3
    except Exception:
        return None


def sdpa_default_step(torch, q, k, v, dout, mask):
    F = torch.nn.functional
    qs, ks, vs = (t.detach().transpose(1, 2).requires_grad_(True) for t in (q, k, v))
    g = dout.transpose(1, 2)

    def step():
        F.scaled_dot_product_attention(qs, ks, vs, attn_mask=mask).backward(g)
    return step


def best_sdpa(torch, q, k, v, dout, mask):
    F = torch.nn.functional
    from torch.nn.attention import SDPBackend, sdpa_kernel
    best = None
    for backend in (SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION, SDPBackend.CUDNN_ATTENTION, SDPBackend.MATH):
        try:
            qs, ks, vs = (t.detach().transpose(1, 2).requires_grad_(True) for t in (q, k, v))
            g = dout.transpose(1, 2)

            def step():
                with sdpa_kernel(backend):
                    out = F.scaled_dot_product_attention(qs, ks, vs, attn_mask=mask)
                out.backward(g)
            seconds = timed(torch, step)
            if best is None or seconds < best[1]:
                best = (str(backend).split(".")[-1], seconds)
        except Exception:
            continue
    return best


@section("speed")
def speed(fused, torch):
    rows = []
    dtype = torch.bfloat16
    heads = 12
    for seq in (64, 128, 256, 512):
        for dim in (32, 64):
            batch = max(1, 16384 // seq)
            torch.manual_seed(1)
            # A NER-like length distribution (most sentences far shorter than the padded length): synthetic,
            # since the GPU host may not carry ../shared/data; the CPU benchmark uses the real OpeNER lengths.
            lens = [max(1, min(seq, int(torch.distributions.Gamma(2.0, 2.0 / max(8.0, seq / 5)).sample().item()))) for _ in range(batch)]
            q, k, v, dout, lens_t = padded_problem(torch, batch, seq, heads, dim, dtype, [seq] * batch)
            full_flops = 3.5 * 4 * batch * seq * seq * heads * dim
            t_ours = timed(torch, lambda: run_fused_padded(fused, torch, q, k, v, dout, lens_t))
            sdpa = best_sdpa(torch, q, k, v, dout, None)
            def forward_only():
                out = torch.empty_like(q)
                lse = torch.empty(q.shape[0], q.shape[2], q.shape[1], device="cuda", dtype=torch.float32)
                fused.forward(fused.params(q, k, v, out, lse, lens=lens_t))
            t_fwd = timed(torch, forward_only)
            row = {"layout": "padded", "seq": seq, "head_dim": dim, "batch": batch, "ours_ms": t_ours * 1e3,
                   "ours_fwd_ms": t_fwd * 1e3, "ours_tflops": full_flops / t_ours / 1e12}
            if sdpa:
                row.update({"sdpa_backend": sdpa[0], "sdpa_ms": sdpa[1] * 1e3, "sdpa_tflops": full_flops / sdpa[1] / 1e12,
                            "ratio_vs_sdpa": sdpa[1] / t_ours})
            ours_k = kernel_ms(torch, lambda: run_fused_padded(fused, torch, q, k, v, dout, lens_t))
            sdpa_k = kernel_ms(torch, sdpa_default_step(torch, q, k, v, dout, None))
            if ours_k and sdpa_k:
                row.update({"ours_kernel_ms": ours_k, "sdpa_default_kernel_ms": sdpa_k, "kernel_time_ratio": sdpa_k / ours_k})
            rows.append(row)
            # varlen: packed real tokens vs SDPA on the padded batch with a key-padding mask.
            cu = [0]
            for n in lens:
                cu.append(cu[-1] + n)
            total = cu[-1]
            pq, pk, pv, pd = (torch.randn(total, heads, dim, device="cuda", dtype=dtype) for _ in range(4))
            cu_t = torch.tensor(cu, device="cuda", dtype=torch.int32)
            host_cu = torch.tensor(cu, dtype=torch.int32)

            def packed_step():
                out = torch.empty_like(pq)
                lse = torch.empty(heads, total, device="cuda", dtype=torch.float32)
                p = fused.params(pq, pk, pv, out, lse, cu=cu_t, host_cu=host_cu, max_seqlen=max(lens))
                fused.forward(p)
                fused.backward(p, pd, torch.empty_like(pq), torch.empty_like(pk), torch.empty_like(pv), torch.empty_like(lse), True)
            real_flops = 3.5 * 4 * sum(n * n for n in lens) * heads * dim
            t_packed = timed(torch, packed_step)
            mask = (torch.arange(seq, device="cuda")[None, :] < torch.tensor(lens, device="cuda")[:, None])[:, None, None, :]
            sdpa_masked = best_sdpa(torch, q, k, v, dout, mask)
            row = {"layout": "varlen", "seq": seq, "head_dim": dim, "batch": batch, "mean_len": total / batch,
                   "ours_ms": t_packed * 1e3, "ours_tflops_real": real_flops / t_packed / 1e12}
            if sdpa_masked:
                row.update({"sdpa_padded_backend": sdpa_masked[0], "sdpa_padded_ms": sdpa_masked[1] * 1e3,
                            "ratio_vs_padded_sdpa": sdpa_masked[1] / t_packed})
            rows.append(row)
    RESULT["speed"] = rows


@section("dropout")
def dropout_speed(fused, torch):
    """Training-mode attention dropout (BERT's p = 0.1) costs RNG work in forward and backward: ours (Philox,
    regenerated in the backward) against the best SDPA backend with dropout_p = 0.1, padded full length."""
    F = torch.nn.functional
    from torch.nn.attention import SDPBackend, sdpa_kernel
    rows = []
    for seq, dim in ((128, 32), (128, 64), (512, 64)):
        batch = max(1, 16384 // seq)
        torch.manual_seed(3)
        q, k, v, dout, lens_t = padded_problem(torch, batch, seq, 12, dim, torch.bfloat16, [seq] * batch)

        def ours(p_drop):
            def step():
                out = torch.empty_like(q)
                lse = torch.empty(batch, 12, seq, device="cuda", dtype=torch.float32)
                prm = fused.params(q, k, v, out, lse, lens=lens_t, dropout=p_drop, seed=1234, offset=7)
                fused.forward(prm)
                fused.backward(prm, dout, torch.empty_like(q), torch.empty_like(k), torch.empty_like(v),
                               torch.empty_like(lse), False)
            return step
        t_drop = timed(torch, ours(0.1))
        t_plain = timed(torch, ours(0.0))
        best = None
        for backend in (SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION, SDPBackend.MATH):
            try:
                qs, ks, vs = (t.detach().transpose(1, 2).requires_grad_(True) for t in (q, k, v))
                g = dout.transpose(1, 2)

                def sdpa_step():
                    with sdpa_kernel(backend):
                        F.scaled_dot_product_attention(qs, ks, vs, dropout_p=0.1).backward(g)
                seconds = timed(torch, sdpa_step)
                if best is None or seconds < best[1]:
                    best = (str(backend).split(".")[-1], seconds)
            except Exception:
                continue
        row = {"seq": seq, "head_dim": dim, "batch": batch, "ours_dropout_ms": t_drop * 1e3,
               "ours_no_dropout_ms": t_plain * 1e3, "dropout_overhead": t_drop / t_plain}
        if best:
            row.update({"sdpa_dropout_backend": best[0], "sdpa_dropout_ms": best[1] * 1e3, "ratio_vs_sdpa": best[1] / t_drop})
        rows.append(row)
    RESULT["dropout"] = rows


@section("opener")
def opener(fused, torch):
    """Varlen on the real OpeNER length distribution (opener_en_lengths.json, MiniLM word pieces): ours packed vs
    ours padded vs the best SDPA backend on the batch padded to its longest sentence (HF's dynamic padding) with a
    key-padding mask. Batches drawn in a seeded random order, as HF's default sampler does; several batches per
    timed step so that launch latency does not hide the kernels."""
    import random
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "opener_en_lengths.json")) as f:
        all_lengths = json.load(f)["lengths"]
    rows = []
    dtype = torch.bfloat16
    heads = 12
    for batch in (8, 32, 128):
        order = list(all_lengths)
        random.Random(42).shuffle(order)
        batches = [order[i:i + batch] for i in range(0, len(order) - batch + 1, batch)][:max(4, 512 // batch)]
        for dim in (32, 64):
            torch.manual_seed(2)
            packed, padded = [], []
            for lens in batches:
                seq = max(lens)
                cu = [0]
                for n in lens:
                    cu.append(cu[-1] + n)
                total = cu[-1]
                pq, pk, pv, pd = (torch.randn(total, heads, dim, device="cuda", dtype=dtype) for _ in range(4))
                packed.append((pq, pk, pv, pd, torch.tensor(cu, device="cuda", dtype=torch.int32),
                               torch.tensor(cu, dtype=torch.int32), seq, total))
                q, k, v, dout, lens_t = padded_problem(torch, batch, seq, heads, dim, dtype, lens)
                mask = (torch.arange(seq, device="cuda")[None, :] < lens_t[:, None])[:, None, None, :]
                padded.append((q, k, v, dout, lens_t, mask))

            def packed_steps():
                for pq, pk, pv, pd, cu_t, host_cu, seq, total in packed:
                    out = torch.empty_like(pq)
                    lse = torch.empty(heads, total, device="cuda", dtype=torch.float32)
                    p = fused.params(pq, pk, pv, out, lse, cu=cu_t, host_cu=host_cu, max_seqlen=seq)
                    fused.forward(p)
                    fused.backward(p, pd, torch.empty_like(pq), torch.empty_like(pk), torch.empty_like(pv),
                                   torch.empty_like(lse), True)

            def padded_steps():
                for q, k, v, dout, lens_t, _ in padded:
                    run_fused_padded(fused, torch, q, k, v, dout, lens_t)

            t_packed = timed(torch, packed_steps, repeat=5)
            t_padded = timed(torch, padded_steps, repeat=5)
            sdpa_total, names = 0.0, set()
            for q, k, v, dout, lens_t, mask in padded:
                best = best_sdpa(torch, q, k, v, dout, mask)
                if best is None:
                    sdpa_total = None
                    break
                sdpa_total += best[1]
                names.add(best[0])
            sdpa_steps = [sdpa_default_step(torch, q, k, v, dout, mask) for q, k, v, dout, _, mask in padded]
            kernels = {"ours_packed_kernel_ms": kernel_ms(torch, packed_steps),
                       "ours_padded_kernel_ms": kernel_ms(torch, padded_steps),
                       "sdpa_default_kernel_ms": kernel_ms(torch, lambda: [f() for f in sdpa_steps])}
            real = sum(sum(lens) for lens in batches)
            padded_tokens = sum(max(lens) * len(lens) for lens in batches)
            row = {"batch": batch, "head_dim": dim, "batches": len(batches), "real_token_share": real / padded_tokens,
                   "ours_packed_ms": t_packed * 1e3, "ours_padded_ms": t_padded * 1e3,
                   "packed_vs_ours_padded": t_padded / t_packed}
            row.update({name: value for name, value in kernels.items() if value is not None})
            if kernels["ours_packed_kernel_ms"] and kernels["sdpa_default_kernel_ms"]:
                row["kernel_time_packed_vs_sdpa"] = kernels["sdpa_default_kernel_ms"] / kernels["ours_packed_kernel_ms"]
            if sdpa_total:
                row.update({"sdpa_padded_ms": sdpa_total * 1e3, "sdpa_backends": sorted(names),
                            "packed_vs_padded_sdpa": sdpa_total / t_packed})
            rows.append(row)
    RESULT["opener"] = rows


@section("window_correctness")
def window_correctness(fused, torch):
    """Sliding window against fp32 SDPA with the explicit window mask (real rows only), with the bf16 SDPA
    baseline for the flash-attention 2x rule; and packed (varlen) equal to padded for real tokens."""
    rows = []
    batch, seq, heads, dim = 4, 512, 4, 64
    lens = [512, 300, 77, 1]
    for dtype_name, dtype in (("fp32", torch.float32), ("bf16", torch.bfloat16)):
        for window in ((64, 64), (0, 32), (4, 4)):
            torch.manual_seed(5)
            q, k, v, dout, lens_t = padded_problem(torch, batch, seq, heads, dim, dtype, lens)
            ours = run_fused_padded(fused, torch, q, k, v, dout, lens_t, window=window)
            ref = sdpa_padded(torch, q.float(), k.float(), v.float(), dout.float(), lens, torch.float32, window)
            base = sdpa_padded(torch, q, k, v, dout, lens, dtype, window) if dtype != torch.float32 else None
            row = {"dtype": dtype_name, "window": list(window), "head_dim": dim}
            add_errors(torch, row, ours, ref, base, lens)
            # The same tokens packed: every real row must be the same bits as in the padded call.
            cu = [0]
            for n in lens:
                cu.append(cu[-1] + n)
            pq, pk, pv, pd = (torch.cat([t[b, :lens[b]] for b in range(batch)]).contiguous() for t in (q, k, v, dout))
            out = torch.empty_like(pq)
            lse = torch.empty(heads, cu[-1], device="cuda", dtype=torch.float32)
            cu_t = torch.tensor(cu, device="cuda", dtype=torch.int32)  # kept alive: params hold raw pointers
            host_cu = torch.tensor(cu, dtype=torch.int32)
            p = fused.params(pq, pk, pv, out, lse, cu=cu_t, host_cu=host_cu, max_seqlen=max(lens), window=window)
            fused.forward(p)
            dq, dk, dv = torch.empty_like(pq), torch.empty_like(pk), torch.empty_like(pv)
            fused.backward(p, pd, dq, dk, dv, torch.empty_like(lse), True)
            packed = (out, dq, dk, dv)
            row["packed_equals_padded"] = all(
                torch.equal(packed[i], torch.cat([ours[i][b, :lens[b]] for b in range(batch)])) for i in range(4))
            rows.append(row)
    RESULT["window_correctness"] = rows


def flash_window_step(torch, q, k, v, dout, window):
    """flash-attn's own sliding window (flash_attn_func(window_size=...)) on full-length [B,S,H,D] bf16, or None
    when the flash_attn package is not installed (torch's SDPA has no window argument)."""
    try:
        from flash_attn import flash_attn_func
    except Exception:
        return None
    qs, ks, vs = (t.detach().requires_grad_(True) for t in (q, k, v))

    def step():
        flash_attn_func(qs, ks, vs, causal=False, window_size=window).backward(dout)
    return step


@section("window_speed")
def window_speed(fused, torch):
    """ModernBERT's local layers (local_attention 128: a window of 64 each side) against full attention, bf16,
    forward+backward, full-length rows: ours local vs ours full (the O(S*window) saving), vs the best SDPA backend
    with the explicit window mask, vs flash-attn's window_size when available; and packed local vs packed full."""
    rows = []
    heads, dim, window = 12, 64, (64, 64)
    dtype = torch.bfloat16
    for seq in (512, 2048):
        batch = max(1, 16384 // seq)
        torch.manual_seed(4)
        lens = [seq] * batch
        q, k, v, dout, lens_t = padded_problem(torch, batch, seq, heads, dim, dtype, lens)
        t_local = timed(torch, lambda: run_fused_padded(fused, torch, q, k, v, dout, lens_t, window=window))
        t_full = timed(torch, lambda: run_fused_padded(fused, torch, q, k, v, dout, lens_t))
        visible = sum(min(seq, i + window[1] + 1) - max(0, i - window[0]) for i in range(seq))
        local_flops = 3.5 * 4 * batch * visible * heads * dim
        row = {"seq": seq, "batch": batch, "head_dim": dim, "window": list(window), "ours_local_ms": t_local * 1e3,
               "ours_full_ms": t_full * 1e3, "local_vs_full": t_full / t_local,
               "ours_local_tflops_useful": local_flops / t_local / 1e12}
        mask = window_mask(torch, seq, lens, window, dtype)
        sdpa = best_sdpa(torch, q, k, v, dout, mask)
        if sdpa:
            row.update({"sdpa_masked_backend": sdpa[0], "sdpa_masked_ms": sdpa[1] * 1e3, "ratio_vs_sdpa_masked": sdpa[1] / t_local})
        flash = flash_window_step(torch, q, k, v, dout, window)
        if flash is not None:
            t_flash = timed(torch, flash)
            row.update({"flash_window_ms": t_flash * 1e3, "ratio_vs_flash_window": t_flash / t_local})
        total = batch * seq
        cu_t = torch.tensor([i * seq for i in range(batch + 1)], device="cuda", dtype=torch.int32)
        host_cu = cu_t.cpu()
        pq, pk, pv, pd = (t.reshape(total, heads, dim) for t in (q, k, v, dout))

        def packed(window_arg):
            def step():
                out = torch.empty_like(pq)
                lse = torch.empty(heads, total, device="cuda", dtype=torch.float32)
                p = fused.params(pq, pk, pv, out, lse, cu=cu_t, host_cu=host_cu, max_seqlen=seq, window=window_arg)
                fused.forward(p)
                fused.backward(p, pd, torch.empty_like(pq), torch.empty_like(pk), torch.empty_like(pv),
                               torch.empty_like(lse), True)
            return step
        t_packed_local = timed(torch, packed(window))
        t_packed_full = timed(torch, packed(None))
        row.update({"packed_local_ms": t_packed_local * 1e3, "packed_full_ms": t_packed_full * 1e3,
                    "packed_local_vs_full": t_packed_full / t_packed_local})
        rows.append(row)
    RESULT["window_speed"] = rows


def main():
    lib_path = sys.argv[1] if len(sys.argv) > 1 else "native/build/lib/libexprbert_kernels.so"
    try:
        import torch
        RESULT["torch"] = torch.__version__
        if not torch.cuda.is_available():
            RESULT["errors"]["setup"] = "torch sees no CUDA device"
            return
        RESULT["device"] = torch.cuda.get_device_name(0)
        fused = Fused(lib_path, torch)
    except Exception as e:
        RESULT["errors"]["setup"] = "%s: %s" % (type(e).__name__, e)
        return
    correctness(fused, torch)
    speed(fused, torch)
    dropout_speed(fused, torch)
    opener(fused, torch)
    window_correctness(fused, torch)
    window_speed(fused, torch)


if __name__ == "__main__":
    try:
        main()
    finally:
        print(json.dumps(RESULT, sort_keys=True))
