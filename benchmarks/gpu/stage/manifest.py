#!/usr/bin/env python3
"""Splits the compressed bundle into part folders that each fit one device call, writes their checksums and the
manifest, and prints the device calls.

split BUNDLE APP OUT BUDGET --mode M --compressor C --level L --raw-bytes N --raw-sha S --fingerprint F
      --needed F [--timings F]
calls MANIFEST

Layout written (OUT is the repository's .gpustage/, git-ignored):
  OUT/p0/bundle.part  part.sha256  preflight/{needed.txt, stage.json, fingerprint.json.xz}   (first call's checks)
  OUT/pK/bundle.part  part.sha256
  OUT/pLAST/... + app.tar.xz + manifest.json                                     (the last call runs it all)
  OUT/manifest.json   (a local copy for `stage-java.sh --print-calls`)
A device call carries ONE part folder (never .gpustage itself, which would replace the folders an earlier
call left there); folders from earlier calls survive while the machine stays warm.
"""
import argparse
import hashlib
import json
import lzma
import os
import shutil
import sys
import time

CHUNK = 1 << 20
# Sonames the image provides with its OS (glibc, libstdc++) or that the stage itself carries.
SYSTEM = ("libc.so", "libm.so", "libdl.so", "libpthread.so", "librt.so", "ld-linux", "libstdc++.so", "libgcc_s.so",
          "libz.so")


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def copy_range(src, dst, start, length):
    h = hashlib.sha256()
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        fin.seek(start)
        left = length
        while left:
            block = fin.read(min(CHUNK, left))
            fout.write(block)
            h.update(block)
            left -= len(block)
    return h.hexdigest()


def split(a):
    bundle_bytes, app_bytes = os.path.getsize(a.bundle), os.path.getsize(a.app)
    with open(a.fingerprint, "rb") as f:
        fingerprint_xz = lzma.compress(f.read(), preset=9)
    with open(a.needed) as f:
        needed = sorted({n.strip() for n in f if n.strip()})
    natives_provided = set(a.provided or [])
    external = [n for n in needed if not n.startswith(SYSTEM) and n not in natives_provided]
    first_extra = len(fingerprint_xz) + 64 * 1024
    last_extra = app_bytes + 64 * 1024
    budget = a.budget - 4096  # every folder also holds part.sha256
    n = 1
    while bundle_bytes + first_extra + last_extra > n * budget:
        n += 1
    caps = [budget] * n
    caps[0] -= first_extra
    caps[-1] -= last_extra
    if any(c <= 0 for c in caps):
        raise SystemExit(f"part budget {budget} too small for the extras")
    if os.path.isdir(a.out):
        shutil.rmtree(a.out)
    parts, offset = [], 0
    for i in range(n):
        size = min(caps[i], bundle_bytes - offset)
        d = os.path.join(a.out, f"p{i}")
        os.makedirs(d)
        digest = copy_range(a.bundle, os.path.join(d, "bundle.part"), offset, size)
        with open(os.path.join(d, "part.sha256"), "w") as f:
            f.write(f"{digest}  bundle.part\n")
        parts.append({"dir": f"p{i}", "bytes": size, "sha256": digest})
        offset += size
    assert offset == bundle_bytes
    pre = os.path.join(a.out, "p0", "preflight")
    os.makedirs(pre)
    with open(os.path.join(pre, "fingerprint.json.xz"), "wb") as f:
        f.write(fingerprint_xz)
    with open(os.path.join(pre, "needed.txt"), "w") as f:
        f.write("\n".join(external) + "\n")
    with open(os.path.join(pre, "stage.json"), "w") as f:  # what the first call checks the machine against
        json.dump({"mode": a.mode, "keep_arch": int(a.keep_arch)}, f)
    last = os.path.join(a.out, f"p{n - 1}")
    shutil.copy(a.app, os.path.join(last, "app.tar.xz"))
    timings = {}
    if a.timings and os.path.exists(a.timings):
        for line in open(a.timings):
            k, _, v = line.strip().partition("\t")
            if k:
                timings[k] = float(v)
    manifest = {"format": "exprbert-gpustage 1", "mode": a.mode, "keep_arch": int(a.keep_arch),
                "compressor": a.compressor, "level": int(a.level),
                "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "bundle": {"bytes": bundle_bytes, "sha256": sha256_file(a.bundle), "raw_bytes": int(a.raw_bytes),
                           "raw_sha256": a.raw_sha},
                "parts": parts, "app": {"file": "app.tar.xz", "bytes": app_bytes, "sha256": sha256_file(a.app)},
                "needed_sonames": external, "staging_seconds": timings}
    for path in (os.path.join(last, "manifest.json"), os.path.join(a.out, "manifest.json")):
        with open(path, "w") as f:
            json.dump(manifest, f, indent=1)
    for p in parts:
        total = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(os.path.join(a.out, p["dir"])) for f in fs)
        p["folder_bytes"] = total
        if total > a.budget:
            raise SystemExit(f"{p['dir']} holds {total} bytes, over the budget {a.budget}")
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(json.dumps({"parts": len(parts), "bundle_bytes": bundle_bytes, "app_bytes": app_bytes}))


def calls(manifest_path):
    with open(manifest_path) as f:
        m = json.load(f)
    parts = m["parts"]
    n = len(parts)
    final = 'bash benchmarks/gpu/java-check.sh "$OUT/check"; bash benchmarks/gpu/e2e.sh "$OUT/e2e"'
    seq = []
    if n == 1:
        seq.append((parts[0]["dir"], final, 570, "unpack, checks, Java on the GPU, then the e2e anchor"))
    else:
        seq.append((parts[0]["dir"], 'bash benchmarks/gpu/java-check.sh --preflight "$OUT/preflight"', 120,
                    "GPU, driver, the pip CUDA libraries the natives need, fonts, ABI canary; verifies part 0"))
        for k in range(1, n - 1):
            seq.append((parts[k]["dir"], f'bash benchmarks/gpu/java-check.sh --part {k} "$OUT/part{k}"', 60,
                        f"verifies part {k} on arrival"))
        seq.append((parts[-1]["dir"], final, 540, "joins the parts, verifies, unpacks, Java on the GPU, then the e2e anchor"))
    mib = lambda b: b / 1048576
    print(f"Stage: mode {m['mode']}, {m['compressor']} -{m['level']}, bundle {mib(m['bundle']['bytes']):.1f} MiB "
          f"({mib(m['bundle']['raw_bytes']):.0f} MiB unpacked) + app {mib(m['app']['bytes']):.1f} MiB, {n} part(s):")
    for p in parts:
        print(f"  .gpustage/{p['dir']}: {mib(p.get('folder_bytes', p['bytes'])):.1f} MiB")
    print(f"Device calls ({len(seq)}), each sent as soon as the previous one answers: the machine and the parts")
    print("it holds are gone after 30 s idle. Carry exactly the one folder named; never .gpustage itself.")
    for i, (d, cmd, timeout, why) in enumerate(seq, 1):
        print(f"  {i}. {why}")
        print("     " + json.dumps({"carry": [f".gpustage/{d}"], "command": cmd, "timeout_s": timeout}))
    print("Results: $OUT/check/java-check.json and $OUT/e2e/e2e.json (plus logs) come back in files_at.")


def main(argv):
    if len(argv) >= 2 and argv[1] == "calls":
        calls(argv[2])
        return 0
    if len(argv) >= 2 and argv[1] == "split":
        p = argparse.ArgumentParser()
        p.add_argument("bundle"); p.add_argument("app"); p.add_argument("out"); p.add_argument("budget", type=int)
        for k in ("mode", "compressor", "level", "raw_bytes", "raw_sha", "fingerprint", "needed", "timings", "keep_arch"):
            p.add_argument("--" + k.replace("_", "-"), dest=k)
        p.add_argument("--provided", nargs="*")
        split(p.parse_args(argv[2:]))
        return 0
    raise SystemExit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
