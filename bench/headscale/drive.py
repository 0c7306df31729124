#!/usr/bin/env python3
"""Drives the headscale benchmark against a running postured and hsemu
(started by bench/headscale/run.sh): a tailnet of NODES nodes (2,000 users
with four devices each would be 8,000; the rest tagged servers under 100
tags), a policy of 1,000 posture-constrained rules, and then:

  - one batch PATCH writing custom:managed on every device (a sync's worth of
    attribute writes): how many pushes it causes and how long until headscale
    has the policy that reflects it;
  - FLIPS single-attribute flips of one device: the time from the API call to
    the PUT arriving at hsemu, and to hsemu having parsed and accepted it;
  - postured's own resolve and push times (its histograms) and the size of
    what it pushed.

Usage: drive.py POSTURED_URL ADMIN_KEY HSEMU_URL [NODES] [FLIPS]
"""
import json
import statistics
import sys
import time
import urllib.request

base, key, hsemu = sys.argv[1], sys.argv[2], sys.argv[3]
nodes_wanted = int(sys.argv[4]) if len(sys.argv) > 4 else 10000
flips = int(sys.argv[5]) if len(sys.argv) > 5 else 20
USERS, PER_USER, TAGS, GROUPS, RULES = 2000, 4, 100, 100, 1000
user_nodes = min(nodes_wanted, USERS * PER_USER)
users = max(1, user_nodes // PER_USER)


def request(method, url, body=None, headers=None, raw=False):
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None and "Content-Type" not in req.headers:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=300) as res:
        text = res.read()
        return text if raw else (json.loads(text) if text else None)


def api(method, path, body=None, headers=None, raw=False):
    h = {"Authorization": "Bearer " + key}
    h.update(headers or {})
    return request(method, base + path, body, h, raw)


def address(i):
    n = i + 1
    return [f"100.64.{n >> 8 & 255}.{n & 255}" if n < 65536 else f"100.{64 + (n >> 16)}.{n >> 8 & 255}.{n & 255}",
            f"fd7a:115c:a1e0::{n:x}"]


def user(u):
    return f"user{u}@example.com"


def tag(t):
    return f"tag:svc{t}"


nodes = []
for i in range(nodes_wanted):
    node = {"name": f"node-{i}", "ipAddresses": address(i), "online": True}
    if i < user_nodes:
        u = i // PER_USER
        node["user"] = {"name": f"user{u}", "email": user(u)}
    else:
        node["tags"] = [tag(i % TAGS)]
    nodes.append(node)

policy = {"groups": {}, "tagOwners": {tag(t): [user(0)] for t in range(TAGS)},
          "postures": {"posture:managed": ["custom:managed == true"]}, "acls": [], "grants": []}
for g in range(GROUPS):
    policy["groups"][f"group:g{g}"] = [user((g * 20 + k) % users) for k in range(20)]
for r in range(RULES):
    dst = tag(r % TAGS)
    kind = r % 4
    if kind == 0:
        policy["acls"].append({"action": "accept", "src": [f"group:g{r % GROUPS}"], "dst": [dst + ":443"],
                               "srcPosture": ["posture:managed"]})
    elif kind == 1:
        policy["acls"].append({"action": "accept", "src": [user(r % users), user((r + 1) % users)],
                               "dst": [dst + ":22"], "srcPosture": ["posture:managed"]})
    elif kind == 2:
        policy["grants"].append({"src": [tag((r + 1) % TAGS)], "dst": [dst], "ip": ["tcp:5432"],
                                 "srcPosture": ["posture:managed"]})
    else:
        policy["grants"].append({"src": [f"group:g{r % GROUPS}", tag((r + 3) % TAGS)], "dst": [dst],
                                 "ip": ["tcp:80", "tcp:443"], "srcPosture": ["posture:managed"]})


def pushes():
    return request("GET", hsemu + "/_emu/pushes?withoutPolicy=1")["pushes"]


def wait_for_push(count_before, deadline_s=30):
    end = time.time() + deadline_s
    while time.time() < end:
        p = pushes()
        if len(p) > count_before:
            return p
        time.sleep(0.005)
    status = api("GET", "/api/v2/tailnet/-/headscale")
    sys.exit("no push reached hsemu within %d s; postured's headscale status:\n%s\nhsemu's pushes: %s"
             % (deadline_s, json.dumps(status, indent=2), [(p["at"], p["outcome"], p["bytes"]) for p in pushes()]))


def settle(quiet_s=1.0):
    """Waits until no push has arrived for quiet_s; returns the pushes."""
    last = len(pushes())
    while True:
        time.sleep(quiet_s)
        now = len(pushes())
        if now == last:
            return pushes()
        last = now


start = time.time()
request("POST", hsemu + "/_emu/nodes", {"nodes": nodes})
devices = {}
while len(devices) < nodes_wanted:
    if time.time() - start > 300:
        sys.exit("postured mirrored %d of %d nodes in 300 s" % (len(devices), nodes_wanted))
    time.sleep(0.5)
    listed = api("GET", "/api/v2/tailnet/-/devices")["devices"]
    devices = {d["headscaleNodeId"]: d["id"] for d in listed if "headscaleNodeId" in d}
mirrored_s = time.time() - start
ids = [devices[k] for k in sorted(devices, key=int)]

api("POST", "/api/v2/tailnet/-/acl", json.dumps(policy).encode(), {"Content-Type": "application/json"})
settle()

before = len(pushes())
managed = {d: i % 5 != 0 for i, d in enumerate(ids)}
patch = {"nodes": {d: {"custom:managed": {"value": value}} for d, value in managed.items()}}
t0 = time.time()
api("PATCH", "/api/v2/tailnet/-/device-attributes", patch)
first = wait_for_push(before)[before]
batch_ms = first["atMicros"] / 1000 - t0 * 1000
batch_pushes = len(settle()) - before

arrivals, latencies = [], []
for k in range(flips):
    # A device of user 1, 5, 9, ...: the ACLs of kind 1 name those users, so the flip decides something.
    device = ids[PER_USER * (1 + 4 * ((k * 37) % (min(RULES, users) // 4)))]
    managed[device] = not managed[device]
    before = len(pushes())
    t0 = time.time()
    api("POST", f"/api/v2/device/{device}/attributes/custom:managed", {"value": managed[device]})
    p = wait_for_push(before)[before]
    arrivals.append(p["receivedAtMicros"] / 1000 - t0 * 1000)
    latencies.append(p["atMicros"] / 1000 - t0 * 1000)
    time.sleep(0.3)  # let the pusher's coalescing window close before the next flip

metrics = api("GET", "/metrics", raw=True).decode()


def histogram_mean_ms(name):
    total = count = None
    for line in metrics.splitlines():
        if line.startswith(name + "_sum"):
            total = float(line.split()[-1])
        elif line.startswith(name + "_count"):
            count = float(line.split()[-1])
    return 1000 * total / count if total is not None and count else float("nan")


status = api("GET", "/api/v2/tailnet/-/headscale")
push = status["lastPush"]
latencies.sort()
arrivals.sort()
print(f"headscale benchmark: {nodes_wanted} nodes, {RULES} posture rules")
print(f"  nodes mirrored as devices:             {mirrored_s * 1000:8.0f} ms after they appeared in headscale")
print(f"  {nodes_wanted}-attribute batch write -> PUT at headscale: {batch_ms:6.0f} ms, {batch_pushes} push(es)")
print(f"  one attribute flip -> PUT arriving at headscale: median {statistics.median(arrivals):6.1f} ms,"
      f" max {arrivals[-1]:6.1f} ms ({flips} flips)")
print(f"  one attribute flip -> headscale has accepted it: median {statistics.median(latencies):6.1f} ms,"
      f" max {latencies[-1]:6.1f} ms")
print(f"  resolve (postured_headscale_resolve_seconds mean): {histogram_mean_ms('postured_headscale_resolve_seconds'):6.1f} ms")
print(f"  PUT round trip (postured_headscale_push_seconds mean): {histogram_mean_ms('postured_headscale_push_seconds'):6.1f} ms")
print(f"  pushed policy: {push['bytes']} bytes, {push['rulesResolved']} rules resolved, {push['rulesDropped']} dropped")
