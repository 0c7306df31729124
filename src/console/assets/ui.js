// Building blocks shared by the pages: headers, error notices, tables,
// pagination, dialogs.
import { h, replace, notice, uid } from './dom.js';

export function pageHeader(title, subtitle, ...actions) {
  return h(
    'div',
    { class: 'page-header' },
    h('div', { class: 'page-title' }, h('h1', null, title), subtitle ? h('p', { class: 'subtitle' }, subtitle) : null),
    actions.length ? h('div', { class: 'page-actions' }, ...actions) : null,
  );
}

// An API error in words, with what to do for the usual statuses.
export function describeError(e, doing) {
  const prefix = doing ? `${doing}: ` : '';
  if (e.status === 403) return `${prefix}${e.message}. The signed-in key lacks the scope for this; sign in with a key that has it.`;
  return `${prefix}${e.message}`;
}

export function errorNotice(e, doing) {
  return notice('error', describeError(e, doing));
}

// A slot whose content is replaced on each refresh; show(...) or error(e).
export function slot(className) {
  const el = h('div', { class: className || 'slot', 'aria-live': 'polite' });
  return {
    el,
    show: (...children) => replace(el, ...children),
    error: (e, doing) => replace(el, errorNotice(e, doing)),
  };
}

export function loading(text = 'Loading…') {
  return h('p', { class: 'loading' }, text);
}

// A table that turns into labelled cards on narrow screens (each cell carries
// its column name in data-label). columns: [{label, className?}]
export function table(columns, rows, { caption, empty = 'Nothing to show.', className } = {}) {
  if (!rows.length) return h('p', { class: 'empty' }, empty);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: ['table', className] },
      caption ? h('caption', { class: 'visually-hidden' }, caption) : null,
      h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col', class: c.className }, c.label)))),
      h('tbody', null, rows),
    ),
  );
}

export function cell(label, ...children) {
  return h('td', { 'data-label': label }, h('div', { class: 'cell' }, ...children));
}

// Previous / next with "101–200 of 10,000". onPage(newPage) is called.
export function pagination({ page, pageSize, total, onPage, label = 'items' }) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const from = total === 0 ? 0 : page * pageSize + 1;
  const to = Math.min(total, (page + 1) * pageSize);
  const fmt = (n) => n.toLocaleString('en-US');
  return h(
    'nav',
    { class: 'pagination', 'aria-label': 'Pages' },
    h('span', { class: 'muted', 'aria-live': 'polite' }, `${fmt(from)}–${fmt(to)} of ${fmt(total)} ${label}`),
    h('span', { class: 'pagination-buttons' },
      h('button', { class: 'btn btn-small', type: 'button', disabled: page <= 0, onclick: () => onPage(page - 1) }, '← Previous'),
      h('span', { class: 'muted' }, `Page ${page + 1} of ${pages}`),
      h('button', { class: 'btn btn-small', type: 'button', disabled: page >= pages - 1, onclick: () => onPage(page + 1) }, 'Next →'),
    ),
  );
}

// A labelled form field; returns {wrap, input, error, setError(text)}.
export function field({ label, input, help }) {
  const id = input.id || uid('field');
  input.id = id;
  const helpId = `${id}-help`;
  const errorId = `${id}-error`;
  const error = h('p', { class: 'field-error', id: errorId, role: 'alert' });
  input.setAttribute('aria-describedby', [help ? helpId : '', errorId].filter(Boolean).join(' '));
  const wrap = h('div', { class: 'field' }, h('label', { for: id }, label), input, help ? h('p', { class: 'help', id: helpId }, help) : null, error);
  return {
    wrap,
    input,
    error,
    setError(text) {
      error.textContent = text || '';
      if (text) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    },
  };
}

// A modal <dialog>. content: nodes; returns {dialog, close()}. Escape and
// Cancel close it; focus returns to where it was.
export function openDialog({ title, content, className, onClose }) {
  const titleId = uid('dialog-title');
  const opener = document.activeElement;
  const dialog = h('dialog', { class: ['dialog', className], 'aria-labelledby': titleId }, h('h2', { id: titleId }, title), content);
  document.body.append(dialog);
  const close = () => {
    if (dialog.open) dialog.close();
  };
  dialog.addEventListener('close', () => {
    dialog.remove();
    if (onClose) onClose();
    if (opener && opener.isConnected && typeof opener.focus === 'function') opener.focus();
  });
  dialog.showModal();
  return { dialog, close };
}

// Asks for confirmation; resolves true when confirmed.
export function confirmDialog({ title, message, confirmLabel, danger = true }) {
  return new Promise((resolve) => {
    let answer = false;
    const cancel = h('button', { class: 'btn', type: 'button' }, 'Cancel');
    const ok = h('button', { class: ['btn', danger ? 'btn-danger' : 'btn-primary'], type: 'button' }, confirmLabel);
    const { close } = openDialog({
      title,
      content: [h('div', { class: 'dialog-body' }, message), h('div', { class: 'actions' }, cancel, ok)],
      onClose: () => resolve(answer),
    });
    cancel.addEventListener('click', close);
    ok.addEventListener('click', () => {
      answer = true;
      close();
    });
    cancel.focus();
  });
}

// Renders an attribute value for reading: strings as is, others as JSON.
export function valueText(v) {
  if (v === undefined || v === null) return '—';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

export function fmtCount(n) {
  return typeof n === 'number' ? n.toLocaleString('en-US') : '—';
}
