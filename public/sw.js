// Waymark's offline app shell. `cargo xtask build` writes dist/sw.js from this file,
// filling in every built file and a version derived from their contents.
const VERSION = "__WAYMARK_VERSION__";
const PRECACHE = __WAYMARK_PRECACHE__;
const CACHE = `waymark-${VERSION}`;
// On a slow connection, fall back to the cached app after this long.
const NAVIGATION_TIMEOUT_MS = 2500;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("waymark-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname === "/healthz") return;
  if (request.mode === "navigate") {
    // Every app route is the same page: fresh from the network when it answers in
    // time, otherwise the cached one.
    event.respondWith(networkFirst(request));
    return;
  }
  event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
});

async function networkFirst(request) {
  try {
    const response = await Promise.race([
      fetch(request),
      new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), NAVIGATION_TIMEOUT_MS)),
    ]);
    if (response.ok) return response;
    throw new Error(`status ${response.status}`);
  } catch (_) {
    const cached = await caches.match("/", { cacheName: CACHE });
    return cached || Response.error();
  }
}
