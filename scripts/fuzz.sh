#!/usr/bin/env bash
# Builds the reader's libFuzzer target with clang and runs it for a bounded time
# on a copy of the seed corpus.   scripts/fuzz.sh [SECONDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
build=$root/build-fuzz
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DTASKSCOPE_BUILD_FUZZ=ON -DTASKSCOPE_WERROR=ON \
  -DTASKSCOPE_BUILD_TESTS=OFF -DTASKSCOPE_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j "${TASKSCOPE_JOBS:-$(nproc)}" --target reader_fuzz
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$build/fuzz/reader_fuzz" -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 \
  "$work" "$root/fuzz/corpus"
