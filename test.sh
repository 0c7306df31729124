#!/usr/bin/env bash
# Installs what is missing, builds with -Werror and runs every test with CTest.
set -euo pipefail
cd "$(dirname "$0")"
./scripts/bootstrap-debian.sh
cmake --preset ci >/dev/null
cmake --build --preset ci -- -j"$(nproc)"
ctest --preset ci -j"$(nproc)"
