#!/usr/bin/env python3
"""Summary of benchmarks/baselines/run.sh's results.jsonl: the thread matrix (median ms per side, batch and thread
count, per round), then per round each side at its best thread count and the ratios (baseline ms / ExprBERT ms;
> 1 = ExprBERT faster), with min / median / max over the rounds; for inference also ONNX Runtime at its best batch
size and thread count against ExprBERT's default predict (batch 32, predict's --batch-size default)."""
import collections
import json
import statistics
import sys

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]


def side(r):
    if r["side"] == "exprbert" and r["task"] == "train":
        return "exprbert %s %s" % (r["attention"], r["layout"].lower())
    return r["side"]


matrix = collections.defaultdict(list)
for r in rows:
    matrix[(r["task"], r.get("batch"), side(r), r["threads"])].append(r["median_ms"])
print("\nthread matrix (median ms per optimizer step / per pass over dev; one value per round):")
for (task, batch, s, t), v in sorted(matrix.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0, kv[0][2], kv[0][3])):
    print(f"  {task:5s} batch {batch!s:3s} {s:28s} threads {t}: " + ", ".join(f"{x:.0f}" for x in v))

best = collections.defaultdict(dict)  # (task, batch, round) -> side -> (ms, threads)
for r in rows:
    key = (r["task"], r.get("batch"), r["round"])
    s = side(r)
    if s not in best[key] or r["median_ms"] < best[key][s][0]:
        best[key][s] = (r["median_ms"], r["threads"])
pairs = [("train", "hf-trainer", "exprbert fused packed", "HF Trainer (sdpa, padded) / ExprBERT default (fused, packed)"),
         ("train", "hf-trainer", "exprbert sdpa padded", "HF Trainer (sdpa, padded) / ExprBERT sdpa padded (equal padding)"),
         ("infer", "onnxruntime", "exprbert", "ONNX Runtime (padded) / ExprBERT predict, same batch")]
DEFAULT_PREDICT_BATCH = 32  # PredictCommand's --batch-size default
print("\nratios per round, each side at its best thread count (> 1 = ExprBERT faster):")
for task, base, ours, label in pairs:
    by_batch = collections.defaultdict(list)
    for (t, batch, rnd), sides in sorted(best.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0, kv[0][2])):
        if t == task and base in sides and ours in sides:
            ratio = sides[base][0] / sides[ours][0]
            by_batch[batch].append(ratio)
            print(f"  {label}, batch {batch}, round {rnd}: {sides[base][0]:.0f} ms (t{sides[base][1]}) / "
                  f"{sides[ours][0]:.0f} ms (t{sides[ours][1]}) = {ratio:.2f}x")
    for batch, rs in by_batch.items():
        print(f"  => {label}, batch {batch}: min {min(rs):.2f}x, median {statistics.median(rs):.2f}x, max {max(rs):.2f}x")

infer_rounds = sorted({rnd for (t, _, rnd) in best if t == "infer"})
lines = []
for rnd in infer_rounds:
    ort = [(sides["onnxruntime"][0], b, sides["onnxruntime"][1]) for (t, b, r), sides in best.items()
           if t == "infer" and r == rnd and "onnxruntime" in sides]
    ours = best.get(("infer", DEFAULT_PREDICT_BATCH, rnd), {}).get("exprbert")
    if ort and ours:
        ms, b, t = min(ort)
        lines.append(ms / ours[0])
        print(f"  ONNX Runtime at its best batch and threads / ExprBERT default predict (batch {DEFAULT_PREDICT_BATCH}), "
              f"round {rnd}: {ms:.0f} ms (batch {b}, t{t}) / {ours[0]:.0f} ms (t{ours[1]}) = {ms / ours[0]:.2f}x")
if lines:
    print(f"  => ONNX Runtime at its best / ExprBERT default predict: min {min(lines):.2f}x, "
          f"median {statistics.median(lines):.2f}x, max {max(lines):.2f}x")
