"""The step `descent bench --ranks N` times, in PyTorch: the MLP 784-1024-1024-10 with Adam
(lr 1e-3) and a global batch of 256 on random data, on 1 process and data-parallel over N
processes with DistributedDataParallel (gloo, CPU). Prints the median step time in ms of the
slowest rank, one line per setting, in the layout of Descent's table.

    python scripts/compare-torch-ddp.py [--ranks 2] [--steps 10]

Needs torch (pip install torch==2.15.0); run from any folder.
"""

import argparse
import os
import statistics
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn

WIDTHS = [784, 1024, 1024, 10]
BATCH = 256


def model():
    torch.manual_seed(0)
    layers = []
    for index, (inputs, outputs) in enumerate(zip(WIDTHS, WIDTHS[1:])):
        if index > 0:
            layers.append(nn.ReLU())
        layers.append(nn.Linear(inputs, outputs))
    return nn.Sequential(*layers)


def run(rank, ranks, steps, results):
    parallel = ranks > 1
    if parallel:
        os.environ["MASTER_ADDR"] = "127.0.0.1"
        os.environ["MASTER_PORT"] = "29517"
        dist.init_process_group("gloo", rank=rank, world_size=ranks)
    net = model()
    if parallel:
        net = nn.parallel.DistributedDataParallel(net)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    generator = torch.Generator().manual_seed(rank)
    local = BATCH // ranks
    features = torch.rand(steps + 2, local, WIDTHS[0], generator=generator)
    labels = torch.randint(0, WIDTHS[-1], (steps + 2, local), generator=generator)
    loss_function = nn.CrossEntropyLoss()
    times = []
    for step in range(steps + 2):
        if parallel:
            dist.barrier()
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss_function(net(features[step]), labels[step]).backward()
        optimizer.step()
        elapsed = time.perf_counter() - start
        if step >= 2:
            times.append(elapsed)
    median = torch.tensor([statistics.median(times)])
    if parallel:
        dist.all_reduce(median, op=dist.ReduceOp.MAX)
        dist.destroy_process_group()
    if rank == 0:
        results.put(median.item())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ranks", type=int, default=2)
    parser.add_argument("--steps", type=int, default=10)
    arguments = parser.parse_args()
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads per process")
    print("ranks  setting                       step ms")
    for ranks in [1, arguments.ranks]:
        context = mp.get_context("spawn")
        results = context.Queue()
        processes = [
            context.Process(target=run, args=(rank, ranks, arguments.steps, results))
            for rank in range(ranks)
        ]
        for process in processes:
            process.start()
        seconds = results.get()
        for process in processes:
            process.join()
        setting = "DDP (gloo)" if ranks > 1 else "one process"
        print(f"{ranks:5d}  {setting:<28} {seconds * 1000:8.2f}")


if __name__ == "__main__":
    main()
