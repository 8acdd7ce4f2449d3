"""PyTorch's optimizer steps as `descent bench --torch-baseline` asks for them.

Reads requests from standard input, one per line, `NAME TENSORS SIZE REPEATS` (`Adam 200 4096 10`:
200 float32 tensors of 4,096 elements), and answers each with the seconds REPEATS steps took (after
one untimed step when the request differs from the last), then the implementation it used (`fused`,
`foreach` or the package), or `unsupported NAME`. Parameters start at 1 and gradients at 0.01, as in
`descent bench`; the options are PyTorch's defaults (SGD: lr 0.01, momentum 0.9). SGD, Adagrad,
Adam and AdamW take PyTorch's fused CPU kernels; the others its default (foreach) implementation;
Lion and the schedule-free optimizers come from lion-pytorch and schedulefree, the 8-bit ones from
bitsandbytes, when installed.

    python3 scripts/reference/torch-steps.py --threads 2
"""

import argparse
import sys
import time

import torch

FUSED = {"SGD", "Adagrad", "Adam", "AdamW"}


def make(name, params):
    """The optimizer `name` over `params` and a label of its implementation, or None."""
    if name == "SGD":
        return torch.optim.SGD(params, lr=0.01, momentum=0.9, fused=True), "fused"
    if name in FUSED:
        return getattr(torch.optim, name)(params, fused=True), "fused"
    if name in {"RMSprop", "Adadelta", "Adamax", "NAdam", "RAdam", "ASGD", "Rprop"}:
        return getattr(torch.optim, name)(params), "foreach"
    try:
        if name in {"Adam8bit", "AdamW8bit", "SGD8bit", "Lion8bit"}:
            import bitsandbytes as bnb

            options = {"lr": 0.01, "momentum": 0.9} if name == "SGD8bit" else {}
            return getattr(bnb.optim, name)(params, **options), "bitsandbytes"
        if name == "Lion":
            from lion_pytorch import Lion

            return Lion(params), "lion-pytorch"
        if name in {"AdamWScheduleFree", "SGDScheduleFree"}:
            import schedulefree

            optimizer = getattr(schedulefree, name)(params)
            optimizer.train()
            return optimizer, "schedulefree"
    except ImportError:
        return None
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=0, help="torch.set_num_threads")
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    key, optimizer, label = None, None, ""
    for line in sys.stdin:
        parts = line.split()
        try:
            name, tensors, size, repeats = parts[0], int(parts[1]), int(parts[2]), int(parts[3])
        except (IndexError, ValueError):
            print(f"unsupported {line.strip()}", flush=True)
            continue
        if (name, tensors, size) != key:
            key, optimizer = (name, tensors, size), None
            params = [torch.nn.Parameter(torch.ones(size)) for _ in range(tensors)]
            for param in params:
                param.grad = torch.full((size,), 0.01)
            made = make(name, params)
            if made is None:
                print(f"unsupported {name}", flush=True)
                key = None
                continue
            optimizer, label = made
            optimizer.step()
        start = time.perf_counter()
        for _ in range(repeats):
            optimizer.step()
        print(f"{time.perf_counter() - start:.9f} {label}", flush=True)


if __name__ == "__main__":
    main()
