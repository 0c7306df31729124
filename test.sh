#!/usr/bin/env bash
# Installs what is missing, builds with -Werror and runs every test with CTest.
set -euo pipefail
cd "$(dirname "$0")"
./scripts/bootstrap-debian.sh
# The console's browser tests drive Chromium with playwright-core, pinned in tests/e2e/package-lock.json.
(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
cmake --preset ci >/dev/null
cmake --build --preset ci -- -j"$(nproc)"
ctest --preset ci -j"$(nproc)"
