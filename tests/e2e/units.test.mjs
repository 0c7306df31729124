// Unit tests of the console's pure modules, in node (no browser): posture
// conditions must mean in the console what they mean on the server
// (src/policy/posture_condition.cpp, version_compare.cpp), and the audit
// helpers must read the server's event shapes, and the headscale section
// must word the status of src/enforce/headscale/headscale_status.cpp.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCondition, compareVersions, explain, parseFilter, matchesFilter, compilePostures, evaluatePosture, formatValue } from '../../src/console/assets/posture.js';
import { lastChanges, attributeSource } from '../../src/console/assets/pages/machine.js';
import { summarizeEvent, actorText } from '../../src/console/assets/pages/logs.js';
import { parsePosition } from '../../src/console/assets/pages/access_controls.js';
import { integrationHealth } from '../../src/console/assets/pages/device_management.js';
import { headscaleHealth, shortHash, fmtBytes, pollCounts, plural } from '../../src/console/assets/pages/headscale_section.js';
import { relative } from '../../src/console/assets/time.js';

const holds = (text, attributes) => explain(parseCondition(text), attributes).passed;

describe('compareVersions (Tailscale cmpver)', () => {
  it('orders as the server does', () => {
    assert.equal(compareVersions('12', '12.0'), -1);
    assert.equal(compareVersions('1.100.2', '1.55.0'), 1);
    assert.equal(compareVersions('1.60', '1.60.0'), -1);
    assert.equal(compareVersions('', '1.2.3'), -1);
    assert.equal(compareVersions('1.02', '1.2'), 0);
    assert.equal(compareVersions('1.58.2', '1.60'), -1);
    assert.equal(compareVersions('99999999999999999999999', '1'), 1);
  });
});

describe('parseCondition', () => {
  it('reads operators, lists and the bare-key shorthand', () => {
    assert.deepEqual(parseCondition('custom:ok').values, [true]);
    assert.equal(parseCondition('custom:ok').shorthand, true);
    const list = parseCondition("node:os in ['macos', 'linux',]");
    assert.equal(list.op, 'IN');
    assert.deepEqual(list.values, ['macos', 'linux']);
    assert.equal(parseCondition('custom:x not set').op, 'NOT SET');
    assert.equal(parseCondition('custom:x NOT IN [1, 2]').op, 'NOT IN');
    assert.deepEqual(parseCondition('sentinelOne:activeThreats<=-1.5').values, [-1.5]);
    assert.deepEqual(parseCondition(String.raw`custom:s == 'it\'s'`).values, ["it's"]);
  });

  it('refuses what the server refuses, saying where', () => {
    const error = (text) => {
      try {
        parseCondition(text);
      } catch (e) {
        return e;
      }
      assert.fail(`${text} parsed`);
    };
    assert.match(error("node:os = 'macos'").message, /unknown operator '='.*equality is ==/);
    assert.match(error('node:os == macos').message, /unquoted value 'macos'/);
    assert.match(error('node:tsVersion >= 1.60.0').message, /unquoted value '1.60.0'/);
    assert.match(error('os == 1').message, /no namespace/);
    assert.match(error("node:os IN ['a', 1]").message, /mixes strings and numbers/);
    assert.match(error('node:os IN []').message, /empty list/);
    assert.equal(error("custom:a == 'x' extra").offset, 16);
  });
});

describe('explain', () => {
  it('is false on an unset attribute except for NOT SET', () => {
    for (const text of ['custom:x == 1', 'custom:x != 1', "custom:x NOT IN ['a']", 'custom:x IS SET', 'custom:x < 3']) assert.equal(holds(text, {}), false, text);
    assert.equal(holds('custom:x NOT SET', {}), true);
    assert.equal(explain(parseCondition('custom:tier IS SET'), {}).reason, 'custom:tier is not set');
  });

  it('never matches another type, not even with != or NOT IN', () => {
    assert.equal(holds("sentinelOne:activeThreats != 'zero'", { 'sentinelOne:activeThreats': 0 }), false);
    assert.equal(holds("custom:n NOT IN ['1']", { 'custom:n': 1 }), false);
    assert.equal(holds('custom:b < true', { 'custom:b': false }), false);
  });

  it('compares strings as versions and keys without regard to case', () => {
    const r = explain(parseCondition("node:tsVersion >= '1.60'"), { 'node:tsversion': '1.58.2' });
    assert.equal(r.passed, false);
    assert.equal(r.actual, '1.58.2');
    assert.equal(r.reason, "node:tsVersion is '1.58.2', which is not >= '1.60' (compared as versions)");
    assert.equal(holds("node:tsVersion >= '1.60'", { 'node:tsVersion': '1.100.0' }), true);
    assert.equal(explain(parseCondition('sentinelOne:activeThreats == 0'), { 'sentinelOne:activeThreats': 2 }).reason, 'sentinelOne:activeThreats is 2, not 0');
    assert.equal(holds("node:os IN ['macos', 'linux']", { 'NODE:OS': 'linux' }), true);
  });

  it('formats values as conditions write them', () => {
    assert.equal(formatValue("it's"), "'it\\'s'");
    assert.equal(formatValue(1.5), '1.5');
    assert.equal(formatValue(false), 'false');
  });
});

describe('postures and filters', () => {
  it('ANDs a posture’s conditions and keeps conditions that do not parse as failures', () => {
    const [healthy, broken] = compilePostures({
      'posture:healthy': ['sentinelOne:isActive == true', 'sentinelOne:activeThreats == 0'],
      'posture:broken': ['node:os = 1'],
    });
    const attrs = { 'sentinelOne:isActive': true, 'sentinelOne:activeThreats': 2 };
    const r = evaluatePosture(healthy, attrs);
    assert.equal(r.passed, false);
    assert.deepEqual(r.conditions.map((c) => c.passed), [true, false]);
    assert.equal(evaluatePosture(healthy, { ...attrs, 'sentinelOne:activeThreats': 0 }).passed, true);
    assert.match(evaluatePosture(broken, {}).conditions[0].reason, /does not parse/);
  });

  it('splits a filter on AND outside quotes', () => {
    const f = parseFilter("custom:note == 'this AND that' AND sentinelOne:infected == true");
    assert.equal(f.length, 2);
    assert.equal(matchesFilter(f, { 'custom:note': 'this AND that', 'sentinelOne:infected': true }), true);
    assert.equal(matchesFilter(f, { 'custom:note': 'this AND that', 'sentinelOne:infected': false }), false);
    assert.throws(() => parseFilter('custom:a == 1 AND b'), (e) => e.offset === 18);
  });
});

describe('audit helpers', () => {
  const sync = {
    eventTime: '2026-11-24T10:00:00Z',
    action: 'UPDATE',
    actor: { type: 'AUTOMATED_WORKER', displayName: 'SentinelOne integration', id: 'p1' },
    target: { id: 'n1', name: 'bravo', type: 'NODE', property: 'ATTRIBUTES' },
    old: { 'sentinelOne:activeThreats': null, 'sentinelOne:isActive': true },
    new: { 'sentinelOne:activeThreats': 2, 'sentinelOne:isActive': true },
    actionDetails: 'sync run r1',
  };

  it('summarises attribute changes and names the actor', () => {
    assert.equal(summarizeEvent(sync), 'Attributes of bravo: sentinelOne:activeThreats: unset → 2 — sync run r1');
    assert.equal(actorText(sync.actor), 'SentinelOne integration (automated)');
    assert.equal(summarizeEvent({ action: 'UPDATE', target: { type: 'TAILNET', property: 'ACL', name: 'x' }, new: { version: 3 } }), 'Policy saved (version 3)');
  });

  it('finds each attribute’s newest change', () => {
    const later = { ...sync, eventTime: '2026-11-24T11:00:00Z', actor: { displayName: 'ops key' }, old: { 'custom:tier': 'a' }, new: { 'custom:tier': 'b' } };
    const changes = lastChanges([sync, later]);
    assert.deepEqual(changes['sentinelone:activethreats'], { time: '2026-11-24T10:00:00Z', actor: 'SentinelOne integration (automated)' });
    assert.equal(changes['custom:tier'].actor, 'ops key');
    assert.equal(changes['sentinelone:isactive'], undefined, 'unchanged values are not changes');
  });

  it('names attribute sources by namespace', () => {
    assert.equal(attributeSource('node:os').kind, 'node');
    assert.equal(attributeSource('custom:tier').kind, 'custom');
    assert.equal(attributeSource('sentinelOne:infected').text, 'Integration: SentinelOne');
  });
});

describe('policy errors and integration health', () => {
  it('reads line and column from the server’s message', () => {
    assert.deepEqual(parsePosition("line 4, column 25: expected ',' or '}'"), { line: 4, column: 25, message: "expected ',' or '}'" });
    assert.equal(parsePosition('precondition failed, invalid old hash'), null);
  });

  it('tells the status in words', () => {
    const future = new Date(Date.now() + 3600e3).toISOString();
    assert.deepEqual(integrationHealth({}, []), { kind: 'info', text: 'Waiting for the first sync' });
    assert.equal(integrationHealth({ status: { error: '' } }, [{ outcome: 'running' }]).text, 'Syncing now…');
    assert.equal(integrationHealth({ status: { error: '' } }, []).text, 'Healthy');
    assert.equal(integrationHealth({ status: { error: 'SentinelOne returned 500' } }, []).text, 'Failing: SentinelOne returned 500');
    assert.equal(integrationHealth({ status: { error: 'SentinelOne returned 401', pausedUntil: future } }, []).text, 'Paused: SentinelOne returned 401');
  });
});

describe('headscale status wording', () => {
  const poll = { at: '2026-11-24T10:00:00Z', outcome: 'ok', nodes: 3, created: 1, adopted: 0, updated: 2, removed: 0 };
  const push = { at: '2026-11-24T10:00:01Z', outcome: 'pushed', sha256: 'ab'.repeat(32), bytes: 812, rulesResolved: 4, rulesDropped: 1, warnings: [] };
  const status = (fields) => ({ configured: true, url: 'https://hs.example.com', pollInterval: '10s', nodesSeen: 3, lastPoll: poll, lastPush: push, nextRetry: null, ...fields });

  it('tells the connection’s state in words', () => {
    assert.deepEqual(headscaleHealth({ configured: false, message: 'x' }), { kind: 'neutral', text: 'Not configured' });
    assert.deepEqual(headscaleHealth(status({ lastPoll: null, lastPush: null })), { kind: 'info', text: 'Waiting for the first poll' });
    assert.deepEqual(headscaleHealth(status({})), { kind: 'ok', text: 'Connected' });
    assert.equal(headscaleHealth(status({ lastPush: { ...push, outcome: 'unchanged' } })).text, 'Connected');
    assert.deepEqual(headscaleHealth(status({ lastPush: { ...push, warnings: ['w'] } })), { kind: 'warn', text: 'Connected, 1 warning in the last push' });
    const failedPoll = { ...poll, outcome: 'failed', error: 'connection refused' };
    const failedPush = { ...push, outcome: 'failed', error: 'headscale returned 500' };
    assert.deepEqual(headscaleHealth(status({ lastPoll: failedPoll })), { kind: 'bad', text: 'Reading nodes fails' });
    assert.deepEqual(headscaleHealth(status({ lastPush: failedPush })), { kind: 'bad', text: 'Pushing the policy fails' });
    assert.equal(headscaleHealth(status({ lastPoll: failedPoll, lastPush: failedPush })).text, 'Reading nodes and pushing the policy fail');
    assert.equal(headscaleHealth(status({ lastPoll: failedPoll, lastPush: null })).kind, 'bad');
  });

  it('abbreviates hashes and words sizes and counts', () => {
    const sha = '0123456789abcdef'.repeat(4);
    assert.equal(shortHash(sha), '0123456789ab…');
    assert.equal(shortHash('abc'), 'abc');
    assert.equal(shortHash(''), '');
    assert.equal(shortHash(undefined), '');
    assert.equal(fmtBytes(1), '1 byte');
    assert.equal(fmtBytes(812), '812 bytes');
    assert.equal(fmtBytes(1234), '1,234 bytes (1.2 KiB)');
    assert.equal(fmtBytes(3 * 1024 * 1024), '3,145,728 bytes (3.0 MiB)');
    assert.equal(fmtBytes(undefined), '—');
    assert.equal(pollCounts(poll), '3 nodes: 1 created, 0 adopted, 2 updated, 0 removed');
    assert.equal(pollCounts({ nodes: 1 }), '1 node: 0 created, 0 adopted, 0 updated, 0 removed');
    assert.equal(plural(0, 'warning'), '0 warnings');
  });

  it('words relative times both ways', () => {
    const now = Date.parse('2026-11-24T10:00:00Z');
    assert.equal(relative('2026-11-24T10:00:02Z', now), 'just now');
    assert.equal(relative('2026-11-24T09:59:30Z', now), '30 s ago');
    assert.equal(relative('2026-11-24T10:14:00Z', now), 'in 14 min');
    assert.equal(relative(null, now), 'never');
  });
});
