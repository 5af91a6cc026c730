#!/usr/bin/env bash
# What a packager does: a plain Release build (-O3) of the programs and
# libraries, warnings as errors, installed into a scratch prefix. GCC's -O3
# warnings differ from the test builds' -O2 ones.
#   scripts/release-check.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-release}
"$root/scripts/install-deps.sh"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DTASKSCOPE_WERROR=ON \
  -DTASKSCOPE_BUILD_TESTS=OFF -DTASKSCOPE_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j "${TASKSCOPE_JOBS:-$(nproc)}"
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
"$prefix/bin/taskscope" --help >/dev/null
echo "taskscope: Release build installed and runs"
