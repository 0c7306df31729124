#!/usr/bin/env bash
# forward-auth benchmark. First forward_auth_bench: one decision in process
# (decide_bench.cpp). Then with real processes on loopback:
#  - GET /forward-auth?dst=tag:wiki:443 straight at postured under wrk, each
#    request from a random one of 10,000 devices (X-Forwarded-For), a fifth
#    of them failing the posture (so a fifth are denied, with a reason);
#  - the same page through nginx, once plainly proxied and once guarded by
#    auth_request to postured: what the posture check costs per request;
#  - the decision's latency as the server measures it under that load
#    (postured_forward_auth_duration_seconds: wall time, so it includes being
#    preempted by wrk and nginx on the same cores).
# The policy has 1,000 posture-constrained rules besides the wiki's.
# Usage: bench/forward_auth/run.sh [seconds-per-wrk-run (default 10)] [connections (default 64)]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
duration=${1:-10}
connections=${2:-64}
devices=10000

"$root/scripts/bootstrap-debian.sh"
cmake --preset release -S "$root" >/dev/null
cmake --build "$root/build/release" --target postured forward_auth_bench -- -j"$(nproc)" >/dev/null
bin="$root/build/release/src/postured"

echo "one decision in process (10,000 devices, 1,001 posture rules)"
"$root/build/release/bench/forward_auth/forward_auth_bench" 2>/dev/null | grep BM_
echo

work=$(mktemp -d)
cleanup() {
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

port=$(free_port)
"$bin" serve --listen "127.0.0.1:$port" --data-dir "$work/data" --access-log false 2>"$work/postured.log" &
server_pid=$!
for _ in $(seq 100); do grep -q '"msg":"listening"' "$work/postured.log" 2>/dev/null && break; sleep 0.1; done
key=$(cat "$work/data/admin.key")
base="http://127.0.0.1:$port"
api() { curl -sf -H "Authorization: Bearer $key" "$@"; }

# Devices: members' laptops, and the wiki server.
python3 - "$devices" >"$work/import.json" <<'PY'
import json, sys
n = int(sys.argv[1])
devices = [{"hostname": f"laptop{i}", "user": f"user{i % 2000}@example.com", "os": "linux"} for i in range(n)]
devices.append({"hostname": "wiki", "tags": ["tag:wiki"], "os": "linux"})
print(json.dumps({"devices": devices}))
PY
api -o "$work/imported.json" -H 'Content-Type: application/json' --data-binary @"$work/import.json" \
  "$base/api/v2/tailnet/-/devices"
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
devices = json.load(open(f"{work}/imported.json"))["devices"]
laptops = [d for d in devices if d["hostname"] != "wiki"]
open(f"{work}/addresses.txt", "w").write("\n".join(d["addresses"][0] for d in laptops) + "\n")
nodes = {d["id"]: {"custom:infected": {"value": i % 5 == 0}} for i, d in enumerate(laptops)}
json.dump({"nodes": nodes}, open(f"{work}/patch.json", "w"))
rules = [{"action": "accept", "src": ["autogroup:member"], "dst": ["tag:wiki:443"], "srcPosture": ["posture:healthy"]}]
for r in range(1000):
    rules.append({"action": "accept", "src": [f"user{r}@example.com"], "dst": [f"tag:t{r % 100}:{8000 + r}"],
                  "srcPosture": ["posture:healthy"]})
owners = {f"tag:t{t}": ["user0@example.com"] for t in range(100)}
owners["tag:wiki"] = ["user0@example.com"]
json.dump({"tagOwners": owners, "postures": {"posture:healthy": ["custom:infected == false"]}, "acls": rules},
          open(f"{work}/policy.json", "w"))
PY
api -o /dev/null -X PATCH -H 'Content-Type: application/json' --data-binary @"$work/patch.json" \
  "$base/api/v2/tailnet/-/device-attributes"
api -o /dev/null -H 'Content-Type: application/json' --data-binary @"$work/policy.json" "$base/api/v2/tailnet/-/acl"

# Each request comes from a random device: straight at postured as a trusted
# proxy's X-Forwarded-For, through nginx as the front hop's.
cat >"$work/from-devices.lua" <<LUA
local addresses = {}
for line in io.lines("$work/addresses.txt") do addresses[#addresses + 1] = line end
math.randomseed(42)
request = function()
  wrk.headers["X-Forwarded-For"] = addresses[math.random(#addresses)]
  return wrk.format("GET", wrk.path)
end
LUA

nport=$(free_port)
uport=$(free_port)
mkdir -p "$work/www" "$work/nginx-tmp"
head -c 2048 /dev/zero | tr '\0' 'w' >"$work/www/page.html"
cat >"$work/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx-tmp; proxy_temp_path $work/nginx-tmp;
  fastcgi_temp_path $work/nginx-tmp; uwsgi_temp_path $work/nginx-tmp; scgi_temp_path $work/nginx-tmp;
  keepalive_requests 1000000;
  upstream app { server 127.0.0.1:$uport; keepalive 64; }
  upstream postured { server 127.0.0.1:$port; keepalive 64; }
  server { listen 127.0.0.1:$uport; root $work/www; }
  server {
    listen 127.0.0.1:$nport;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    location /open/ { proxy_pass http://app/; }
    location /guarded/ {
      auth_request /_posture;
      proxy_pass http://app/;
    }
    location = /_posture {
      internal;
      proxy_pass http://postured/forward-auth?dst=tag:wiki:443;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header Connection "";  # a location's proxy_set_header hides the server's
    }
  }
}
NGINX
nginx -c "$work/nginx.conf" -p "$work"
sleep 0.3

run_wrk() { wrk -t2 -c"$connections" -d"${duration}s" --latency "$@"; }
run_wrk -s "$work/from-devices.lua" "$base/forward-auth?dst=tag:wiki:443" >"$work/wrk-direct.txt"
run_wrk -s "$work/from-devices.lua" "http://127.0.0.1:$nport/open/page.html" >"$work/wrk-open.txt"
run_wrk -s "$work/from-devices.lua" "http://127.0.0.1:$nport/guarded/page.html" >"$work/wrk-guarded.txt"

rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
pct() { awk -v p="$2" '$1 == p {print $2}' "$1"; }
metrics=$(curl -sf "$base/metrics")
metric() { awk -v m="$1" '$1 == m {print $2}' <<<"$metrics"; }
allowed=$(metric 'postured_forward_auth_total{result="allowed"}')
denied=$(metric 'postured_forward_auth_total{result="denied"}')
unknown=$(metric 'postured_forward_auth_total{result="unknown_device"}')
decide_sum=$(metric 'postured_forward_auth_duration_seconds_sum')
decide_count=$(metric 'postured_forward_auth_duration_seconds_count')
rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status")

echo "forward-auth benchmark ($(nproc) cores, $devices devices, 1,001 posture rules, wrk -t2 -c$connections -d${duration}s)"
printf '  /forward-auth straight at postured:       %8.0f req/s (p50 %s, p99 %s)\n' "$(rps "$work/wrk-direct.txt")" \
  "$(pct "$work/wrk-direct.txt" 50%)" "$(pct "$work/wrk-direct.txt" 99%)"
printf '  answers: allowed %s, denied %s, unknown device %s\n' "${allowed%.*}" "${denied%.*}" "${unknown%.*}"
printf '  decision under that load (mean wall time): %8.2f us\n' "$(echo "$decide_sum / $decide_count * 1000000" | bc -l)"
printf '  a 2 KiB page through nginx, no auth:      %8.0f req/s (p99 %s)\n' "$(rps "$work/wrk-open.txt")" \
  "$(pct "$work/wrk-open.txt" 99%)"
printf '  the same, guarded by auth_request:        %8.0f req/s (p99 %s)\n' "$(rps "$work/wrk-guarded.txt")" \
  "$(pct "$work/wrk-guarded.txt" 99%)"
printf '  postured peak RSS:                        %8d MiB\n' "$((rss_kb / 1024))"
