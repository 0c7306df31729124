// Device management: Device Posture Integrations (every provider postured
// supports, Connect for those not configured; for each configured one its
// status with Edit, Sync now and Disconnect), the headscale connection
// (headscale_section.js, refreshed every 5 s) and the Device Identity
// Collection switch. Integration status refreshes every few seconds while the
// page is open, every second while a sync runs.
import { h, replace, badge, notice } from '../dom.js';
import * as api from '../api.js';
import { timeBoth, timeEl, absolute } from '../time.js';
import { pageHeader, slot, loading, table, cell, errorNotice, describeError, field, openDialog, confirmDialog, fmtCount } from '../ui.js';
import { messageWithoutField } from '../api.js';
import { headscaleSection } from './headscale_section.js';

const REFRESH_MS = 4000;
const FAST_REFRESH_MS = 1000;
const MESSAGE_MS = 20000;

// What postured supports (src/integrations registers the same list).
export const PROVIDERS = [
  {
    id: 'sentinelone',
    name: 'SentinelOne',
    namespace: 'sentinelOne',
    summary: 'Reads every agent from your SentinelOne console every 15 minutes, matches agents to devices by serial number and writes what SentinelOne reports as sentinelOne: attributes (isActive, activeThreats, infected, firewallEnabled, …).',
    urlLabel: 'Console URL',
    urlHelp: 'Your SentinelOne management console, e.g. https://acme.sentinelone.net',
    urlPlaceholder: 'https://acme.sentinelone.net',
    tokenLabel: 'API token',
    tokenHelp: 'A service user’s API token with the Viewer role. It is stored encrypted and never shown again.',
  },
];

// The integration's state in words, with the colour that goes with it.
export function integrationHealth(integration, runs) {
  const s = integration.status;
  const running = runs && runs[0] && runs[0].outcome === 'running';
  const paused = s && s.pausedUntil && new Date(s.pausedUntil) > new Date();
  if (running) return { kind: 'info', text: 'Syncing now…' };
  if (!s) return { kind: 'info', text: 'Waiting for the first sync' };
  if (paused) return { kind: 'bad', text: `Paused: ${s.error || 'authentication failed'}`, paused: true };
  if (s.error) return { kind: 'bad', text: `Failing: ${s.error}` };
  return { kind: 'ok', text: 'Healthy' };
}

export function mount(container, _params, ctx) {
  ctx.setTitle('Device management');
  const header = pageHeader('Device management', 'Where device posture comes from: endpoint-security integrations and the devices’ own identity.');
  const integrationsSlot = slot('integrations');
  integrationsSlot.show(loading('Loading integrations…'));
  const settingsSlot = slot('settings');
  settingsSlot.show(loading('Loading settings…'));
  const actionMessage = h('div', { class: 'action-message', 'aria-live': 'polite' });

  replace(
    container,
    header,
    h(
      'section',
      { class: 'section', 'aria-labelledby': 'dpi-title' },
      h('h2', { id: 'dpi-title' }, 'Device Posture Integrations'),
      h('p', { class: 'muted' }, 'Connect an endpoint-security product to use what it knows about each device in postures. Agents are matched to devices by serial number.'),
      actionMessage,
      integrationsSlot.el,
    ),
    h(
      'section',
      { class: 'section', 'aria-labelledby': 'headscale-title' },
      h('h2', { id: 'headscale-title' }, 'headscale'),
      h('p', { class: 'muted' }, 'postured can drive a headscale server: its nodes become devices here, and it receives the policy with every posture resolved into addresses.'),
      headscaleSection(ctx),
    ),
    h('section', { class: 'section', 'aria-labelledby': 'dic-title' }, h('h2', { id: 'dic-title' }, 'Device Identity Collection'), settingsSlot.el),
  );

  let fast = false;
  let settingsBusy = false;
  const messages = new Map(); // integration id -> {kind, text, at}; shown for MESSAGE_MS

  function say(kind, text) {
    replace(actionMessage, text ? notice(kind, text) : null);
  }

  async function refresh() {
    await Promise.all([refreshIntegrations(), settingsBusy ? null : refreshSettings()]);
  }

  async function refreshIntegrations() {
    let list;
    try {
      list = (await api.get(`${api.T}/posture/integrations`)).integrations || [];
    } catch (e) {
      if (e.status !== 401) integrationsSlot.show(errorNotice(e, 'Could not load the integrations'));
      return;
    }
    const runsById = {};
    await Promise.all(
      list.map(async (i) => {
        try {
          runsById[i.id] = (await api.get(`/api/v2/posture/integrations/${api.enc(i.id)}/runs`)).runs || [];
        } catch {
          runsById[i.id] = null;
        }
      }),
    );
    fast = list.some((i) => (runsById[i.id] && runsById[i.id][0] && runsById[i.id][0].outcome === 'running') || !i.status);
    const cards = [];
    for (const p of PROVIDERS) {
      const configured = list.filter((i) => i.provider === p.id);
      if (!configured.length) cards.push(providerCard(p));
      for (const i of configured) cards.push(integrationCard(p, i, runsById[i.id]));
    }
    for (const i of list.filter((x) => !PROVIDERS.some((p) => p.id === x.provider))) {
      cards.push(integrationCard({ id: i.provider, name: i.provider, namespace: i.provider }, i, runsById[i.id]));
    }
    integrationsSlot.show(h('div', { class: 'cards' }, cards));
  }

  function providerCard(p) {
    return h(
      'article',
      { class: 'card provider-card', dataset: { provider: p.id, state: 'not-configured' } },
      h('div', { class: 'provider-head' }, h('span', { class: 'provider-logo', 'aria-hidden': 'true' }, p.name[0]), h('h3', null, p.name), badge('neutral', 'Not connected')),
      h('p', { class: 'muted' }, p.summary),
      h('div', { class: 'actions' }, h('button', { class: 'btn btn-primary', type: 'button', onclick: () => connectDialog(p, null) }, `Connect ${p.name}`)),
    );
  }

  function integrationCard(p, i, runs) {
    const s = i.status;
    const health = integrationHealth(i, runs);
    let msg = messages.get(i.id);
    const finished = msg && msg.runId && runs && runs.some((r) => r.id === msg.runId && r.outcome !== 'running');
    if (msg && (finished || Date.now() - msg.at > MESSAGE_MS)) {
      messages.delete(i.id);
      msg = null;
    }
    const lastRun = runs && runs[0];
    const rows = [
      ['Console URL', h('code', null, i.cloudId)],
      ['Last sync', s ? timeBoth(s.lastSync) : h('span', { class: 'muted' }, 'Not yet')],
      ['Last success', s ? timeBoth(s.lastSuccess) : h('span', { class: 'muted' }, 'Not yet')],
      ['Error', s && s.error ? h('span', { class: 'error-text' }, s.error) : h('span', { class: 'muted' }, 'None')],
      [`Hosts in ${p.name}`, s ? fmtCount(s.providerHostCount) : '—', 'providerHostCount'],
      ['Matched devices', s ? fmtCount(s.matchedCount) : '—', 'matchedCount'],
      ['Devices that could match', s ? fmtCount(s.possibleMatchedCount) : '—', 'possibleMatchedCount'],
      s && s.duplicateSerials ? ['Serials on several devices', fmtCount(s.duplicateSerials)] : null,
      ['Paused until', s && s.pausedUntil ? timeBoth(s.pausedUntil) : h('span', { class: 'muted' }, 'Not paused')],
      ['Next sync', s && s.nextSync ? timeBoth(s.nextSync) : h('span', { class: 'muted' }, lastRun && lastRun.outcome === 'running' ? 'After this one' : '—')],
    ].filter(Boolean);
    const syncButton = h('button', { class: 'btn', type: 'button', disabled: lastRun && lastRun.outcome === 'running' }, lastRun && lastRun.outcome === 'running' ? 'Syncing…' : 'Sync now');
    syncButton.addEventListener('click', () => syncNow(p, i, syncButton));
    return h(
      'article',
      { class: ['card', 'integration-card', `health-${health.kind}`], dataset: { provider: p.id, integration: i.id, state: health.kind } },
      h('div', { class: 'provider-head' }, h('span', { class: 'provider-logo', 'aria-hidden': 'true' }, p.name[0]), h('h3', null, p.name), badge(health.kind, health.text)),
      msg ? notice(msg.kind, msg.text) : null,
      health.paused
        ? notice('warn', `${p.name} refused the credentials, so syncing is paused until ${absolute(s.pausedUntil)}. Fix the token with Edit, or press Sync now to try again. The attributes of the last successful sync are kept until they are older than the stale limit (24 hours by default).`)
        : null,
      h('dl', { class: 'dl status-list' }, rows.map(([k, v, key]) => [h('dt', null, k), h('dd', { dataset: key ? { field: key } : undefined }, v)])),
      h(
        'div',
        { class: 'actions' },
        syncButton,
        h('button', { class: 'btn', type: 'button', onclick: () => connectDialog(p, i) }, 'Edit'),
        h('button', { class: 'btn btn-danger-quiet', type: 'button', onclick: () => disconnect(p, i) }, 'Disconnect'),
      ),
      runs && runs.length ? runsTable(runs.slice(0, 5)) : null,
    );
  }

  function runsTable(runs) {
    return h(
      'details',
      { class: 'runs' },
      h('summary', null, 'Recent syncs'),
      table(
        [{ label: 'Started' }, { label: 'Trigger' }, { label: 'Outcome' }, { label: 'Hosts' }, { label: 'Matched' }, { label: 'Changed attributes' }, { label: 'Duration' }],
        runs.map((r) =>
          h(
            'tr',
            null,
            cell('Started', timeEl(r.startedAt)),
            cell('Trigger', r.trigger),
            cell('Outcome', r.outcome === 'success' ? badge('ok', 'Succeeded') : r.outcome === 'running' ? badge('info', 'Running') : badge('bad', `Failed: ${r.error || 'unknown error'}`)),
            cell('Hosts', fmtCount(r.providerHostCount)),
            cell('Matched', fmtCount(r.matchedCount)),
            cell('Changed attributes', fmtCount(r.attributesChanged)),
            cell('Duration', r.outcome === 'running' ? '—' : `${fmtCount(r.durationMs)} ms`),
          ),
        ),
        { caption: 'Recent syncs' },
      ),
    );
  }

  async function syncNow(p, i, button) {
    button.disabled = true;
    button.textContent = 'Syncing…';
    try {
      const started = await api.post(`/api/v2/posture/integrations/${api.enc(i.id)}/sync`);
      messages.set(i.id, { kind: 'info', text: `Sync started at ${new Date().toLocaleTimeString()}. The status below updates when it finishes.`, at: Date.now(), runId: started && started.runId });
    } catch (e) {
      if (e.status === 409) messages.set(i.id, { kind: 'info', text: 'A sync is already running; the status below updates when it finishes.', at: Date.now(), runId: e.body && e.body.runId });
      else messages.set(i.id, { kind: 'error', text: describeError(e, 'Sync now failed'), at: Date.now() });
    }
    fast = true;
    runNow();
  }

  async function disconnect(p, i) {
    const ok = await confirmDialog({
      title: `Disconnect ${p.name}?`,
      message: [
        h('p', null, `postured stops syncing with ${i.cloudId} and deletes the stored API token.`),
        h('p', null, h('strong', null, `Its attributes (${p.namespace}:…) will be removed from every device.`), ' Postures that need them stop passing, so rules that require them stop allowing access.'),
      ],
      confirmLabel: `Disconnect ${p.name}`,
    });
    if (!ok) return;
    try {
      await api.del(`/api/v2/posture/integrations/${api.enc(i.id)}`);
      messages.delete(i.id);
      say('ok', `${p.name} was disconnected and its attributes were removed.`);
    } catch (e) {
      say('error', describeError(e, `Disconnecting ${p.name} failed`));
    }
    runNow();
  }

  // Connect (existing === null) or Edit.
  function connectDialog(p, existing) {
    const url = field({
      label: p.urlLabel || 'URL',
      input: h('input', { type: 'url', name: 'cloudId', value: existing ? existing.cloudId : '', placeholder: p.urlPlaceholder || '', autocomplete: 'off', spellcheck: 'false', required: true }),
      help: p.urlHelp,
    });
    const token = field({
      label: p.tokenLabel || 'API token',
      input: h('input', { type: 'password', name: 'clientSecret', autocomplete: 'off', spellcheck: 'false', required: !existing }),
      help: existing ? 'Leave empty to keep the current token.' : p.tokenHelp,
    });
    const general = h('div', { class: 'form-error', role: 'alert' });
    const submit = h('button', { class: 'btn btn-primary', type: 'submit' }, existing ? 'Save' : 'Connect');
    const cancel = h('button', { class: 'btn', type: 'button' }, 'Cancel');
    const form = h('form', { class: 'dialog-form', novalidate: true }, h('p', { class: 'muted' }, p.summary || ''), url.wrap, token.wrap, general, h('div', { class: 'actions' }, cancel, submit));
    const { close } = openDialog({ title: existing ? `Edit ${p.name}` : `Connect ${p.name}`, content: form, className: 'connect-dialog' });
    cancel.addEventListener('click', close);
    url.input.focus();

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      url.setError('');
      token.setError('');
      general.textContent = '';
      const cloudId = url.input.value.trim();
      const secret = token.input.value.trim();
      let bad = false;
      if (!cloudId) {
        url.setError(`Enter the ${(p.urlLabel || 'URL').toLowerCase()}.`);
        bad = true;
      }
      if (!existing && !secret) {
        token.setError(`Enter the ${(p.tokenLabel || 'token').toLowerCase()}.`);
        bad = true;
      }
      if (bad) {
        (url.input.getAttribute('aria-invalid') ? url.input : token.input).focus();
        return;
      }
      submit.disabled = true;
      submit.textContent = existing ? 'Saving…' : 'Connecting…';
      try {
        if (existing) {
          const body = {};
          if (cloudId !== existing.cloudId) body.cloudId = cloudId;
          if (secret) body.clientSecret = secret;
          if (!Object.keys(body).length) {
            general.textContent = 'Nothing to save: the URL is unchanged and the token field is empty (which keeps the current token).';
            return;
          }
          await api.patch(`/api/v2/posture/integrations/${api.enc(existing.id)}`, body);
          messages.set(existing.id, { kind: 'ok', text: `Saved${secret ? ' with the new token' : ''}. A sync has started.`, at: Date.now() });
        } else {
          const created = await api.post(`${api.T}/posture/integrations`, { provider: p.id, cloudId, clientSecret: secret });
          messages.set(created.id, { kind: 'ok', text: `${p.name} is connected; postured syncs it now and then every 15 minutes.`, at: Date.now() });
        }
        close();
        say('', '');
        fast = true;
        runNow();
      } catch (e) {
        const text = messageWithoutField(e);
        if (e.field === 'cloudId') {
          url.setError(text);
          url.input.focus();
        } else if (e.field === 'clientSecret') {
          token.setError(text);
          token.input.focus();
        } else {
          general.textContent = describeError(e, existing ? 'Saving failed' : 'Connecting failed');
        }
      } finally {
        submit.disabled = false;
        submit.textContent = existing ? 'Save' : 'Connect';
      }
    });
  }

  async function refreshSettings() {
    let settings;
    try {
      settings = await api.get(`${api.T}/settings`);
    } catch (e) {
      if (e.status !== 401) settingsSlot.show(errorNotice(e, 'Could not load the settings'));
      return;
    }
    renderSettings(settings.postureIdentityCollectionOn === true);
  }

  let settingsMessage = null;
  function renderSettings(on) {
    const input = h('input', { type: 'checkbox', role: 'switch', id: 'identity-collection', checked: on, 'aria-describedby': 'identity-collection-help' });
    const state = h('span', { class: 'switch-state' }, on ? 'On' : 'Off');
    input.addEventListener('change', async () => {
      const want = input.checked;
      input.disabled = true;
      settingsBusy = true;
      state.textContent = 'Saving…';
      try {
        const saved = await api.patch(`${api.T}/settings`, { postureIdentityCollectionOn: want });
        settingsMessage = { kind: 'ok', text: `Device identity collection is now ${saved.postureIdentityCollectionOn ? 'on' : 'off'}. Devices apply it at their next report.` };
        renderSettings(saved.postureIdentityCollectionOn === true);
      } catch (e) {
        settingsMessage = { kind: 'error', text: describeError(e, `Turning identity collection ${want ? 'on' : 'off'} failed`) };
        renderSettings(!want);
      } finally {
        settingsBusy = false;
      }
    });
    settingsSlot.show(
      h(
        'div',
        { class: 'card' },
        h('div', { class: 'switch-row' }, h('label', { class: 'switch', for: 'identity-collection' }, input, h('span', { class: 'switch-track', 'aria-hidden': 'true' }), h('span', { class: 'switch-text' }, 'Collect device identity')), state),
        h('p', { class: 'muted', id: 'identity-collection-help' }, 'When on, enrolled devices report their serial numbers and MAC addresses, which posture integrations need to match agents to devices. When off, devices report none and previously reported identifiers are dropped at their next report.'),
        settingsMessage ? notice(settingsMessage.kind, settingsMessage.text) : null,
      ),
    );
  }

  // Polls fast while a sync runs or the first one is pending; one refresh at a time.
  let timer = 0;
  let running = false;
  let again = false;
  const loop = async () => {
    clearTimeout(timer);
    if (!ctx.alive) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      if (document.visibilityState !== 'hidden') await refresh();
    } catch (e) {
      console.error(e);
    } finally {
      running = false;
    }
    if (!ctx.alive) return;
    if (again) {
      again = false;
      loop();
      return;
    }
    if (document.visibilityState !== 'hidden') timer = setTimeout(loop, fast ? FAST_REFRESH_MS : REFRESH_MS);
  };
  const runNow = () => loop();
  const onVisible = () => {
    if (document.visibilityState === 'visible') loop();
  };
  document.addEventListener('visibilitychange', onVisible);
  ctx.onCleanup(() => {
    clearTimeout(timer);
    document.removeEventListener('visibilitychange', onVisible);
  });
  loop();
}
