// Talking to the server: same origin, the session cookie, and the CSRF header on writes.

export class NetworkError extends Error {
  constructor(message, timedOut) { super(message); this.timedOut = !!timedOut; }
}

// An answer from the server that was not 2xx.
export class HTTPError extends Error {
  constructor(status, body, retryAfter) {
    const err = body && body.error;
    super((err && err.message) || `HTTP ${status}`);
    this.status = status;
    this.code = (err && err.code) || '';
    this.body = body;
    this.retryAfter = retryAfter;
  }
}

const listeners = new Set();
// Called with no argument whenever the server says the session is missing (401, or a CSRF refusal).
export function onAuthNeeded(fn) { listeners.add(fn); }
function authNeeded() { for (const fn of listeners) fn(); }

export function csrfToken() {
  for (const part of document.cookie.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === 'gb_csrf') return decodeURIComponent(part.slice(i + 1).trim());
  }
  return '';
}

// Fetches `path`; resolves with {status, data} for 2xx; throws HTTPError or NetworkError.
export async function api(path, { method = 'GET', body, timeout = 20000 } = {}) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') {
    headers['X-CSRF-Token'] = csrfToken();
    if (body !== undefined) headers['Content-Type'] = 'application/json';
  }
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeout);
  let res;
  try {
    res = await fetch(path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin', cache: method === 'GET' ? 'no-cache' : 'no-store', signal: ctrl.signal,
    });
  } catch (e) {
    throw new NetworkError(e && e.message || 'network', ctrl.signal.aborted);
  }
  let data = null;
  try {
    const text = await res.text();
    data = text ? JSON.parse(text) : null;
  } catch (e) {
    clearTimeout(timer);
    if (ctrl.signal.aborted) throw new NetworkError('timeout', true);
    if (res.ok) throw new NetworkError('unreadable response');
    data = null;
  }
  clearTimeout(timer);
  if (res.ok) return { status: res.status, data };
  const ra = parseInt(res.headers.get('Retry-After') || '', 10);
  const error = new HTTPError(res.status, data, Number.isFinite(ra) ? ra : null);
  if (res.status === 401 || (res.status === 403 && error.code === 'csrf')) {
    if (!path.startsWith('/auth/login')) authNeeded();
  }
  throw error;
}

// All pages of a list endpoint (follows `next` with `after=`), items in the server's order.
export async function apiAll(path) {
  const items = [];
  let after = null;
  for (let pages = 0; pages < 200; pages++) {
    const sep = path.includes('?') ? '&' : '?';
    const url = after == null ? path : `${path}${sep}after=${encodeURIComponent(after)}`;
    const { data } = await api(url);
    for (const item of (data && data.items) || []) items.push(item);
    if (!data || data.next == null) break;
    after = data.next;
  }
  return items;
}
