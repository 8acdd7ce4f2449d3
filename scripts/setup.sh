#!/usr/bin/env bash
# Installs the system libraries Descent builds against when they are missing (Debian/Ubuntu):
# OpenBLAS (cblas), cairo (figures), a font for figure text, and Open MPI (mpirun and libmpi, for
# `descent train --distributed` and its tests; Descent itself builds without it), and iproute2
# (`ip netns`, for the two-host test in scripts/two-hosts/), and Chromium (headless, for the
# explorer's browser tests in Tests/DescentServeTests).
set -euo pipefail
packages=(libopenblas-dev libcairo2-dev fonts-dejavu-core pkg-config openmpi-bin libopenmpi-dev
  iproute2 chromium)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing system libraries: ${missing[*]}" >&2
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
