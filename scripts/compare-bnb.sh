#!/usr/bin/env bash
# Descent's 8-bit and bfloat16 Adam beside bitsandbytes' CPU Adam8bit (issue 16: at least 100x
# faster than its ~43.5 ns/param), in one run on this machine: builds the release `descent`
# (-target-cpu native), then scripts/compare-bnb.py alternates rounds of `descent bench
# --optimizers adam,adam8bit,adambf16`, bitsandbytes' `bnb.optim.Adam8bit` and PyTorch's fused
# float32 Adam on the same sizes and threads, and prints each row's median ns/param and how many
# times faster than bitsandbytes it is. Arguments go to compare-bnb.py (--sizes 1M,4M --rounds N
# --threads N --steps N --runs N).
#
# torch and bitsandbytes are looked for in $DESCENT_TORCH_PYTHON, else python3; install them apart
# from the repo, e.g. `python3 -m venv ~/venv-torch && ~/venv-torch/bin/pip install torch==2.15.0
# bitsandbytes==0.50.2`, then `DESCENT_TORCH_PYTHON=~/venv-torch/bin/python scripts/compare-bnb.sh`.
set -uo pipefail
cd "$(dirname "$0")/.."
DESCENT_SWIFT_FLAGS=${DESCENT_SWIFT_FLAGS--Xswiftc -target-cpu -Xswiftc native}
python=${DESCENT_TORCH_PYTHON:-python3}

swift build -c release $DESCENT_SWIFT_FLAGS --product descent >&2 || { echo "the release build failed" >&2; exit 1; }
"$python" scripts/compare-bnb.py --descent .build/release/descent --threads "$(nproc)" "$@"
