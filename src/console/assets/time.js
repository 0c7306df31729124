// Times as people read them: relative ("3 min ago", "in 14 min") with the
// absolute local time beside it or in a tooltip.
import { h } from './dom.js';

const absoluteFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  timeZoneName: 'short',
});

export function parseTime(value) {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) || d.getTime() <= 0 ? null : d;
}

export function absolute(value) {
  const d = parseTime(value);
  return d ? absoluteFormat.format(d) : '—';
}

export function relative(value, now = Date.now()) {
  const d = parseTime(value);
  if (!d) return 'never';
  const seconds = Math.round((d.getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  let text;
  if (abs < 5) return 'just now';
  if (abs < 60) text = `${abs} s`;
  else if (abs < 3600) text = `${Math.round(abs / 60)} min`;
  else if (abs < 86400 * 2) text = `${Math.round(abs / 3600)} h`;
  else text = `${Math.round(abs / 86400)} days`;
  return seconds < 0 ? `${text} ago` : `in ${text}`;
}

// <time> with the relative text and the absolute time as its tooltip.
export function timeEl(value, fallback = 'never') {
  const d = parseTime(value);
  if (!d) return h('span', { class: 'muted' }, fallback);
  return h('time', { datetime: d.toISOString(), title: absolute(value) }, relative(value));
}

// Re-words the relative text of every <time> under root that timeEl or
// timeBoth made, for a refresh that changed nothing else.
export function refreshRelativeTimes(root, now = Date.now()) {
  for (const t of root.querySelectorAll('time[datetime]')) {
    const text = relative(t.getAttribute('datetime'), now);
    if (t.textContent !== text) t.textContent = text;
  }
}

// "3 min ago (24 Nov 2026, 10:03:12 UTC)"
export function timeBoth(value, fallback = 'never') {
  const d = parseTime(value);
  if (!d) return h('span', { class: 'muted' }, fallback);
  return h('span', { class: 'time-both' }, h('time', { datetime: d.toISOString() }, relative(value)), ' ', h('span', { class: 'muted' }, `(${absolute(value)})`));
}

// For <input type="datetime-local">: local "YYYY-MM-DDTHH:MM" <-> RFC 3339.
export function toLocalInput(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function fromLocalInput(text) {
  if (!text) return '';
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
