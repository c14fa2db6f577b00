#!/usr/bin/env python3
"""Tests of the staging tools (fatstrip, elfabi, losses, manifest), on small files made here with gcc.
Run: python3 -m unittest benchmarks/gpu/stage/test_stage_tools.py   (seconds; needs gcc and readelf)
"""
import hashlib
import json
import os
import struct
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import losses  # noqa: E402
import manifest  # noqa: E402


def gcc_shared(src, out, *extra):
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", out, src, *extra], check=True)


def fatbin_entry(arch, payload):
    """An entry header as fatstrip reads it: kind u16, version u16, header size u32, payload size u64,
    padding to the arch u32 at +28, header size 64."""
    header = bytearray(64)
    struct.pack_into("<HHIQ", header, 0, 2, 0x101, 64, len(payload))
    struct.pack_into("<I", header, 28, arch)
    return bytes(header) + payload


def fatbin_library(d, entries):
    """A shared library whose .nv_fatbin section holds one fatbin container with `entries`."""
    container = struct.pack("<IHHQ", 0xBA55ED50, 1, 16, len(entries)) + entries
    src = os.path.join(d, "f.c")
    with open(src, "w") as f:
        f.write('__attribute__((section(".nv_fatbin"), used, aligned(8))) '
                f"const unsigned char fatbin[{len(container)}] = {{{', '.join(map(str, container))}}};\n")
    lib = os.path.join(d, "libf.so")
    gcc_shared(src, lib)
    return lib


class FatstripTest(unittest.TestCase):
    def test_zeroes_only_the_payloads_of_other_archs(self):
        with tempfile.TemporaryDirectory() as d:
            lib = fatbin_library(d, fatbin_entry(80, b"\xaa" * 256) + fatbin_entry(90, b"\xbb" * 128)
                                 + fatbin_entry(100, b"\xcc" * 64))
            size_before = os.path.getsize(lib)
            out = subprocess.run([sys.executable, os.path.join(HERE, "fatstrip.py"), lib, "90"], check=True,
                                 capture_output=True, text=True).stdout
            report = json.loads(out)
            self.assertEqual(report["kept_bytes"], 128)
            self.assertEqual(report["zeroed_bytes"], 256 + 64)
            data = read(lib)
            self.assertEqual(len(data), size_before)
            self.assertIn(b"\xbb" * 128, data)
            self.assertNotIn(b"\xaa" * 16, data)
            self.assertNotIn(b"\xcc" * 16, data)

    def test_refuses_when_the_kept_arch_is_absent(self):
        with tempfile.TemporaryDirectory() as d:
            lib = fatbin_library(d, fatbin_entry(80, b"\xaa" * 32))
            r = subprocess.run([sys.executable, os.path.join(HERE, "fatstrip.py"), lib, "90", "--dry-run"],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 1)
            self.assertIn("no payload for sm_[90]", r.stderr)


class ElfAbiTest(unittest.TestCase):
    """A 'LibTorch' defining a function and a data object, a 'JNI' library using both, and two changed builds."""

    def build(self, d, name, obj_size, with_func):
        src = os.path.join(d, name + ".c")
        with open(src, "w") as f:
            f.write(f"char lt_object[{obj_size}] = {{1}};\n")
            if with_func:
                f.write("int lt_function(int x) { return x + 1; }\n")
        lib = os.path.join(d, name, "liblt.so")
        os.makedirs(os.path.dirname(lib))
        gcc_shared(src, lib)
        return lib

    def run_elfabi(self, *args):
        return subprocess.run([sys.executable, os.path.join(HERE, "elfabi.py"), *args], capture_output=True, text=True)

    def test_check_passes_on_the_same_build_and_fails_on_changed_ones(self):
        with tempfile.TemporaryDirectory() as d:
            orig = self.build(d, "orig", 8, True)
            jni_src = os.path.join(d, "jni.c")
            with open(jni_src, "w") as f:
                f.write("extern char lt_object[]; int lt_function(int);\n"
                        "char *object_address(void) { return lt_object; }\n"
                        "int call(int x) { return lt_function(x); }\n")
            jni = os.path.join(d, "libjni.so")
            gcc_shared(jni_src, jni, "-L" + os.path.dirname(orig), "-llt")
            fp = os.path.join(d, "fp.json")
            r = self.run_elfabi("export", fp, jni, "--against", orig)
            self.assertEqual(r.returncode, 0, r.stderr)
            doc = json.loads(read(fp))
            self.assertEqual(doc["symbols"]["lt_object"]["size"], 8)
            self.assertEqual(doc["symbols"]["lt_object"]["bound"], "load")
            self.assertEqual(doc["symbols"]["lt_function"]["bound"], "lazy")
            self.assertEqual(self.run_elfabi("check", fp, os.path.dirname(orig)).returncode, 0)
            grown = self.build(d, "grown", 16, True)
            r = self.run_elfabi("check", fp, os.path.dirname(grown))
            self.assertEqual(r.returncode, 3)
            self.assertEqual(json.loads(r.stdout)["object_size_changed"], 1)
            without = self.build(d, "without", 8, False)
            r = self.run_elfabi("check", fp, os.path.dirname(without))
            self.assertEqual(r.returncode, 3)
            self.assertEqual(json.loads(r.stdout)["missing_lazy"], 1)
            self.assertEqual(self.run_elfabi("check", fp, os.path.dirname(without), "--allow-lazy-missing").returncode, 0)


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def curve(losses_, grads, train_loss=None):
    return {"steps": list(range(1, len(losses_) + 1)), "loss": losses_, "grad_norm": grads, "train_loss": train_loss}


class LossesTest(unittest.TestCase):
    REF = {"fused": curve([1.2898, 0.8246, 0.6652], [14.2251, 6.5450, 3.0], 0.9265)}

    def test_identical_and_rounding_neighbours_pass(self):
        r = losses.compare(self.REF, {"fused": curve([1.2898, 0.8246, 0.6653], [14.2251, 6.5450, 3.0002], 0.92651)})
        self.assertTrue(r["ok"], r)

    def test_a_loss_beyond_tolerance_fails_and_names_the_step(self):
        r = losses.compare(self.REF, {"fused": curve([1.2898, 0.8250, 0.6652], [14.2251, 6.5450, 3.0], 0.9265)})
        self.assertFalse(r["ok"])
        self.assertEqual(r["runs"]["fused"]["loss_failures"][0]["step"], 2)

    def test_grad_norm_and_train_loss_are_gated_in_fp32(self):
        self.assertFalse(losses.compare(self.REF, {"fused": curve([1.2898, 0.8246, 0.6652], [14.2251, 6.5450, 3.001], 0.9265)})["ok"])
        self.assertFalse(losses.compare(self.REF, {"fused": curve([1.2898, 0.8246, 0.6652], [14.2251, 6.5450, 3.0], 0.927)})["ok"])

    def test_bf16_uses_its_own_tolerance_on_losses_only(self):
        self.assertTrue(losses.compare(self.REF, {"fused-bf16": curve([1.30, 0.83, 0.67], [14.0, 6.0, 3.3])})["ok"])
        self.assertFalse(losses.compare(self.REF, {"fused-bf16": curve([1.40, 0.83, 0.67], [14.0, 6.0, 3.3])})["ok"])

    def test_a_run_without_reference_fails(self):
        self.assertFalse(losses.compare(self.REF, {"eager": curve([1.2898], [14.2251])})["ok"])


class ManifestTest(unittest.TestCase):
    def test_parts_fit_the_budget_and_join_to_the_bundle(self):
        with tempfile.TemporaryDirectory() as d:
            bundle, app = os.path.join(d, "bundle.xz"), os.path.join(d, "app.tar.xz")
            data = os.urandom(700_000)
            write(bundle, data)
            write(app, os.urandom(50_000))
            fp, needed = os.path.join(d, "fp.json"), os.path.join(d, "needed.txt")
            write(fp, b'{"symbols": {}}')
            write(needed, b"libcudart.so.13\nlibc.so.6\nlibtorch_cpu.so\n")
            out = os.path.join(d, "stage")
            budget = 300_000
            manifest.main(["manifest.py", "split", bundle, app, out, str(budget), "--mode", "full", "--compressor", "xz",
                           "--level", "6", "--raw-bytes", "1", "--raw-sha", "x", "--fingerprint", fp, "--needed", needed,
                           "--provided", "libtorch_cpu.so", "--keep-arch", "90"])
            m = json.loads(read(os.path.join(out, "manifest.json")))
            self.assertGreaterEqual(len(m["parts"]), 3)
            joined = b"".join(read(os.path.join(out, p["dir"], "bundle.part")) for p in m["parts"])
            self.assertEqual(joined, data)
            for p in m["parts"]:
                self.assertLessEqual(p["folder_bytes"], budget)
                digest = read(os.path.join(out, p["dir"], "part.sha256")).split()[0].decode()
                self.assertEqual(digest, hashlib.sha256(read(os.path.join(out, p["dir"], "bundle.part"))).hexdigest())
            last = m["parts"][-1]["dir"]
            self.assertTrue(os.path.exists(os.path.join(out, last, "app.tar.xz")))
            self.assertTrue(os.path.exists(os.path.join(out, last, "manifest.json")))
            self.assertEqual(read(os.path.join(out, "p0", "preflight", "needed.txt")).split(), [b"libcudart.so.13"])
            self.assertEqual(json.loads(read(os.path.join(out, "p0", "preflight", "stage.json"))), {"mode": "full", "keep_arch": 90})


if __name__ == "__main__":
    unittest.main()
