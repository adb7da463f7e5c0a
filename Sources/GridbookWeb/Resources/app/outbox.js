// The outbox: every visit is stored here (IndexedDB) before anything is sent, then sent
// in creation order, one at a time. States: waiting -> sending -> sent | refused.
// - 200/201: sent (201 new; 200 the same id was already stored, e.g. after a lost response).
// - 401 (or a CSRF refusal): back to waiting, sending stops until resume() (after sign-in).
// - 5xx, 408, 429, 403 `origin`, network error, timeout: back to waiting, retried with backoff
//   (2 s doubling to 60 s).
// - any other 4xx: refused with the server's message; never resent unless the user asks.
// An entry left in `sending` (page closed mid-request) is waiting again at the next pass.

import { api, HTTPError } from './api.js';
import * as store from './store.js';

const MIN_DELAY = 2000;
const MAX_DELAY = 60000;
const KEEP_SENT_MS = 7 * 24 * 3600 * 1000;

let delay = MIN_DELAY;
let timer = null;
let running = false;
let again = false;
let paused = false;
let person = null;
let seqCounter = 0;
const listeners = new Set();
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('gridbook-outbox') : null;

// fn({type}) with type 'changed' | 'sent' | 'refused' | 'auth' | 'pass' ({sent, refused}).
export function onEvent(fn) { listeners.add(fn); }

function emit(event, broadcast = true) {
  for (const fn of listeners) {
    try { fn(event); } catch (e) { setTimeout(() => { throw e; }); }
  }
  if (broadcast && channel && event.type === 'changed') channel.postMessage('changed');
}
if (channel) channel.onmessage = () => emit({ type: 'changed' }, false);

export function setPerson(id) { person = id; }
export function isPaused() { return paused; }

export function pause() {
  paused = true;
  clearTimeout(timer);
  timer = null;
}

export function resume() {
  paused = false;
  delay = MIN_DELAY;
  kick();
}

export function all() { return store.outboxAll(); }

// Entries the server has not accepted: `unsent` (waiting or sending) and `refused`.
export async function counts() {
  const rows = await store.outboxAll();
  return {
    unsent: rows.filter(r => r.state === 'waiting' || r.state === 'sending').length,
    refused: rows.filter(r => r.state === 'refused').length,
  };
}

export function newSeq() {
  seqCounter = (seqCounter + 1) % 1000;
  return Date.now() * 1000 + seqCounter;
}

// Stores a new visit (state waiting) and starts sending. Resolves once it is on disk.
// The same id again (a double submit) does not replace an entry already sending or sent.
export async function add(id, body, { replaces } = {}) {
  const row = {
    id, seq: newSeq(), created: Date.now(), person, household_code: body.household_code, body,
    state: 'waiting', attempts: 0, last_error: null, last_attempt: null, reason: null, sent_at: null,
  };
  await store.tx('outbox', 'readwrite', async s => {
    const old = await store.req(s.get(id));
    if (old && old.state !== 'waiting') return;
    s.put(old ? { ...old, body } : row);
    if (replaces && replaces !== id) s.delete(replaces);
  });
  emit({ type: 'changed' });
  kick();
}

// A refused entry put back in the queue by the user.
export async function retry(id) {
  await store.outboxUpdate(id, r => {
    if (r.state !== 'refused') return false;
    r.state = 'waiting';
    r.reason = null;
  });
  emit({ type: 'changed' });
  delay = MIN_DELAY;
  kick();
}

// Deletes a refused or sent entry, or a waiting one that was never tried.
export async function remove(id) {
  await store.tx('outbox', 'readwrite', async s => {
    const r = await store.req(s.get(id));
    if (r && (r.state === 'refused' || r.state === 'sent' || (r.state === 'waiting' && !r.attempts))) s.delete(id);
  });
  emit({ type: 'changed' });
}

export function removable(r) {
  return r.state === 'refused' || r.state === 'sent' || (r.state === 'waiting' && !r.attempts);
}

export async function clearSent(olderThan = 0) {
  const limit = Date.now() - olderThan;
  await store.tx('outbox', 'readwrite', async s => {
    for (const r of await store.req(s.getAll())) {
      if (r.state === 'sent' && (r.sent_at || r.created) <= limit) s.delete(r.id);
    }
  });
  emit({ type: 'changed' });
}

// Sends now (after a submit, at start, when back online, when asked).
export function kick() {
  clearTimeout(timer);
  timer = null;
  if (paused) return;
  pass();
}

export function online() {
  delay = MIN_DELAY;
  kick();
}

export async function start() {
  await clearSent(KEEP_SENT_MS).catch(() => {});
  addEventListener('online', online);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') online();
  });
  kick();
}

async function pass() {
  if (running) { again = true; return; }
  running = true;
  let result;
  try {
    do {
      again = false;
      result = await withLock(sendAll);
    } while (again && !paused && result.state === 'idle');
  } catch (e) {
    result = { state: 'failed' };
    setTimeout(() => { throw e; });
  } finally {
    running = false;
  }
  schedule(result);
}

function schedule(result) {
  clearTimeout(timer);
  timer = null;
  if (paused) return;
  if (result.state === 'failed' || result.state === 'busy') {
    let wait = delay;
    if (result.retryAfter) wait = Math.max(wait, Math.min(result.retryAfter * 1000, MAX_DELAY));
    delay = Math.min(delay * 2, MAX_DELAY);
    timer = setTimeout(() => { timer = null; pass(); }, wait);
  } else {
    delay = MIN_DELAY;
  }
}

// One sender across tabs: the Web Locks API where there is one.
function withLock(fn) {
  if (navigator.locks && navigator.locks.request) {
    return navigator.locks.request('gridbook-outbox', { ifAvailable: true }, lock => (lock ? fn() : { state: 'busy' }));
  }
  return fn();
}

function mine(r) { return !r.person || !person || r.person === person; }

async function sendAll() {
  let sent = 0;
  let refused = 0;
  const done = state => {
    if (sent || refused) emit({ type: 'pass', sent, refused });
    return state;
  };
  if (!person) return done({ state: 'idle' });
  // Holding the lock: any entry still `sending` was left by a closed page.
  for (const r of await store.outboxAll()) {
    if (r.state === 'sending') {
      await store.outboxUpdate(r.id, x => { if (x.state !== 'sending') return false; x.state = 'waiting'; });
      emit({ type: 'changed' });
    }
  }
  for (;;) {
    if (paused) return done({ state: 'auth' });
    const next = (await store.outboxAll()).find(r => r.state === 'waiting' && mine(r));
    if (!next) return done({ state: 'idle' });
    const claimed = await store.outboxUpdate(next.id, r => {
      if (r.state !== 'waiting') return false;
      r.state = 'sending';
      r.attempts = (r.attempts || 0) + 1;
      r.last_attempt = Date.now();
    });
    if (!claimed || claimed.state !== 'sending') continue;
    emit({ type: 'changed' });
    try {
      const { status } = await api('/api/v1/visits', { method: 'POST', body: next.body, timeout: 30000 });
      await store.outboxUpdate(next.id, r => {
        r.state = 'sent';
        r.sent_at = Date.now();
        r.status = status;
        r.last_error = null;
      });
      sent++;
      emit({ type: 'changed' });
      emit({ type: 'sent', id: next.id, household_code: next.household_code });
    } catch (e) {
      // 403 `origin` is the deployment's fault (a proxy changing Host), not the visit's: kept waiting.
      if (e instanceof HTTPError && !(e.status === 401 || (e.status === 403 && (e.code === 'csrf' || e.code === 'origin')))
          && e.status >= 400 && e.status < 500 && e.status !== 408 && e.status !== 429) {
        const details = (e.body && e.body.error && e.body.error.details) || [];
        await store.outboxUpdate(next.id, r => {
          r.state = 'refused';
          r.status = e.status;
          r.code = e.code;
          r.reason = e.message;
          r.details = details.map(d => `${d.field || ''}: ${d.problem || ''}`);
          r.fields = details.map(d => d.field || '');
          r.last_error = null;
        });
        refused++;
        emit({ type: 'changed' });
        emit({ type: 'refused', id: next.id });
        continue;
      }
      const auth = e instanceof HTTPError && (e.status === 401 || (e.status === 403 && e.code === 'csrf'));
      await store.outboxUpdate(next.id, r => {
        r.state = 'waiting';
        r.last_error = e instanceof HTTPError ? { status: e.status, message: e.message } : { network: true, timedOut: !!e.timedOut, message: e.message };
      });
      emit({ type: 'changed' });
      if (auth) {
        pause();
        emit({ type: 'auth' });
        return done({ state: 'auth' });
      }
      return done({ state: 'failed', retryAfter: e instanceof HTTPError ? e.retryAfter : null });
    }
  }
}
