#!/usr/bin/env bash
# The main job: installs what is missing, builds Descent in release mode, and runs `descent` with
# the given arguments (by default `compare`: seven optimizers on the digits MLP, curves in compare.png).
set -euo pipefail
cd "$(dirname "$0")"
# Release builds use this machine's vector width (AVX2, AVX-512): the kernels are auto-vectorized
# loops. Set DESCENT_SWIFT_FLAGS= (empty) for a portable binary.
DESCENT_SWIFT_FLAGS=${DESCENT_SWIFT_FLAGS--Xswiftc -target-cpu -Xswiftc native}
scripts/setup.sh
swift build -c release $DESCENT_SWIFT_FLAGS --product descent >&2
if [ $# -eq 0 ]; then set -- compare; fi
exec .build/release/descent "$@"
