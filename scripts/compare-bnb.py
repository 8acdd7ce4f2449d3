#!/usr/bin/env python3
"""Descent's 8-bit and bfloat16 Adam beside bitsandbytes' CPU Adam8bit, in one run.

Each round runs, one after the other on the same threads and the same sizes:
  1. `descent bench --optimizers adam,adam8bit,adambf16 --sizes SIZES --skip-training` (the
     binary given with --descent: build it with -c release);
  2. bitsandbytes' `bnb.optim.Adam8bit` step on CPU float32 parameters of each size;
  3. PyTorch's `torch.optim.Adam(fused=True)` step on the same sizes (a float32 reference).
Rounds interleave so that drift of the machine shows in every row alike. At the end it prints,
per size, the median ns/param of each row over the rounds and how many times faster than
bitsandbytes' Adam8bit each is:

    size<TAB>row<TAB>ns_per_param<TAB>bnb_adam8bit_over_row

Lines starting with '#' are comments (versions, settings, per-round figures).

    python3 scripts/compare-bnb.py --descent .build/release/descent [--sizes 1M,4M] [--rounds 3]
        [--threads N] [--steps N]

Exits 0 with the line `bitsandbytes not installed` when torch or bitsandbytes cannot be
imported, so a wrapper can skip.
"""
import argparse
import re
import statistics
import subprocess
import sys
import time
import warnings

try:
    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import bitsandbytes as bnb
except ImportError:
    print("bitsandbytes not installed")
    sys.exit(0)

WARMUP_STEPS = 3
DESCENT_ROWS = {"Adam": "descent Adam", "Adam8bit": "descent Adam8bit", "AdamBF16": "descent AdamBF16"}
BNB_ROW = "bnb Adam8bit"
TORCH_ROW = "torch Adam fused"


def parse_size(text):
    """`1M`, `500K` or `4096` as a parameter count (descent bench's spelling: K = 10^3, M = 10^6)."""
    match = re.fullmatch(r"(\d+)([KM]?)", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"size {text!r} is not N, NK or NM")
    return int(match.group(1)) * {"": 1, "K": 10**3, "M": 10**6}[match.group(2)]


def time_steps(optimizer, steps):
    """Median seconds of one `optimizer.step()` over `steps` timed steps, after a warm-up."""
    for _ in range(WARMUP_STEPS):
        optimizer.step()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        optimizer.step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def python_rows(count, steps):
    """ns/param of bitsandbytes' Adam8bit and of fused float32 Adam on `count` parameters."""
    torch.manual_seed(0)
    rows = {}
    for row, make in [
        (BNB_ROW, lambda params: bnb.optim.Adam8bit(params, lr=1e-3)),
        (TORCH_ROW, lambda params: torch.optim.Adam(params, lr=1e-3, fused=True)),
    ]:
        parameter = torch.nn.Parameter(torch.randn(count))
        parameter.grad = torch.randn(count)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            seconds = time_steps(make([parameter]), steps)
        rows[row] = seconds / count * 1e9
    return rows


def descent_rows(binary, sizes, threads, runs):
    """ns/param of `descent bench`'s rows by (size text, row name)."""
    command = [
        binary, "bench", "--optimizers", "adam,adam8bit,adambf16", "--sizes", ",".join(sizes),
        "--skip-training", "--threads", str(threads), "--runs", str(runs),
    ]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    rows = {}
    for line in output.splitlines():
        cells = line.split()
        if len(cells) >= 3 and cells[0] in DESCENT_ROWS and cells[1] in sizes:
            rows[(cells[1], DESCENT_ROWS[cells[0]])] = float(cells[2])
    missing = [(size, row) for size in sizes for row in DESCENT_ROWS.values() if (size, row) not in rows]
    if missing:
        sys.exit(f"descent bench printed no figure for {missing}:\n{output}")
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--descent", required=True, help="the release descent binary")
    parser.add_argument("--sizes", default="1M,4M", help="comma-separated sizes (default: 1M,4M)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default: 3)")
    parser.add_argument("--threads", type=int, default=2, help="threads for both (default: 2)")
    parser.add_argument("--steps", type=int, default=5, help="timed Python steps per round (default: 5)")
    parser.add_argument("--runs", type=int, default=5, help="descent bench --runs (default: 5)")
    args = parser.parse_args()

    sizes = [text.strip() for text in args.sizes.split(",")]
    counts = {size: parse_size(size) for size in sizes}
    torch.set_num_threads(args.threads)
    print(f"# torch {torch.__version__}, bitsandbytes {bnb.__version__}, {args.threads} threads, CPU")
    figures = {}  # (size, row) -> [ns/param per round]
    for round_index in range(args.rounds):
        print(f"# round {round_index + 1} of {args.rounds}, {time.strftime('%H:%M:%S')}", flush=True)
        for key, value in descent_rows(args.descent, sizes, args.threads, args.runs).items():
            figures.setdefault(key, []).append(value)
        for size in sizes:
            for row, value in python_rows(counts[size], args.steps).items():
                figures.setdefault((size, row), []).append(value)
        for (size, row), values in sorted(figures.items()):
            print(f"#   {size}\t{row}\t{values[-1]:.3f}")
    print("# size\trow\tns_per_param\tbnb_adam8bit_over_row")
    for size in sizes:
        baseline = statistics.median(figures[(size, BNB_ROW)])
        for row in [*DESCENT_ROWS.values(), BNB_ROW, TORCH_ROW]:
            median = statistics.median(figures[(size, row)])
            print(f"{size}\t{row}\t{median:.3f}\t{baseline / median:.1f}")


if __name__ == "__main__":
    main()
