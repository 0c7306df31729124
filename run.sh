#!/usr/bin/env bash
# Installs what is missing, builds a release binary and starts the server.
# Arguments are passed to `postured serve`, e.g. ./run.sh --listen 0.0.0.0:8080
set -euo pipefail
cd "$(dirname "$0")"
./scripts/bootstrap-debian.sh
cmake --preset release >/dev/null
cmake --build --preset release -- -j"$(nproc)"
exec ./build/release/src/postured serve "$@"
