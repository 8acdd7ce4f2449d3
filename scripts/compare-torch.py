#!/usr/bin/env python3
"""PyTorch CPU baseline for Descent's MLP training-step benchmark.

Times a full training step -- zero_grad(set_to_none=True), forward, cross-entropy loss, backward,
Adam step -- of the same MLPs `descent bench --engine` trains, on 2 threads, and prints one
line per row:

    name<TAB>us_per_step<TAB>samples_per_s

Lines starting with '#' are comments (versions, settings, rows skipped). Each row warms up for 50
steps, then times several rounds of a fixed number of steps; the time reported is the median
round's time divided by its steps.

    python3 scripts/compare-torch.py [--rows NAME,...] [--rounds N] [--threads N]

Exits 0 with the line `torch not installed` when torch cannot be imported, so a wrapper can skip.
"""
import argparse
import statistics
import sys
import time

try:
    import torch
    import torch.nn.functional as F
    from torch import nn
except ImportError:
    print("torch not installed")
    sys.exit(0)

WARMUP_STEPS = 50

# name -> (layer widths, batch size, fused Adam, steps per round, default rounds)
ROWS = {
    "mlp-64-100-10-b32-adam": ([64, 100, 10], 32, False, 200, 7),
    "mlp-784-1024-1024-10-b256-adam": ([784, 1024, 1024, 10], 256, False, 20, 5),
    "mlp-64-100-10-b32-adam-fused": ([64, 100, 10], 32, True, 200, 7),
    "mlp-784-1024-1024-10-b256-adam-fused": ([784, 1024, 1024, 10], 256, True, 20, 5),
}


def mlp(widths):
    """Linear layers of the given widths with ReLU between them (none after the last)."""
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(widths, widths[1:])):
        if i > 0:
            layers.append(nn.ReLU())
        layers.append(nn.Linear(fan_in, fan_out))
    return nn.Sequential(*layers)


def time_row(widths, batch, fused, steps, rounds):
    """Median seconds per training step over `rounds` rounds of `steps` steps each."""
    torch.manual_seed(0)
    model = mlp(widths)
    inputs = torch.randn(batch, widths[0])
    labels = torch.randint(0, widths[-1], (batch,))
    # fused=None leaves PyTorch's default (the foreach implementation on CPU).
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True if fused else None)

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(inputs), labels)
        loss.backward()
        optimizer.step()

    for _ in range(WARMUP_STEPS):
        step()
    per_step = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(steps):
            step()
        per_step.append((time.perf_counter() - start) / steps)
    return statistics.median(per_step)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", help="comma-separated row names (default: all): " + ", ".join(ROWS))
    parser.add_argument("--rounds", type=int, help="timed rounds per row (default: 7 small, 5 large)")
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default: 2)")
    args = parser.parse_args()

    names = args.rows.split(",") if args.rows else list(ROWS)
    unknown = [name for name in names if name not in ROWS]
    if unknown:
        parser.error("unknown rows: " + ", ".join(unknown))

    torch.set_num_threads(args.threads)
    print(f"# torch {torch.__version__}, {torch.get_num_threads()} threads, CPU, float32")
    print("# name\tus_per_step\tsamples_per_s")
    for name in names:
        widths, batch, fused, steps, rounds = ROWS[name]
        try:
            seconds = time_row(widths, batch, fused, steps, args.rounds or rounds)
        except RuntimeError as error:  # fused Adam on CPU needs torch 2.4 or later
            print(f"# {name} skipped: {error}".splitlines()[0])
            continue
        print(f"{name}\t{seconds * 1e6:.1f}\t{batch / seconds:.0f}", flush=True)


if __name__ == "__main__":
    main()
