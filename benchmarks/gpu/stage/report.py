#!/usr/bin/env python3
"""Merges the records a GPU check script wrote into RESULTS/records/ into one JSON summary.

Usage: report.py RESULTS_DIR NAME STARTED_EPOCH REQUIRED_KEY...
records/KEY.json      one JSON value per step (a dict with "ok": false marks a failed step)
records/errors.txt    one error per line (the first one stopped the script)
records/not_run.jsonl {"what", "why"} per line
Writes RESULTS_DIR/NAME.json and prints it on one line (the last line of the script's output).
ok is true only when there is no error, every required key was recorded, and no record says ok false.
"""
import glob
import json
import os
import sys
import time


def main(argv):
    results, name, started, required = argv[1], argv[2], float(argv[3]), argv[4:]
    rec_dir = os.path.join(results, "records")
    summary = {"check": name}
    for path in sorted(glob.glob(os.path.join(rec_dir, "*.json"))):
        key = os.path.basename(path)[:-5]
        try:
            with open(path) as f:
                summary[key] = json.load(f)
        except ValueError as e:
            summary[key] = {"ok": False, "error": f"unreadable record: {e}"}
    errors = []
    if os.path.exists(os.path.join(rec_dir, "errors.txt")):
        errors = [l.rstrip("\n") for l in open(os.path.join(rec_dir, "errors.txt")) if l.strip()]
    not_run = []
    if os.path.exists(os.path.join(rec_dir, "not_run.jsonl")):
        not_run = [json.loads(l) for l in open(os.path.join(rec_dir, "not_run.jsonl")) if l.strip()]
    missing = [k for k in required if k not in summary]
    failed = [k for k, v in summary.items() if isinstance(v, dict) and v.get("ok") is False]
    summary["errors"] = errors
    summary["not_run"] = not_run
    summary["missing_steps"] = missing
    summary["failed_steps"] = failed
    summary["seconds_total"] = round(time.time() - started, 1)
    summary["ok"] = not errors and not missing and not failed
    with open(os.path.join(results, name + ".json"), "w") as f:
        json.dump(summary, f, indent=1, sort_keys=True)
    print(json.dumps(summary, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
