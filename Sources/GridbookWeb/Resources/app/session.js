// Signing out, for the field app, the desk and the sign-in page alike. Only the server ends a
// session: until POST /auth/logout is answered, the session cookie (HttpOnly, out of the page's
// reach) still signs this browser in. A sign-out that could not reach the server is remembered
// here (localStorage, shared by every page of this site) and sent first whenever a page opens or
// the browser comes back online; meanwhile the pages show only the sign-in form. Kept in /app/ so
// that the service worker keeps it for the app offline.

const PENDING = 'gridbook-signout-pending';
const TIMEOUT = 15000;
// The longest wait between two tries that a Retry-After may ask for.
const MAX_PAUSE = 4000;

// Whether a sign-out is waiting to reach the server.
export function signOutPending() {
  try { return localStorage.getItem(PENDING) !== null; } catch (_) { return false; }
}

// Remembers a sign-out the server has not heard of yet.
export function markSignOutPending() {
  try { localStorage.setItem(PENDING, String(Date.now())); } catch (_) { /* storage refused: nothing to keep it in */ }
}

function clearPending() {
  try { localStorage.removeItem(PENDING); } catch (_) { /* nothing kept */ }
}

// Calls fn() when another page of this site marks a sign-out pending.
export function onSignOutElsewhere(fn) {
  addEventListener('storage', event => { if (event.key === PENDING && event.newValue !== null) fn(); });
}

function csrfToken() {
  for (const part of document.cookie.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === 'gb_csrf') return decodeURIComponent(part.slice(i + 1).trim());
  }
  return '';
}

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

// Ends the session on the server, trying up to `tries` times while the server answers that it
// cannot now (5xx, 408, 429). Resolves with
//   'ended'       the session is over (204; or 401: there was none);
//   'unreachable' no answer (offline, or no answer within 15 s): the session may still be alive;
//   'failed'      the server answered an error every time: the session is still alive.
export async function endSession({ tries = 3, pause = 1000 } = {}) {
  for (let attempt = 1; ; attempt++) {
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), TIMEOUT);
    let response;
    try {
      response = await fetch('/auth/logout', {
        method: 'POST', headers: { 'X-CSRF-Token': csrfToken() }, credentials: 'same-origin', cache: 'no-store', signal: ctrl.signal,
      });
    } catch (_) {
      return 'unreachable';
    } finally {
      clearTimeout(timer);
    }
    if (response.ok || response.status === 401) {
      clearPending();
      return 'ended';
    }
    const again = response.status >= 500 || response.status === 408 || response.status === 429;
    if (!again || attempt >= tries) return 'failed';
    const asked = parseInt(response.headers.get('Retry-After') || '', 10);
    await sleep(Number.isFinite(asked) ? Math.min(asked * 1000, MAX_PAUSE) : pause * attempt);
  }
}

let flushing = null;

// Sends a pending sign-out, once at a time. Resolves true when none is pending any more.
export function flushPendingSignOut() {
  if (!signOutPending()) return Promise.resolve(true);
  if (!flushing) {
    flushing = endSession({ tries: 1 }).then(result => result === 'ended', () => false).finally(() => { flushing = null; });
  }
  return flushing;
}
