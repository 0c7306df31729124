// End-to-end tests of the admin web console in a real browser: Debian's
// Chromium driven by playwright-core, against the real postured and s1emu
// binaries. Run by CTest (tests/e2e/CMakeLists.txt):
//
//   node console.test.mjs --postured PATH --s1emu PATH [--screenshots DIR] [--chromium PATH]
//
// The tests run in order and build on each other, as an operator would:
// sign in, see that no headscale is configured, connect SentinelOne, watch
// the first sync, look at a machine, break the token, edit the policy, read
// the log; then a second postured drives a headscale server it cannot reach.
// Each saves a screenshot of its page in the screenshots directory (default:
// build/e2e-screenshots).
// Exits 77 (CTest's skip) only when Chromium is not installed.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, tempDir, startPostured, startEmulator, stopProcess, agent, waitFor, tail, closedLoopbackPort } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = parseArgs(process.argv.slice(2));
const chromiumPath = args.chromium || process.env.CHROMIUM || '/usr/bin/chromium';
const screenshots = path.resolve(args.screenshots || path.join(here, '..', '..', 'build', 'e2e-screenshots'));

if (!fs.existsSync(chromiumPath)) {
  console.log(`SKIP: Chromium is not installed at ${chromiumPath}. ./test.sh installs it (Debian package chromium, listed in deps/debian-12.txt).`);
  process.exit(77);
}
for (const [flag, file] of [['--postured', args.postured], ['--s1emu', args.s1emu]]) {
  if (!file || !fs.existsSync(file)) {
    console.error(`usage: node console.test.mjs --postured PATH --s1emu PATH [--screenshots DIR]; ${flag} ${file ?? '(missing)'} does not exist`);
    process.exit(2);
  }
}
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  console.error(`playwright-core is not installed in ${here}: run (cd tests/e2e && npm ci), as ./test.sh does. (${e.message})`);
  process.exit(1);
}

const TOKEN = 's1-e2e-token-0123456789';
// Four agents SentinelOne counts (one decommissioned is left out), three of
// them on imported devices; delta has a serial SentinelOne does not know.
const FLEET = [
  agent(1, 'alpha', 'SN-ALPHA-001'),
  agent(2, 'bravo', 'SN-BRAVO-002', { activeThreats: 2, infected: true, encryptedApplications: false }),
  agent(3, 'charlie', 'SN-CHARLIE-003', { isActive: false, firewallEnabled: false, agentVersion: '23.3.2.12' }),
  agent(4, 'stray', 'SN-NOT-IMPORTED'),
  agent(5, 'old', 'SN-DECOM', { isDecommissioned: true, isActive: false }),
];
const DEVICES = [
  { hostname: 'alpha', user: 'alice@example.com', os: 'macOS', osVersion: '14.5', clientVersion: '1.70.0', addresses: ['100.64.0.1'], serialNumbers: ['SN-ALPHA-001'] },
  { hostname: 'bravo', user: 'bob@example.com', os: 'windows', osVersion: '10.0.22631', clientVersion: '1.58.2', addresses: ['100.64.0.2'], serialNumbers: ['SN-BRAVO-002'] },
  { hostname: 'charlie', user: 'carol@example.com', os: 'linux', osVersion: '6.1.0', clientVersion: '1.70.0', addresses: ['100.64.0.3'], serialNumbers: ['SN-CHARLIE-003'] },
  { hostname: 'delta', user: 'dave@example.com', os: 'macOS', clientVersion: '1.66.4', addresses: ['100.64.0.4'], serialNumbers: ['SN-DELTA-404'] },
  { hostname: 'build-runner', tags: ['tag:ci'], os: 'linux', clientVersion: '1.70.0', addresses: ['100.64.0.10'] },
];
const SEED_POLICY = `// Seeded by the e2e test.
{
  "postures": {
    "posture:healthy": [
      "sentinelOne:isActive == true",
      "sentinelOne:activeThreats == 0",
    ],
    "posture:modernClient": ["node:tsVersion >= '1.60'"],
  },
  "tagOwners": {"tag:ci": ["alice@example.com"]},
  "acls": [
    {"action": "accept", "src": ["autogroup:member"], "dst": ["tag:ci:22"], "srcPosture": ["posture:healthy"]},
    {"action": "accept", "src": ["*"], "dst": ["*:443"]},
  ],
}
`;
// The missing comma after "accept" is at line 4, column 25.
const INVALID_POLICY = `{
  "acls": [
    {"action": "accept", "src": ["*"], "dst": ["*:443"]},
    {"action": "accept" "src": ["*"], "dst": ["*:22"]},
  ],
}
`;
const FAILING_TESTS_POLICY = SEED_POLICY.replace(
  '  "acls": [',
  `  "tests": [
    {"src": "bob@example.com", "accept": ["100.64.0.10:3389"]},
  ],
  "acls": [`,
);
const VALID_POLICY = SEED_POLICY.replace('    {"action": "accept", "src": ["*"], "dst": ["*:443"]},', '    {"action": "accept", "src": ["*"], "dst": ["*:443"]},\n    // Saved from the console.\n    {"action": "accept", "src": ["group:ops"], "dst": ["*:22"]},').replace(
  '  "tagOwners"',
  '  "groups": {"group:ops": ["alice@example.com"]},\n  "tagOwners"',
);

// The headscale API key of the second postured; it must never reach the page.
const HEADSCALE_KEY = 'hskey-e2e-never-shown-0123456789';
const HEADSCALE_REFRESH_MS = 5000; // src/console/assets/pages/headscale_section.js

let dir, server, emu, browser, context, page;
let hsServer, hsContext; // the postured that drives an unreachable headscale
let shot = 0;
const consoleProblems = [];
const ids = {};

async function screenshot(name, p = page) {
  shot += 1;
  const file = path.join(screenshots, `${String(shot).padStart(2, '0')}-${name}.png`);
  await p.screenshot({ path: file, fullPage: true });
  return file;
}

function watchConsole(p) {
  p.on('console', (m) => {
    const text = m.text();
    if (m.type() !== 'error' && !/Content.Security.Policy/i.test(text)) return;
    if (/Failed to load resource: the server responded with a status of (401|403|409|412|400)/.test(text)) return; // answers the tests provoke
    consoleProblems.push(`${m.type()}: ${text}`);
  });
  p.on('pageerror', (e) => consoleProblems.push(`page error: ${e.message}`));
}

async function newPage() {
  const c = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', timezoneId: 'UTC' });
  const p = await c.newPage();
  p.setDefaultTimeout(20000);
  watchConsole(p);
  return { context: c, page: p };
}

async function signIn(p, target) {
  await p.goto(`${target.base}/`);
  await p.getByLabel('API key').fill(target.adminKey);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByRole('heading', { level: 1, name: 'Machines' }).waitFor();
}

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// Waits until the locator's text matches; returns it.
async function expectText(locator, pattern, timeout = 20000) {
  let last = '';
  try {
    return await waitFor(`text ${pattern}`, async () => {
      last = await locator.innerText({ timeout: 1000 }).catch(() => '');
      return pattern.test(last) ? last : null;
    }, timeout);
  } catch {
    throw new Error(`expected ${pattern} in ${locator}; its text was: ${JSON.stringify(last.slice(0, 600))}`);
  }
}

async function expectCount(locator, n, timeout = 20000) {
  let last = -1;
  try {
    await waitFor(`${n} elements`, async () => (last = await locator.count()) === n, timeout);
  } catch {
    throw new Error(`expected ${n} of ${locator}, found ${last}`);
  }
}

async function go(navName, heading, p = page) {
  const toggle = p.locator('#nav-toggle');
  if (await toggle.isVisible()) await toggle.click();
  await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: navName }).click();
  await p.getByRole('heading', { level: 1, name: heading }).waitFor();
}

async function fillEditor(text) {
  const editor = page.getByLabel('Policy file (HuJSON)');
  await editor.fill(text);
  return editor;
}

describe('admin console', { concurrency: false }, () => {
  before(async () => {
    fs.mkdirSync(screenshots, { recursive: true });
    for (const f of fs.readdirSync(screenshots)) if (f.endsWith('.png')) fs.rmSync(path.join(screenshots, f));
    dir = tempDir('postured-e2e-');
    emu = await startEmulator(args.s1emu, dir, FLEET, TOKEN);
    server = await startPostured(args.postured, dir, ['--allow-insecure-provider-urls', 'true', '--provider-retries', '1', '--provider-retry-delay', '20ms']);
    const imported = await server.api('POST', '/api/v2/tailnet/-/devices', { devices: DEVICES });
    assert.equal(imported.status, 200, imported.text);
    for (const d of imported.json.devices) ids[d.hostname] = d.id;
    const saved = await server.api('POST', '/api/v2/tailnet/-/acl', SEED_POLICY, { contentType: 'application/hujson' });
    assert.equal(saved.status, 200, saved.text);

    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    ({ context, page } = await newPage());
  });

  after(async () => {
    if (browser) await browser.close();
    await stopProcess(server);
    await stopProcess(hsServer);
    await stopProcess(emu);
    const failed = process.exitCode && process.exitCode !== 0;
    if (failed) {
      console.log(`--- postured log (tail) ---\n${tail(path.join(dir, 'postured.log'))}`);
      console.log(`--- s1emu log (tail) ---\n${tail(path.join(dir, 's1emu.log'), 10)}`);
      if (hsServer) console.log(`--- postured with headscale log (tail) ---\n${tail(hsServer.logFile, 20)}`);
    }
    console.log(`screenshots: ${screenshots}`);
    if (dir && !failed) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves the console with its security headers', async () => {
    const res = await fetch(`${server.base}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /text\/html/);
    const csp = res.headers.get('content-security-policy') || '';
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    const js = await fetch(`${server.base}/console/app.js`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type'), /javascript/);
    const css = await fetch(`${server.base}/console/style.css`);
    assert.match(css.headers.get('content-type'), /text\/css/);
  });

  it('signs in with an API key (a wrong key is refused in words)', async () => {
    await page.goto(`${server.base}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('API key').fill('postured-api-not-a-real-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectText(page.locator('#sign-in-error'), /not accepted/i);
    await screenshot('sign-in-refused');

    await page.getByLabel('API key').fill(server.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Machines' }).waitFor();
    await expectCount(page.locator('table.machines-table tbody tr'), DEVICES.length);

    const cookie = (await context.cookies()).find((c) => c.name === 'postured_session');
    assert.ok(cookie, 'the session cookie is set');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    // The cookie alone does not allow a state-changing request: the CSRF header is needed.
    const forged = await page.request.fetch(`${server.base}/api/v2/tailnet/-/settings`, { method: 'PATCH', data: { postureIdentityCollectionOn: true } });
    assert.equal(forged.status(), 403);
    await screenshot('machines');
  });

  it('explains how to connect headscale when none is configured', async () => {
    const answer = await server.api('GET', '/api/v2/tailnet/-/headscale');
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.json.configured, false);
    await go('Device management', 'Device management');
    const section = page.getByRole('region', { name: 'headscale' });
    const card = section.locator('[data-headscale="not-configured"]');
    const text = await expectText(card, /Not configured/);
    assert.match(text, /headscale_url/);
    assert.match(text, /headscale_api_key_file/);
    assert.match(text, /headscale apikeys create/);
    assert.equal(await section.locator('[data-headscale="configured"]').count(), 0);
    await screenshot('headscale-not-configured');
  });

  it('connects SentinelOne through the dialog, with errors beside the field', async () => {
    await go('Device management', 'Device management');
    const card = page.locator('[data-provider="sentinelone"]');
    await expectText(card, /Not connected/);
    await card.getByRole('button', { name: 'Connect SentinelOne' }).click();
    const dialog = page.getByRole('dialog', { name: 'Connect SentinelOne' });
    await dialog.waitFor();

    await dialog.getByLabel('Console URL').fill('ftp://console.example');
    await dialog.getByLabel('API token').fill(TOKEN);
    await dialog.getByRole('button', { name: 'Connect' }).click();
    const urlInput = dialog.getByLabel('Console URL');
    await waitFor('the URL field to be marked invalid', async () => (await urlInput.getAttribute('aria-invalid')) === 'true');
    const urlError = dialog.locator(`#${await urlInput.getAttribute('id')}-error`);
    const errorText = await expectText(urlError, /\S/);
    assert.doesNotMatch(errorText, /^cloudId:/, 'the field name is not repeated beside the field');
    await screenshot('connect-dialog-error');

    await urlInput.fill(emu.base);
    await dialog.getByRole('button', { name: 'Connect' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expectText(page.locator('[data-provider="sentinelone"][data-integration]'), /connected/i);
    await screenshot('connected');
  });

  it('shows a successful sync with the right counts', async () => {
    const card = page.locator('[data-provider="sentinelone"][data-integration]');
    await expectText(card.locator('.provider-head .badge'), /^Healthy$/, 30000);
    assert.equal((await card.locator('[data-field="providerHostCount"]').innerText()).trim(), '4');
    assert.equal((await card.locator('[data-field="matchedCount"]').innerText()).trim(), '3');
    assert.equal((await card.locator('[data-field="possibleMatchedCount"]').innerText()).trim(), '4');
    const text = await card.innerText();
    assert.match(text, /Last success\s+(just now|\d+ s ago)/);
    assert.match(text, /Next sync\s+in \d+ min/);
    assert.match(text, /Error\s+None/);
    await screenshot('sync-healthy');
  });

  it('lists machines with their SentinelOne status, postures, search and attribute filter', async () => {
    await go('Machines', 'Machines');
    const rows = page.locator('table.machines-table tbody tr');
    await expectText(rows.filter({ hasText: 'bravo' }), /Infected/);
    const bravo = rows.filter({ hasText: 'bravo' });
    assert.match(await bravo.innerText(), /2 threats/);
    assert.match(await bravo.innerText(), /healthy: fails/);
    assert.match(await rows.filter({ hasText: 'alpha.' }).innerText(), /healthy: passes/);

    await page.getByLabel('Search').fill('carol');
    await expectCount(rows, 1);
    assert.match(await rows.first().innerText(), /charlie/);
    await page.getByLabel('Search').fill('');

    await page.getByLabel('Attribute filter').fill('sentinelOne:infected = true');
    await expectText(page.locator('.toolbar'), /unknown operator '='/);
    await page.getByLabel('Attribute filter').fill('sentinelOne:infected == true');
    await expectCount(rows, 1);
    assert.match(await rows.first().innerText(), /bravo/);
    await screenshot('machines-filtered');

    await page.getByLabel('Attribute filter').fill('');
    await page.getByLabel('Posture', { exact: true }).selectOption({ label: 'Failing healthy' });
    await expectCount(rows, 4); // bravo (threats), charlie (inactive), delta and build-runner (no SentinelOne)
    await page.getByLabel('Posture', { exact: true }).selectOption({ label: 'Any result' });
  });

  it('shows a machine with its sentinelOne attributes and posture results', async () => {
    await page.locator('table.machines-table tbody tr').filter({ hasText: 'bravo' }).getByRole('link', { name: 'bravo' }).click();
    await page.getByRole('heading', { level: 1, name: 'bravo' }).waitFor();
    const threats = page.locator('tr[data-key="sentinelOne:activeThreats"]');
    await expectText(threats, /Integration: SentinelOne/);
    assert.match(await threats.innerText(), /\b2\b/);
    assert.match(await threats.innerText(), /SentinelOne integration/, 'the last change names who made it');
    assert.match(await page.locator('tr[data-key="sentinelOne:infected"]').innerText(), /true/);
    assert.match(await page.locator('tr[data-key="node:os"]').innerText(), /Node/);

    const healthy = page.locator('[data-posture="posture:healthy"]');
    assert.match(await healthy.innerText(), /Failed/);
    const failing = healthy.locator('tr').filter({ hasText: 'sentinelOne:activeThreats == 0' });
    const failingText = await failing.innerText();
    assert.match(failingText, /Fails/);
    assert.match(failingText, /sentinelOne:activeThreats is 2, not 0/);
    assert.match(await healthy.locator('tr').filter({ hasText: 'sentinelOne:isActive == true' }).innerText(), /Holds/);
    assert.match(await page.locator('[data-posture="posture:modernClient"]').innerText(), /'1\.58\.2'.*not >= '1\.60'/s);

    const body = await page.locator('.machine-body').innerText();
    assert.match(body, /SN-BRAVO-002/);
    assert.match(body, /Identity collection\s+Off/);
    assert.match(body, /\d+ rules?/);
    assert.match(body, /Attributes of bravo/);
    await screenshot('machine-details');
  });

  it('shows the error after the token is revoked and Sync now is pressed', async () => {
    await emu.control('POST', '/_emu/faults', { revokeToken: true });
    await go('Device management', 'Device management');
    const card = page.locator('[data-provider="sentinelone"][data-integration]');
    await expectText(card.locator('.provider-head .badge'), /Healthy/);
    await card.getByRole('button', { name: 'Sync now' }).click();
    const text = await expectText(card, /SentinelOne returned 401/, 30000);
    assert.match(text, /(Failing|Paused): SentinelOne returned 401/);
    assert.match(await card.getAttribute('data-state'), /bad/);
    await screenshot('sync-error');
  });

  it('edits the integration: an empty token field keeps the token', async () => {
    await emu.control('DELETE', '/_emu/faults');
    const card = page.locator('[data-provider="sentinelone"][data-integration]');
    await card.getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit SentinelOne' });
    await dialog.waitFor();
    assert.equal(await dialog.getByLabel('Console URL').inputValue(), emu.base);
    assert.equal(await dialog.getByLabel('API token').inputValue(), '');
    assert.match(await dialog.innerText(), /Leave empty to keep the current token/);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expectText(dialog.locator('.form-error'), /Nothing to save/);

    // The same emulator by another loopback name: a change, synced with the kept token.
    const byName = emu.base.replace('127.0.0.1', 'localhost');
    await dialog.getByLabel('Console URL').fill(byName);
    await screenshot('edit-dialog');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expectText(card.locator('.provider-head .badge'), /^Healthy$/, 30000);
    assert.match(await card.innerText(), new RegExp(`Console URL\\s+${byName.replace(/[.:/]/g, '\\$&')}`));
    const events = await server.api('GET', '/api/v2/tailnet/-/logging/configuration?event=POSTURE_INTEGRATION');
    const update = events.json.logs.find((e) => e.action === 'UPDATE');
    assert.ok(update, JSON.stringify(events.json.logs));
    assert.equal(update.new.clientSecret, undefined, 'the token did not change');
  });

  it('shows an invalid policy’s error at its line and column', async () => {
    await go('Access controls', 'Access controls');
    const editor = page.getByLabel('Policy file (HuJSON)');
    await waitFor('the policy to load', async () => (await editor.inputValue()).includes('posture:healthy'));
    await fillEditor(INVALID_POLICY);
    await expectText(page.locator('.dirty-badge'), /Unsaved changes/);
    await page.getByRole('button', { name: 'Validate' }).click();
    const status = page.locator('.editor-status');
    await expectText(status, /line 4, column 25/);
    await expectText(page.locator('.gutter-error'), /^4$/);
    await page.getByRole('button', { name: 'Go to line 4, column 25' }).click();
    const caret = await editor.evaluate((el) => ({ start: el.selectionStart, focused: document.activeElement === el }));
    const lines = INVALID_POLICY.split('\n');
    assert.equal(caret.start, lines.slice(0, 3).join('\n').length + 1 + 24);
    assert.ok(caret.focused, 'the editor has the focus');
    await screenshot('policy-invalid');
  });

  it('lists the policy’s failing tests, saves a valid policy, and refuses a conflicting save', async () => {
    await fillEditor(FAILING_TESTS_POLICY);
    await page.getByRole('button', { name: 'Save' }).click();
    const status = page.locator('.editor-status');
    await expectText(status, /tests failed/);
    assert.match(await status.locator('table').innerText(), /bob@example\.com/);
    await screenshot('policy-tests-failed');

    await fillEditor(VALID_POLICY);
    await page.getByRole('button', { name: 'Validate' }).click();
    await expectText(status, /valid and its tests pass/);
    await page.getByRole('button', { name: 'Save' }).click();
    await expectText(status, /Saved at/);
    const stored = await server.api('GET', '/api/v2/tailnet/-/acl', null, { accept: 'application/hujson' });
    assert.equal(stored.text, VALID_POLICY);
    assert.equal(await page.locator('.dirty-badge').innerText(), '');
    await screenshot('policy-saved');

    // Someone else saves while the operator edits: the save is refused in words.
    const edited = VALID_POLICY.replace('// Saved from the console.', '// Saved from the console, edited again.');
    await fillEditor(edited);
    const other = await server.api('POST', '/api/v2/tailnet/-/acl', SEED_POLICY, { contentType: 'application/hujson' });
    assert.equal(other.status, 200, other.text);
    await page.getByRole('button', { name: 'Save' }).click();
    await expectText(status, /someone else changed the policy/i);
    assert.equal(await page.getByLabel('Policy file (HuJSON)').inputValue(), edited, 'the edits are kept');
    await screenshot('policy-conflict');
    await page.getByRole('button', { name: 'Load the current policy' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Replace my edits' }).click();
    await waitFor('the current policy in the editor', async () => (await page.getByLabel('Policy file (HuJSON)').inputValue()) === SEED_POLICY);
  });

  it('shows these events in the Logs, newest first, filtered by action and target', async () => {
    await go('Logs', 'Logs');
    const rows = page.locator('table.logs-table tbody tr');
    await expectText(page.locator('table.logs-table'), /SentinelOne integration connected/);
    const all = await page.locator('table.logs-table').innerText();
    assert.match(all, /Policy saved/);
    assert.match(all, /Attributes of bravo: sentinelOne:activeThreats: unset → 2/);
    const times = await rows.locator('time').evaluateAll((els) => els.map((e) => e.getAttribute('datetime')));
    assert.deepEqual(times, [...times].sort().reverse(), 'newest first');

    await page.getByLabel('Action or property').fill('ACL');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expectCount(rows, 3); // the seed, the console's save and the conflicting one
    for (const text of await rows.allInnerTexts()) assert.match(text, /Policy saved/);
    assert.match(page.url(), /#\/logs\?.*event=ACL/);
    await screenshot('logs-acl');

    await page.getByLabel('Action or property').fill('');
    await page.getByLabel('Target').fill(ids.bravo);
    await page.getByLabel('Time range').selectOption({ label: 'Last hour' });
    await page.getByRole('button', { name: 'Apply' }).click();
    await expectCount(rows, 2); // created, then its attributes from the first sync
    assert.match(await rows.nth(0).innerText(), /Attributes of bravo/);
    assert.match(await rows.nth(1).innerText(), /Device bravo added/);
    await screenshot('logs-bravo');
  });

  it('disconnects SentinelOne after a confirmation that says its attributes will be removed', async () => {
    await go('Device management', 'Device management');
    const card = page.locator('[data-provider="sentinelone"][data-integration]');
    await card.getByRole('button', { name: 'Disconnect' }).click();
    const dialog = page.getByRole('dialog', { name: 'Disconnect SentinelOne?' });
    await expectText(dialog, /attributes \(sentinelOne:…\) will be removed from every device/);
    await screenshot('disconnect-confirm');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await card.count(), 1, 'Cancel keeps the integration');

    await card.getByRole('button', { name: 'Disconnect' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Disconnect SentinelOne' }).click();
    await expectText(page.locator('[data-provider="sentinelone"]'), /Not connected/);
    const attrs = await server.api('GET', `/api/v2/device/${ids.bravo}/attributes`);
    assert.ok(!Object.keys(attrs.json.attributes).some((k) => k.startsWith('sentinelOne:')), JSON.stringify(attrs.json));
  });

  it('switches device identity collection on', async () => {
    const toggle = page.getByRole('switch', { name: 'Collect device identity' });
    assert.equal(await toggle.isChecked(), false);
    await toggle.focus();
    await page.keyboard.press('Space');
    await expectText(page.locator('.settings'), /identity collection is now on/i);
    const settings = await server.api('GET', '/api/v2/tailnet/-/settings');
    assert.equal(settings.json.postureIdentityCollectionOn, true);
    await screenshot('identity-collection-on');
  });

  it('is usable 390 px wide: the navigation collapses behind Menu', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const nav = page.getByRole('navigation', { name: 'Main' });
    const menu = page.getByRole('button', { name: 'Menu' });
    await menu.waitFor();
    assert.equal(await nav.getByRole('link', { name: 'Machines' }).isVisible(), false);
    await menu.click();
    assert.equal(await menu.getAttribute('aria-expanded'), 'true');
    await nav.getByRole('link', { name: 'Machines' }).click();
    await page.getByRole('heading', { level: 1, name: 'Machines' }).waitFor();
    await expectCount(page.locator('table.machines-table tbody tr'), DEVICES.length);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px`);
    await screenshot('machines-390px');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('signs out, which ends the session', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await expectText(page.locator('.signin'), /signed out/i);
    const res = await page.request.get(`${server.base}/api/v2/session`);
    assert.equal(res.status(), 401);
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await screenshot('signed-out');
  });

  it('shows a headscale server that cannot be reached: its URL, the failed poll and push in words, refreshed while shown', async () => {
    const hsDir = path.join(dir, 'headscale');
    fs.mkdirSync(hsDir, { recursive: true });
    const keyFile = path.join(hsDir, 'headscale.key');
    fs.writeFileSync(keyFile, `${HEADSCALE_KEY}\n`, { mode: 0o600 });
    const url = `http://127.0.0.1:${await closedLoopbackPort()}`;
    hsServer = await startPostured(args.postured, hsDir, [
      '--allow-insecure-provider-urls', 'true',
      '--headscale-url', url,
      '--headscale-api-key-file', keyFile,
      '--headscale-poll-interval', '1s',
    ]);
    const status = await waitFor('a failed poll and a failed push', async () => {
      const r = await hsServer.api('GET', '/api/v2/tailnet/-/headscale');
      const j = r.json;
      return j && j.lastPoll && j.lastPoll.outcome === 'failed' && j.lastPush && j.lastPush.outcome === 'failed' ? j : null;
    });
    assert.equal(status.configured, true);
    assert.equal(status.url, url);
    // The error's words after the address name the connection failure; its timing ("after 0 ms") varies.
    const unreachable = new RegExp(`headscale at ${escapeRegExp(url)} cannot be reached`);
    assert.match(status.lastPoll.error, unreachable);

    const hs = await newPage();
    hsContext = hs.context;
    const p = hs.page;
    await signIn(p, hsServer);
    await go('Device management', 'Device management', p);
    const card = p.getByRole('region', { name: 'headscale' }).locator('[data-headscale="configured"]');
    await card.waitFor();
    assert.equal(await card.getAttribute('data-state'), 'bad');
    assert.equal((await card.locator('[data-field="url"]').innerText()).trim(), url);
    assert.equal((await card.locator('[data-field="pollInterval"]').innerText()).trim(), 'every 1s');
    assert.match(await card.locator('.provider-head .badge').innerText(), /Reading nodes and pushing the policy fail/);

    // Both errors in full, in alert boxes at the top of the card.
    const pollError = card.locator('[role="alert"] [data-field="pollError"]');
    await expectText(pollError, unreachable);
    assert.match(await card.locator('[role="alert"]').first().innerText(), /Reading headscale’s nodes failed (just now|\d+ s ago):/);
    await expectText(card.locator('[role="alert"] [data-field="pushError"]'), unreachable);
    const lastPoll = card.locator('[data-field="lastPoll"]');
    assert.match(await lastPoll.innerText(), /Failed/);
    assert.match(await card.locator('[data-field="lastSuccessfulPoll"]').innerText(), /Never/);
    assert.match(await card.locator('[data-field="lastPush"]').innerText(), /Failed/);
    assert.match(await card.locator('[data-field="lastSuccessfulPush"]').innerText(), /Never/);
    await expectText(card.locator('[data-field="nextRetry"]'), /in \d+ s|just now|\d+ s ago/);
    // The text that was offered: its size and its hash, short, with the full one in the tooltip.
    const sha = card.locator('[data-field="sha256"] code');
    assert.equal(await sha.getAttribute('title'), status.lastPush.sha256);
    assert.equal(await sha.innerText(), `${status.lastPush.sha256.slice(0, 12)}…`);
    assert.match(await card.locator('[data-field="bytes"]').innerText(), /^\d[\d,]* bytes?/);
    await hsContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: hsServer.base });
    await card.getByRole('button', { name: 'Copy the full SHA-256' }).click();
    await waitFor('the full SHA-256 on the clipboard', async () => (await p.evaluate(() => navigator.clipboard.readText())) === status.lastPush.sha256, 5000);
    assert.match(await card.locator('[data-field="nodesSeen"]').innerText(), /^0 \(no successful poll yet\)$/);
    assert.equal(await card.locator('[data-field="rules"]').count(), 0, 'a failed push resolved nothing worth showing');

    // It refreshes itself: a later poll replaces the time shown.
    let asked = 0;
    p.on('request', (r) => {
      if (r.url().endsWith('/api/v2/tailnet/-/headscale')) asked += 1;
    });
    const firstAt = await lastPoll.locator('time').getAttribute('datetime');
    await waitFor('a newer poll on the page', async () => {
      const at = await lastPoll.locator('time').getAttribute('datetime').catch(() => firstAt);
      return at && at !== firstAt;
    }, HEADSCALE_REFRESH_MS * 3);

    const html = await p.content();
    assert.ok(!html.includes(HEADSCALE_KEY), 'the headscale API key is not on the page');
    await p.evaluate(() => window.scrollTo(0, 0)); // the Copy click scrolled; the sticky top bar belongs at the top
    await screenshot('headscale-unreachable', p);

    assert.ok(asked > 0, 'the status was asked for again while shown');

    // Left, the page asks no more.
    await go('Machines', 'Machines', p);
    asked = 0;
    await new Promise((r) => setTimeout(r, HEADSCALE_REFRESH_MS + 1000));
    assert.equal(asked, 0, 'the headscale status is not polled after leaving Device management');
    await hsContext.close();
  });

  it('logged no script errors and no Content-Security-Policy violations', () => {
    assert.deepEqual(consoleProblems, []);
  });
});
