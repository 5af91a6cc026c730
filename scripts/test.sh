#!/usr/bin/env bash
# The README's test command: install what is missing, build, run every test.
# The plain and ASan runs end with the end-to-end and scenario tests again under
# a saturating CPU load (scripts/load-test.sh): the verdicts must not change.
#   scripts/test.sh                      normal build in build/
#   scripts/test.sh --sanitize address   ASan+UBSan build in build-asan/
#   scripts/test.sh --sanitize thread    TSan build in build-tsan/ (recorder tests)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sanitize=""
if [ "${1:-}" = "--sanitize" ]; then sanitize=${2:?address or thread}; fi
"$root/scripts/install-deps.sh"
jobs=${TASKSCOPE_JOBS:-$(nproc)}
case "$sanitize" in
  "")
    build=$root/build
    "$root/scripts/build.sh" "$build"
    ctest --test-dir "$build" --output-on-failure -j "$jobs"
    "$root/scripts/load-test.sh" "$build"
    ;;
  address)
    build=$root/build-asan
    "$root/scripts/build.sh" "$build" -DTASKSCOPE_SANITIZE=address -DTASKSCOPE_BUILD_BENCH=OFF
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    export LSAN_OPTIONS=suppressions=$root/tests/sanitizers/lsan.supp:print_suppressions=0
    ctest --test-dir "$build" --output-on-failure -j "$jobs"
    "$root/scripts/load-test.sh" "$build"
    ;;
  thread)
    # The recorder's concurrency tests: rings, flusher, primitives under threads.
    build=$root/build-tsan
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTASKSCOPE_WERROR=ON -DTASKSCOPE_SANITIZE=thread \
      -DTASKSCOPE_BUILD_BENCH=OFF >/dev/null
    cmake --build "$build" -j "$jobs" --target recorder_test
    TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
      ctest --test-dir "$build" --output-on-failure -j "$jobs" -R '^recorder_test:'
    ;;
  *) echo "taskscope: --sanitize takes address or thread" >&2; exit 2 ;;
esac
