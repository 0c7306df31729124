#!/usr/bin/env bash
# Sync benchmark: s1emu with N agents (default 100,000) and postured with the
# matching devices. Prints the first full sync's wall time, a no-op re-sync's
# wall time and rows written, postured's peak RSS, and the time curl alone
# takes to fetch the same pages (the limit), with the ratios; and, as the
# floor under a first sync, the time SQLite alone takes to write its rows.
# Then, from bench/sync/sync_stages, where a sync's CPU time goes.
# Usage: bench/sync/run.sh [agents]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
agents=${1:-100000}
token=bench-token

"$root/scripts/bootstrap-debian.sh"
cmake --preset release -S "$root" >/dev/null
cmake --build "$root/build/release" -- -j"$(nproc)" >/dev/null
bin="$root/build/release/src/postured"
emu="$root/build/release/tools/s1emu/s1emu"

work=$(mktemp -d)
cleanup() {
  for pid in ${server_pid:-} ${emu_pid:-}; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

wait_listening() { for _ in $(seq 300); do grep -q '"listening"' "$1" 2>/dev/null && return; sleep 0.1; done; echo "no start: $1" >&2; cat "$1" >&2; exit 1; }
address_of() { grep -o '"address":"[^"]*"' "$1" | head -1 | cut -d'"' -f4; }

"$emu" --listen 127.0.0.1:0 --token "$token" --generate "$agents" --seed 1 --devices-out "$work/devices.json" \
  2>"$work/s1emu.log" &
emu_pid=$!
wait_listening "$work/s1emu.log"
emu_url="http://$(address_of "$work/s1emu.log")"

"$bin" serve --listen 127.0.0.1:0 --data-dir "$work/data" --allow-insecure-provider-urls true --access-log false \
  2>"$work/postured.log" &
server_pid=$!
wait_listening "$work/postured.log"
base="http://$(address_of "$work/postured.log")"
key=$(cat "$work/data/admin.key")
auth=(-H "Authorization: Bearer $key" -H 'Content-Type: application/json')

# Import the devices, 10,000 per request (the import takes up to 50,000; smaller
# batches keep its JSON parsing out of the peak RSS, which is about the sync).
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
devices = json.load(open(f"{work}/devices.json"))["devices"]
for n, start in enumerate(range(0, len(devices), 10000)):
    json.dump({"devices": devices[start:start + 10000]}, open(f"{work}/import-{n}.json", "w"))
PY
device_count=0
for f in "$work"/import-*.json; do
  curl -sf -o /dev/null "${auth[@]}" --data-binary @"$f" "$base/api/v2/tailnet/-/devices"
done
device_count=$(python3 -c "import json; print(len(json.load(open('$work/devices.json'))['devices']))")

# The limit: curl alone fetching the same pages. The cursors are collected
# first (untimed); then one curl process fetches every page URL over a reused
# connection, which is what the sync's own client does.
urls=()
cursor=""
mkdir -p "$work/pages"  # kept for the stage timings at the end
while :; do
  url="$emu_url/web/api/v2.1/agents?limit=1000&isDecommissioned=false"
  [ -n "$cursor" ] && url="$url&cursor=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$cursor")"
  urls+=("$url")
  page_file=$(printf '%s/pages/page-%04d.json' "$work" "${#urls[@]}")
  curl -sf -H "Authorization: ApiToken $token" -o "$page_file" "$url"
  cursor=$(grep -o '"nextCursor":"[^"]*"' "$page_file" | cut -d'"' -f4 || true)
  [ -z "$cursor" ] && break
done
pages=${#urls[@]}
fetch_args=()
for url in "${urls[@]}"; do fetch_args+=(-o /dev/null "$url"); done
fetch_start=$(date +%s.%N)
curl -sf -H "Authorization: ApiToken $token" "${fetch_args[@]}"
fetch_seconds=$(echo "$(date +%s.%N) - $fetch_start" | bc -l)

wait_run() {  # integration id, run id -> prints the finished run's JSON
  # Polled with curl and grep only: a Python start-up per poll would take the
  # CPU the run is being timed on.
  for _ in $(seq 6000); do
    run=$(curl -sf "${auth[@]}" "$base/api/v2/posture/integrations/$1/runs" | grep -o "{[^{}]*\"id\":\"$2\"[^{}]*}" || true)
    if [ -n "$run" ] && ! grep -q '"outcome":"running"' <<<"$run"; then echo "$run"; return; fi
    sleep 0.2
  done
  echo "run $2 did not finish" >&2; exit 1
}
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }

created=$(curl -sf "${auth[@]}" -d "{\"provider\":\"sentinelone\",\"cloudId\":\"$emu_url\",\"clientSecret\":\"$token\"}" \
  "$base/api/v2/tailnet/-/posture/integrations")
integration=$(field "$created" id)
first_id=""
for _ in $(seq 600); do  # the create's run starts within the scheduler's next tick
  first_id=$(curl -sf "${auth[@]}" "$base/api/v2/posture/integrations/$integration/runs" |
    grep -o '"id":"[^"]*"' | tail -1 | cut -d'"' -f4 || true)
  [ -n "$first_id" ] && break
  sleep 0.1
done
wait_run "$integration" "$first_id" >/dev/null
for _ in $(seq 600); do  # 409 while the first run's thread is still winding down
  again_json=$(curl -s "${auth[@]}" -X POST "$base/api/v2/posture/integrations/$integration/sync")
  case "$again_json" in *'"status":409'*) sleep 0.1 ;; *) break ;; esac
done
again_id=$(grep -o '"runId":"[^"]*"' <<<"$again_json" | cut -d'"' -f4) ||  # no Python while the run is timed
  { echo "manual sync refused: $again_json" >&2; exit 1; }
again=$(wait_run "$integration" "$again_id")
# The first run as its thread finally recorded it: the run turns "success" in
# the commit that applies it, and its duration is updated once that commit is
# through, so a record read any earlier would leave the commit out.
first=$(wait_run "$integration" "$first_id")
rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status")

full_ms=$(field "$first" durationMs)
noop_ms=$(field "$again" durationMs)
fetch_ms=$(echo "$fetch_seconds * 1000" | bc -l)
echo "sync benchmark ($(nproc) cores, $agents agents in $pages pages, $device_count devices)"
printf '  curl alone fetching every page:        %8.0f ms\n' "$fetch_ms"
printf '  first full sync:                       %8d ms  (%.2fx fetch; outcome %s, matched %s, rows written %s)\n' \
  "$full_ms" "$(echo "$full_ms / $fetch_ms" | bc -l)" "$(field "$first" outcome)" "$(field "$first" matchedCount)" \
  "$(field "$first" attributesChanged)"
printf '  no-op re-sync:                         %8d ms  (%.2fx fetch; rows written %s)\n' \
  "$noop_ms" "$(echo "$noop_ms / $fetch_ms" | bc -l)" "$(field "$again" attributesChanged)"
printf '  postured peak RSS:                     %8d MiB\n' "$((rss_kb / 1024))"
# The storage floor under the first sync: SQLite alone writing its rows.
changed_devices=$(field "$first" matchedCount)
floor_ms=$(python3 "$root/bench/sync/sqlite_floor.py" "$work/data/postured.db" "$changed_devices")
printf '  SQLite alone writing the first sync'"'"'s rows: %5d ms  (%.2fx fetch; %s attribute rows and audit events)\n' \
  "$floor_ms" "$(echo "$floor_ms / $fetch_ms" | bc -l)" "$changed_devices"
bare_ms=$(python3 "$root/bench/sync/sqlite_floor.py" --bare "$work/data/postured.db" "$changed_devices")
printf '  ... without indexes, journal or fsync: %5d ms  (%.2fx fetch)\n' "$bare_ms" "$(echo "$bare_ms / $fetch_ms" | bc -l)"
# Where the CPU goes: the same pages parsed and matched on one core, no network.
kill "$server_pid" "$emu_pid" 2>/dev/null && wait "$server_pid" "$emu_pid" 2>/dev/null || true
server_pid="" emu_pid=""
"$root/build/release/bench/sync/sync_stages" "$work/pages" "$work/devices.json"
