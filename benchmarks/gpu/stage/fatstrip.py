#!/usr/bin/env python3
"""Zero, in place, every GPU code payload of an ELF's .nv_fatbin section whose SM arch is not kept.

Why: libtorch_cuda.so of the JavaCPP linux-x86_64-gpu jar carries SASS for sm_75..sm_121 (329.5 MiB) and no
PTX. An H100/H200 (sm_90) can only run the sm_90 SASS (SASS does not run across major versions, and with no
PTX there is nothing to JIT), so the other payloads are dead weight on that machine. Zeroed payloads compress
to nothing, which takes the compressed library from about 322 MB to about 77 MB. File size, section headers
and the fatbin entry headers stay as they were, so the loader and the CUDA runtime see the same layout; the
driver only reads the payload of the entry it selects.

Usage: fatstrip.py LIB KEEP_ARCHS [--dry-run]     e.g. fatstrip.py libtorch_cuda.so 90
Prints one JSON line: bytes kept and zeroed per arch. Exits 1 when no payload of a kept arch exists
(zeroing then would leave a library that cannot run anything on the target GPU).
"""
import json
import mmap
import struct
import subprocess
import sys

FATBIN_MAGIC = 0xBA55ED50  # fatbin container header (cuobjdump's "fatbin" wrapper inside .nv_fatbin)


def fatbin_section(path):
    out = subprocess.check_output(["readelf", "-W", "-S", path]).decode()
    for line in out.splitlines():
        if ".nv_fatbin" in line:
            fields = line.split("]", 1)[1].split()
            # Name Type Address Off Size ...
            return int(fields[3], 16), int(fields[4], 16)
    raise SystemExit(f"{path}: no .nv_fatbin section (not a CUDA library?)")


def main(argv):
    if len(argv) < 3:
        raise SystemExit(__doc__)
    path, keep = argv[1], {int(a) for a in argv[2].split(",")}
    dry = "--dry-run" in argv[3:]
    off, size = fatbin_section(path)
    stats = {}  # arch -> [kept bytes, zeroed bytes, entries]
    with open(path, "rb" if dry else "r+b") as fh:
        m = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ if dry else mmap.ACCESS_WRITE)
        p, end_section, containers = off, off + size, 0
        while p + 16 <= end_section:
            magic, _version, header_size, fat_size = struct.unpack_from("<IHHQ", m, p)
            if magic != FATBIN_MAGIC:
                p += 8  # containers are 8-byte aligned
                continue
            containers += 1
            q, end = p + header_size, p + header_size + fat_size
            while q < end:
                # entry header: kind u16, version u16, header size u32, payload size u64, ..., sm arch u32 at +28
                _kind, _ver, entry_header, payload = struct.unpack_from("<HHIQ", m, q)
                arch = struct.unpack_from("<I", m, q + 28)[0]
                if entry_header < 32 or q + entry_header + payload > end:
                    raise SystemExit(f"{path}: malformed fatbin entry at 0x{q:x} (header {entry_header}, payload {payload})")
                s = stats.setdefault(arch, [0, 0, 0])
                s[2] += 1
                if arch in keep:
                    s[0] += payload
                else:
                    s[1] += payload
                    if not dry:
                        m[q + entry_header:q + entry_header + payload] = bytes(payload)
                q += entry_header + payload
            p = end
        if not dry:
            m.flush()
        m.close()
    kept = sum(v[0] for a, v in stats.items() if a in keep)
    report = {"file": path, "containers": containers, "keep": sorted(keep), "dry_run": dry,
              "kept_bytes": kept, "zeroed_bytes": sum(v[1] for v in stats.values()),
              "by_arch": {f"sm_{a}": {"bytes": v[0] + v[1], "entries": v[2]} for a, v in sorted(stats.items())}}
    print(json.dumps(report))
    if kept == 0:
        print(f"{path}: no payload for sm_{sorted(keep)}: refusing to ship a library without code for the target GPU",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
