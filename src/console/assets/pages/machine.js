// Machine details: the device's facts and identity, each posture of the policy
// (passed or failed, with every condition's actual value), all attributes with
// source, value, expiry and last change, the size of its packet filter and
// its recent audit events. Refreshes every few seconds while open.
import { h, replace, badge, notice } from '../dom.js';
import * as api from '../api.js';
import { timeEl, timeBoth, absolute } from '../time.js';
import { evaluatePosture, formatValue } from '../posture.js';
import { loadPostures, postureLabel } from '../policy_data.js';
import { slot, loading, table, cell, errorNotice, valueText, fmtCount } from '../ui.js';
import { sentinelSummary } from './machines.js';
import { summarizeEvent, actorText } from './logs.js';

const REFRESH_MS = 5000;
const RECENT_EVENTS = 20;

const PROVIDER_NAMES = { sentinelone: 'SentinelOne' };

// Where an attribute comes from, by its namespace.
export function attributeSource(key) {
  const ns = key.slice(0, key.indexOf(':')).toLowerCase();
  if (ns === 'node') return { kind: 'node', text: 'Node (device facts)' };
  if (ns === 'custom') return { kind: 'custom', text: 'Custom (API)' };
  const provider = PROVIDER_NAMES[ns] || key.slice(0, key.indexOf(':'));
  return { kind: 'integration', text: `Integration: ${provider}` };
}

// The newest audited change of each attribute key: {key: {time, actor}}.
export function lastChanges(events) {
  const out = {};
  const newestFirst = events.slice().sort((a, b) => (a.eventTime < b.eventTime ? 1 : a.eventTime > b.eventTime ? -1 : 0));
  for (const e of newestFirst) {
    if (e.target?.property !== 'ATTRIBUTES') continue;
    const before = e.old && typeof e.old === 'object' ? e.old : {};
    const after = e.new && typeof e.new === 'object' ? e.new : {};
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      const folded = key.toLowerCase();
      if (out[folded]) continue;
      if (JSON.stringify(before[key] ?? null) === JSON.stringify(after[key] ?? null)) continue;
      out[folded] = { time: e.eventTime, actor: actorText(e.actor) };
    }
  }
  return out;
}

export function mount(container, params, ctx) {
  const id = params[0];
  ctx.setTitle('Machine');
  const title = h('h1', null, 'Machine');
  const subtitle = h('p', { class: 'subtitle' });
  const header = h('div', { class: 'page-header' }, h('div', { class: 'page-title' }, h('a', { href: '#/machines', class: 'back' }, '← Machines'), title, subtitle));
  const body = slot('machine-body');
  body.show(loading('Loading the machine…'));
  replace(container, header, body.el);

  let shownOnce = false;

  async function refresh() {
    const enc = api.enc(id);
    const results = await Promise.allSettled([
      api.get(`/api/v2/device/${enc}?fields=all`),
      api.get(`/api/v2/device/${enc}/attributes`),
      api.get(`${api.T}/settings`),
      loadPostures(),
      api.request('GET', `/api/v2/device/${enc}/packet-filter`),
      api.get(`${api.T}/logging/configuration?target=${enc}`),
    ]);
    const [device, attributes, settings, postures, filter, audit] = results.map((r) => (r.status === 'fulfilled' ? { value: r.value } : { error: r.reason }));
    if (device.error) {
      if (device.error.status === 401) return;
      if (device.error.status === 404) {
        title.textContent = 'Machine not found';
        body.show(notice('error', `There is no device ${id}; it may have been deleted.`), h('p', null, h('a', { href: '#/machines' }, 'Back to Machines')));
        return;
      }
      if (!shownOnce) body.show(errorNotice(device.error, 'Could not load the machine'));
      return;
    }
    const d = device.value;
    shownOnce = true;
    ctx.setTitle(d.hostname || d.name);
    title.textContent = d.hostname || d.name;
    subtitle.textContent = d.name;

    const attrs = attributes.value ? attributes.value.attributes || {} : d.postureAttributes || {};
    const expiries = attributes.value ? attributes.value.expiries || {} : {};
    const events = audit.value ? audit.value.logs || [] : [];

    body.show(
      h('div', { class: 'grid-2' }, overviewCard(d, attrs), identityCard(d, settings)),
      posturesCard(postures, attrs),
      attributesCard(attributes, attrs, expiries, events, audit.error),
      h('div', { class: 'grid-2' }, packetFilterCard(filter), eventsCard(events, audit.error, d)),
    );
  }

  ctx.poll(refresh, REFRESH_MS);
}

function card(title, ...children) {
  return h('section', { class: 'card' }, h('h2', null, title), ...children);
}

function dl(pairs) {
  return h('dl', { class: 'dl' }, pairs.filter(Boolean).map(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
}

function overviewCard(d, attrs) {
  return card(
    'Overview',
    dl([
      [d.tags && d.tags.length ? 'Tags' : 'Owner', d.tags && d.tags.length ? h('span', { class: 'tags' }, d.tags.map((t) => h('span', { class: 'tag' }, t))) : d.user || '—'],
      ['OS', [d.os, d.osVersion].filter(Boolean).join(' ') || '—'],
      ['Client version', d.clientVersion || '—'],
      ['Addresses', h('div', { class: 'mono small' }, (d.addresses || []).map((a) => h('div', null, a)))],
      ['Last seen', timeBoth(d.lastSeen, 'Never')],
      ['Created', timeBoth(d.created)],
      ['SentinelOne', sentinelSummary(attrs)],
      ['Device ID', h('code', null, d.id)],
      d.isEphemeral ? ['Ephemeral', 'Yes: removed after a while without a report'] : null,
    ]),
  );
}

function identityCard(d, settings) {
  const identity = d.postureIdentity || {};
  const serials = identity.serialNumbers || [];
  let collection;
  if (settings.error) collection = h('span', { class: 'muted' }, `Unknown (${settings.error.message})`);
  else if (settings.value.postureIdentityCollectionOn) collection = badge('ok', 'On');
  else collection = h('span', null, badge('neutral', 'Off'), ' ', h('span', { class: 'muted small' }, 'Devices do not report serial numbers; turn it on in '), h('a', { href: '#/device-management', class: 'small' }, 'Device management'));
  return card(
    'Identity',
    dl([
      ['Identity collection', collection],
      identity.disabled ? ['This device', badge('warn', 'Reporting turned off on the device')] : null,
      ['Serial numbers', serials.length ? h('ul', { class: 'plain mono' }, serials.map((s) => h('li', null, s))) : h('span', { class: 'muted' }, 'None reported')],
      ['MAC addresses', (d.macAddresses || []).length ? h('ul', { class: 'plain mono' }, d.macAddresses.map((m) => h('li', null, m))) : h('span', { class: 'muted' }, 'None reported')],
    ]),
  );
}

function posturesCard(postures, attrs) {
  if (postures.error) return card('Postures', errorNotice(postures.error, 'Could not read the policy'));
  const list = postures.value.postures;
  if (!list.length) return card('Postures', h('p', { class: 'muted' }, 'The policy defines no postures.'));
  const results = list.map((p) => evaluatePosture(p, attrs));
  const passed = results.filter((r) => r.passed).length;
  return card(
    'Postures',
    h('p', { class: 'muted' }, `Passes ${passed} of ${results.length} ${results.length === 1 ? 'posture' : 'postures'} of the policy. A posture passes when every one of its conditions holds.`),
    h(
      'div',
      { class: 'postures' },
      results.map((r) =>
        h(
          'div',
          { class: ['posture', r.passed ? 'posture-pass' : 'posture-fail'], dataset: { posture: r.name } },
          h('h3', null, badge(r.passed ? 'ok' : 'bad', r.passed ? '✓ Passed' : '✗ Failed'), ' ', h('span', { class: 'mono' }, r.name)),
          table(
            [{ label: 'Condition' }, { label: 'Result' }, { label: 'Actual value' }, { label: 'Why' }],
            r.conditions.map((c) =>
              h(
                'tr',
                { class: c.passed ? '' : 'row-fail' },
                cell('Condition', h('code', null, c.text)),
                cell('Result', badge(c.passed ? 'ok' : 'bad', c.passed ? 'Holds' : 'Fails')),
                cell('Actual value', c.actual === undefined ? h('span', { class: 'muted' }, 'not set') : h('code', null, formatValue(c.actual))),
                cell('Why', c.reason),
              ),
            ),
            { caption: `Conditions of ${postureLabel(r.name)}`, className: 'conditions-table' },
          ),
        ),
      ),
    ),
  );
}

function attributesCard(attributes, attrs, expiries, events, auditError) {
  if (attributes.error) return card('Attributes', errorNotice(attributes.error, 'Could not load the attributes'));
  const changes = lastChanges(events);
  const keys = Object.keys(attrs).sort((a, b) => a.localeCompare(b));
  const rows = keys.map((key) => {
    const source = attributeSource(key);
    const change = changes[key.toLowerCase()];
    return h(
      'tr',
      { dataset: { key } },
      cell('Attribute', h('code', null, key)),
      cell('Source', badge(source.kind === 'integration' ? 'info' : 'neutral', source.text)),
      cell('Value', h('code', null, valueText(attrs[key]))),
      cell('Expires', expiries[key] ? h('span', null, timeEl(expiries[key]), h('span', { class: 'muted small' }, ` (${absolute(expiries[key])})`)) : h('span', { class: 'muted' }, 'Never')),
      cell(
        'Last change',
        change
          ? h('span', null, timeEl(change.time), h('div', { class: 'muted small' }, `${absolute(change.time)} by ${change.actor}`))
          : h('span', { class: 'muted' }, source.kind === 'node' ? 'From the device’s facts' : auditError ? 'Unknown (no access to the audit log)' : 'Not in the audit log'),
      ),
    );
  });
  return card(
    'Attributes',
    table([{ label: 'Attribute' }, { label: 'Source' }, { label: 'Value' }, { label: 'Expires' }, { label: 'Last change' }], rows, {
      caption: 'Attributes',
      className: 'attributes-table',
      empty: 'This device has no attributes.',
    }),
  );
}

function packetFilterCard(filter) {
  if (filter.error) return card('Packet filter', errorNotice(filter.error, 'Could not compute the packet filter'));
  const rules = (filter.value.data && filter.value.data.rules) || [];
  const bytes = new TextEncoder().encode(filter.value.text || '').length;
  const sources = rules.reduce((n, r) => n + (r.SrcIPs || []).length, 0);
  const destinations = rules.reduce((n, r) => n + (r.DstPorts || []).length, 0);
  return card(
    'Packet filter',
    h('p', { class: 'big-number' }, `${fmtCount(rules.length)} ${rules.length === 1 ? 'rule' : 'rules'}`),
    dl([
      ['Size', `${fmtCount(bytes)} bytes of JSON`],
      ['Source ranges', fmtCount(sources)],
      ['Destination ports', fmtCount(destinations)],
    ]),
    rules.length ? h('details', null, h('summary', null, 'Show the rules'), h('pre', { class: 'code-block' }, JSON.stringify(rules, null, 2))) : h('p', { class: 'muted' }, 'No other device may reach this one.'),
  );
}

function eventsCard(events, error, d) {
  if (error) return card('Recent audit events', errorNotice(error, 'Could not read the audit log'));
  const recent = events.slice().sort((a, b) => (a.eventTime < b.eventTime ? 1 : a.eventTime > b.eventTime ? -1 : 0)).slice(0, RECENT_EVENTS);
  return card(
    'Recent audit events',
    recent.length
      ? h(
          'ol',
          { class: 'event-list' },
          recent.map((e) => h('li', null, h('div', { class: 'event-head' }, timeEl(e.eventTime), ' ', h('strong', null, `${e.action}${e.target?.property ? ` ${e.target.property}` : ''}`), h('span', { class: 'muted' }, ` by ${actorText(e.actor)}`)), h('div', { class: 'small' }, summarizeEvent(e)))),
        )
      : h('p', { class: 'muted' }, 'No events for this device.'),
    h('p', null, h('a', { href: `#/logs?target=${encodeURIComponent(d.id)}` }, 'All events for this machine →')),
  );
}
