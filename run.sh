#!/usr/bin/env bash
# Installs what is missing, builds a release binary and starts the demo:
# postured with a SentinelOne emulator, a generated fleet and its devices,
# synced once, serving until Ctrl-C. Arguments go to `postured demo`, e.g.
# ./run.sh --listen 0.0.0.0:8080 --agents 1000
set -euo pipefail
cd "$(dirname "$0")"
./scripts/bootstrap-debian.sh
cmake --preset release >/dev/null
cmake --build --preset release -- -j"$(nproc)"
exec ./build/release/src/postured demo "$@"
