// The public REST API, called with the session cookie. State-changing
// requests carry the session's CSRF token in X-CSRF-Token. Errors become
// ApiError with the server's message (and the field it names, if any).

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

let csrfToken = '';
let onSessionEnded = () => {};

export function setCsrfToken(token) {
  csrfToken = token || '';
}

// Called once when a request answers 401 (the session expired or was ended).
export function setSessionEndedHandler(fn) {
  onSessionEnded = fn;
}

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body || {};
    this.field = fieldOf(this.body, message);
  }
}

// The field an error names: {"field": ...}, or the server's "field: message" prefix.
function fieldOf(body, message) {
  if (body && typeof body.field === 'string' && body.field) return body.field;
  const m = /^([A-Za-z][A-Za-z0-9_.[\]]*): /.exec(message || '');
  return m ? m[1] : '';
}

// The message without a "field: " prefix, for showing beside that field.
export function messageWithoutField(error) {
  const msg = error.message || '';
  return error.field && msg.startsWith(`${error.field}: `) ? msg.slice(error.field.length + 2) : msg;
}

function describeStatus(status) {
  if (status === 403) return 'Not allowed (403)';
  if (status === 404) return 'Not found (404)';
  if (status >= 500) return `The server failed (${status})`;
  return `The request failed (${status})`;
}

// request('GET', '/api/v2/...', {json, text, contentType, accept, headers, allow: [statuses that are not errors]})
// -> {status, data (parsed JSON or null), text, headers}
export async function request(method, path, options = {}) {
  const headers = new Headers(options.headers || {});
  let body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers.set('Content-Type', 'application/json');
  } else if (options.text !== undefined) {
    body = options.text;
    headers.set('Content-Type', options.contentType || 'text/plain');
  }
  headers.set('Accept', options.accept || 'application/json');
  if (UNSAFE.has(method) && csrfToken) headers.set('X-CSRF-Token', csrfToken);
  let res;
  try {
    res = await fetch(path, { method, headers, body, credentials: 'same-origin', cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, `Could not reach postured (${e.message}). Check that the server is running.`);
  }
  const text = await res.text();
  let data = null;
  if (text && (res.headers.get('Content-Type') || '').includes('json')) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  const allowed = options.allow || [];
  if (!res.ok && !allowed.includes(res.status)) {
    const message = (data && typeof data.message === 'string' && data.message) || text.trim() || describeStatus(res.status);
    const error = new ApiError(res.status, message, data);
    if (res.status === 401 && !options.noSessionCheck) onSessionEnded(error);
    throw error;
  }
  return { status: res.status, data, text, headers: res.headers };
}

export async function get(path, options) {
  return (await request('GET', path, options)).data;
}
export async function post(path, json, options = {}) {
  return (await request('POST', path, { ...options, json })).data;
}
export async function patch(path, json, options = {}) {
  return (await request('PATCH', path, { ...options, json })).data;
}
export async function del(path, options) {
  return (await request('DELETE', path, options)).data;
}

export const T = '/api/v2/tailnet/-';
export const enc = encodeURIComponent;
