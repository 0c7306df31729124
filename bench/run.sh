#!/usr/bin/env bash
# Whole-process benchmark. Prints:
#  - the time of one PATCH /device-attributes writing 10,000 attributes;
#  - GET /api/v2/device/{id}/attributes throughput under wrk (keep-alive,
#    random devices out of 10,000) against nginx serving a static file of the
#    same size in the same run, and the ratio.
# Usage: bench/run.sh [seconds-per-wrk-run (default 10)] [connections (default 64)]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
duration=${1:-10}
connections=${2:-64}
devices=10000

"$root/scripts/bootstrap-debian.sh"
cmake --preset release -S "$root" >/dev/null
cmake --build "$root/build/release" -- -j"$(nproc)" >/dev/null
bin="$root/build/release/src/postured"

work=$(mktemp -d)
cleanup() {
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# --- postured ---------------------------------------------------------------
port=$(free_port)
"$bin" serve --listen "127.0.0.1:$port" --data-dir "$work/data" 2>"$work/postured.log" &
server_pid=$!
for _ in $(seq 100); do grep -q '"msg":"listening"' "$work/postured.log" 2>/dev/null && break; sleep 0.1; done
key=$(cat "$work/data/admin.key")
base="http://127.0.0.1:$port"

python3 - "$devices" >"$work/import.json" <<'PY'
import json, sys
n = int(sys.argv[1])
print(json.dumps({"devices": [{"hostname": f"bench{i}", "user": "bench@example.com", "os": "linux",
                               "osVersion": "6.1.0-18-amd64", "clientVersion": "1.94.2",
                               "serialNumbers": [f"SN{i:08d}"]} for i in range(n)]}))
PY
import_seconds=$(curl -sf -o "$work/imported.json" -w '%{time_total}' -H "Authorization: Bearer $key" \
  -H 'Content-Type: application/json' --data-binary @"$work/import.json" "$base/api/v2/tailnet/-/devices")
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
ids = [d["id"] for d in json.load(open(f"{work}/imported.json"))["devices"]]
open(f"{work}/ids.txt", "w").write("\n".join(ids) + "\n")
nodes = {i: {"custom:tier": {"value": "gold"}} for i in ids}
json.dump({"nodes": nodes, "comment": "benchmark"}, open(f"{work}/patch.json", "w"))
PY
patch_seconds=$(curl -sf -o /dev/null -w '%{time_total}' -X PATCH -H "Authorization: Bearer $key" \
  -H 'Content-Type: application/json' --data-binary @"$work/patch.json" "$base/api/v2/tailnet/-/device-attributes")

first=$(head -n1 "$work/ids.txt")
curl -sf -H "Authorization: Bearer $key" "$base/api/v2/device/$first/attributes" >"$work/attributes.json"
body_bytes=$(wc -c <"$work/attributes.json")

cat >"$work/postured.lua" <<LUA
local ids = {}
for line in io.lines("$work/ids.txt") do ids[#ids + 1] = line end
math.randomseed(42)
wrk.headers["Authorization"] = "Bearer $key"
request = function()
  return wrk.format("GET", "/api/v2/device/" .. ids[math.random(#ids)] .. "/attributes")
end
done = function(summary, latency, requests)
  io.write(string.format("non2xx=%d\n", summary.errors.status))
end
LUA

# --- nginx, serving a static file of the same size --------------------------
nport=$(free_port)
mkdir -p "$work/www" "$work/nginx-tmp"
cp "$work/attributes.json" "$work/www/attributes.json"
cat >"$work/nginx.conf" <<NGINX
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log $work/nginx-access.log;
  client_body_temp_path $work/nginx-tmp; proxy_temp_path $work/nginx-tmp;
  fastcgi_temp_path $work/nginx-tmp; uwsgi_temp_path $work/nginx-tmp; scgi_temp_path $work/nginx-tmp;
  keepalive_requests 1000000;
  default_type application/json;
  server { listen 127.0.0.1:$nport; root $work/www; }
}
NGINX
nginx -c "$work/nginx.conf" -p "$work"
sleep 0.3

run_wrk() { wrk -t2 -c"$connections" -d"${duration}s" --latency "$@"; }
run_wrk -s "$work/postured.lua" "$base" >"$work/wrk-postured.txt"
run_wrk "http://127.0.0.1:$nport/attributes.json" >"$work/wrk-nginx.txt"

rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
p99() { awk '/ 99%/ {print $2}' "$1"; }
postured_rps=$(rps "$work/wrk-postured.txt")
nginx_rps=$(rps "$work/wrk-nginx.txt")
non2xx=$(awk -F= '/non2xx/ {print $2}' "$work/wrk-postured.txt")
rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status")

echo "postured benchmark ($(nproc) cores, $devices devices, wrk -t2 -c$connections -d${duration}s, body $body_bytes bytes)"
printf '  import of %d devices (one POST):           %.3f s\n' "$devices" "$import_seconds"
printf '  PATCH writing %d attributes (one batch):   %.3f s\n' "$devices" "$patch_seconds"
printf '  GET /device/{id}/attributes, postured:      %.0f req/s (p99 %s, non-2xx %s)\n' "$postured_rps" "$(p99 "$work/wrk-postured.txt")" "${non2xx:-?}"
printf '  same-size static file, nginx:               %.0f req/s (p99 %s)\n' "$nginx_rps" "$(p99 "$work/wrk-nginx.txt")"
printf '  ratio postured / nginx:                     %.2f\n' "$(echo "$postured_rps / $nginx_rps" | bc -l)"
printf '  postured peak RSS:                          %d MiB\n' "$((rss_kb / 1024))"
