#!/usr/bin/env bash
# Policy engine benchmark (see policy_bench.cpp), then the same access checks
# made by Cedar (cedar_bench.mjs: @cedar-policy/cedar-wasm on node) on the
# equivalent policy, and one table comparing them. Builds in release mode.
# Usage: bench/policy/run.sh
#   CEDAR_CHECKS=N  how many of the 200,000 checks Cedar times (default 20000; 0: all,
#                   which takes several minutes: Cedar evaluates every policy per check)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build="$root/build/policy-bench"
cedar="$build/cedar"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "run.sh: the Cedar side needs node and npm: apt-get install nodejs npm" >&2
    exit 1
  fi
  apt-get update -q >/dev/null && apt-get install -y -q nodejs npm >/dev/null
fi
# The pinned cedar-wasm, again whenever package-lock.json changed.
if [ ! -f "$here/node_modules/.package-lock.json" ] || [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
  (cd "$here" && npm ci --silent)
fi

cmake --preset release -S "$root" -B "$build" >/dev/null
cmake --build "$build" --target policy_bench -- -j"$(nproc)" >/dev/null
nice -n 10 "$build/bench/policy/policy_bench" --cedar "$cedar"
nice -n 10 node "$here/cedar_bench.mjs" "$cedar" "${CEDAR_CHECKS:-20000}" >"$cedar/cedar.json"

node - "$cedar/ours.json" "$cedar/cedar.json" <<'JS'
const [ours, cedar] = process.argv.slice(2).map((f) => JSON.parse(require("fs").readFileSync(f, "utf8")));
const us = (v) => (v < 10 ? v.toFixed(2) : v.toFixed(0)) + " us";
const x = (v) => (v < 10 ? v.toFixed(1) : v.toFixed(0)) + "x";
console.log(`
Same decisions, Cedar ${cedar.cedar} (cedar-wasm on node, ${cedar.api}): ${cedar.checks - cedar.disagreements} of ${cedar.checks} agree` +
  (cedar.checks < cedar.of ? ` (Cedar timed the first ${cedar.checks} of the ${cedar.of} checks)` : ""));
console.log("| access check | p50 | p99 | target |\n|---|---|---|---|");
console.log(`| postured (C++, in process) | ${us(ours.p50_us)} | ${us(ours.p99_us)} | p50 < 2 us |`);
console.log(`| Cedar | ${us(cedar.p50_us)} | ${us(cedar.p99_us)} | |`);
console.log(`| per-decision ratio (Cedar / postured) | ${x(cedar.p50_us / ours.p50_us)} | ${x(cedar.p99_us / ours.p99_us)} | ≥ 5x |`);
JS
