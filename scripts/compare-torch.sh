#!/usr/bin/env bash
# The engine's speed beside outside baselines, in one run on this machine:
#   1. Descent: `descent bench --engine` (release build): Adam training steps of user-written MLPs
#      (64-100-10 batch 32, 784-1024-1024-10 batch 256) and element-wise ops on 16M floats;
#   2. a plain C loop of the same ops (scripts/reference/elementwise.c, gcc -O3 -march=native,
#      OpenMP on every core), when gcc is present;
#   3. PyTorch's same training steps (scripts/compare-torch.py), when torch is installed;
# then Descent once more, so that drift between the minutes shows. Arguments go to
# compare-torch.py (--rows NAME,... --rounds N --threads N).
#
# PyTorch is looked for in $DESCENT_TORCH_PYTHON, else python3; install it apart from the repo,
# e.g. `python3 -m venv ~/venv-torch && ~/venv-torch/bin/pip install torch==2.15.0`, then
# `DESCENT_TORCH_PYTHON=~/venv-torch/bin/python scripts/compare-torch.sh`.
set -uo pipefail
cd "$(dirname "$0")/.."
DESCENT_SWIFT_FLAGS=${DESCENT_SWIFT_FLAGS--Xswiftc -target-cpu -Xswiftc native}
python=${DESCENT_TORCH_PYTHON:-python3}
threads=$(nproc)

swift build -c release $DESCENT_SWIFT_FLAGS --product descent >&2 || { echo "the release build failed" >&2; exit 1; }
descent() {
  echo "== Descent ($(date +%T))"
  .build/release/descent bench --engine --threads "$threads"
}

descent
if command -v gcc >/dev/null; then
  binary=$(mktemp)
  gcc -O3 -march=native -fopenmp scripts/reference/elementwise.c -o "$binary" -lm
  echo "== plain C loop, $threads threads, fresh output each op ($(date +%T))"
  OMP_NUM_THREADS=$threads "$binary"
  echo "== plain C loop, output reused ($(date +%T))"
  OMP_NUM_THREADS=$threads "$binary" --reuse-output
  rm -f "$binary"
else
  echo "== plain C loop: skipped (no gcc)"
fi
echo "== PyTorch ($python, $(date +%T))"
"$python" scripts/compare-torch.py --threads "$threads" "$@"
descent
