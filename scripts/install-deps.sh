#!/usr/bin/env bash
# Installs the Debian 12 packages taskscope builds and tests with, if missing.
# Fast when everything is there: it asks dpkg first and only then apt.
set -euo pipefail

packages=(
  cmake make g++ pkg-config
  flatbuffers-compiler flatbuffers-compiler-dev libflatbuffers-dev
  libzstd-dev libboost1.81-dev libboost-graph1.81-dev libcli11-dev catch2
  libbenchmark-dev libspdlog-dev libdw-dev rapidjson-dev
  clang libclang-rt-14-dev ccache
  libgraphviz-dev chromium
  libncurses-dev
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "taskscope: missing packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
  exit 2
fi
echo "taskscope: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Boost 1.81 replaces 1.74's -dev packages where those are installed (they
# conflict); apt removes them in the same step.
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
