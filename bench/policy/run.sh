#!/usr/bin/env bash
# Policy engine benchmark (see policy_bench.cpp). Builds in release mode, then runs.
# Usage: bench/policy/run.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cmake --preset release -S "$root" -B "$root/build/policy-bench" >/dev/null
cmake --build "$root/build/policy-bench" --target policy_bench -- -j"$(nproc)" >/dev/null
nice -n 10 "$root/build/policy-bench/bench/policy/policy_bench"
