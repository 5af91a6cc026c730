#!/usr/bin/env bash
# The main job in one screen: run the service scenario (traces/service), an
# async service whose GET /report hangs; the flight recorder's hang watchdog
# dumps the trace and ends the process; then print `taskscope analyze` of it.
#   scripts/demo.sh [BUILD_DIR]      (a tree built by scripts/build.sh; default build/)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
service=$build/traces/service
taskscope=$build/cli/taskscope
for program in "$service" "$taskscope"; do
  if [ ! -x "$program" ]; then
    echo "taskscope: $program is missing: build first (scripts/build.sh)" >&2
    exit 2
  fi
done
trace=$build/service.tscope
rm -f "$trace"
# Paths as the reader would type them from the repository root.
show() { echo "${1#"$root"/}"; }

echo "\$ $(show "$service") $(show "$trace")    # hangs on GET /report"
status=0
"$service" "$trace" || status=$?
if [ ! -s "$trace" ]; then
  echo "taskscope: the service wrote no trace (exit status $status)" >&2
  exit 1
fi
echo
echo "\$ taskscope analyze $(show "$trace")"
# Exit status 1 means "found an error-severity finding": the expected outcome here.
analysis=0
"$taskscope" analyze "$trace" || analysis=$?
if [ "$analysis" -gt 1 ]; then exit "$analysis"; fi
