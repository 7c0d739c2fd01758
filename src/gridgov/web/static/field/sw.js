/* Service worker of the field app (scope /field/): the shell is cached so the app opens without
   signal; the API's GETs are network-first with the last answer as the offline fallback.
   Writes are never cached here: the app's IndexedDB outbox holds them until they are sent. */
"use strict";
const VERSION = "gridgov-field-v3";  // v3: the language catalogue is part of the shell
const SHELL = [
  "/field/",
  "/field/manifest.webmanifest",
  "/static/field/app.js",
  "/static/field/store.js",
  "/static/field/xpath.js",
  "/static/field/messages.json",
  "/static/field/field.css",
  "/static/field/icon-192.png",
  "/static/field/icon-512.png",
];
const OPTIONAL = ["/static/vendor/leaflet/leaflet.js", "/static/vendor/leaflet/leaflet.css", "/static/basemap.js"];
const API_CACHE = "gridgov-field-api";

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(VERSION);
    await cache.addAll(SHELL);
    await Promise.all(OPTIONAL.map((url) => cache.add(url).catch(() => null)));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key !== VERSION && key !== API_CACHE) await caches.delete(key);
    await self.clients.claim();
  })());
});

async function networkFirst(request, cacheName) {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (e) {
    const cached = await cache.match(request, { ignoreSearch: false });
    if (cached) return cached;
    throw e;
  }
}

async function shellFirst(request) {
  const cache = await caches.open(VERSION);
  const cached = await cache.match(request, { ignoreSearch: true });
  const refresh = fetch(request).then((response) => {
    if (response.ok) cache.put(request, response.clone());
    return response;
  }).catch(() => null);
  return cached || (await refresh) || Response.error();
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname.startsWith("/field/")) {
    event.respondWith(shellFirst(new Request("/field/")));
    return;
  }
  if (url.pathname.startsWith("/api/v1/")) {
    event.respondWith(networkFirst(request, API_CACHE));
    return;
  }
  if (url.pathname.startsWith("/static/") || url.pathname === "/field/manifest.webmanifest") {
    event.respondWith(shellFirst(request));
  }
});
