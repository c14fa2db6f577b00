#!/usr/bin/env python3
"""One line per row of attention_harness.py's JSON (its last output line): correctness verdicts, speed ratios and the
OpeNER packed/padded comparison, for reading a GPU check at a glance.  Usage: attention_summary.py harness.out"""
import json
import sys
d=json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
print("errors", d.get("errors"))
for c in d.get("correctness",[]):
    print("corr", c["dtype"], c["head_dim"], c["masked"], {k:round(v,5) for k,v in c.items() if k.endswith("rel_err")}, all(v for k,v in c.items() if k.endswith("_ok") or k.endswith("2x_rule")))
for r in d.get("speed",[]):
    print("speed", r["layout"], r["seq"], r["head_dim"], "ours %.3f fwd %s" % (r["ours_ms"], ("%.3f"%r["ours_fwd_ms"]) if "ours_fwd_ms" in r else "-"), "tf %.1f"%r.get("ours_tflops", r.get("ours_tflops_real",0)), "ratio %.2f" % r.get("ratio_vs_sdpa", r.get("ratio_vs_padded_sdpa",0)), r.get("sdpa_backend", r.get("sdpa_padded_backend")), "kernel ms ours %s sdpa %s" % (r.get("ours_kernel_ms"), r.get("sdpa_default_kernel_ms")))
for r in d.get("opener",[]):
    print("opener b%d d%d packed %.3f padded %.3f sdpa %.3f -> vs sdpa %.2f, vs ours padded %.2f, real share %.2f; kernel ms packed %s padded %s sdpa %s" % (r["batch"], r["head_dim"], r["ours_packed_ms"], r["ours_padded_ms"], r.get("sdpa_padded_ms",0), r.get("packed_vs_padded_sdpa",0), r["packed_vs_ours_padded"], r["real_token_share"], r.get("ours_packed_kernel_ms"), r.get("ours_padded_kernel_ms"), r.get("sdpa_default_kernel_ms")))
for r in d.get("dropout", []):
    print("dropout seq %d d%d ours %.3f (no dropout %.3f, x%.2f) sdpa %s %s -> ratio %s" % (r["seq"], r["head_dim"], r["ours_dropout_ms"], r["ours_no_dropout_ms"], r["dropout_overhead"], r.get("sdpa_dropout_backend"), r.get("sdpa_dropout_ms"), r.get("ratio_vs_sdpa")))
for c in d.get("window_correctness", []):
    print("window corr", c["dtype"], c["window"], {k:round(v,5) for k,v in c.items() if k.endswith("rel_err")}, all(v for k,v in c.items() if k.endswith("_ok") or k.endswith("2x_rule")), "packed==padded", c.get("packed_equals_padded"))
for r in d.get("window_speed", []):
    print("window speed seq %d w%s local %.3f full %.3f -> x%.2f; sdpa masked %s %s -> %s; flash window %s -> %s; packed x%.2f" % (r["seq"], r["window"], r["ours_local_ms"], r["ours_full_ms"], r["local_vs_full"], r.get("sdpa_masked_backend"), r.get("sdpa_masked_ms"), r.get("ratio_vs_sdpa_masked"), r.get("flash_window_ms"), r.get("ratio_vs_flash_window"), r["packed_local_vs_full"]))
