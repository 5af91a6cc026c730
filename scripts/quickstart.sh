#!/usr/bin/env bash
# The README's first command: install what is missing, build, then record a
# hanging service with the flight recorder and print taskscope's analysis of it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
echo "taskscope: building (first time takes a few minutes)..." >&2
"$root/scripts/build.sh" "$root/build" -DTASKSCOPE_BUILD_BENCH=OFF > "$root/build.log" 2>&1 ||
  { tail -n 40 "$root/build.log" >&2; echo "taskscope: build failed, see build.log" >&2; exit 1; }
exec "$root/scripts/demo.sh" "$root/build"
