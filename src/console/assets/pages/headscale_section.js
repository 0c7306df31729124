// The headscale section of Device management: what postured's connection to
// headscale is doing (GET /api/v2/tailnet/-/headscale, shaped by
// src/enforce/headscale/headscale_status.cpp), refreshed every few seconds
// while the page is shown. When no headscale_url is set, how to connect one.
// The API never returns the headscale API key, and nothing here asks for it.
import { h, badge, notice } from '../dom.js';
import * as api from '../api.js';
import { timeBoth, timeEl, refreshRelativeTimes } from '../time.js';
import { slot, loading, errorNotice, fmtCount } from '../ui.js';

const REFRESH_MS = 5000;

export function plural(n, one, many = `${one}s`) {
  return `${fmtCount(n)} ${n === 1 ? one : many}`;
}

// The connection's state in words, with the colour that goes with it.
export function headscaleHealth(s) {
  if (!s || !s.configured) return { kind: 'neutral', text: 'Not configured' };
  const pollFailed = s.lastPoll && s.lastPoll.outcome === 'failed';
  const pushFailed = s.lastPush && s.lastPush.outcome === 'failed';
  if (pollFailed && pushFailed) return { kind: 'bad', text: 'Reading nodes and pushing the policy fail' };
  if (pollFailed) return { kind: 'bad', text: 'Reading nodes fails' };
  if (pushFailed) return { kind: 'bad', text: 'Pushing the policy fails' };
  if (!s.lastPoll && !s.lastPush) return { kind: 'info', text: 'Waiting for the first poll' };
  const warnings = (s.lastPush && s.lastPush.warnings) || [];
  if (warnings.length) return { kind: 'warn', text: `Connected, ${plural(warnings.length, 'warning')} in the last push` };
  return { kind: 'ok', text: 'Connected' };
}

// The first 12 hex digits of a SHA-256, as git abbreviates; '' for none.
export function shortHash(hex, digits = 12) {
  if (typeof hex !== 'string' || !hex) return '';
  return hex.length > digits ? `${hex.slice(0, digits)}…` : hex;
}

// "812 bytes", "1,234 bytes (1.2 KiB)", "3,145,728 bytes (3.0 MiB)".
export function fmtBytes(n) {
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) return '—';
  const exact = plural(n, 'byte');
  if (n < 1024) return exact;
  const [value, unit] = n < 1024 * 1024 ? [n / 1024, 'KiB'] : [n / (1024 * 1024), 'MiB'];
  return `${exact} (${value.toFixed(1)} ${unit})`;
}

// "3 nodes: 1 created, 0 adopted, 2 updated, 0 removed".
export function pollCounts(poll) {
  if (!poll) return '';
  const n = (k) => (typeof poll[k] === 'number' ? poll[k] : 0);
  return `${plural(n('nodes'), 'node')}: ${fmtCount(n('created'))} created, ${fmtCount(n('adopted'))} adopted, ${fmtCount(n('updated'))} updated, ${fmtCount(n('removed'))} removed`;
}

const POLL_OUTCOMES = { ok: ['ok', 'Succeeded'], failed: ['bad', 'Failed'] };
const PUSH_OUTCOMES = {
  pushed: ['ok', 'Pushed'],
  unchanged: ['ok', 'Unchanged', 'headscale already held exactly this policy, so nothing was sent'],
  failed: ['bad', 'Failed'],
};

export function outcomeBadge(outcomes, outcome) {
  const [kind, text, title] = outcomes[outcome] || ['neutral', outcome || 'Unknown'];
  return badge(kind, text, title);
}

// Mounts the section's content into a slot and keeps it current while the
// page is mounted (ctx.poll stops with the page). Returns the slot's element.
export function headscaleSection(ctx) {
  const out = slot('headscale');
  out.show(loading('Loading the headscale connection…'));
  let lastText = null;
  let revealedSha = ''; // the SHA-256 shown in full after a copy the browser refused

  async function refresh() {
    let answer;
    try {
      answer = await api.request('GET', `${api.T}/headscale`);
    } catch (e) {
      if (e.status !== 401) {
        lastText = null;
        out.show(errorNotice(e, 'Could not load the headscale connection'));
      }
      return;
    }
    if (answer.text === lastText) {
      refreshRelativeTimes(out.el); // nothing new: only "3 s ago" moves, and focus stays put
      return;
    }
    lastText = answer.text;
    render(answer.data || {});
  }

  function render(s) {
    const focusKey = out.el.contains(document.activeElement) && document.activeElement.dataset ? document.activeElement.dataset.key : '';
    out.show(s.configured ? configuredCard(s) : notConfiguredCard(s));
    if (focusKey) {
      const again = out.el.querySelector(`[data-key="${focusKey}"]`);
      if (again) again.focus();
    }
  }

  function notConfiguredCard() {
    return h(
      'article',
      { class: 'card headscale-card', dataset: { headscale: 'not-configured', state: 'neutral' } },
      h('div', { class: 'provider-head' }, logo(), h('h3', null, 'headscale'), badge('neutral', 'Not configured')),
      h('p', null, 'postured drives no headscale server. To connect one, set these keys in postured’s configuration (or as flags or environment variables) and restart it:'),
      h(
        'dl',
        { class: 'dl config-keys' },
        h('dt', null, h('code', null, 'headscale_url')),
        h('dd', null, 'the headscale server, e.g. ', h('code', null, 'https://hs.example.com')),
        h('dt', null, h('code', null, 'headscale_api_key_file')),
        h('dd', null, 'a file (mode 0600) holding an API key from ', h('code', null, 'headscale apikeys create')),
      ),
      h('p', { class: 'muted' }, h('code', null, 'headscale_poll_interval'), ' (10s by default) sets how often headscale’s nodes are read. headscale must keep its policy in its database (', h('code', null, 'policy: {mode: database}'), ' in its config.yaml), or every push fails.'),
    );
  }

  function configuredCard(s) {
    const health = headscaleHealth(s);
    const poll = s.lastPoll;
    const push = s.lastPush;
    const pollFailed = poll && poll.outcome === 'failed';
    const pushFailed = push && push.outcome === 'failed';
    const pollRows = [
      ['Server URL', h('code', null, s.url), 'url'],
      ['Poll interval', `every ${s.pollInterval}`, 'pollInterval'],
      ['Nodes seen', [fmtCount(s.nodesSeen), h('span', { class: 'muted' }, s.lastSuccessfulPoll ? ' at the last successful poll' : ' (no successful poll yet)')], 'nodesSeen'],
      ['Last poll', poll ? h('div', { class: 'hs-event' }, h('div', null, timeBoth(poll.at), ' ', outcomeBadge(POLL_OUTCOMES, poll.outcome)), pollFailed ? null : h('div', { class: 'muted small' }, pollCounts(poll))) : notYet(), 'lastPoll'],
      pollFailed ? ['Last successful poll', timeBoth(s.lastSuccessfulPoll, 'Never'), 'lastSuccessfulPoll'] : null,
    ];
    const pushRows = push
      ? [
          ['Last push', h('div', null, timeBoth(push.at), ' ', outcomeBadge(PUSH_OUTCOMES, push.outcome)), 'lastPush'],
          push.sha256 ? ['Size', fmtBytes(push.bytes), 'bytes'] : null,
          push.sha256 ? ['SHA-256', hashEl(push.sha256), 'sha256'] : null,
          pushFailed ? null : ['Rules', `${fmtCount(push.rulesResolved)} resolved, ${fmtCount(push.rulesDropped)} dropped (no source passes their postures)`, 'rules'],
          pushFailed ? null : ['Warnings', warningsEl(push.warnings), 'warnings'],
          pushFailed ? ['Last successful push', s.lastSuccessfulPush ? h('div', null, timeBoth(s.lastSuccessfulPush.at), ' ', s.lastSuccessfulPush.sha256 ? hashEl(s.lastSuccessfulPush.sha256, 'last-good') : null) : h('span', { class: 'muted' }, 'Never'), 'lastSuccessfulPush'] : null,
        ]
      : [['Last push', notYet(), 'lastPush']];
    if (s.nextRetry) pushRows.push(['Next retry', timeBoth(s.nextRetry), 'nextRetry']);
    return h(
      'article',
      { class: ['card', 'headscale-card', `health-${health.kind}`], dataset: { headscale: 'configured', state: health.kind } },
      h('div', { class: 'provider-head' }, logo(), h('h3', null, 'headscale'), badge(health.kind, health.text)),
      pollFailed ? failure('pollError', ['Reading headscale’s nodes failed ', timeEl(poll.at), ':'], poll.error, 'postured keeps the devices of the last successful poll and tries again every poll interval.') : null,
      pushFailed ? failure('pushError', ['Pushing the policy to headscale failed ', timeEl(push.at), ':'], push.error, s.nextRetry ? ['headscale keeps the policy it had; postured tries again ', timeEl(s.nextRetry), '.'] : 'headscale keeps the policy it had.') : null,
      h('h4', { class: 'hs-subhead' }, 'Nodes'),
      rowsEl(pollRows),
      h('h4', { class: 'hs-subhead' }, 'Policy push'),
      rowsEl(pushRows),
    );
  }

  function failure(field, heading, error, after) {
    return notice('error', h('p', { class: 'strong' }, heading), h('p', { class: 'hs-error', dataset: { field } }, error || 'unknown error'), after ? h('p', { class: 'error-detail small' }, after) : null);
  }

  function rowsEl(rows) {
    return h('dl', { class: 'dl status-list' }, rows.filter(Boolean).map(([k, v, key]) => [h('dt', null, k), h('dd', { dataset: { field: key } }, v)]));
  }

  function notYet() {
    return h('span', { class: 'muted' }, 'Not yet');
  }

  function warningsEl(warnings) {
    if (!warnings || !warnings.length) return h('span', { class: 'muted' }, 'None');
    return h('ul', { class: 'hs-warnings' }, warnings.map((w) => h('li', null, w)));
  }

  // The short hash with the full one in its tooltip and a Copy button. When
  // the browser refuses the clipboard, the full hash is shown, selected.
  function hashEl(sha, key = 'sha') {
    const shown = revealedSha === sha ? sha : shortHash(sha);
    const code = h('code', { class: 'hs-sha', title: sha, dataset: { sha } }, shown);
    const button = h('button', { class: 'btn btn-small btn-quiet', type: 'button', 'aria-label': 'Copy the full SHA-256', dataset: { key: `copy-${key}` } }, 'Copy');
    button.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(sha);
        button.textContent = 'Copied';
      } catch {
        revealedSha = sha;
        code.textContent = sha;
        window.getSelection().selectAllChildren(code);
        button.textContent = 'Selected: press Ctrl+C';
      }
    });
    return h('span', { class: 'hs-hash' }, code, button);
  }

  function logo() {
    return h('span', { class: 'provider-logo provider-logo-headscale', 'aria-hidden': 'true' }, 'h');
  }

  ctx.poll(refresh, REFRESH_MS);
  return out.el;
}
