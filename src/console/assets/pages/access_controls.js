// Access controls: the policy file (HuJSON) in an editor with line numbers.
// Validate shows an error at its line and column and jumps there; Save sends
// If-Match with the ETag it loaded and says so plainly when someone else
// changed the policy meanwhile (412); failing policy tests are listed.
// Unsaved edits survive leaving the page (until the console is reloaded).
import { h, replace, badge, notice } from '../dom.js';
import * as api from '../api.js';
import { pageHeader, loading, table, cell, describeError, confirmDialog } from '../ui.js';
import { invalidatePostures } from '../policy_data.js';

const HUJSON = 'application/hujson';
const REFRESH_MS = 10000;

// Kept across visits of the page: {text, etag, base} (base: the text as loaded).
let draft = null;

// "line 3, column 37: ..." -> {line, column, message}
export function parsePosition(message) {
  const m = /line (\d+), column (\d+): ([\s\S]*)/.exec(message || '');
  return m ? { line: Number(m[1]), column: Number(m[2]), message: m[3] } : null;
}

export function mount(container, _params, ctx) {
  ctx.setTitle('Access controls');
  const dirtyBadge = h('span', { class: 'dirty-badge', 'aria-live': 'polite' });
  const validateButton = h('button', { class: 'btn', type: 'button' }, 'Validate');
  const saveButton = h('button', { class: 'btn btn-primary', type: 'button' }, 'Save');
  const discardButton = h('button', { class: 'btn btn-quiet', type: 'button', disabled: true }, 'Discard changes');
  const header = pageHeader('Access controls', 'The tailnet policy file: who may reach what, and the device postures rules require.', dirtyBadge, discardButton, validateButton, saveButton);

  const status = h('div', { class: 'editor-status', 'aria-live': 'polite' });
  const gutter = h('div', { class: 'editor-gutter', 'aria-hidden': 'true' });
  const band = h('div', { class: 'editor-band', hidden: true, 'aria-hidden': 'true' });
  const textarea = h('textarea', {
    class: 'editor-text',
    id: 'policy-text',
    wrap: 'off',
    spellcheck: 'false',
    autocapitalize: 'off',
    autocomplete: 'off',
    'aria-label': 'Policy file (HuJSON)',
    'aria-describedby': 'policy-help',
    disabled: true,
  });
  const position = h('span', { class: 'editor-position muted small', 'aria-live': 'off' }, 'Line 1, column 1');
  const editor = h('div', { class: 'editor' }, gutter, h('div', { class: 'editor-main' }, band, textarea));
  replace(
    container,
    header,
    status,
    editor,
    h('div', { class: 'editor-footer' }, h('p', { class: 'muted small', id: 'policy-help' }, 'HuJSON: JSON with comments and trailing commas. Ctrl+S saves. Validate checks the policy and runs its tests without saving.'), position),
  );
  status.append(loading('Loading the policy…'));

  let etag = '';
  let base = '';
  let errorLine = 0;
  let lineCount = 0;

  const dirty = () => textarea.value !== base;
  const saveDraft = () => {
    draft = dirty() ? { text: textarea.value, etag, base } : null;
  };

  function updateGutter() {
    const lines = textarea.value.split('\n').length;
    if (lines !== lineCount) {
      lineCount = lines;
      const frag = document.createDocumentFragment();
      for (let i = 1; i <= lines; i++) frag.append(h('div', { class: i === errorLine ? 'gutter-line gutter-error' : 'gutter-line' }, String(i)));
      gutter.replaceChildren(frag);
    }
    gutter.scrollTop = textarea.scrollTop;
    placeBand();
  }

  function lineHeight() {
    return parseFloat(getComputedStyle(textarea).lineHeight) || 20;
  }

  function placeBand() {
    if (!errorLine) {
      band.hidden = true;
      return;
    }
    const padTop = parseFloat(getComputedStyle(textarea).paddingTop) || 0;
    band.hidden = false;
    band.style.top = `${padTop + (errorLine - 1) * lineHeight() - textarea.scrollTop}px`;
    band.style.height = `${lineHeight()}px`;
  }

  function markError(line) {
    errorLine = line;
    lineCount = 0; // re-render the gutter with the marked line
    updateGutter();
  }

  function updateDirty() {
    const d = dirty();
    replace(dirtyBadge, d ? badge('warn', 'Unsaved changes') : null);
    discardButton.disabled = !d;
    saveDraft();
  }

  function updatePosition() {
    const before = textarea.value.slice(0, textarea.selectionStart);
    const line = before.split('\n').length;
    const column = Array.from(before.slice(before.lastIndexOf('\n') + 1)).length + 1;
    position.textContent = `Line ${line}, column ${column}`;
  }

  // Puts the caret at line:column (columns count code points, as the server does).
  function goTo(line, column) {
    const lines = textarea.value.split('\n');
    const l = Math.min(Math.max(1, line), lines.length);
    let offset = 0;
    for (let i = 0; i < l - 1; i++) offset += lines[i].length + 1;
    const chars = Array.from(lines[l - 1]);
    offset += chars.slice(0, Math.max(0, column - 1)).join('').length;
    textarea.focus();
    textarea.setSelectionRange(offset, Math.min(offset + 1, offset + (chars[column - 1] || '').length));
    const lh = lineHeight();
    textarea.scrollTop = Math.max(0, (l - 1) * lh - textarea.clientHeight / 3);
    updateGutter();
    updatePosition();
  }

  function showStatus(...children) {
    replace(status, ...children);
  }

  function showError(e, doing) {
    const pos = parsePosition(e.message);
    if (e.status === 400 && e.body && Array.isArray(e.body.data)) {
      markError(0);
      showStatus(testFailures(e.body, doing));
      return;
    }
    if (pos) {
      markError(pos.line);
      showStatus(
        notice(
          'error',
          h('strong', null, `${doing}: line ${pos.line}, column ${pos.column}`),
          h('div', { class: 'error-detail' }, pos.message),
          h('button', { class: 'btn btn-small', type: 'button', onclick: () => goTo(pos.line, pos.column) }, `Go to line ${pos.line}, column ${pos.column}`),
        ),
      );
      return;
    }
    markError(0);
    showStatus(notice('error', describeError(e, doing)));
  }

  function testFailures(body, doing) {
    const failures = body.data;
    return notice(
      'error',
      h('strong', null, `${doing}: the policy’s tests failed (${failures.length} ${failures.length === 1 ? 'test' : 'tests'}).`),
      table(
        [{ label: 'Test source' }, { label: 'Failures' }],
        failures.map((f) =>
          h(
            'tr',
            null,
            cell('Test source', h('code', null, f.user || f.src || '—')),
            cell('Failures', h('ul', { class: 'plain' }, [...(f.errors || []).map((x) => h('li', null, x)), ...(f.warnings || []).map((x) => h('li', { class: 'muted' }, `Warning: ${x}`))])),
          ),
        ),
        { caption: 'Failing policy tests', className: 'tests-table' },
      ),
    );
  }

  async function load({ keepStatus = false } = {}) {
    const res = await api.request('GET', `${api.T}/acl`, { accept: HUJSON });
    etag = res.headers.get('ETag') || '';
    base = res.text;
    textarea.value = base;
    textarea.disabled = false;
    markError(0);
    updateDirty();
    updatePosition();
    if (!keepStatus) showStatus();
  }

  async function validate() {
    validateButton.disabled = true;
    showStatus(loading('Validating…'));
    try {
      await api.request('POST', `${api.T}/acl/validate`, { text: textarea.value, contentType: HUJSON });
      markError(0);
      showStatus(notice('ok', 'The policy is valid and its tests pass. It has not been saved yet.'));
    } catch (e) {
      if (e.status !== 401) showError(e, 'Not valid');
    } finally {
      validateButton.disabled = false;
    }
  }

  async function save() {
    if (textarea.disabled) return;
    saveButton.disabled = true;
    saveButton.textContent = 'Saving…';
    try {
      const headers = etag ? { 'If-Match': etag } : {};
      const res = await api.request('POST', `${api.T}/acl`, { text: textarea.value, contentType: HUJSON, accept: HUJSON, headers });
      etag = res.headers.get('ETag') || etag;
      base = textarea.value;
      invalidatePostures();
      markError(0);
      updateDirty();
      showStatus(notice('ok', `Saved at ${new Date().toLocaleTimeString()}. The new policy is in force.`));
    } catch (e) {
      if (e.status === 412) {
        markError(0);
        showStatus(
          notice(
            'error',
            h('strong', null, 'Not saved: someone else changed the policy since you loaded it.'),
            h('div', { class: 'error-detail' }, 'Your edits are still here. Copy what you need, then load their version and apply your edits to it.'),
            h('button', { class: 'btn btn-small', type: 'button', onclick: () => reloadAfterConflict() }, 'Load the current policy'),
          ),
        );
      } else if (e.status !== 401) {
        showError(e, 'Not saved');
      }
    } finally {
      saveButton.disabled = false;
      saveButton.textContent = 'Save';
    }
  }

  async function reloadAfterConflict() {
    const ok = await confirmDialog({
      title: 'Load the current policy?',
      message: h('p', null, 'Your unsaved edits will be replaced by the policy as it is saved now.'),
      confirmLabel: 'Replace my edits',
    });
    if (!ok) return;
    try {
      await load();
      showStatus(notice('info', 'Loaded the current policy.'));
    } catch (e) {
      showError(e, 'Loading failed');
    }
  }

  discardButton.addEventListener('click', async () => {
    const ok = await confirmDialog({ title: 'Discard your changes?', message: h('p', null, 'The editor goes back to the saved policy.'), confirmLabel: 'Discard changes' });
    if (!ok) return;
    textarea.value = base;
    markError(0);
    updateDirty();
    showStatus();
  });
  validateButton.addEventListener('click', validate);
  saveButton.addEventListener('click', save);
  textarea.addEventListener('input', () => {
    updateGutter();
    updateDirty();
    updatePosition();
  });
  textarea.addEventListener('scroll', () => {
    gutter.scrollTop = textarea.scrollTop;
    placeBand();
  });
  textarea.addEventListener('keyup', updatePosition);
  textarea.addEventListener('click', updatePosition);
  textarea.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's') {
      e.preventDefault();
      save();
    }
  });
  const onResize = () => placeBand();
  window.addEventListener('resize', onResize);
  ctx.onCleanup(() => {
    window.removeEventListener('resize', onResize);
    saveDraft();
  });

  // First load, then watch for changes saved elsewhere.
  (async () => {
    try {
      if (draft) {
        textarea.value = draft.text;
        etag = draft.etag;
        base = draft.base;
        textarea.disabled = false;
        updateGutter();
        updateDirty();
        showStatus(notice('info', 'Your unsaved edits are restored.'));
      } else {
        await load();
      }
    } catch (e) {
      if (e.status !== 401) showStatus(notice('error', describeError(e, 'Could not load the policy')));
      return;
    }
    ctx.poll(watch, REFRESH_MS, false);
  })();

  let warnedEtag = '';
  async function watch() {
    let res;
    try {
      res = await api.request('GET', `${api.T}/acl`, { accept: HUJSON });
    } catch {
      return;
    }
    const current = res.headers.get('ETag') || '';
    if (!current || current === etag) return;
    if (!dirty()) {
      etag = current;
      base = res.text;
      textarea.value = base;
      lineCount = 0;
      updateGutter();
      updateDirty();
      showStatus(notice('info', `The policy was changed elsewhere at about ${new Date().toLocaleTimeString()}; showing the new version.`));
    } else if (warnedEtag !== current) {
      warnedEtag = current;
      showStatus(notice('warn', 'The policy was changed elsewhere since you loaded it. Saving your edits will be refused; copy them, then use Discard changes to load the new version.'));
    }
  }
}
