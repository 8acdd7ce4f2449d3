#!/usr/bin/env bash
# Descent's optimizer steps beside outside baselines taken in the same runs (issue 17): builds the
# release `descent` for this machine's vector width, compiles the plain C loops of
# scripts/reference/steps.c (gcc -O3 -march=native -fno-math-errno -fopenmp) when gcc is present,
# and adds PyTorch through scripts/reference/torch-steps.py when $DESCENT_TORCH_PYTHON (else
# python3) imports torch; then runs `descent bench` with both, so that each row gives Descent's time
# over the C loop's and PyTorch's (the median of the per-run ratios). Arguments go to `descent
# bench`; by default the in-cache and streaming sizes of the element-wise optimizers PyTorch fuses:
#
#   scripts/bench-steps.sh
#   DESCENT_TORCH_PYTHON=~/venv-torch/bin/python scripts/bench-steps.sh --optimizers adam --runs 21
set -uo pipefail
cd "$(dirname "$0")/.."
DESCENT_SWIFT_FLAGS=${DESCENT_SWIFT_FLAGS--Xswiftc -target-cpu -Xswiftc native}
python=${DESCENT_TORCH_PYTHON:-python3}

swift build -c release $DESCENT_SWIFT_FLAGS --product descent >&2 || { echo "the release build failed" >&2; exit 1; }
baselines=()
if command -v gcc >/dev/null; then
  binary=$(mktemp)
  trap 'rm -f "$binary"' EXIT
  gcc -O3 -march=native -fno-math-errno -fopenmp scripts/reference/steps.c -o "$binary" -lm \
    && baselines+=(--c-baseline "$binary")
else
  echo "note: no gcc, so no C baseline" >&2
fi
if "$python" -c "import torch" 2>/dev/null; then
  baselines+=(--torch-baseline "$python scripts/reference/torch-steps.py")
else
  echo "note: $python cannot import torch, so no PyTorch baseline (set DESCENT_TORCH_PYTHON)" >&2
fi
if [ $# -eq 0 ]; then
  set -- --optimizers sgd,adam,adamw,adagrad --sizes 1M,200x4096,50M --skip-training --runs 11
fi
exec .build/release/descent bench "${baselines[@]}" "$@"
