#!/usr/bin/env bash
# The main job: installs what is missing, builds Descent in release mode, and runs `descent` with
# the given arguments (by default `compare`: seven optimizers on the digits MLP, curves in compare.png).
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
swift build -c release --product descent >&2
if [ $# -eq 0 ]; then set -- compare; fi
exec .build/release/descent "$@"
