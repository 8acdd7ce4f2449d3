#!/usr/bin/env python3
"""Reads Descent training checkpoints with `safetensors.torch.load_file` and checks the dtypes of
their low-precision optimizer state: 8-bit codes (`optimizer.N.state1`, `state2`) uint8 of the
parameter's shape beside float32 `qmapN` (256) and `absmaxN` (one per block of 256), as
bitsandbytes keeps them; bfloat16 moments (`exp_avg`, `exp_avg_sq`) bfloat16 (so pass checkpoints
of 8-bit and bfloat16 optimizers only). When bitsandbytes is installed, its `dequantize_blockwise` must read the
codes as Descent does: `qmap[code] * absmax[element // 256]`, bit for bit. Prints one line per
optimizer tensor and exits 1 when a check fails. Not run in CI.

    descent train --optimizer adam8bit --epochs 1 --checkpoint /tmp/a8.safetensors
    descent train --optimizer adam-bf16 --epochs 1 --checkpoint /tmp/bf.safetensors
    python3 scripts/check-checkpoint-dtypes.py /tmp/a8.safetensors /tmp/bf.safetensors
"""
import json
import math
import sys

import torch
from safetensors import safe_open
from safetensors.torch import load_file

try:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import bitsandbytes.functional as bnb_functional
except ImportError:
    bnb_functional = None


def check(path):
    """Problems found in the checkpoint at `path` (printing every optimizer tensor)."""
    tensors = load_file(path)
    with safe_open(path, framework="pt") as file:
        parameters = json.loads(file.metadata()["descent.checkpoint"])["parameters"]
    problems = []
    for name in sorted(tensors):
        if not name.startswith("optimizer."):
            continue
        tensor = tensors[name]
        print(f"{path}\t{name}\t{tensor.dtype}\t{list(tensor.shape)}")
        index, buffer = name.split(".")[1:3]
        if buffer.startswith("state") and tensor.dtype == torch.uint8:
            parameter = tensors[f"model.{parameters[int(index)]}"]
            if tensor.shape != parameter.shape:
                problems.append(f"{name}: shape {list(tensor.shape)}, parameter {list(parameter.shape)}")
            suffix = buffer[len("state"):]
            absmax = tensors.get(f"optimizer.{index}.absmax{suffix}")
            qmap = tensors.get(f"optimizer.{index}.qmap{suffix}")
            if absmax is None or absmax.dtype != torch.float32:
                problems.append(f"{name}: no float32 absmax{suffix}")
            elif absmax.numel() != math.ceil(tensor.numel() / 256):
                problems.append(f"{name}: {absmax.numel()} absmax for {tensor.numel()} codes")
            if qmap is None or qmap.dtype != torch.float32 or qmap.numel() != 256:
                problems.append(f"{name}: no float32 qmap{suffix} of 256")
            elif bnb_functional is not None and absmax is not None:
                codes = tensor.flatten()
                theirs = bnb_functional.dequantize_blockwise(codes, absmax=absmax, code=qmap, blocksize=256)
                ours = qmap[codes.long()] * absmax.repeat_interleave(256)[: codes.numel()]
                if not torch.equal(theirs, ours):
                    problems.append(f"{name}: bitsandbytes dequantizes it otherwise")
        elif buffer.startswith("state") and tensor.dtype != torch.float32:
            problems.append(f"{name}: dtype {tensor.dtype}, not uint8 codes or float32 state")
        elif buffer in ("exp_avg", "exp_avg_sq") and tensor.dtype != torch.bfloat16:
            problems.append(f"{name}: dtype {tensor.dtype}, not bfloat16 moments")
    return problems


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    problems = [problem for path in sys.argv[1:] for problem in check(path)]
    for problem in problems:
        print("FAIL", problem)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
