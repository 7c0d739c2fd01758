/* IndexedDB: the outbox (records and requests waiting for the network), photo blobs, and small
   key/values (token, the offline bundle). Everything the worker did offline lives here. */
(function (global) {
  "use strict";
  const DB_NAME = "gridgov-field", VERSION = 1;
  let opened = null;

  function open() {
    if (opened) return opened;
    opened = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, VERSION);
      req.onupgradeneeded = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains("outbox")) db.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
        if (!db.objectStoreNames.contains("blobs")) db.createObjectStore("blobs", { keyPath: "id" });
        if (!db.objectStoreNames.contains("kv")) db.createObjectStore("kv");
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    return opened;
  }
  async function run(store, mode, fn) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(store, mode);
      const s = tx.objectStore(store);
      let result;
      Promise.resolve(fn(s)).then((r) => { result = r; });
      tx.oncomplete = () => resolve(result && result.result !== undefined && result instanceof IDBRequest ? result.result : result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  }
  const req2p = (r) => new Promise((res, rej) => { r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });

  const Store = {
    async get(key) { const db = await open(); return req2p(db.transaction("kv").objectStore("kv").get(key)); },
    async set(key, value) { return run("kv", "readwrite", (s) => { s.put(value, key); }); },
    async del(key) { return run("kv", "readwrite", (s) => { s.delete(key); }); },
    async enqueue(item) {
      item.created_at = item.created_at || new Date().toISOString();
      item.state = item.state || "pending";
      const db = await open();
      return req2p(db.transaction("outbox", "readwrite").objectStore("outbox").add(item));
    },
    async outbox() { const db = await open(); return req2p(db.transaction("outbox").objectStore("outbox").getAll()); },
    async update(item) { return run("outbox", "readwrite", (s) => { s.put(item); }); },
    async remove(seq) { return run("outbox", "readwrite", (s) => { s.delete(seq); }); },
    async putBlob(id, blob, name, type) { return run("blobs", "readwrite", (s) => { s.put({ id, blob, name, type, media_id: null }); }); },
    async getBlob(id) { const db = await open(); return req2p(db.transaction("blobs").objectStore("blobs").get(id)); },
    async setBlobMedia(id, mediaId) {
      const b = await Store.getBlob(id);
      if (!b) return;
      b.media_id = mediaId;
      return run("blobs", "readwrite", (s) => { s.put(b); });
    },
    async deleteBlob(id) { return run("blobs", "readwrite", (s) => { s.delete(id); }); },
  };
  global.FieldStore = Store;
})(window);
