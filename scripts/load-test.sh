#!/usr/bin/env bash
# Runs the end-to-end, record and scenario tests of one build tree again while
# every core is kept busy by a looping process at normal priority, and requires
# the same verdicts (the tests assert them). Verdicts must not depend on the
# machine's load (docs/verdict-clocks.md).
#   scripts/load-test.sh BUILD_DIR [ctest arguments...]
set -euo pipefail
build=${1:?build directory}
shift
loops=()
stop_loops() {
  if [ ${#loops[@]} -gt 0 ]; then kill "${loops[@]}" 2>/dev/null || true; fi
  wait 2>/dev/null || true
}
trap stop_loops EXIT
for _ in $(seq "$(nproc)"); do
  bash -c 'while :; do :; done' &
  loops+=("$!")
done
echo "taskscope: ${#loops[@]} busy loops started; end-to-end and scenario tests under load" >&2
ctest --test-dir "$build" --output-on-failure -j "${TASKSCOPE_JOBS:-$(nproc)}" \
  -R '^(e2e_test|scenarios_test|preload_test):' "$@"
