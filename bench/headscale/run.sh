#!/usr/bin/env bash
# headscale benchmark. First resolution_bench: how long resolving the postures
# of 1,000 rules over 10,000 nodes takes, in process, in full and again after
# one device's attribute flips (as the push does). Then the whole path with
# real processes: hsemu with NODES nodes, postured driving it, and
# bench/headscale/drive.py timing an attribute flip until the PUT reaches
# headscale, a 10,000-attribute batch, and the size of the pushed policy.
# Usage: bench/headscale/run.sh [nodes (default 10000)] [flips (default 20)]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
nodes=${1:-10000}
flips=${2:-20}

"$root/scripts/bootstrap-debian.sh"
cmake --preset release -S "$root" >/dev/null
cmake --build "$root/build/release" -- -j"$(nproc)" >/dev/null
bin="$root/build/release/src/postured"
hsemu="$root/build/release/tools/hsemu/hsemu"

echo "resolution in process (10,000 nodes, 1,000 rules; the argument: rules from autogroup:member)"
"$root/build/release/bench/headscale/resolution_bench" --benchmark_min_time=1 2>/dev/null | grep BM_
echo

work=$(mktemp -d)
cleanup() {
  for pid in ${server_pid:-} ${hsemu_pid:-}; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
wait_listening() { for _ in $(seq 300); do grep -q '"listening"' "$1" 2>/dev/null && return; sleep 0.1; done; echo "no start: $1" >&2; cat "$1" >&2; exit 1; }
address_of() { grep -o '"address":"[^"]*"' "$1" | head -1 | cut -d'"' -f4; }

echo "hskey-api-bench-0123456789abcdef" >"$work/hs.key"
chmod 600 "$work/hs.key"
"$hsemu" --listen 127.0.0.1:0 --api-key-file "$work/hs.key" 2>"$work/hsemu.log" &
hsemu_pid=$!
wait_listening "$work/hsemu.log"
hsemu_url="http://$(address_of "$work/hsemu.log")"

"$bin" serve --listen 127.0.0.1:0 --data-dir "$work/data" --allow-insecure-provider-urls true --access-log false \
  --headscale-url "$hsemu_url" --headscale-api-key-file "$work/hs.key" --headscale-poll-interval 1s \
  2>"$work/postured.log" &
server_pid=$!
wait_listening "$work/postured.log"
base="http://$(address_of "$work/postured.log")"

python3 "$root/bench/headscale/drive.py" "$base" "$(cat "$work/data/admin.key")" "$hsemu_url" "$nodes" "$flips"
printf '  postured peak RSS:                     %8d MiB\n' "$(($(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status") / 1024))"
