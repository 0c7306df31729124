// A tiny element builder. Text always goes in as text nodes (never parsed as
// HTML), and no style attributes are written: the Content-Security-Policy
// allows only the console's own stylesheet.
//
//   h('button', {class: 'btn', type: 'button', onclick: fn, 'aria-label': 'Close'}, 'Close')
//
// Props: class (string or array, falsy items dropped), text, on<event>
// (listeners), dataset (object), hidden/disabled/checked/value/... (set as
// properties when the element has one), anything else as an attribute.
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [name, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'class') {
        el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
      } else if (name === 'text') {
        el.textContent = String(value);
      } else if (name === 'dataset') {
        Object.assign(el.dataset, value);
      } else if (name.startsWith('on') && typeof value === 'function') {
        el.addEventListener(name.slice(2), value);
      } else if (name === 'style') {
        throw new Error('h(): style attributes are blocked by the CSP; use a class');
      } else if (['value', 'checked', 'disabled', 'hidden', 'selected', 'open', 'readOnly', 'required'].includes(name)) {
        el[name] = value;
      } else {
        el.setAttribute(name, value === true ? '' : String(value));
      }
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

// Replaces an element's children.
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

let idCounter = 0;
export function uid(prefix = 'id') {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

// A status badge: colour and words together.
export function badge(kind, text, title) {
  return h('span', { class: ['badge', `badge-${kind}`], title }, text);
}

// A message box where the operator acted: kind is 'error', 'ok', 'info' or 'warn'.
export function notice(kind, ...children) {
  return h('div', { class: ['notice', `notice-${kind}`], role: kind === 'error' ? 'alert' : 'status' }, ...children);
}

// Runs `fn` at most once every `ms` milliseconds of quiet.
export function debounce(fn, ms) {
  let timer = 0;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
