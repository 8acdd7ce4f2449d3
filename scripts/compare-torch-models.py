#!/usr/bin/env python3
"""PyTorch's side of the layers workloads: the same CNN on digits and the same causal transformer
on the max-of-digits task that `descent bench --engine` trains (EngineBench.workload), with the
same optimizers, learning rates, batch sizes and epochs, on 2 threads. Prints one line per model:

    model<TAB>samples_per_s<TAB>test_accuracy<TAB>epochs

Samples/s is the median epoch's. The data split and initial weights come from PyTorch's own
generator (seed 0), so accuracies compare as runs of the same recipe, not as identical runs.

    python3 scripts/compare-torch-models.py [--epochs N] [--threads N] [--models cnn,transformer]
"""
import argparse
import os
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

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def digits():
    """The digits CSV shipped with Descent: 64 pixel counts (scaled by 1/16) and a label."""
    rows = []
    with open(os.path.join(ROOT, "Sources/DescentData/Resources/digits.csv")) as f:
        for line in f:
            if line.strip():
                rows.append([float(v) for v in line.split(",")])
    data = torch.tensor(rows)
    return data[:, :64] / 16, data[:, 64].long()


def max_of_digits(count, length=8, vocabulary=10, seed=0):
    """SequenceTask.maxOfDigits: a balanced label, tokens in 0...label, the label at one place."""
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, vocabulary, (count,), generator=g)
    tokens = (torch.rand(count, length, generator=g) * (labels[:, None] + 1).float()).floor().long()
    anchors = torch.randint(0, length, (count,), generator=g)
    tokens[torch.arange(count), anchors] = labels
    return tokens, labels


def cnn(channels=16, classes=10):
    return nn.Sequential(
        nn.Unflatten(1, (1, 8, 8)),
        nn.Conv2d(1, channels, 3, padding=1, bias=False), nn.BatchNorm2d(channels), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(channels, 2 * channels, 3, padding=1, bias=False), nn.BatchNorm2d(2 * channels), nn.ReLU(),
        nn.MaxPool2d(2), nn.Flatten(), nn.Linear(2 * channels * 4, classes))


class TinyTransformer(nn.Module):
    """The fixtures' tiny_transformer (FORMAT.md), classifying from the last position."""

    def __init__(self, vocab=10, d_model=32, heads=4, length=8):
        super().__init__()
        self.position = nn.Parameter(torch.randn(length, d_model) * 0.02)
        self.embedding = nn.Embedding(vocab, d_model)
        self.ln1 = nn.LayerNorm(d_model)
        self.attention = nn.MultiheadAttention(d_model, heads, batch_first=True)
        self.ln2 = nn.LayerNorm(d_model)
        self.fc1 = nn.Linear(d_model, 4 * d_model)
        self.fc2 = nn.Linear(4 * d_model, d_model)
        self.ln_f = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab)
        mask = torch.triu(torch.full((length, length), float("-inf")), diagonal=1)
        self.register_buffer("mask", mask, persistent=False)

    def forward(self, tokens):
        length = tokens.shape[1]
        h = self.embedding(tokens) + self.position[:length]
        a = self.ln1(h)
        h = h + self.attention(a, a, a, attn_mask=self.mask[:length, :length],
                               need_weights=False)[0]
        h = h + self.fc2(F.gelu(self.fc1(self.ln2(h))))
        return self.head(self.ln_f(h[:, -1]))


def train(model, optimizer, x, y, batch, epochs):
    """Shuffled mini-batches, cross-entropy; returns the median epoch's seconds."""
    times = []
    for _ in range(epochs):
        order = torch.randperm(len(y))
        start = time.perf_counter()
        for i in range(0, len(y), batch):
            rows = order[i:i + batch]
            optimizer.zero_grad(set_to_none=True)
            F.cross_entropy(model(x[rows]), y[rows]).backward()
            optimizer.step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(name, epochs):
    torch.manual_seed(0)
    if name == "cnn":
        x, y = digits()
        model, batch = cnn(), 32
        optimizer = torch.optim.Adam(model.parameters(), lr=0.003)
    else:
        x, y = max_of_digits(5000)
        model, batch = TinyTransformer(), 64
        optimizer = torch.optim.AdamW(model.parameters(), lr=0.003, weight_decay=0.01)
    order = torch.randperm(len(y))
    test_count = int(len(y) * 0.2)
    test, training = order[:test_count], order[test_count:]
    seconds = train(model, optimizer, x[training], y[training], batch, epochs)
    model.eval()
    with torch.no_grad():
        accuracy = (model(x[test]).argmax(1) == y[test]).float().mean().item()
    print(f"{name}\t{len(training) / seconds:.0f}\t{100 * accuracy:.1f}%\t{epochs}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--models", default="cnn,transformer")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"# torch {torch.__version__}, {torch.get_num_threads()} threads")
    print("# model\tsamples/s\ttest accuracy\tepochs")
    for name in args.models.split(","):
        run(name, args.epochs)


if __name__ == "__main__":
    main()
