#!/usr/bin/env bash
# Builds and runs a package written as the README tells a user to write one, against this
# checkout: its Package.swift is the README's manifest lines (the `.package(url: ...)` line
# replaced by the README's path dependency), its main.swift the README's quick start, verbatim.
# Checks that the program prints what the README says, that the package built none of
# swift-argument-parser, DescentPlot (cairo), DescentDistributed (Open MPI) and Hummingbird (not
# even resolved), and (`ldd`) that the binary links OpenBLAS and the Swift runtime only.
#
#   scripts/check-user-package.sh          # a fresh copy of the checkout's files (1-3 min)
#   KEEP=1 scripts/check-user-package.sh   # keeps the temporary folder and says where
#
# The copy holds the files git knows of (with their uncommitted changes), in a folder named
# `descent` beside the package, so that `package: "descent"` is its identity as in the README.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/descent-user-package.XXXXXX")"
if [ "${KEEP:-0}" = 1 ]; then
  echo "keeping $work" >&2
else
  trap 'rm -rf "$work"' EXIT
fi
fail() {
  echo "check-user-package: $*" >&2
  exit 1
}

# The README's ```swift block number $1 (1 = the first) of the section whose heading is $2.
snippet() {
  awk -v wanted="$1" -v heading="$2" '
    $0 == heading { inside = 1; next }
    inside && /^## / { exit }
    inside && /^```swift$/ { count++; if (count == wanted) { printing = 1; next } }
    printing && /^```$/ { exit }
    printing { print }
  ' "$repo/README.md"
}

mkdir -p "$work/descent" "$work/MyTrainer/Sources/MyTrainer"
(cd "$repo" && git ls-files -z | xargs -0 tar -cf - --) | tar -xf - -C "$work/descent"

manifest="$(snippet 1 "## Using Descent in your package")"
path_line="$(snippet 2 "## Using Descent in your package" | grep -F '.package(path:')"
if [ -z "$manifest" ] || [ -z "$path_line" ]; then fail "README.md has no manifest snippets"; fi
grep -qF '.package(url:' <<<"$manifest" || fail "the README's manifest has no .package(url:) line"
{
  echo '// swift-tools-version:6.0'
  echo 'import PackageDescription'
  echo
  echo 'let package = Package('
  echo '  name: "MyTrainer",'
  # The README's lines, with its path dependency in place of the URL.
  while IFS= read -r line; do
    case "$line" in
      *'.package(url:'*) echo "  ${path_line}" ;;
      *) echo "  $line" ;;
    esac
  done <<<"$manifest"
  echo ')'
} >"$work/MyTrainer/Package.swift"
snippet 1 "## Quick start in Swift" >"$work/MyTrainer/Sources/MyTrainer/main.swift"
[ -s "$work/MyTrainer/Sources/MyTrainer/main.swift" ] || fail "README.md has no quick start"

cd "$work/MyTrainer"
echo "--- Package.swift" >&2
cat Package.swift >&2
swift build 2>&1 | tail -n 3 >&2 || fail "the package does not build"
# SwiftPM resolves what the dependency's products need (swift-argument-parser, for the `descent`
# tool) but builds only what `Descent` needs; Hummingbird is no product's, so not even resolved.
if grep -qi hummingbird Package.resolved; then fail "the package resolved Hummingbird"; fi
modules="$(swift build --show-bin-path)/Modules"
for unwanted in ArgumentParser DescentPlot DescentDistributed Hummingbird; do
  [ ! -e "$modules/$unwanted.swiftmodule" ] || fail "the package built $unwanted"
done

binary="$(swift build --show-bin-path)/MyTrainer"
output="$("$binary")" || fail "the quick start failed: $output"
for expected in "Linear(in_features=5, out_features=1, bias=True)" \
  "  (fc1): Linear(in_features=10, out_features=100, bias=True)"; do
  grep -qxF -- "$expected" <<<"$output" || fail "the quick start did not print '$expected'"
done

# Every library the binary loads must be OpenBLAS (with its Fortran runtime), the Swift runtime
# and Foundation, or the C/C++ runtime.
libraries="$(ldd "$binary" | awk '{ print $1 }')"
echo "--- ldd $binary" >&2
echo "$libraries" >&2
grep -q '^libopenblas' <<<"$libraries" || fail "the binary does not link OpenBLAS"
allowed='^(linux-vdso\.so|/lib[^ ]*/ld-linux[^ ]*\.so|lib(c|m|dl|pthread|rt|util|stdc\+\+|gcc_s|openblas|blas|cblas|gfortran|quadmath|gomp|BlocksRuntime|dispatch|icu[a-z0-9]*)\.so|libswift[A-Za-z0-9_]*\.so|lib_?Foundation[A-Za-z0-9_]*\.so)'
unexpected="$(grep -Ev "$allowed" <<<"$libraries" || true)"
[ -z "$unexpected" ] || fail "the binary links more than OpenBLAS and the Swift runtime: $unexpected"
echo "check-user-package: ok (the README's package builds, runs, and links OpenBLAS and the Swift runtime only)"
