// IndexedDB: the outbox (visits not yet accepted by the server) and a cache of what the
// server last said (the signed-in person, due lists, households, categories), for offline use.
// A write resolves only once its transaction has completed (is on disk).

const DB_NAME = 'gridbook-app';
const DB_VERSION = 1;
let opening = null;

export function openDB() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains('outbox')) db.createObjectStore('outbox', { keyPath: 'id' });
        if (!db.objectStoreNames.contains('cache')) db.createObjectStore('cache', { keyPath: 'key' });
      };
      req.onsuccess = () => {
        const db = req.result;
        db.onversionchange = () => { db.close(); opening = null; };
        resolve(db);
      };
      req.onerror = () => { opening = null; reject(req.error); };
      req.onblocked = () => reject(new Error('IndexedDB blocked'));
    });
  }
  return opening;
}

// Runs `body(store)` in one transaction; resolves with body's result once the transaction completed.
export async function tx(storeName, mode, body) {
  const db = await openDB();
  return new Promise((resolve, reject) => {
    const t = db.transaction(storeName, mode, mode === 'readwrite' ? { durability: 'strict' } : undefined);
    const store = t.objectStore(storeName);
    let result;
    Promise.resolve(body(store)).then(r => { result = r; }, err => { try { t.abort(); } catch (_) { /* already done */ } reject(err); });
    t.oncomplete = () => resolve(result);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error || new Error('transaction aborted'));
  });
}

export function req(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

// Cache: values stored under string keys with the time they were saved.
export async function cacheGet(key) {
  const row = await tx('cache', 'readonly', s => req(s.get(key)));
  return row ? row : null;
}

export function cachePut(key, value) {
  return tx('cache', 'readwrite', s => { s.put({ key, value, saved: Date.now() }); });
}

export function cacheDelete(key) {
  return tx('cache', 'readwrite', s => { s.delete(key); });
}

export function cacheClear() {
  return tx('cache', 'readwrite', s => { s.clear(); });
}

// Outbox rows.
export async function outboxAll() {
  const rows = await tx('outbox', 'readonly', s => req(s.getAll()));
  return rows.sort((a, b) => (a.seq - b.seq) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function outboxGet(id) {
  return tx('outbox', 'readonly', s => req(s.get(id)));
}

export function outboxPut(row) {
  return tx('outbox', 'readwrite', s => { s.put(row); });
}

export function outboxDelete(id) {
  return tx('outbox', 'readwrite', s => { s.delete(id); });
}

// Changes a row in one transaction: `change(row)` edits it in place (or returns false to leave it).
export function outboxUpdate(id, change) {
  return tx('outbox', 'readwrite', async s => {
    const row = await req(s.get(id));
    if (!row) return null;
    if (change(row) === false) return row;
    s.put(row);
    return row;
  });
}
