#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer: builds `descent-fuzz` (Fuzz/Sources) instrumented with
# -sanitize=fuzzer,address and runs a target for SECONDS seconds on its committed seed corpus
# (Fuzz/Corpus/TARGET) plus what earlier runs found (.build-fuzz/corpus/TARGET).
#
#   scripts/fuzz.sh TARGET SECONDS [libFuzzer flags...]   TARGET: checkpoint, csv, fixture,
#                                                         options, or all (SECONDS each)
#
# A crash, a leak or a timeout stops the run with a non-zero status; the input is saved as
# .build-fuzz/artifacts/TARGET/crash-* (replay: DESCENT_FUZZ_TARGET=TARGET
# .build-fuzz/debug/descent-fuzz FILE, or `swift run descent-fuzz TARGET FILE` without libFuzzer).
set -euo pipefail
cd "$(dirname "$0")/.."
targets=(checkpoint csv fixture options)
target=${1:?usage: scripts/fuzz.sh checkpoint|csv|fixture|options|all SECONDS [libFuzzer flags]}
seconds=${2:-60}
shift $(($# < 2 ? $# : 2))
[[ $target == all ]] || targets=("$target")
scratch=${DESCENT_FUZZ_SCRATCH:-.build-fuzz}
swift build -c debug --scratch-path "$scratch" --product descent-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING \
  -Xlinker --export-dynamic-symbol=LLVMFuzzerRunDriver
binary="$scratch/debug/descent-fuzz"
for name in "${targets[@]}"; do
  [[ -d Fuzz/Corpus/$name ]] || { echo "no target '$name' (Fuzz/Corpus/$name)" >&2; exit 64; }
  corpus="$scratch/corpus/$name" artifacts="$scratch/artifacts/$name/"
  mkdir -p "$corpus" "$artifacts"
  echo "fuzzing $name for ${seconds}s"
  DESCENT_FUZZ_TARGET=$name ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} "$binary" \
    -max_total_time="$seconds" -timeout=20 -rss_limit_mb=3072 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$artifacts" "$@" "$corpus" "Fuzz/Corpus/$name"
done
