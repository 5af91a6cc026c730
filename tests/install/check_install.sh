#!/usr/bin/env bash
# check_install.sh BUILD_DIR CONSUMER_SOURCE [FLAGS]: install, build the consumer
# against the installed package (with FLAGS, the sanitizer flags of a sanitizer
# build), run it, and check the trace it wrote.
set -euo pipefail
build=$1
consumer=$2
flags=${3:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$consumer" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" >/dev/null
cmake --build "$work/build" >/dev/null
test -f "$work/prefix/include/taskscope/asio/handler_tracking.hpp"
"$work/build/consumer" "$work/out.tscope"
"$work/prefix/bin/taskscope" validate "$work/out.tscope"
"$work/prefix/bin/taskscope" dump "$work/out.tscope" --kind resource_create | grep -q '"installed-lock"'
echo "installed package works"
