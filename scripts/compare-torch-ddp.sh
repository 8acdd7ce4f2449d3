#!/usr/bin/env bash
# The data-parallel step of `descent bench --ranks N` beside PyTorch's DistributedDataParallel on
# the same model, batch and optimizer (scripts/compare-torch-ddp.py), alternating twice so that
# both see the machine alike. Needs Open MPI and, for the PyTorch rows, a Python with torch:
#   PYTHON=/path/to/venv/bin/python scripts/compare-torch-ddp.sh [ranks]
set -euo pipefail
cd "$(dirname "$0")/.."
ranks="${1:-2}"
python="${PYTHON:-python3}"
read -r -a flags <<<"${DESCENT_SWIFT_FLAGS--Xswiftc -target-cpu -Xswiftc native}"
swift build -c release "${flags[@]}" --product descent >/dev/null
for round in 1 2; do
  echo "== round $round: Descent"
  .build/release/descent bench --skip-steps --skip-training --ranks "$ranks" | sed -n '/Data-parallel step/,$p'
  echo "== round $round: PyTorch"
  if "$python" -c "import torch" 2>/dev/null; then
    "$python" scripts/compare-torch-ddp.py --ranks "$ranks"
  else
    echo "(no torch for $python: set PYTHON to a Python with torch==2.15.0)"
  fi
done
