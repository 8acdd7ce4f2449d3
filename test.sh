#!/usr/bin/env bash
# Runs every test: installs what is missing, builds, and runs `swift test`; then checks, in a
# release build (the only one whose allocations mean anything), that warm optimizer and training
# steps allocate nothing.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
swift test "$@"
swift build -c release --product descent-allocation-check
.build/release/descent-allocation-check
