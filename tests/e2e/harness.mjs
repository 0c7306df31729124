// Real processes for the console's end-to-end tests: the SentinelOne emulator
// and `postured serve`, each on a free loopback port with its own temp dir,
// plus helpers to call postured's API with the admin key and to steer the
// emulator. Everything started here is stopped by stopAll() (also on exit).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const children = new Set();

export function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z0-9-]+)$/.exec(argv[i]);
    if (m && i + 1 < argv.length) out[m[1]] = argv[++i];
  }
  return out;
}

export function tempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

// Starts `binary args`, logging to `logFile`; resolves with the address from
// its {"msg":"listening","address":...} line.
export async function startProcess(name, binary, args, logFile, timeoutMs = 30000) {
  const log = fs.openSync(logFile, 'w');
  const child = spawn(binary, args, { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  children.add(child);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.once('exit', () => children.delete(child));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const text = fs.readFileSync(logFile, 'utf8');
    for (const line of text.split('\n')) {
      if (!line.includes('"listening"')) continue;
      try {
        const j = JSON.parse(line);
        if (j.msg === 'listening' && j.address) return { child, address: j.address, exited, logFile };
      } catch {
        // not a JSON line
      }
    }
    const done = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), 50))]);
    if (done) throw new Error(`${name} exited (${done.code ?? done.signal}) before listening:\n${text}`);
  }
  throw new Error(`${name} did not start listening within ${timeoutMs} ms:\n${fs.readFileSync(logFile, 'utf8')}`);
}

export async function stopProcess(proc) {
  if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill('SIGTERM');
  const killed = await Promise.race([proc.exited, new Promise((r) => setTimeout(() => r(null), 5000))]);
  if (!killed) proc.child.kill('SIGKILL');
}

export function stopAllNow() {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}
process.on('exit', stopAllNow);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopAllNow();
    process.exit(130);
  });
}

export function tail(file, lines = 40) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

// postured with a fresh data dir; .api(method, path, body?, options?) uses the admin key.
export async function startPostured(binary, dir, extraArgs = []) {
  const dataDir = path.join(dir, 'data');
  fs.mkdirSync(dataDir, { recursive: true });
  const proc = await startProcess('postured', binary, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, ...extraArgs], path.join(dir, 'postured.log'));
  const base = `http://${proc.address}`;
  const keyFile = path.join(dataDir, 'admin.key');
  const adminKey = fs.readFileSync(keyFile, 'utf8').trim();
  async function api(method, p, body, { contentType, headers = {}, accept } = {}) {
    const h = { Authorization: `Bearer ${adminKey}`, ...headers };
    let payload;
    if (body !== undefined && body !== null) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      h['Content-Type'] = contentType || 'application/json';
    }
    if (accept) h.Accept = accept;
    const res = await fetch(base + p, { method, headers: h, body: payload });
    const text = await res.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    return { status: res.status, json, text, headers: res.headers };
  }
  return { ...proc, base, adminKey, api };
}

// A loopback port nothing listens on (bound, then closed), for a server that
// must be unreachable: connecting to it is refused at once.
export async function closedLoopbackPort() {
  const server = net.createServer();
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// s1emu serving `fleet` (an array of agents) with `token`.
export async function startEmulator(binary, dir, fleet, token) {
  const fleetFile = path.join(dir, 'fleet.json');
  fs.writeFileSync(fleetFile, JSON.stringify(fleet));
  const proc = await startProcess('s1emu', binary, ['--listen', '127.0.0.1:0', '--token', token, '--fleet', fleetFile], path.join(dir, 's1emu.log'));
  const base = `http://${proc.address}`;
  async function control(method, p, body) {
    const res = await fetch(base + p, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`s1emu ${method} ${p} answered ${res.status}: ${await res.text()}`);
    return res.status === 204 ? null : res.json();
  }
  return { ...proc, base, control };
}

// A SentinelOne agent as the management API returns it.
export function agent(n, name, serial, fields = {}) {
  return {
    id: `17000000000000000${n}`,
    uuid: `uuid-${name}`,
    computerName: name,
    serialNumber: serial,
    isActive: true,
    agentVersion: '24.1.2.6',
    activeThreats: 0,
    infected: false,
    firewallEnabled: true,
    encryptedApplications: true,
    operationalState: 'na',
    isDecommissioned: false,
    isUninstalled: false,
    lastActiveDate: '2026-11-20T10:00:00.000000Z',
    networkInterfaces: [],
    ...fields,
  };
}

export async function waitFor(what, fn, timeoutMs = 30000, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
