// Machines: every device with its owner or tags, OS, addresses, last seen and
// a posture summary (SentinelOne and each posture of the policy). The list is
// fetched once per refresh (GET /devices?fields=all) and searched, filtered
// and paginated in the browser: 100 rows are rendered at a time, so 10,000
// devices stay fast. Search, filter and page live in the URL
// (#/machines?q=...&filter=...&posture=...&page=N).
import { h, replace, badge, debounce } from '../dom.js';
import * as api from '../api.js';
import { timeEl } from '../time.js';
import { parseFilter, matchesFilter, evaluatePosture, lookup } from '../posture.js';
import { loadPostures, postureLabel } from '../policy_data.js';
import { pageHeader, slot, loading, table, cell, pagination, errorNotice, field } from '../ui.js';

const PAGE_SIZE = 100;
const REFRESH_MS = 10000;

export function mount(container, _params, ctx, query) {
  ctx.setTitle('Machines');
  const state = {
    q: query.get('q') || '',
    filter: query.get('filter') || '',
    posture: query.get('posture') || '',
    page: Math.max(0, Number(query.get('page') || 1) - 1) || 0,
    devices: null,
    postures: [],
    conditions: [],
    error: null,
  };

  const count = h('p', { class: 'subtitle', 'aria-live': 'polite' }, 'Loading devices…');
  const header = pageHeader('Machines', null);
  header.querySelector('.page-title').append(count);

  const search = field({
    label: 'Search',
    input: h('input', { type: 'search', value: state.q, placeholder: 'Name, owner, tag, address or OS', autocomplete: 'off', name: 'q' }),
  });
  const filter = field({
    label: 'Attribute filter',
    input: h('input', { type: 'text', value: state.filter, placeholder: 'sentinelOne:infected == true', autocomplete: 'off', spellcheck: 'false', name: 'filter', class: 'mono' }),
    help: "Posture conditions, joined by AND: sentinelOne:activeThreats > 0, node:os IN ['macos', 'linux'], custom:tier IS SET.",
  });
  const postureSelect = h('select', { name: 'posture' });
  const postureField = field({ label: 'Posture', input: postureSelect });

  const toolbar = h('form', { class: 'toolbar', role: 'search', onsubmit: (e) => e.preventDefault() }, search.wrap, filter.wrap, postureField.wrap);
  const results = slot('results');
  results.show(loading('Loading devices…'));
  replace(container, header, toolbar, results.el);

  const syncUrl = () => {
    const p = new URLSearchParams();
    if (state.q) p.set('q', state.q);
    if (state.filter) p.set('filter', state.filter);
    if (state.posture) p.set('posture', state.posture);
    if (state.page) p.set('page', String(state.page + 1));
    const qs = p.toString();
    history.replaceState(null, '', `#/machines${qs ? `?${qs}` : ''}`);
  };

  const compileFilter = () => {
    if (!state.filter.trim()) {
      state.conditions = [];
      filter.setError('');
      return true;
    }
    try {
      state.conditions = parseFilter(state.filter.trim());
      filter.setError('');
      return true;
    } catch (e) {
      filter.setError(`Not a condition: ${e.message} (at character ${(e.offset ?? 0) + 1}).`);
      state.conditions = null;
      return false;
    }
  };

  search.input.addEventListener('input', debounce(() => {
    state.q = search.input.value;
    state.page = 0;
    syncUrl();
    render();
  }, 120));
  filter.input.addEventListener('input', debounce(() => {
    state.filter = filter.input.value;
    state.page = 0;
    syncUrl();
    compileFilter();
    render();
  }, 250));
  postureSelect.addEventListener('change', () => {
    state.posture = postureSelect.value;
    state.page = 0;
    syncUrl();
    render();
  });

  const fillPostureSelect = () => {
    const options = [h('option', { value: '' }, 'Any result')];
    if (state.postures.length) options.push(h('option', { value: 'fails:*' }, 'Failing any posture'));
    for (const p of state.postures) {
      options.push(h('option', { value: `fails:${p.name}` }, `Failing ${postureLabel(p.name)}`));
      options.push(h('option', { value: `passes:${p.name}` }, `Passing ${postureLabel(p.name)}`));
    }
    replace(postureSelect, options);
    postureSelect.value = state.posture;
    if (postureSelect.value !== state.posture) postureSelect.value = '';
    postureSelect.disabled = !state.postures.length;
  };

  // Posture results are computed per device once per refresh, on demand.
  let evalCache = new Map();
  const postureResults = (d) => {
    let r = evalCache.get(d.id);
    if (!r) {
      r = state.postures.map((p) => evaluatePosture(p, d.postureAttributes || {}));
      evalCache.set(d.id, r);
    }
    return r;
  };

  const matchesSearch = (d, q) => {
    if (!q) return true;
    const hay = [d.name, d.hostname, d.user, ...(d.tags || []), ...(d.addresses || []), d.os, d.osVersion, d.id].filter(Boolean).join(' ').toLowerCase();
    return q.split(/\s+/).every((word) => hay.includes(word));
  };

  const visible = () => {
    const q = state.q.trim().toLowerCase();
    const [mode, name] = state.posture ? state.posture.split(/:(.*)/s) : ['', ''];
    return state.devices.filter((d) => {
      if (!matchesSearch(d, q)) return false;
      if (state.conditions && state.conditions.length && !matchesFilter(state.conditions, d.postureAttributes || {})) return false;
      if (mode) {
        const results = postureResults(d);
        if (name === '*') return results.some((r) => !r.passed);
        const r = results.find((x) => x.name === name);
        if (!r) return false;
        return mode === 'fails' ? !r.passed : r.passed;
      }
      return true;
    });
  };

  function render() {
    if (state.error && !state.devices) {
      results.show(errorNotice(state.error, 'Could not load the devices'));
      return;
    }
    if (!state.devices) return;
    if (state.conditions === null) {
      // The filter does not parse: keep the last list, the error is beside the field.
      return;
    }
    const list = visible();
    const total = state.devices.length;
    count.textContent = `${total.toLocaleString('en-US')} ${total === 1 ? 'device' : 'devices'}${list.length !== total ? `, ${list.length.toLocaleString('en-US')} shown` : ''}`;
    const pages = Math.max(1, Math.ceil(list.length / PAGE_SIZE));
    if (state.page >= pages) state.page = pages - 1;
    const slice = list.slice(state.page * PAGE_SIZE, (state.page + 1) * PAGE_SIZE);
    const rows = slice.map((d) => row(d, postureResults(d)));
    const columns = [
      { label: 'Machine' },
      { label: 'Owner or tags' },
      { label: 'OS' },
      { label: 'Addresses' },
      { label: 'Last seen' },
      { label: 'SentinelOne' },
      { label: 'Postures' },
    ];
    const onPage = (p) => {
      state.page = p;
      syncUrl();
      render();
      results.el.scrollIntoView({ block: 'start', behavior: 'instant' });
    };
    results.show(
      state.error ? errorNotice(state.error, 'Refreshing failed; showing the last list') : null,
      table(columns, rows, {
        caption: 'Machines',
        className: 'machines-table',
        empty: total === 0 ? 'No devices yet. Import them with POST /api/v2/tailnet/-/devices or enroll machines with postured enroll.' : 'No device matches the search and filters.',
      }),
      list.length > PAGE_SIZE ? pagination({ page: state.page, pageSize: PAGE_SIZE, total: list.length, onPage, label: 'devices' }) : null,
    );
  }

  function row(d, postureResultsForDevice) {
    const attrs = d.postureAttributes || {};
    const owner = d.tags && d.tags.length ? h('span', { class: 'tags' }, d.tags.map((t) => h('span', { class: 'tag' }, t))) : h('span', null, d.user || '—');
    const os = [d.os, d.osVersion].filter(Boolean).join(' ');
    return h(
      'tr',
      { dataset: { device: d.id } },
      cell('Machine', h('a', { href: `#/machines/${encodeURIComponent(d.id)}`, class: 'strong' }, d.hostname || d.name), h('div', { class: 'muted small' }, d.name), d.isEphemeral ? badge('neutral', 'Ephemeral') : null),
      cell('Owner or tags', owner),
      cell('OS', os || h('span', { class: 'muted' }, '—')),
      cell('Addresses', h('div', { class: 'addresses mono small' }, (d.addresses || []).map((a) => h('div', null, a)))),
      cell('Last seen', timeEl(d.lastSeen, 'Never')),
      cell('SentinelOne', sentinelSummary(attrs)),
      cell('Postures', postureSummary(postureResultsForDevice)),
    );
  }

  async function refresh() {
    try {
      const [list, postures] = await Promise.all([
        api.get(`${api.T}/devices?fields=all`),
        loadPostures().catch((e) => {
          state.postureError = e;
          return { postures: [] };
        }),
      ]);
      state.devices = (list.devices || []).slice().sort((a, b) => (a.hostname || a.name).localeCompare(b.hostname || b.name));
      state.postures = postures.postures;
      state.error = null;
      evalCache = new Map();
      if (document.activeElement !== postureSelect) fillPostureSelect();
      compileFilter();
      render();
    } catch (e) {
      if (e.status === 401) return;
      state.error = e;
      render();
    }
  }

  ctx.poll(refresh, REFRESH_MS);
}

export function sentinelSummary(attrs) {
  const active = lookup(attrs, 'sentinelone:isactive');
  const threats = lookup(attrs, 'sentinelone:activethreats');
  const infected = lookup(attrs, 'sentinelone:infected');
  if (active === undefined && threats === undefined && infected === undefined) return h('span', { class: 'muted' }, 'Not reported');
  return h(
    'div',
    { class: 'badges' },
    active === true ? badge('ok', 'Active') : active === false ? badge('warn', 'Inactive') : null,
    typeof threats === 'number' ? (threats > 0 ? badge('bad', `${threats} ${threats === 1 ? 'threat' : 'threats'}`) : badge('ok', 'No threats')) : null,
    infected === true ? badge('bad', 'Infected') : infected === false ? badge('ok', 'Not infected') : null,
  );
}

export function postureSummary(results) {
  if (!results.length) return h('span', { class: 'muted' }, 'No postures in the policy');
  return h(
    'ul',
    { class: 'posture-list' },
    results.map((r) =>
      h(
        'li',
        null,
        badge(r.passed ? 'ok' : 'bad', `${r.passed ? '✓' : '✗'} ${postureLabel(r.name)}: ${r.passed ? 'passes' : 'fails'}`, r.passed ? '' : r.conditions.filter((c) => !c.passed).map((c) => `${c.text} — ${c.reason}`).join('\n')),
      ),
    ),
  );
}
