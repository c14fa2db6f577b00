#!/usr/bin/env python3
"""ABI canary for running the JavaCPP 2.10 JNI libraries (libjnitorch*.so) against another LibTorch build.

`export`: on the staging machine, list every dynamic symbol that libjnitorch.so / libjnitorch_cuda.so import
from the LibTorch libraries they were built against (libc10, libtorch_cpu, libtorch_cuda, libc10_cuda,
libtorch), with the type and size LibTorch defines it with, and whether it is bound at load time
(GLOB_DAT / absolute relocations: a missing one fails dlopen) or lazily through the PLT (a missing one kills
the process with "symbol lookup error" the first time it is called).
`check`: on the GPU machine, compare that list with the libraries in a folder (the image's torch/lib):
every symbol must exist there, and every data object (vtables, typeinfo, singletons such as
c10::UndefinedTensorImpl::_singleton) must have the same size. A data object of another size means a class
layout changed: the JNI code would read fields at the wrong offsets and compute wrong results without
crashing, which is why a size change fails the check. Layout changes of classes that export no data object
are invisible here; the loss parity against the CPU reference catches those.

Plain ELF64 parsing, standard library only (the GPU image may lack binutils).
Usage: elfabi.py export OUT.json JNI_LIB... --against LIB...
       elfabi.py check FINGERPRINT.json LIBDIR [--allow-lazy-missing]   (exit 0 ok, 3 mismatch)
       elfabi.py needed LIB...            (NEEDED sonames, one per line)
"""
import json
import os
import struct
import sys

SHT_RELA, SHT_DYNSYM, SHT_DYNAMIC = 4, 11, 6
R_X86_64_JUMP_SLOT = 7
STT_NAMES = {0: "NOTYPE", 1: "OBJECT", 2: "FUNC", 3: "SECTION", 4: "FILE", 5: "COMMON", 6: "TLS", 10: "IFUNC"}


class Elf:
    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            self.data = f.read() if os.path.getsize(path) < (1 << 26) else None
        if self.data is None:  # big libraries: read only the sections we need
            self.f = open(path, "rb")
        ident = self.read(0, 64)
        if ident[:4] != b"\x7fELF" or ident[4] != 2 or ident[5] != 1:
            raise ValueError(f"{path}: not a little-endian ELF64 file")
        (self.shoff,) = struct.unpack_from("<Q", ident, 0x28)
        self.shentsize, self.shnum, self.shstrndx = struct.unpack_from("<HHH", ident, 0x3A)
        raw = self.read(self.shoff, self.shentsize * self.shnum)
        self.sections = [struct.unpack_from("<IIQQQQIIQQ", raw, i * self.shentsize) for i in range(self.shnum)]

    def read(self, off, size):
        if self.data is not None:
            return self.data[off:off + size]
        self.f.seek(off)
        return self.f.read(size)

    def section(self, index):
        s = self.sections[index]
        return self.read(s[4], s[5])

    def dynsyms(self):
        """[(name, type, size, defined)] in .dynsym order."""
        for s in self.sections:
            if s[1] == SHT_DYNSYM:
                table, strtab, entsize = self.read(s[4], s[5]), self.section(s[6]), s[9] or 24
                out = []
                for i in range(len(table) // entsize):
                    name_off, info, _other, shndx, _value, size = struct.unpack_from("<IBBHQQ", table, i * entsize)
                    end = strtab.index(b"\0", name_off)
                    out.append((strtab[name_off:end].decode(), STT_NAMES.get(info & 0xF, str(info & 0xF)), size,
                                shndx != 0))
                return out
        return []

    def load_bound(self, syms):
        """Indices of imported symbols referenced by a non-PLT relocation (resolved when the library loads)."""
        bound = set()
        for s in self.sections:
            if s[1] == SHT_RELA:
                rela, entsize = self.read(s[4], s[5]), s[9] or 24
                for i in range(len(rela) // entsize):
                    _off, info, _addend = struct.unpack_from("<QQq", rela, i * entsize)
                    sym, rtype = info >> 32, info & 0xFFFFFFFF
                    if sym and rtype != R_X86_64_JUMP_SLOT:
                        bound.add(sym)
        return bound

    def needed(self):
        for s in self.sections:
            if s[1] == SHT_DYNAMIC:
                dyn, strtab = self.read(s[4], s[5]), self.section(s[6])
                out = []
                for i in range(len(dyn) // 16):
                    tag, val = struct.unpack_from("<qQ", dyn, i * 16)
                    if tag == 1:
                        out.append(strtab[val:strtab.index(b"\0", val)].decode())
                    elif tag == 0:
                        break
                return out
        return []


def defined_symbols(paths):
    out = {}
    for p in paths:
        for name, typ, size, defined in Elf(p).dynsyms():
            if defined and name:
                out.setdefault(name, (typ, size, os.path.basename(p)))
    return out


def export(out_path, jni_libs, against):
    provided = defined_symbols(against)
    required = {}
    for lib in jni_libs:
        elf = Elf(lib)
        syms = elf.dynsyms()
        bound = elf.load_bound(syms)
        for i, (name, _typ, _size, defined) in enumerate(syms):
            if defined or not name or name not in provided:
                continue  # glibc, libstdc++, JNI: not LibTorch's
            typ, size, owner = provided[name]
            entry = required.setdefault(name, {"type": typ, "size": size, "lib": owner, "bound": "lazy",
                                               "by": []})
            if i in bound:
                entry["bound"] = "load"
            entry["by"].append(os.path.basename(lib))
    doc = {"format": "exprbert-elfabi 1", "jni_libs": [os.path.basename(p) for p in jni_libs],
           "against": [os.path.basename(p) for p in against], "symbols": required}
    with open(out_path, "w") as f:
        json.dump(doc, f, sort_keys=True, separators=(",", ":"))
    counts = {"symbols": len(required), "load_bound": sum(1 for e in required.values() if e["bound"] == "load"),
              "objects": sum(1 for e in required.values() if e["type"] in ("OBJECT", "TLS"))}
    print(json.dumps(counts))


def check(fingerprint, libdir, allow_lazy_missing):
    with open(fingerprint) as f:
        doc = json.load(f)
    libs = [os.path.join(libdir, n) for n in sorted(os.listdir(libdir))
            if ".so" in n and os.path.isfile(os.path.join(libdir, n))]
    provided = defined_symbols(libs)
    missing_load, missing_lazy, size_changed = [], [], []
    for name, e in doc["symbols"].items():
        got = provided.get(name)
        if got is None:
            (missing_load if e["bound"] == "load" else missing_lazy).append(name)
        elif e["type"] in ("OBJECT", "TLS") and got[1] != e["size"]:
            size_changed.append(f"{name}: {e['size']} -> {got[1]} ({got[2]})")
    ok = not missing_load and not size_changed and (allow_lazy_missing or not missing_lazy)
    report = {"ok": ok, "libdir": libdir, "checked": len(doc["symbols"]), "missing_load_bound": len(missing_load),
              "missing_lazy": len(missing_lazy), "object_size_changed": len(size_changed),
              "examples": {"missing_load_bound": missing_load[:10], "missing_lazy": missing_lazy[:10],
                           "object_size_changed": size_changed[:10]}}
    print(json.dumps(report))
    return 0 if ok else 3


def main(argv):
    if len(argv) < 3:
        raise SystemExit(__doc__)
    cmd = argv[1]
    if cmd == "export":
        i = argv.index("--against")
        return export(argv[2], argv[3:i], argv[i + 1:]) or 0
    if cmd == "check":
        return check(argv[2], argv[3], "--allow-lazy-missing" in argv[4:])
    if cmd == "needed":
        for p in argv[2:]:
            for n in Elf(p).needed():
                print(n)
        return 0
    raise SystemExit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
