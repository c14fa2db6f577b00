#!/usr/bin/env python3
"""Training curves of the parity runs (stage/parity_runs.sh), collected and compared.

collect DIR STEPS                 -> JSON {variant: {loss: [...], grad_norm: [...], train_loss, seconds}}
compare REFERENCE.json DIR STEPS  -> JSON report per variant; exit 0 when every gated value is within tolerance

Tolerances (fp32): a logged loss is rounded to 4 decimals (Hugging Face's log_history rule), so two runs whose
losses differ by 1e-9 can log values one unit of the 4th decimal apart: |gpu - cpu| <= 1e-4 * |cpu| + 1e-4.
The grad norm (full precision) of every step and train_loss (the full-precision mean of all step losses)
must agree to 1e-4 relative. bf16 runs are compared with the fp32 CPU curve at 2e-2 relative (bf16 keeps 8
significant bits, 3.9e-3; the loss is a sum over a batch of rounded logits, and autocast rounds every matmul
input), on losses only: a bf16 run is not expected to follow fp32 grad norms step by step.
"""
import json
import math
import os
import sys

FP32_REL, LOSS_QUANTUM, BF16_REL = 1e-4, 1e-4, 2e-2


def read_run(run_dir):
    with open(os.path.join(run_dir, "trainer_state.json")) as f:
        state = json.load(f)
    steps = {}
    for e in state.get("log_history", []):
        if "loss" in e and "step" in e:
            steps[int(e["step"])] = e
    ordered = [steps[k] for k in sorted(steps)]
    train_loss = None
    results = os.path.join(run_dir, "train_results.json")
    if os.path.exists(results):
        with open(results) as f:
            train_loss = json.load(f).get("train_loss")
    extra = {}
    for e in state.get("log_history", []):
        for k, v in e.items():
            if "sync" in k or "host_read" in k:  # a host-sync counter, if the trainer logs one
                extra.setdefault(k, []).append(v)
    return {"steps": [int(e["step"]) for e in ordered], "loss": [e["loss"] for e in ordered],
            "grad_norm": [e.get("grad_norm") for e in ordered], "train_loss": train_loss, **extra}


def collect(directory, steps):
    out = {}
    for name in sorted(os.listdir(directory)):
        run = os.path.join(directory, name)
        if os.path.isdir(run) and os.path.exists(os.path.join(run, "trainer_state.json")):
            r = read_run(run)
            if len(r["loss"]) != steps:
                raise SystemExit(f"{run}: {len(r['loss'])} logged losses, expected {steps}")
            sec = os.path.join(directory, name + ".seconds")
            if os.path.exists(sec):
                r["seconds"] = float(open(sec).read())
            out[name] = r
    if not out:
        raise SystemExit(f"{directory}: no run with a trainer_state.json")
    return out


def rel(a, b):
    if a is None or b is None:
        return None
    return abs(a - b) / max(abs(b), 1e-12)


def compare(reference, runs):
    report, ok = {}, True
    for name, run in runs.items():
        base = name[:-5] if name.endswith("-bf16") else name
        ref = reference.get(base)
        if ref is None:
            report[name] = {"ok": False, "error": f"no CPU reference for '{base}'"}
            ok = False
            continue
        bf16 = name.endswith("-bf16")
        n = min(len(ref["loss"]), len(run["loss"]))
        loss_fail, worst = [], 0.0
        for i in range(n):
            c, g = ref["loss"][i], run["loss"][i]
            d = abs(g - c)
            worst = max(worst, rel(g, c))
            limit = BF16_REL * abs(c) if bf16 else FP32_REL * abs(c) + LOSS_QUANTUM
            if not (d <= limit) or math.isnan(g):
                loss_fail.append({"step": ref["steps"][i], "reference": c, "run": g})
        entry = {"steps_compared": n, "loss_reference": ref["loss"][:n], "loss_run": run["loss"][:n],
                 "max_rel_diff_loss": worst, "tolerance": "bf16: 2e-2 rel" if bf16 else "fp32: 1e-4 rel + 1e-4 abs",
                 "loss_failures": loss_fail[:5]}
        gn = [rel(g, c) for g, c in zip(run["grad_norm"][:n], ref["grad_norm"][:n]) if g is not None and c is not None]
        entry["max_rel_diff_grad_norm"] = max(gn) if gn else None
        entry["rel_diff_train_loss"] = rel(run.get("train_loss"), ref.get("train_loss"))
        gated = not loss_fail and n == len(ref["loss"])
        if not bf16:
            gated = gated and (not gn or max(gn) <= FP32_REL)
            if entry["rel_diff_train_loss"] is not None:
                gated = gated and entry["rel_diff_train_loss"] <= FP32_REL
        entry["ok"] = gated
        if "seconds" in run:
            entry["seconds"] = run["seconds"]
        for k in run:
            if "sync" in k or "host_read" in k:
                entry[k] = run[k]
        ok = ok and gated
        report[name] = entry
    worst = max((e.get("max_rel_diff_loss") or 0.0) for e in report.values()) if report else None
    return {"ok": ok, "max_rel_diff_loss": worst, "runs": report}


def main(argv):
    if len(argv) >= 4 and argv[1] == "collect":
        print(json.dumps(collect(argv[2], int(argv[3])), indent=1))
        return 0
    if len(argv) >= 5 and argv[1] == "compare":
        with open(argv[2]) as f:
            reference = json.load(f)
        result = compare(reference, collect(argv[3], int(argv[4])))
        print(json.dumps(result))
        return 0 if result["ok"] else 1
    raise SystemExit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
