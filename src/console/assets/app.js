// The console's shell: session (sign-in, sign-out), navigation and the
// hash router (#/machines, #/machines/ID, #/device-management,
// #/access-controls, #/logs). Pages are modules exporting
// mount(container, params, ctx); ctx.poll() refreshes them while the tab is
// visible and stops when the page is left.
import { h, replace, notice } from './dom.js';
import * as api from './api.js';
import { absolute } from './time.js';
import * as machines from './pages/machines.js';
import * as machine from './pages/machine.js';
import * as deviceManagement from './pages/device_management.js';
import * as accessControls from './pages/access_controls.js';
import * as logs from './pages/logs.js';

const routes = [
  { pattern: /^\/machines$/, nav: 'machines', page: machines },
  { pattern: /^\/machines\/([^/?]+)$/, nav: 'machines', page: machine },
  { pattern: /^\/device-management$/, nav: 'device-management', page: deviceManagement },
  { pattern: /^\/access-controls$/, nav: 'access-controls', page: accessControls },
  { pattern: /^\/logs$/, nav: 'logs', page: logs },
];

const main = document.getElementById('main');
const topbar = document.getElementById('topbar');
const nav = document.getElementById('nav');
const navToggle = document.getElementById('nav-toggle');

let session = null;
let current = null; // {ctx, path}

// Lifetime of one mounted page: its pollers and clean-ups.
class PageContext {
  constructor(session) {
    this.session = session;
    this.alive = true;
    this.cleanups = [];
  }

  // Runs fn now (unless `immediately` is false) and then every `ms` while the
  // page is mounted and the tab is visible; a hidden tab polls nothing and
  // refreshes as soon as it is shown again. Returns a function that runs fn now.
  poll(fn, ms, immediately = true) {
    let timer = 0;
    let running = false;
    const run = async () => {
      clearTimeout(timer);
      if (!this.alive || running) return;
      if (document.visibilityState === 'hidden') return;
      running = true;
      try {
        await fn();
      } catch (e) {
        console.error(e);
      } finally {
        running = false;
      }
      if (this.alive && document.visibilityState !== 'hidden') timer = setTimeout(run, ms);
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible') run();
      else clearTimeout(timer);
    };
    document.addEventListener('visibilitychange', onVisible);
    this.cleanups.push(() => {
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    });
    if (immediately) run();
    else timer = setTimeout(run, ms);
    return run;
  }

  onCleanup(fn) {
    this.cleanups.push(fn);
  }

  setTitle(title) {
    document.title = `${title} · postured`;
  }

  dispose() {
    this.alive = false;
    for (const fn of this.cleanups.splice(0)) {
      try {
        fn();
      } catch (e) {
        console.error(e);
      }
    }
  }
}

function currentPath() {
  const hash = location.hash || '';
  if (!hash.startsWith('#/')) return null;
  return hash.slice(1);
}

function route() {
  if (!session) return;
  let path = currentPath();
  if (path === null || path === '/') {
    history.replaceState(null, '', '#/machines');
    path = '/machines';
  }
  const [pathname, query = ''] = path.split('?');
  const match = routes.map((r) => ({ r, m: r.pattern.exec(pathname) })).find((x) => x.m);
  if (current) current.ctx.dispose();
  closeDialogs();
  const ctx = new PageContext(session);
  current = { ctx, path };
  for (const link of nav.querySelectorAll('a[data-nav]')) {
    if (match && link.dataset.nav === match.r.nav) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  closeMenu();
  const container = h('div', { class: 'page' });
  replace(main, container);
  if (!match) {
    ctx.setTitle('Not found');
    replace(container, h('h1', null, 'Page not found'), h('p', null, 'There is no page at ', h('code', null, pathname), '. ', h('a', { href: '#/machines' }, 'Go to Machines'), '.'));
    return;
  }
  const params = match.m.slice(1).map(decodeURIComponent);
  match.r.page.mount(container, params, ctx, new URLSearchParams(query));
  const heading = container.querySelector('h1');
  if (heading && document.activeElement && document.activeElement !== document.body && !main.contains(document.activeElement)) {
    // Keyboard users who followed a nav link land on the new page.
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  }
}

function closeDialogs() {
  for (const d of document.querySelectorAll('dialog[open]')) d.close();
}

function closeMenu() {
  nav.classList.remove('open');
  navToggle.setAttribute('aria-expanded', 'false');
}

navToggle.addEventListener('click', () => {
  const open = !nav.classList.contains('open');
  nav.classList.toggle('open', open);
  navToggle.setAttribute('aria-expanded', String(open));
});

function showShell() {
  topbar.hidden = false;
  const who = document.getElementById('session-who');
  who.textContent = session.description || session.keyId || 'API key';
  who.title = `Key ${session.keyId}; scopes: ${(session.scopes || []).join(', ')}; session ends ${absolute(session.expires)}`;
}

function showSignIn(message) {
  if (current) current.ctx.dispose();
  closeDialogs();
  current = null;
  session = null;
  api.setCsrfToken('');
  topbar.hidden = true;
  document.title = 'Sign in · postured';
  const keyId = 'api-key';
  const errorBox = h('div', { class: 'form-error', id: 'sign-in-error', role: 'alert' });
  const input = h('input', {
    id: keyId,
    name: 'apiKey',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    placeholder: 'postured-api-…',
    'aria-describedby': 'api-key-help sign-in-error',
  });
  const button = h('button', { class: 'btn btn-primary', type: 'submit' }, 'Sign in');
  const form = h(
    'form',
    { class: 'signin-card', novalidate: true },
    h('div', { class: 'signin-brand' }, h('img', { src: '/console/favicon.svg', alt: '', width: 36, height: 36 }), h('span', null, 'postured')),
    h('h1', null, 'Sign in'),
    message ? notice('info', message) : null,
    h('div', { class: 'field' }, h('label', { for: keyId }, 'API key'), input, h('p', { class: 'help', id: 'api-key-help' }, 'An API key of this tailnet. The first admin key is in the data directory’s admin.key file. The console acts with the key’s scopes.'), errorBox),
    h('div', { class: 'actions' }, button),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errorBox.textContent = '';
    input.removeAttribute('aria-invalid');
    const apiKey = input.value.trim();
    if (!apiKey) {
      errorBox.textContent = 'Enter an API key.';
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    button.disabled = true;
    button.textContent = 'Signing in…';
    try {
      const s = await api.post('/api/v2/session', { apiKey }, { noSessionCheck: true });
      startSession(s);
    } catch (e) {
      errorBox.textContent = e.status === 401 ? `The key was not accepted: ${e.message}` : e.message;
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      input.select();
    } finally {
      button.disabled = false;
      button.textContent = 'Sign in';
    }
  });
  replace(main, h('div', { class: 'signin' }, form));
  input.focus();
}

function startSession(s) {
  session = s;
  api.setCsrfToken(s.csrfToken);
  showShell();
  route();
}

document.getElementById('sign-out').addEventListener('click', async () => {
  try {
    await api.del('/api/v2/session', { noSessionCheck: true });
    showSignIn('You have signed out.');
  } catch (e) {
    if (e.status === 401) showSignIn('You have signed out.');
    else alert(`Signing out failed: ${e.message}`);
  }
});

let ending = false;
api.setSessionEndedHandler(() => {
  if (!session || ending) return;
  ending = true;
  showSignIn('Your session has ended (it expired, was signed out elsewhere, or its key was revoked). Sign in again.');
  ending = false;
});

window.addEventListener('hashchange', () => {
  if (currentPath() === null) return; // an in-page anchor, not a route
  route();
});

async function boot() {
  try {
    const s = await api.get('/api/v2/session', { noSessionCheck: true });
    startSession(s);
  } catch (e) {
    showSignIn(e.status === 401 || e.status === 0 ? (e.status === 0 ? e.message : '') : `Could not check the session: ${e.message}`);
  }
}

boot();
