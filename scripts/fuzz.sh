#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a bounded time on a
# copy of its seed corpus.   scripts/fuzz.sh [SECONDS]   (per target)
#   reader_fuzz     the reader on arbitrary bytes; seeds fuzz/corpus
#   analysis_fuzz   every command on well-formed traces; seeds the scenario
#                   traces (converted by seed_from_trace) and fuzz/analysis_corpus
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
build=$root/build-fuzz
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DTASKSCOPE_BUILD_FUZZ=ON -DTASKSCOPE_WERROR=ON \
  -DTASKSCOPE_BUILD_TESTS=OFF -DTASKSCOPE_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j "${TASKSCOPE_JOBS:-$(nproc)}" --target reader_fuzz analysis_fuzz seed_from_trace
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/reader" "$work/analysis" "$work/seeds"
"$build/fuzz/seed_from_trace" "$work/seeds" "$root"/traces/*/*.tscope
# -timeout: one input runs a dozen commands on two small traces; a minute is a hang.
"$build/fuzz/reader_fuzz" -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 \
  "$work/reader" "$root/fuzz/corpus"
# fuzz/analysis_corpus holds inputs that once found a bug (tests/fuzz replays them).
# A fixed seed (TASKSCOPE_FUZZ_SEED=0 for a random one) makes a CI run repeatable.
"$build/fuzz/analysis_fuzz" -seed="${TASKSCOPE_FUZZ_SEED:-1}" -max_total_time="$seconds" \
  -rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=60 -close_fd_mask=2 -print_final_stats=1 "$work/analysis" "$work/seeds" \
  $(find "$root/fuzz/analysis_corpus" -maxdepth 0 -type d 2>/dev/null)
