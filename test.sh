#!/usr/bin/env bash
# Runs every test: installs what is missing, builds, and runs `swift test`; then checks, in a
# release build (the only one whose allocations mean anything), that warm optimizer and training
# steps allocate nothing.
set -euo pipefail
cd "$(dirname "$0")"
# Builds use this machine's vector width (AVX2, AVX-512), so the tests run the kernels' vector
# paths that releases take. Set DESCENT_SWIFT_FLAGS= (empty) for a portable binary.
DESCENT_SWIFT_FLAGS=${DESCENT_SWIFT_FLAGS--Xswiftc -target-cpu -Xswiftc native}
scripts/setup.sh
swift test $DESCENT_SWIFT_FLAGS "$@"
swift build -c release $DESCENT_SWIFT_FLAGS --product descent-allocation-check
.build/release/descent-allocation-check
