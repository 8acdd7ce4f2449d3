#!/usr/bin/env bash
# Descent's user-model training steps beside PyTorch's on the same machine: builds the descent
# tool (release), prints `descent bench --user-models`, then scripts/compare-torch.py's table.
# Arguments are passed on to compare-torch.py (--rows NAME,... --rounds N --threads N).
#
# The Python used is the first of $DESCENT_TORCH_PYTHON, /work/venv-torch/bin/python and python3
# that can import torch; with none, compare-torch.py prints `torch not installed` and exits 0.
set -uo pipefail
cd "$(dirname "$0")/.."

python=python3
for candidate in "${DESCENT_TORCH_PYTHON:-}" /work/venv-torch/bin/python python3; do
  if [ -n "$candidate" ] && "$candidate" -c 'import torch' 2>/dev/null; then
    python=$candidate
    break
  fi
done

echo "== Descent"
if swift build -c release --product descent >&2; then
  .build/release/descent bench --user-models || echo "note: 'descent bench --user-models' failed; Descent rows skipped"
else
  echo "note: 'swift build -c release --product descent' failed; Descent rows skipped"
fi

echo "== PyTorch ($python)"
"$python" scripts/compare-torch.py "$@"
