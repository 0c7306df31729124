// The Cedar side of the policy benchmark: the same access checks as
// policy_bench, made by Cedar (@cedar-policy/cedar-wasm) on the equivalent
// policy that policy_bench --cedar DIR writes (see cedar_export.h).
//
// Usage: node cedar_bench.mjs DIR [N]   (time the first N checks only; 0 or none: all)
// Prints {"p50_us", "p99_us", ...} as JSON on stdout, notes on stderr. Exits 1
// when any Cedar decision differs from postured's or Cedar reports an error.
//
// The policy set is parsed once (preparsePolicySet) and every check calls
// statefulIsAuthorized. cedar-wasm has no way to keep entities between calls,
// so each call passes the request's slice: the two devices and their owner
// users, built before timing. Tag and Group entities carry no attributes or
// parents; Cedar's `in` needs only the parents lists, so they are left out.
import { readFileSync } from "node:fs";
import { getCedarVersion, preparsePolicySet, statefulIsAuthorized } from "@cedar-policy/cedar-wasm/nodejs";

const [dir, maxArg] = process.argv.slice(2);
if (!dir) {
  console.error("usage: node cedar_bench.mjs DIR [N]");
  process.exit(2);
}
const kWarmup = 1000; // untimed calls first, so the JIT and the wasm instance are warm

const parsed = preparsePolicySet("bench", { staticPolicies: readFileSync(`${dir}/policy.cedar`, "utf8") });
if (parsed.type !== "success") {
  console.error("policy.cedar:", JSON.stringify(parsed.errors, null, 1));
  process.exit(1);
}

const byUid = new Map();
for (const e of JSON.parse(readFileSync(`${dir}/entities.json`, "utf8"))) byUid.set(`${e.uid.type}::${e.uid.id}`, e);

// A device and its owner user (whose parents are its groups).
function slice(deviceId) {
  const device = byUid.get(`Device::${deviceId}`);
  const out = [device];
  for (const p of device.parents) if (p.type === "User") out.push(byUid.get(`User::${p.id}`));
  return out;
}

let queries = readFileSync(`${dir}/queries.tsv`, "utf8")
  .split("\n")
  .filter((line) => line)
  .map((line) => {
    const [src, dst, port, allowed] = line.split("\t");
    return { src, dst, port: Number(port), allowed: allowed === "1" };
  });
const total = queries.length;
if (Number(maxArg) > 0) queries = queries.slice(0, Number(maxArg));

const action = { type: "Action", id: "connect" };
const calls = queries.map((q) => {
  const entities = slice(q.src);
  if (q.dst !== q.src) for (const e of slice(q.dst)) if (!entities.includes(e)) entities.push(e);
  return {
    principal: { type: "Device", id: q.src },
    action,
    resource: { type: "Device", id: q.dst },
    context: { port: q.port },
    preparsedPolicySetId: "bench",
    entities,
  };
});

function decide(call) {
  const answer = statefulIsAuthorized(call);
  if (answer.type !== "success") throw new Error(`cedar: ${JSON.stringify(answer.errors)}`);
  return answer.response;
}

for (let i = 0; i < Math.min(kWarmup, calls.length); ++i) decide(calls[i]);

const lat = new Float64Array(calls.length);
const responses = new Array(calls.length);
for (let i = 0; i < calls.length; ++i) {
  const b = process.hrtime.bigint();
  responses[i] = decide(calls[i]);
  lat[i] = Number(process.hrtime.bigint() - b) / 1000;
}

let disagreements = 0;
let errors = 0;
let allowed = 0;
const first = [];
responses.forEach((r, i) => {
  const allow = r.decision === "allow";
  allowed += allow;
  if (r.diagnostics.errors.length) {
    ++errors;
    if (first.length < 5) first.push({ query: queries[i], errors: r.diagnostics.errors });
  }
  if (allow !== queries[i].allowed) {
    ++disagreements;
    if (first.length < 5) first.push({ query: queries[i], cedar: r.decision, reason: r.diagnostics.reason });
  }
});

lat.sort();
const result = {
  cedar: getCedarVersion(),
  api: "preparsePolicySet + statefulIsAuthorized",
  checks: calls.length,
  of: total,
  allowed,
  disagreements,
  errors,
  p50_us: lat[Math.floor(calls.length / 2)],
  p99_us: lat[Math.floor((calls.length * 99) / 100)],
};
console.log(JSON.stringify(result));
if (disagreements || errors) {
  console.error(`cedar: ${disagreements} decisions differ from postured's, ${errors} with evaluation errors; first:`);
  for (const f of first) console.error(JSON.stringify(f));
  process.exit(1);
}
