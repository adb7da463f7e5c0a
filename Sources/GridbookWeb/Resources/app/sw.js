// Service worker of the field app (scope /app/): keeps the app's own files so that it opens
// offline. Cache-first for those files only; /api/ and /auth/ are never touched (the page
// keeps its data in IndexedDB). Change VERSION whenever any file of the app changes: the
// browser then installs this worker again and the new files replace the old ones.

const VERSION = 'gridbook-app-v1';
const SHELL = [
  '/app/',
  '/app/app.js',
  '/app/app.css',
  '/app/strings.js',
  '/app/api.js',
  '/app/store.js',
  '/app/outbox.js',
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
  event.respondWith(
    caches.open(VERSION).then(cache => cache.match(key).then(hit => hit || fetch(req).then(res => {
      if (res.ok && res.type === 'basic') cache.put(key, res.clone());
      return res;
    }))),
  );
});
