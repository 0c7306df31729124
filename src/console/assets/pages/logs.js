// Logs: the configuration audit log, newest first, filtered by time range,
// target and action (GET /logging/configuration?start=&end=&target=&event=).
// Filters live in the URL (#/logs?range=24h&target=...&event=...); the list
// refreshes every few seconds while the page is open.
import { h, replace } from '../dom.js';
import * as api from '../api.js';
import { timeEl, absolute, toLocalInput, fromLocalInput } from '../time.js';
import { pageHeader, slot, loading, table, cell, pagination, errorNotice, field } from '../ui.js';

const PAGE_SIZE = 100;
const REFRESH_MS = 5000;
const RANGES = [
  ['1h', 'Last hour', 3600e3],
  ['24h', 'Last 24 hours', 86400e3],
  ['7d', 'Last 7 days', 7 * 86400e3],
  ['30d', 'Last 30 days', 30 * 86400e3],
  ['all', 'All time', 0],
  ['custom', 'Custom range', 0],
];
const ACTIONS = ['CREATE', 'UPDATE', 'DELETE', 'ATTRIBUTES', 'ACL', 'POSTURE_INTEGRATION', 'POSTURE_IDENTITY', 'COLLECT_POSTURE_IDENTITY'];

export function actorText(actor) {
  if (!actor) return 'unknown';
  const name = actor.displayName || actor.loginName || actor.id || 'unknown';
  return actor.type === 'AUTOMATED_WORKER' ? `${name} (automated)` : name;
}

const show = (v) => (v === null || v === undefined ? 'unset' : typeof v === 'string' ? v : JSON.stringify(v));

// One line saying what an event changed.
export function summarizeEvent(e) {
  const t = e.target || {};
  const name = t.name || t.id || '';
  let text;
  if (t.property === 'ATTRIBUTES') {
    const before = e.old || {};
    const after = e.new || {};
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null));
    const parts = keys.slice(0, 4).map((k) => `${k}: ${show(before[k])} → ${show(after[k])}`);
    text = `Attributes of ${name}: ${parts.join('; ')}${keys.length > 4 ? `; and ${keys.length - 4} more` : ''}`;
  } else if (t.property === 'ACL') {
    text = `Policy saved${e.new && e.new.version ? ` (version ${e.new.version})` : ''}`;
  } else if (t.type === 'POSTURE_INTEGRATION') {
    const verb = { CREATE: 'connected', UPDATE: 'changed', DELETE: 'disconnected; its attributes were removed' }[e.action] || e.action.toLowerCase();
    const url = (e.new && e.new.cloudId) || (e.old && e.old.cloudId);
    text = `${name} integration ${verb}${url && e.action === 'CREATE' ? ` (${url})` : ''}`;
    if (e.action === 'UPDATE' && e.old && e.new) {
      const changed = Object.keys(e.new).filter((k) => JSON.stringify(e.old[k]) !== JSON.stringify(e.new[k]));
      if (changed.length) text += `: ${changed.join(', ')}`;
    }
  } else if (t.type === 'NODE') {
    const verb = { CREATE: 'added', DELETE: 'deleted', UPDATE: 'changed' }[e.action] || e.action.toLowerCase();
    text = `Device ${name} ${verb}${t.property ? ` (${t.property.toLowerCase().replace(/_/g, ' ')})` : ''}`;
  } else if (t.type === 'API_KEY') {
    const verb = { CREATE: 'created', DELETE: 'revoked', UPDATE: 'changed' }[e.action] || e.action.toLowerCase();
    text = `Key “${name}” ${verb}`;
  } else if (t.property === 'COLLECT_POSTURE_IDENTITY') {
    text = `Device identity collection turned ${e.new === true || (e.new && e.new.postureIdentityCollectionOn) ? 'on' : 'off'}`;
  } else {
    text = `${e.action} ${t.type || ''} ${name}`.trim();
  }
  return e.actionDetails ? `${text} — ${e.actionDetails}` : text;
}

function newestFirst(events) {
  return events
    .map((e, i) => [e, i])
    .sort(([a, i], [b, j]) => (a.eventTime < b.eventTime ? 1 : a.eventTime > b.eventTime ? -1 : j - i))
    .map(([e]) => e);
}

export function mount(container, _params, ctx, query) {
  ctx.setTitle('Logs');
  const state = {
    range: query.get('range') || (query.get('start') || query.get('end') ? 'custom' : 'all'),
    start: query.get('start') || '',
    end: query.get('end') || '',
    target: query.get('target') || '',
    event: query.get('event') || '',
    page: 0,
    events: null,
    error: null,
    live: true,
  };

  const rangeSelect = h('select', { name: 'range' }, RANGES.map(([v, label]) => h('option', { value: v }, label)));
  rangeSelect.value = state.range;
  const rangeField = field({ label: 'Time range', input: rangeSelect });
  const startField = field({ label: 'From', input: h('input', { type: 'datetime-local', name: 'start', value: state.start ? toLocalInput(new Date(state.start)) : '' }) });
  const endField = field({ label: 'To', input: h('input', { type: 'datetime-local', name: 'end', value: state.end ? toLocalInput(new Date(state.end)) : '' }) });
  const targetField = field({ label: 'Target', input: h('input', { type: 'text', name: 'target', value: state.target, placeholder: 'Device ID or name, key ID, …', autocomplete: 'off', spellcheck: 'false' }) });
  const listId = 'log-actions';
  const eventField = field({ label: 'Action or property', input: h('input', { type: 'text', name: 'event', value: state.event, placeholder: 'UPDATE, ATTRIBUTES, ACL, …', autocomplete: 'off', list: listId, spellcheck: 'false' }) });
  const datalist = h('datalist', { id: listId }, ACTIONS.map((a) => h('option', { value: a })));
  const liveBox = h('input', { type: 'checkbox', id: 'logs-live', checked: true });
  const formError = h('p', { class: 'form-error', role: 'alert' });

  const customFields = h('div', { class: 'custom-range' }, startField.wrap, endField.wrap);
  const updateCustom = () => {
    customFields.hidden = rangeSelect.value !== 'custom';
  };
  updateCustom();
  rangeSelect.addEventListener('change', () => {
    if (rangeSelect.value === 'custom' && !startField.input.value) startField.input.value = toLocalInput(new Date(Date.now() - 86400e3));
    updateCustom();
  });

  const form = h(
    'form',
    { class: 'toolbar logs-toolbar', 'aria-label': 'Filter the audit log' },
    rangeField.wrap,
    customFields,
    targetField.wrap,
    eventField.wrap,
    datalist,
    h('div', { class: 'toolbar-actions' }, h('button', { class: 'btn btn-primary', type: 'submit' }, 'Apply'), h('button', { class: 'btn', type: 'button', onclick: clear }, 'Clear')),
    formError,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    apply();
  });
  liveBox.addEventListener('change', () => {
    state.live = liveBox.checked;
    if (state.live) refreshNow();
  });

  const count = h('p', { class: 'subtitle', 'aria-live': 'polite' });
  const header = pageHeader('Logs', null, h('label', { class: 'switch-label', for: 'logs-live' }, liveBox, ' Live: refresh every 5 s'));
  header.querySelector('.page-title').append(count);
  const results = slot('results');
  results.show(loading('Loading the audit log…'));
  replace(container, header, form, results.el);

  // The custom range and the filters, as both the page URL and the API query carry them.
  function addFilters(p) {
    if (state.range === 'custom') {
      if (state.start) p.set('start', state.start);
      if (state.end) p.set('end', state.end);
    }
    if (state.target) p.set('target', state.target);
    if (state.event) p.set('event', state.event);
  }

  function syncUrl() {
    const p = new URLSearchParams();
    if (state.range !== 'all') p.set('range', state.range);
    addFilters(p);
    const qs = p.toString();
    history.replaceState(null, '', `#/logs${qs ? `?${qs}` : ''}`);
  }

  function apply() {
    formError.textContent = '';
    state.range = rangeSelect.value;
    state.start = state.range === 'custom' ? fromLocalInput(startField.input.value) : '';
    state.end = state.range === 'custom' ? fromLocalInput(endField.input.value) : '';
    if (state.start && state.end && state.end < state.start) {
      endField.setError('“To” is before “From”.');
      return;
    }
    endField.setError('');
    state.target = targetField.input.value.trim();
    state.event = eventField.input.value.trim();
    state.page = 0;
    syncUrl();
    results.show(loading('Loading the audit log…'));
    refreshNow();
  }

  function clear() {
    rangeSelect.value = 'all';
    startField.input.value = '';
    endField.input.value = '';
    targetField.input.value = '';
    eventField.input.value = '';
    updateCustom();
    apply();
  }

  function url() {
    const p = new URLSearchParams();
    const range = RANGES.find(([v]) => v === state.range);
    if (range && range[2]) p.set('start', new Date(Date.now() - range[2]).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    addFilters(p);
    const qs = p.toString();
    return `${api.T}/logging/configuration${qs ? `?${qs}` : ''}`;
  }

  function render() {
    if (!state.events) {
      if (state.error) results.show(errorNotice(state.error, 'Could not load the audit log'));
      return;
    }
    const events = state.events;
    count.textContent = `${events.length.toLocaleString('en-US')} ${events.length === 1 ? 'event' : 'events'}, newest first${events.length >= 10000 ? ' (the newest 10,000)' : ''}`;
    const pages = Math.max(1, Math.ceil(events.length / PAGE_SIZE));
    if (state.page >= pages) state.page = pages - 1;
    const slice = events.slice(state.page * PAGE_SIZE, (state.page + 1) * PAGE_SIZE);
    const rows = slice.map((e) =>
      h(
        'tr',
        { dataset: { action: e.action, targetType: e.target?.type || '' } },
        cell('Time', timeEl(e.eventTime), h('div', { class: 'muted small' }, absolute(e.eventTime))),
        cell('Actor', actorText(e.actor)),
        cell('Action', h('span', { class: 'strong' }, e.action), e.target?.property ? h('div', { class: 'muted small' }, e.target.property) : null),
        cell('Target', h('span', null, e.target?.name || e.target?.id || '—'), h('div', { class: 'muted small' }, [e.target?.type, e.target?.id && e.target.id !== e.target.name ? e.target.id : ''].filter(Boolean).join(' · '))),
        cell(
          'Details',
          h('div', { class: 'event-summary' }, summarizeEvent(e)),
          e.old !== undefined || e.new !== undefined
            ? h('details', null, h('summary', null, 'Old and new values'), h('pre', { class: 'code-block small' }, JSON.stringify({ old: e.old ?? null, new: e.new ?? null }, null, 2)))
            : null,
        ),
      ),
    );
    results.show(
      state.error ? errorNotice(state.error, 'Refreshing failed; showing the last result') : null,
      table([{ label: 'Time' }, { label: 'Actor' }, { label: 'Action' }, { label: 'Target' }, { label: 'Details' }], rows, {
        caption: 'Audit events',
        className: 'logs-table',
        empty: 'No events match these filters.',
      }),
      events.length > PAGE_SIZE
        ? pagination({
            page: state.page,
            pageSize: PAGE_SIZE,
            total: events.length,
            label: 'events',
            onPage: (p) => {
              state.page = p;
              render();
            },
          })
        : null,
    );
  }

  async function refresh(force = false) {
    if (!force && !state.live && state.events) return;
    try {
      const data = await api.get(url());
      state.events = newestFirst(data.logs || []);
      state.error = null;
    } catch (e) {
      if (e.status === 401) return;
      state.error = e;
      if (e.status === 400 && e.field) {
        const f = { start: startField, end: endField, target: targetField, event: eventField }[e.field];
        if (f) f.setError(e.message);
      } else {
        formError.textContent = '';
      }
    }
    render();
  }

  ctx.poll(() => refresh(false), REFRESH_MS);
  function refreshNow() {
    refresh(true);
  }
}
