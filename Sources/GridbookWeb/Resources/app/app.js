// The field app: a hash router and its views (Today, Household, Visit form, Outbox, Sign-in).
// Text from the server is only ever set with textContent (see `h`).

import { t } from './strings.js';
import { api, apiAll, csrfToken, HTTPError, NetworkError, onAuthNeeded } from './api.js';
import * as store from './store.js';
import * as outbox from './outbox.js';
import { endSession, flushPendingSignOut, markSignOutPending, onSignOutElsewhere, signOutPending } from './session.js';

const main = document.getElementById('main');
const countEl = document.getElementById('outbox-count');
const refusedEl = document.getElementById('outbox-refused');
const netEl = document.getElementById('net');
const toastEl = document.getElementById('toast');

let me = null;             // {id, name, roles, scope_units}
let signInNeeded = false;  // the server said 401: only the sign-in view until signed in again
let signInNote = '';
let returnTo = '#/';
let renderId = 0;
let lastHash = null;
let searchText = '';
let categoriesCache = null;
let prefetching = false;

// ---------- small helpers ----------

// h('li', {class: 'x', dataset: {household: code}, onclick: fn}, 'text', child…): an element;
// strings become text nodes, never markup.
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v == null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'value') el.value = v;
      else if (v === true) el.setAttribute(k, '');
      else el.setAttribute(k, String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c == null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

function show(...nodes) {
  main.replaceChildren(...nodes.filter(Boolean));
}

let toastTimer = null;
function toast(text) {
  toastEl.textContent = text;
  toastEl.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => toastEl.classList.remove('show'), 3500);
}

const enc = encodeURIComponent;
const pad = n => String(n).padStart(2, '0');

// The device's local time with its UTC offset: 2026-12-07T08:00:00+08:00.
export function localISO(d) {
  const off = -d.getTimezoneOffset();
  const a = Math.abs(off);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
    + `${off >= 0 ? '+' : '-'}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

function localInputValue(d) {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// A visit's time as recorded (its own offset): "2026-12-07 08:00".
function showStamp(s) {
  return typeof s === 'string' && s.length >= 16 ? `${s.slice(0, 10)} ${s.slice(11, 16)}` : String(s || '');
}

function showTime(ms) {
  const d = new Date(ms);
  return `${d.getMonth() + 1}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function uuid() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = Array.from(b, v => v.toString(16).padStart(2, '0')).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

function errorText(e) {
  if (e instanceof NetworkError) return e.timedOut ? t.timeoutError : t.networkError;
  if (e instanceof HTTPError) return e.message;
  return String(e && e.message || e);
}

function label(map, value) { return (map && map[value]) || value || ''; }

// ---------- cache readers ----------

async function cached(key) {
  try { return await store.cacheGet(key); } catch (_) { return null; }
}

async function save(key, value) {
  try { await store.cachePut(key, value); } catch (_) { /* storage full: the app still works online */ }
}

// Households of the scope units by code, from the cache.
async function householdMap() {
  const map = new Map();
  for (const u of (me && me.scope_units) || []) {
    const row = await cached('hh:' + u.code);
    for (const hh of (row && row.value) || []) map.set(hh.code, hh);
  }
  return map;
}

async function refreshHouseholds(force) {
  let changed = false;
  for (const u of (me && me.scope_units) || []) {
    const row = await cached('hh:' + u.code);
    if (!force && row && Date.now() - row.saved < 30 * 60 * 1000) continue;
    const items = await apiAll(`/api/v1/units/${enc(u.code)}/households?limit=500`);
    await save('hh:' + u.code, items);
    changed = true;
  }
  return changed;
}

async function categories() {
  if (categoriesCache) return categoriesCache;
  const row = await cached('categories');
  if (row && row.value && row.value.length) return (categoriesCache = row.value);
  return t.categories.map(([code, lbl, kind]) => ({ code, label: lbl, kind }));
}

async function refreshCategories() {
  try {
    const { data } = await api('/api/v1/categories');
    if (data && Array.isArray(data.items) && data.items.length) {
      categoriesCache = data.items;
      await save('categories', data.items);
    }
  } catch (_) { /* the cached or built-in list serves */ }
}

// ---------- header ----------

// The outbox link counts every visit the server has not accepted: waiting or sending, and
// refused (those also in a red mark of their own, since only the user can settle them).
async function updateCount() {
  let counts = { unsent: 0, refused: 0 };
  try { counts = await outbox.counts(); } catch (_) { /* no storage */ }
  const link = countEl.parentElement;
  countEl.textContent = String(counts.unsent + counts.refused);
  refusedEl.textContent = t.refusedMark(counts.refused);
  refusedEl.hidden = counts.refused === 0;
  link.classList.toggle('has-waiting', counts.unsent > 0);
  link.classList.toggle('has-refused', counts.refused > 0);
  link.setAttribute('aria-label', t.outboxLinkLabel(counts.unsent, counts.refused));
}

function updateNet() {
  netEl.hidden = navigator.onLine !== false;
}

// ---------- router ----------

function parseRoute() {
  const parts = (location.hash.replace(/^#/, '') || '/').split('/').filter(Boolean).map(p => {
    try { return decodeURIComponent(p); } catch (_) { return p; }
  });
  if (parts[0] === 'signin') return { view: 'signin' };
  if (parts[0] === 'outbox' && parts[1] === 'edit' && parts[2]) return { view: 'edit', id: parts[2] };
  if (parts[0] === 'outbox') return { view: 'outbox' };
  if (parts[0] === 'h' && parts[1] && parts[2] === 'visit') return { view: 'visit', code: parts[1] };
  if (parts[0] === 'h' && parts[1]) return { view: 'household', code: parts[1] };
  return { view: 'today' };
}

function render() {
  const my = ++renderId;
  const r = parseRoute();
  const live = () => my === renderId;
  document.body.dataset.view = r.view;
  if ((signInNeeded || !me || signOutPending()) && r.view !== 'signin') {
    returnTo = location.hash || '#/';
    location.replace('#/signin');
    return;
  }
  if (location.hash !== lastHash) {
    lastHash = location.hash;
    main.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }
  const views = { signin: viewSignIn, today: viewToday, household: viewHousehold, visit: viewVisit, edit: viewEdit, outbox: viewOutbox };
  Promise.resolve(views[r.view](r, live)).catch(e => {
    if (!live()) return;
    show(h('section', { class: 'view' }, h('p', { class: 'error' }, t.loadFailed, ': ', errorText(e))));
  });
}

function go(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

// ---------- sign-in ----------

function viewSignIn() {
  const err = h('p', { id: 'signin-error', class: 'error', role: 'alert' }, signInNote);
  const pid = h('input', { name: 'person_id', id: 'person_id', autocomplete: 'username', autocapitalize: 'characters', spellcheck: 'false', required: true, value: (me && me.id) || '' });
  const code = h('input', { name: 'code', id: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '8', pattern: '[0-9]{8}', required: true });
  const button = h('button', { type: 'submit', class: 'primary' }, t.signInButton);
  const form = h('form', { id: 'signin', novalidate: true },
    h('label', { for: 'person_id' }, t.personId), pid,
    h('label', { for: 'code' }, t.loginCode), code,
    err, button);
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    const personId = pid.value.trim();
    const digits = code.value.trim();
    if (!personId || !/^[0-9]{8}$/.test(digits)) { err.textContent = t.signInBadInput; return; }
    button.disabled = true;
    button.textContent = t.signingIn;
    err.textContent = '';
    // A sign-out that has not reached the server goes first: sent after this sign-in, it would
    // end the new session instead of the old one.
    if (!(await flushPendingSignOut())) {
      err.textContent = t.signOutStillPending;
      button.disabled = false;
      button.textContent = t.signInButton;
      return;
    }
    try {
      const { data } = await api('/auth/login', { method: 'POST', body: { person_id: personId, code: digits } });
      await signedIn({ id: data.person.id, name: data.person.name, roles: data.roles || [], scope_units: data.scope_units || [] });
    } catch (e) {
      if (e instanceof HTTPError) {
        const known = t.signInErrors[e.code] || (e.status === 400 ? t.signInErrors.bad_request : t.signInFailed);
        err.replaceChildren(known, h('span', { class: 'server-message' }, e.message));
      } else {
        err.textContent = e instanceof NetworkError ? t.signInOffline : errorText(e);
      }
      button.disabled = false;
      button.textContent = t.signInButton;
    }
  });
  show(h('section', { class: 'view signin' },
    h('h1', null, t.signInTitle),
    h('p', { class: 'hint' }, t.signInHint),
    form));
  (pid.value ? code : pid).focus();
}

async function signedIn(person) {
  if (!me || me.id !== person.id) {
    try { await store.cacheClear(); } catch (_) { /* nothing cached */ }
    categoriesCache = null;
  }
  me = person;
  await save('me', me);
  outbox.setPerson(me.id);
  signInNeeded = false;
  signInNote = '';
  const target = returnTo && returnTo !== '#/signin' ? returnTo : '#/';
  returnTo = '#/';
  go(target);
  outbox.resume();
  refreshCategories();
}

onAuthNeeded(() => {
  outbox.pause();
  if (signInNeeded) return;
  signInNeeded = true;
  signInNote = me ? t.signInAgain : '';
  if (parseRoute().view !== 'signin') {
    returnTo = location.hash || '#/';
    location.replace('#/signin');
  }
});

// Signs out: the server ends the session (tried again while it is busy), then this device
// forgets what it kept, all but the visits not yet sent. Offline, the sign-out is kept pending
// and sent before anything else once there is a connection; meanwhile only the sign-in form
// shows. When the server answers an error every time, the person stays signed in and is told.
async function signOut(button, note) {
  const counts = await outbox.counts().catch(() => ({ unsent: 0, refused: 0 }));
  const n = counts.unsent + counts.refused;
  if (n > 0 && !confirm(t.signOutConfirm(n))) return;
  button.disabled = true;
  button.textContent = t.signingOut;
  note.hidden = true;
  const result = await endSession();
  if (result === 'failed') {
    button.disabled = false;
    button.textContent = t.signOut;
    note.textContent = t.signOutFailed;
    note.hidden = false;
    return;
  }
  if (result === 'unreachable') markSignOutPending();
  await signedOutHere(result === 'unreachable' ? t.signOutPendingNote : '');
}

// What signing out leaves on this device: only the visits not yet sent.
async function signedOutHere(note) {
  try { await store.cacheClear(); } catch (_) { /* nothing cached */ }
  // What was sent is on the server; only what is not stays on this device.
  await outbox.clearSent(0).catch(() => {});
  outbox.pause();
  categoriesCache = null;
  me = null;
  signInNeeded = true;
  signInNote = note;
  returnTo = '#/';
  if (parseRoute().view === 'signin') render();
  else location.replace('#/signin');
}

// Sends a pending sign-out; once the server has it, the sign-in form stops saying it waits.
async function sendPendingSignOut() {
  if (!signOutPending() || !(await flushPendingSignOut())) return;
  if (signInNote !== t.signOutPendingNote) return;
  signInNote = '';
  const shown = document.getElementById('signin-error');
  if (shown && shown.textContent === t.signOutPendingNote) shown.textContent = '';
}

// Another tab signed out offline: this one shows nothing of the person either.
onSignOutElsewhere(() => { if (me) signedOutHere(t.signOutPendingNote); });

// ---------- Today ----------

async function viewToday(_r, live) {
  const units = me.scope_units || [];
  const status = h('p', { id: 'today-status', class: 'status' }, t.loading);
  const list = h('ul', { id: 'due-list', class: 'list' });
  const others = h('ul', { id: 'search-list', class: 'list' });
  const othersHead = h('h2', { class: 'sub', hidden: true }, t.searchOthers);
  const signOutNote = h('p', { id: 'signout-error', class: 'error', role: 'alert', hidden: true });
  const signOutButton = h('button', { type: 'button', id: 'sign-out', class: 'link' }, t.signOut);
  signOutButton.addEventListener('click', () => signOut(signOutButton, signOutNote));
  const search = h('input', { id: 'search', type: 'search', placeholder: t.searchPlaceholder, autocomplete: 'off', value: searchText, 'aria-label': t.searchLabel });
  show(h('section', { class: 'view today' },
    h('h1', null, t.todayTitle),
    h('label', { class: 'search' }, h('span', { class: 'visually-hidden' }, t.searchLabel), search),
    status, list, othersHead, others,
    h('p', { class: 'who' }, me.name, ' (', me.id, ') ', signOutButton), signOutNote));

  let hh = await householdMap();
  let marks = await outboxMarks();
  let lists = null;

  const draw = () => {
    if (!live() || !lists) return;
    const items = [];
    lists.forEach(({ unit, items: due }) => {
      if (units.length > 1 || due.length) {
        items.push(h('li', { class: 'due-group' }, unit.name || unit.code, ' · ', t.dueCount(due.length)));
      }
      for (const d of due) items.push(dueItem(d, hh.get(d.household_code), marks.get(d.household_code)));
    });
    list.replaceChildren(...items);
    if (!units.length) status.textContent = t.dueNoUnits;
    else if (!lists.some(l => l.items.length) && !status.textContent) status.textContent = t.dueEmpty;
    filter();
  };

  const filter = () => {
    const q = search.value.trim().toLowerCase();
    searchText = search.value;
    const shown = new Set();
    for (const li of list.querySelectorAll('li.due-item')) {
      const code = li.dataset.household;
      const ok = !q || matches(code, hh.get(code), q);
      li.hidden = !ok;
      shown.add(code);
    }
    for (const g of list.querySelectorAll('li.due-group')) g.hidden = !!q;
    if (!q) { others.replaceChildren(); othersHead.hidden = true; return; }
    const extra = [];
    for (const [code, x] of hh) {
      if (shown.has(code) || !matches(code, x, q)) continue;
      extra.push(h('li', { class: 'search-item', dataset: { household: code } },
        h('a', { href: `#/h/${enc(code)}`, class: 'row' },
          h('span', { class: 'head' }, x.head_name || code),
          h('span', { class: 'addr' }, x.address || ''),
          h('span', { class: 'meta' }, code))));
      if (extra.length >= 50) break;
    }
    othersHead.hidden = false;
    others.replaceChildren(...(extra.length ? extra : [h('li', { class: 'empty' }, t.searchNoMatch)]));
  };
  search.addEventListener('input', filter);
  // Redraw the outbox marks when the outbox changes while Today is shown.
  todayRefresh = async () => {
    if (!live()) return;
    marks = await outboxMarks();
    draw();
  };

  // The cached lists first, then the server's.
  const cachedLists = await Promise.all(units.map(u => cached('due:' + u.code)));
  if (cachedLists.every(Boolean)) {
    lists = units.map((unit, i) => ({ unit, items: cachedLists[i].value }));
    const oldest = Math.min(...cachedLists.map(c => c.saved));
    status.textContent = t.loading;
    draw();
    status.dataset.saved = String(oldest);
  }
  try {
    const fresh = await Promise.all(units.map(u => apiAll(`/api/v1/due?unit=${enc(u.code)}&limit=500`)));
    await Promise.all(units.map((u, i) => save('due:' + u.code, fresh[i])));
    if (!live()) return;
    lists = units.map((unit, i) => ({ unit, items: fresh[i] }));
    status.textContent = '';
    draw();
  } catch (e) {
    if (!live()) return;
    if (e instanceof NetworkError) {
      status.textContent = lists ? t.cachedAt(showTime(Number(status.dataset.saved))) : t.noCache;
      status.classList.add('offline');
    } else {
      status.textContent = `${t.loadFailed}: ${errorText(e)}`;
    }
    draw();
    return;
  }
  try {
    const missing = lists.some(l => l.items.some(d => !hh.has(d.household_code)));
    if (await refreshHouseholds(missing)) {
      hh = await householdMap();
      draw();
    }
  } catch (_) { /* names stay as cached */ }
  prefetchDetails(lists.flatMap(l => l.items.map(d => d.household_code)));
}
let todayRefresh = null;

function matches(code, x, q) {
  return code.toLowerCase().includes(q)
    || (x && ((x.head_name || '').toLowerCase().includes(q) || (x.address || '').toLowerCase().includes(q)));
}

// A due household; `mark` says what the outbox holds for it: 'refused' or 'pending' (or nothing).
function dueItem(d, x, mark) {
  const overdue = d.overdue_days > 0;
  return h('li', { class: 'due-item' + (overdue ? ' overdue' : '') + (mark ? ' ' + mark : ''), dataset: mark ? { household: d.household_code, outbox: mark } : { household: d.household_code } },
    h('a', { href: `#/h/${enc(d.household_code)}`, class: 'row' },
      h('span', { class: 'line1' },
        h('span', { class: 'head' }, (x && x.head_name) || d.household_code),
        overdue ? h('span', { class: 'badge overdue' }, t.overdueDays(d.overdue_days)) : h('span', { class: 'badge due' }, t.dueOn(d.due_on))),
      x && x.address ? h('span', { class: 'addr' }, x.address) : null,
      h('span', { class: 'meta' }, d.household_code, ' · ', d.last_met ? t.lastMet(d.last_met) : t.neverMet),
      mark === 'refused' ? h('span', { class: 'badge refused' }, t.refusedVisit) : null,
      mark === 'pending' ? h('span', { class: 'badge pending' }, t.pendingVisit) : null));
}

// Households with visits the server has not accepted, by code: 'refused' when one of them was
// refused (only the user can settle it), else 'pending' (waiting or sending).
async function outboxMarks() {
  const marks = new Map();
  try {
    for (const r of await outbox.all()) {
      if (r.person && me && r.person !== me.id) continue;
      if (r.state === 'refused') marks.set(r.household_code, 'refused');
      else if ((r.state === 'waiting' || r.state === 'sending') && !marks.has(r.household_code)) marks.set(r.household_code, 'pending');
    }
  } catch (_) { /* no storage: no marks */ }
  return marks;
}

// Household details of the due list, kept for offline use (one request at a time).
async function prefetchDetails(codes) {
  if (prefetching || navigator.onLine === false) return;
  prefetching = true;
  try {
    for (const code of codes.slice(0, 200)) {
      const row = await cached('hd:' + code);
      if (row && Date.now() - row.saved < 30 * 60 * 1000) continue;
      try {
        const { data } = await api(`/api/v1/households/${enc(code)}`);
        await save('hd:' + code, data);
      } catch (e) {
        if (e instanceof HTTPError && (e.status === 403 || e.status === 404)) { await store.cacheDelete('hd:' + code).catch(() => {}); continue; }
        break;
      }
    }
  } finally {
    prefetching = false;
  }
}

async function refreshDue() {
  for (const u of (me && me.scope_units) || []) {
    const items = await apiAll(`/api/v1/due?unit=${enc(u.code)}&limit=500`);
    await save('due:' + u.code, items);
  }
}

// ---------- Household ----------

async function viewHousehold(r, live) {
  const code = r.code;
  show(h('section', { class: 'view' }, h('p', { class: 'status' }, t.loading)));
  let detail = null;
  let fromCache = false;
  const row = await cached('hd:' + code);
  if (row) { detail = row.value; fromCache = true; }
  else {
    const x = (await householdMap()).get(code);
    if (x) { detail = { ...x, recent_visits: null }; fromCache = true; }
  }
  let risks = null;
  const riskRow = await cached('risks:' + code);
  if (riskRow) risks = riskRow.value;
  if (detail && live()) await drawHousehold(live, code, detail, risks, fromCache, false);

  try {
    const { data } = await api(`/api/v1/households/${enc(code)}`);
    detail = data;
    fromCache = false;
    await save('hd:' + code, data);
  } catch (e) {
    if (!live()) return;
    if (await showRefusal(e, code, live)) return;
    if (e instanceof HTTPError && e.status === 401) return;
    if (!detail) {
      await drawHousehold(live, code, { code }, risks, true, true);
      return;
    }
    await drawHousehold(live, code, detail, risks, true, false);
    return;
  }
  if (!live()) return;
  await drawHousehold(live, code, detail, risks, false, false);
  try {
    const items = await apiAll(`/api/v1/risks?unit=${enc(detail.grid_code)}&household=${enc(code)}&status=open&limit=500`);
    risks = items.filter(x => x.household_code === code && x.status === 'open');
    await save('risks:' + code, risks);
    if (live()) await drawHousehold(live, code, detail, risks, false, false);
  } catch (_) { /* the cached risks stay */ }
}

// For a 403 or a 404 on a household: forgets what was kept of it and shows why there is nothing
// to see (the same view whether the household or its visit form was asked for). True when shown.
async function showRefusal(e, code, live) {
  if (!(e instanceof HTTPError) || (e.status !== 403 && e.status !== 404)) return false;
  await store.cacheDelete('hd:' + code).catch(() => {});
  await store.cacheDelete('risks:' + code).catch(() => {});
  if (!live()) return true;
  if (e.status === 403) {
    show(h('section', { id: 'forbidden', class: 'view' },
      h('h1', null, t.forbidden), h('p', null, t.forbiddenText),
      h('p', null, h('a', { href: '#/', class: 'button' }, t.back))));
  } else {
    show(h('section', { id: 'not-found', class: 'view' }, h('h1', null, t.notFound), h('p', null, code),
      h('p', null, h('a', { href: '#/', class: 'button' }, t.back))));
  }
  return true;
}

async function drawHousehold(live, code, x, risks, fromCache, unknown) {
  const waiting = (await outbox.all().catch(() => [])).filter(r => r.household_code === code && r.state !== 'sent');
  if (!live()) return;
  const s = x.schedule;
  const dl = (...pairs) => h('dl', { class: 'facts' }, pairs.filter(p => p && p[1] != null && p[1] !== '').map(([k, v, cls]) => [h('dt', null, k), h('dd', cls ? { class: cls } : null, v)]));
  const tags = (x.tags || []).map(tag => label(t.tagLabels, tag)).join('、');
  const visits = x.recent_visits;
  show(h('section', { id: 'household', class: 'view', dataset: { household: code } },
    h('h1', null, x.head_name || code),
    h('p', { class: 'addr' }, x.address || ''),
    unknown ? h('p', { class: 'status offline' }, t.householdOffline) : null,
    fromCache && !unknown ? h('p', { class: 'status offline' }, t.offline) : null,
    h('a', { id: 'log-visit', class: 'button primary', href: `#/h/${enc(code)}/visit` }, t.logVisit),
    dl([t.code, code], [t.members, x.members], [t.phone, x.phone], [t.tags, tags], [t.block, x.block_code], [t.registeredOn, x.registered_on]),
    s ? h('section', { class: 'card schedule' + (s.overdue_days > 0 ? ' overdue' : '') },
      h('h2', null, t.schedule),
      dl([t.interval, t.intervalDays(s.interval_days)],
        [t.lastMetLabel, s.last_met || t.neverMet],
        [t.dueOnLabel, s.due_on],
        [t.overdueLabel, s.overdue_days > 0 ? t.daysN(s.overdue_days) : t.notOverdue, s.overdue_days > 0 ? 'overdue' : null])) : null,
    waiting.length ? h('section', { class: 'card' },
      h('h2', null, t.waitingVisits),
      h('ul', { class: 'plain' }, waiting.map(w => h('li', null,
        h('a', { href: '#/outbox' }, showStamp(w.body.visited_at), ' · ', label(t.outcomes, w.body.outcome), ' · ', t.states[w.state]))))) : null,
    visits ? h('section', { class: 'card' },
      h('h2', null, t.recentVisits),
      visits.length ? h('ul', { class: 'plain visits' }, visits.map(v => h('li', null,
        h('span', { class: 'line1 start' },
          h('span', { class: 'when' }, showStamp(v.visited_at)),
          h('span', { class: 'badge outcome-' + v.outcome }, label(t.outcomes, v.outcome)),
          h('span', { class: 'nowrap' }, label(t.methods, v.method))),
        v.note ? h('span', { class: 'note' }, v.note) : null))) : h('p', null, t.noVisits)) : null,
    !unknown ? h('section', { class: 'card' },
      h('h2', null, t.openRisks),
      risks == null ? h('p', null, fromCache ? t.risksUnavailable : t.loading)
        : risks.length ? h('ul', { class: 'plain risks' }, risks.map(k => h('li', null,
          h('span', { class: 'badge level-' + k.level }, label(t.levelsShort, k.level)), ' ',
          h('span', { class: 'title' }, k.title),
          h('span', { class: 'meta' }, categoryLabelSync(k.category), ' · ', label(t.riskStatuses, k.status), k.review_due ? ' · ' + t.reviewDue(k.review_due) : '')))) : h('p', null, t.noRisks)) : null));
}

function categoryLabelSync(code) {
  const list = categoriesCache || t.categories.map(([c, l, k]) => ({ code: c, label: l, kind: k }));
  const c = list.find(x => x.code === code);
  return c ? c.label : code;
}

// ---------- Visit form ----------

// The visit form of a household this device knows (kept from the server), or that the server
// says is the member's; another grid's household or an unknown code shows what #/h/CODE shows.
// Offline, a household never kept here gets no form: the server could only refuse its visit.
async function viewVisit(r, live) {
  const x = (await cached('hd:' + r.code))?.value || (await householdMap()).get(r.code) || null;
  if (!live()) return;
  const asked = api(`/api/v1/households/${enc(r.code)}`);
  if (x) {
    await drawVisitForm(r.code, x, null);
    // Kept from before: the server may have moved the household out of the member's grids since.
    asked.then(({ data }) => save('hd:' + r.code, data), e => { if (live()) showRefusal(e, r.code, live); });
    return;
  }
  let data;
  try {
    ({ data } = await asked);
  } catch (e) {
    if (!live() || await showRefusal(e, r.code, live)) return;
    if (e instanceof HTTPError && e.status === 401) return;
    show(h('section', { id: 'household-unknown', class: 'view' },
      h('h1', null, t.visitTitle), h('p', null, r.code),
      h('p', { class: 'status offline' }, e instanceof NetworkError ? t.householdOffline : `${t.loadFailed}: ${errorText(e)}`),
      h('p', null, h('a', { href: '#/', class: 'button' }, t.back))));
    return;
  }
  await save('hd:' + r.code, data);
  if (!live()) return;
  await drawVisitForm(r.code, data, null);
}

async function viewEdit(r, live) {
  const entry = await store.outboxGet(r.id).catch(() => null);
  if (!live()) return;
  if (!entry || entry.state !== 'refused') { go('#/outbox'); return; }
  const x = (await cached('hd:' + entry.household_code))?.value || (await householdMap()).get(entry.household_code) || null;
  if (!live()) return;
  await drawVisitForm(entry.household_code, x, entry);
}

async function drawVisitForm(code, x, entry) {
  const cats = await categories();
  const old = entry ? entry.body : null;
  const select = (name, map, value) => h('select', { name, id: name, required: true },
    Object.keys(map).map(k => h('option', { value: k, selected: k === value }, map[k])));
  const outcome = select('outcome', t.outcomes, old ? old.outcome : 'met');
  const method = select('method', t.methods, old ? old.method : 'door');
  const note = h('textarea', { name: 'note', id: 'note', rows: '4', maxlength: '4000', placeholder: t.notePlaceholder });
  note.value = old ? old.note || '' : '';
  const when = h('input', { type: 'datetime-local', name: 'visited_at', id: 'visited_at', max: localInputValue(new Date()) });
  if (old) when.value = old.visited_at.slice(0, 16);
  const findings = h('div', { id: 'findings' });
  const err = h('p', { id: 'visit-error', class: 'error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'primary' }, entry ? t.saveEdited : t.save);

  const addRow = f => {
    const n = findings.children.length + 1;
    const ids = ['finding_category', 'finding_level', 'finding_title', 'finding_description'].map(k => `${k}_${n}_${Date.now() % 100000}`);
    const cat = h('select', { name: 'finding_category', id: ids[0], required: true },
      h('option', { value: '' }, t.chooseCategory),
      [['dispute', t.disputes], ['hazard', t.hazards]].map(([kind, lbl]) => {
        const items = cats.filter(c => c.kind === kind);
        return items.length ? h('optgroup', { label: lbl }, items.map(c => h('option', { value: c.code, selected: f && f.category === c.code }, c.label))) : null;
      }),
      cats.filter(c => c.kind !== 'dispute' && c.kind !== 'hazard').map(c => h('option', { value: c.code, selected: f && f.category === c.code }, c.label)));
    const level = h('select', { name: 'finding_level', id: ids[1], required: true },
      Object.keys(t.levels).map(k => h('option', { value: k, selected: (f ? f.level : 'yellow') === k }, t.levels[k])));
    const title = h('input', { name: 'finding_title', id: ids[2], required: true, maxlength: '200', autocomplete: 'off' });
    title.value = f ? f.title || '' : '';
    const desc = h('textarea', { name: 'finding_description', id: ids[3], rows: '2', maxlength: '4000' });
    desc.value = f ? f.description || '' : '';
    const row = h('fieldset', { class: 'finding' },
      h('legend', null, t.findingN(n)),
      h('label', { for: ids[0] }, t.findingCategory), cat,
      h('label', { for: ids[1] }, t.findingLevel), level,
      h('label', { for: ids[2] }, t.findingTitle), title,
      h('label', { for: ids[3] }, t.findingDescription), desc,
      h('button', { type: 'button', class: 'remove-finding', onclick: () => row.remove() }, t.removeFinding));
    findings.append(row);
    return row;
  };
  for (const f of (old && old.findings) || []) addRow(f);

  const form = h('form', { id: 'visit-form', novalidate: true },
    h('label', { for: 'outcome' }, t.outcome), outcome,
    h('label', { for: 'method' }, t.method), method,
    h('label', { for: 'note' }, t.note), note,
    h('details', { class: 'when', open: !!old },
      h('summary', null, t.changeTime),
      h('label', { for: 'visited_at' }, t.visitedAt, ' ', h('span', { class: 'hint' }, t.visitedAtHint)), when),
    h('h2', null, t.findings),
    findings,
    h('button', { type: 'button', id: 'add-finding', onclick: () => addRow(null).querySelector('select').focus() }, t.addFinding),
    err, submit);

  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    if (submit.disabled) return;
    err.textContent = '';
    const list = [];
    for (const row of findings.querySelectorAll('.finding')) {
      const category = row.querySelector('[name=finding_category]').value;
      const lvl = row.querySelector('[name=finding_level]').value;
      const title = row.querySelector('[name=finding_title]').value.trim();
      const description = row.querySelector('[name=finding_description]').value.trim();
      if (!category) { err.textContent = t.needCategory; row.querySelector('[name=finding_category]').focus(); return; }
      if (!title) { err.textContent = t.needTitle; row.querySelector('[name=finding_title]').focus(); return; }
      const f = { category, level: lvl, title };
      if (description) f.description = description;
      list.push(f);
    }
    let at = new Date();
    if (when.value) {
      const chosen = new Date(when.value);
      if (Number.isNaN(chosen.getTime())) { err.textContent = t.badTime; return; }
      if (chosen.getTime() > Date.now() + 60000) { err.textContent = t.badTime; when.focus(); return; }
      // Keep the seconds of a time that was not changed by hand.
      at = old && when.value === old.visited_at.slice(0, 16) ? null : chosen;
    }
    // The id is made once, at the first submit of this form.
    if (!form.dataset.id) form.dataset.id = uuid();
    const body = {
      id: form.dataset.id,
      household_code: code,
      visited_at: at ? localISO(at) : old.visited_at,
      method: method.value,
      outcome: outcome.value,
      note: note.value.trim(),
    };
    if (list.length) body.findings = list;
    submit.disabled = true;
    try {
      await outbox.add(body.id, body, { replaces: entry ? entry.id : null });
    } catch (e) {
      submit.disabled = false;
      err.textContent = t.saveFailed + errorText(e);
      return;
    }
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
    toast(navigator.onLine === false ? t.savedOfflineToast : t.savedToast);
    go('#/');
  });

  show(h('section', { class: 'view visit' },
    h('p', null, h('a', { href: `#/h/${enc(code)}`, class: 'back' }, '‹ ', t.back)),
    h('h1', null, t.visitTitle),
    h('p', { class: 'who-visit' }, h('strong', null, (x && x.head_name) || code), ' ', h('span', { class: 'meta' }, code)),
    x && x.address ? h('p', { class: 'addr' }, x.address) : null,
    form));
}

// ---------- Outbox ----------

// Why the server refused a visit, in Chinese: by the field its error names, else by status. A 403
// naming visited_at is a date outside the member's duties on the household, not another grid's
// household. (Entries refused before fields were kept have them only in their details' text.)
function refusedWhy(r) {
  const fields = r.fields || (r.details || []).map(d => String(d).split(':')[0]);
  if (r.status === 403 && fields.includes('visited_at')) return t.refusedWhyDate;
  return t.refusedWhy[r.status] || '';
}

async function viewOutbox(_r, live) {
  // Someone else's entries (a shared phone): what is sent is not shown, the rest only by state.
  const other = r => r.person && me && r.person !== me.id;
  const rows = (await outbox.all().catch(() => [])).filter(r => !(other(r) && r.state === 'sent'));
  if (!live()) return;
  const hh = await householdMap();
  if (!live()) return;
  const items = rows.map(r => {
    if (other(r)) {
      return h('li', { class: `outbox-item state-${r.state}`, dataset: { id: r.id, state: r.state } },
        h('div', { class: 'line1' }, h('span', { class: 'meta' }, t.otherPerson(r.person)),
          h('span', { class: `badge state ${r.state}` }, t.states[r.state] || r.state)));
    }
    const b = r.body || {};
    const x = hh.get(r.household_code);
    const err = r.last_error;
    return h('li', { class: `outbox-item state-${r.state}`, dataset: { id: r.id, state: r.state } },
      h('div', { class: 'line1' },
        h('a', { href: `#/h/${enc(r.household_code)}`, class: 'head' }, (x && x.head_name) || r.household_code),
        h('span', { class: `badge state ${r.state}` }, t.states[r.state] || r.state)),
      h('div', { class: 'meta' }, r.household_code, ' · ', showStamp(b.visited_at), ' · ', label(t.methods, b.method), ' · ', label(t.outcomes, b.outcome),
        b.findings && b.findings.length ? ' · ' + t.findingsN(b.findings.length) : ''),
      b.note ? h('div', { class: 'note' }, b.note) : null,
      r.state === 'refused' ? h('div', { class: 'outbox-reason' }, t.refusedStatus(r.status), ' ', refusedWhy(r),
        h('span', { class: 'server-message' }, r.reason || ''),
        (r.details || []).length ? h('ul', null, r.details.map(d => h('li', null, d))) : null) : null,
      h('div', { class: 'meta' }, t.createdAt(showTime(r.created)),
        r.sent_at ? ' · ' + t.sentAt(showTime(r.sent_at)) : '',
        r.attempts ? ' · ' + t.attempts(r.attempts) : ''),
      r.state === 'waiting' && err ? h('div', { class: 'meta last-error' }, t.lastError,
        err.network ? (err.timedOut ? t.timeoutError : t.networkError) : `${t.serverError(err.status)} ${err.message || ''}`) : null,
      h('div', { class: 'actions' },
        r.state === 'refused' ? h('a', { class: 'button', href: `#/outbox/edit/${enc(r.id)}` }, t.edit) : null,
        r.state === 'refused' ? h('button', { type: 'button', onclick: () => outbox.retry(r.id) }, t.resend) : null,
        outbox.removable(r) && r.state !== 'sent' ? h('button', { type: 'button', class: 'danger',
          onclick: () => { if (confirm(t.deleteConfirm)) outbox.remove(r.id); } }, t.delete) : null));
  });
  const anySent = rows.some(r => r.state === 'sent');
  const anyWaiting = rows.some(r => r.state === 'waiting');
  show(h('section', { id: 'outbox', class: 'view' },
    h('h1', null, t.outboxTitle),
    h('p', { class: 'hint' }, t.outboxHint),
    h('div', { class: 'actions' },
      anyWaiting ? h('button', { type: 'button', class: 'primary', onclick: () => outbox.online() }, t.sendNow) : null,
      anySent ? h('button', { type: 'button', onclick: () => outbox.clearSent(0) }, t.clearSent) : null),
    items.length ? h('ul', { class: 'list outbox-list' }, items) : h('p', { class: 'empty' }, t.outboxEmpty)));
}

// ---------- events ----------

let outboxRedraw = null;
outbox.onEvent(async ev => {
  if (ev.type === 'changed') {
    updateCount();
    const view = parseRoute().view;
    if (view === 'outbox') {
      clearTimeout(outboxRedraw);
      outboxRedraw = setTimeout(() => { if (parseRoute().view === 'outbox') render(); }, 100);
    } else if (view === 'today' && todayRefresh) todayRefresh();
  } else if (ev.type === 'sent') {
    store.cacheDelete('hd:' + ev.household_code).catch(() => {});
  } else if (ev.type === 'pass') {
    if (ev.sent) toast(t.sentToast(ev.sent));
    if (ev.refused) toast(t.refusedToast);
    if (ev.sent && !signInNeeded) {
      // The server decides what is due now: Today reloads its list (and the cache with it).
      const view = parseRoute().view;
      if (view === 'today' || view === 'household') render();
      else refreshDue().catch(() => {});
      refreshHouseholds(true).catch(() => {});
    }
  }
});

addEventListener('online', () => {
  updateNet();
  sendPendingSignOut();
  if (me && !signInNeeded && parseRoute().view === 'today') render();
});
addEventListener('offline', updateNet);
addEventListener('hashchange', render);

async function start() {
  for (const el of document.querySelectorAll('[data-t]')) el.textContent = t[el.dataset.t];
  document.title = t.appName;
  updateNet();
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/app/sw.js', { scope: '/app/' }).catch(() => {});
  }
  if (signOutPending()) {
    // Signed out while offline: the old session is ended first, and nothing kept of the
    // person is read or shown until then (its cookie would still sign the app in).
    await updateCount();
    outbox.start();
    signInNeeded = true;
    signInNote = t.signOutPendingNote;
    if (parseRoute().view !== 'signin') location.replace('#/signin');
    else render();
    sendPendingSignOut();
    return;
  }
  const row = await cached('me');
  if (row) {
    me = row.value;
    outbox.setPerson(me.id);
  }
  await updateCount();
  if (me) {
    render();
    outbox.start();
    // Is the session still good? A 401 brings the sign-in view.
    api('/api/v1/me').then(async ({ data }) => {
      if (data && data.id === me.id) {
        me = { id: data.id, name: data.name, roles: data.roles || [], scope_units: data.scope_units || [] };
        await save('me', me);
      }
    }, () => {});
    refreshCategories();
    return;
  }
  try {
    // No CSRF cookie: no session either; straight to sign-in without a 401 in the console.
    if (!csrfToken()) throw new HTTPError(401, null, null);
    const { data } = await api('/api/v1/me');
    await signedIn({ id: data.id, name: data.name, roles: data.roles || [], scope_units: data.scope_units || [] });
    outbox.start();
  } catch (e) {
    outbox.start();
    signInNeeded = true;
    signInNote = e instanceof NetworkError ? t.signInOffline : '';
    if (parseRoute().view !== 'signin') {
      returnTo = location.hash || '#/';
      location.replace('#/signin');
    } else render();
  }
}

start();
