"""Writes pytorch_model.bin files with real torch.save, for PytorchBinRealFilesTest.

Run with any torch >= 2.0 (CPU is enough): python make_torch_bins.py OUT_DIR
Each file holds the same state dict; expected.json lists every tensor's dtype, shape and values
(as floats, row-major) so the Java test can compare without Python.
"""
import collections
import json
import sys

import torch

torch.manual_seed(0)
out = sys.argv[1]

weight = torch.arange(12, dtype=torch.float32).reshape(3, 4) / 8 - 0.5
sd = collections.OrderedDict()
sd["encoder.weight"] = weight
sd["decoder.weight"] = weight            # tied: the same storage saved once
sd["transposed"] = weight.t()             # a non-contiguous view of that storage
sd["row"] = weight[1]                     # a view at an offset
sd["bias"] = torch.nn.Parameter(torch.tensor([1.5, -2.25]))   # _rebuild_parameter
sd["half"] = torch.tensor([0.5, -1.0, 65504.0], dtype=torch.float16)
sd["bf16"] = torch.tensor([1.0, -3.0], dtype=torch.bfloat16)
sd["double"] = torch.tensor([[1e-3, 2.0]], dtype=torch.float64)
sd["ids"] = torch.tensor([0, 1, 2, 513], dtype=torch.int64)
sd["flag"] = torch.tensor([True, False])
sd["scalar"] = torch.tensor(7.0)
sd["empty"] = torch.zeros(0, 4)
sd._metadata = collections.OrderedDict({"": {"version": 1}})  # what module.state_dict() attaches

torch.save(sd, f"{out}/ordered_state_dict.bin")
torch.save(dict(sd), f"{out}/plain_dict.bin")
torch.save(sd, f"{out}/protocol4.bin", pickle_protocol=4)
torch.save(sd, f"{out}/legacy.bin", _use_new_zipfile_serialization=False)

expected = {k: {"dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape),
                "values": v.detach().double().flatten().tolist()} for k, v in sd.items()}
with open(f"{out}/expected.json", "w") as f:
    json.dump({"torch": torch.__version__, "tensors": expected}, f, indent=1)
