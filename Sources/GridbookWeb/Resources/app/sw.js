// Service worker of the field app (scope /app/): keeps the app's own files so that it opens
// offline. Cache-first for those files only; /api/ and /auth/ are never touched (the page
// keeps its data in IndexedDB).
// Updates: when the app is opened online, the worker asks the server whether any file changed
// (If-None-Match with the cached ETag, so mostly 304s, at most once a minute); if one did, it
// downloads the whole set and replaces the cached one, used from the next opening on (never a
// mix of old and new files in one page). Changing VERSION (e.g. when this list changes) makes
// the browser install the worker again, which downloads everything.

const VERSION = 'gridbook-app-v2';
const SHELL = [
  '/app/',
  '/app/app.js',
  '/app/app.css',
  '/app/strings.js',
  '/app/api.js',
  '/app/store.js',
  '/app/outbox.js',
  '/app/session.js',
  '/app/icon.svg',
  '/app/manifest.webmanifest',
];

self.addEventListener('install', event => {
  event.waitUntil(
    caches.open(VERSION)
      .then(cache => cache.addAll(SHELL.map(url => new Request(url, { cache: 'reload', credentials: 'same-origin' }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', event => {
  event.waitUntil(
    caches.keys()
      .then(keys => Promise.all(keys.filter(k => k.startsWith('gridbook-app-') && k !== VERSION).map(k => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', event => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin || !url.pathname.startsWith('/app/') || url.pathname === '/app/sw.js') return;
  const key = req.mode === 'navigate' || url.pathname === '/app/index.html' ? '/app/' : url.pathname;
  if (!SHELL.includes(key)) return;
  if (req.mode === 'navigate') event.waitUntil(revalidate().catch(() => {}));
  event.respondWith(
    caches.open(VERSION).then(cache => cache.match(key).then(hit => hit || fetch(req).then(res => {
      if (res.ok && res.type === 'basic') cache.put(key, res.clone());
      return res;
    }))),
  );
});

let lastCheck = 0;

async function revalidate() {
  if (self.navigator && self.navigator.onLine === false) return;
  if (Date.now() - lastCheck < 60000) return;
  lastCheck = Date.now();
  const cache = await caches.open(VERSION);
  let changed = false;
  for (const url of SHELL) {
    const old = await cache.match(url);
    const etag = old && old.headers.get('ETag');
    const res = await fetch(url, { cache: 'no-store', credentials: 'same-origin', headers: etag ? { 'If-None-Match': etag } : {} });
    if (res.status === 304) continue;
    if (!res.ok) return;
    changed = true;
    break;
  }
  if (!changed) return;
  const fresh = await Promise.all(SHELL.map(url => fetch(url, { cache: 'no-store', credentials: 'same-origin' })));
  if (!fresh.every(res => res.ok)) return;
  await Promise.all(SHELL.map((url, i) => cache.put(url, fresh[i])));
}
