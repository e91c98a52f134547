// relay-bench's driver for the reference: Automerge's own clients
// (@automerge/automerge-repo with its WebSocket network adapter) against
// @automerge/automerge-repo-sync-server. relay-bench (src/reference.rs) starts the
// server, copies this file next to the installed packages (so that their names
// resolve) and runs it once per measure:
//
//   node driver.mjs latency --url ws://127.0.0.1:PORT --subscribers N --rounds R --warmup W --pause-ms P
//   node driver.mjs appends --url … --seconds S --window W
//   node driver.mjs idle    --url … --connections C
//
// Every line it prints on stdout is one JSON object with an "event"; `idle` waits for a
// line on stdin at "baseline" and at "open", while relay-bench reads the server's memory.
//
// Each client is a Repo of its own with one WebSocket connection, as each teammate's
// browser would be. The publisher creates a document; subscribers find() it. A change
// sets two keys: `seq` (the change number) and `text`, a 192-character string stored as
// one value (RawString), so the change carries ~200 bytes like the Rust targets'.

import { Repo, RawString } from "@automerge/automerge-repo"
import { BrowserWebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"
import { next as Am } from "@automerge/automerge"
import { createInterface } from "node:readline"
import { performance } from "node:perf_hooks"

const TIMEOUT_MS = 30000
const OPENING_AT_ONCE = 50
const TEXT = "Ideas: move the onboarding checklist into the first-run dialog; "

const [measure, ...rest] = process.argv.slice(2)
const opts = {}
for (let i = 0; i < rest.length; i += 2) opts[rest[i].replace(/^--/, "")] = rest[i + 1]
const url = opts.url ?? fail("--url is required")
const num = (name, fallback) => (opts[name] === undefined ? fallback : Number(opts[name]))

function emit(event) {
  process.stdout.write(JSON.stringify(event) + "\n")
}

function fail(message) {
  emit({ event: "error", message })
  process.exit(1)
}

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

function within(promise, what) {
  let timer
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS)
  })
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer))
}

function text(n) {
  let out = ""
  while (out.length < 192) out += TEXT
  return out.slice(0, 192 - String(n).length) + n
}

// One client: a Repo with one connection to the server. `onMessage` sees every message
// from the server before the Repo handles it (it is registered on the adapter first).
// `onFrame` sees each frame's bytes as they arrive. The subscribers of a run share this
// one thread, where on real machines each would have its own: so that one's Automerge
// work does not delay noting the next one's arrival, a subscriber's Repo handles each
// frame at the end of the event loop's turn (setImmediate, in order), once every socket
// ready in that turn has been read.
async function client({ onMessage, onFrame } = {}) {
  const adapter = new BrowserWebSocketClientAdapter(url)
  const connected = new Promise(resolve => adapter.once("peer-candidate", resolve))
  if (onMessage) adapter.on("message", onMessage)
  if (onFrame) {
    const receive = adapter.receiveMessage.bind(adapter)
    adapter.receiveMessage = bytes => {
      onFrame(bytes)
      setImmediate(() => receive(bytes))
    }
  }
  const repo = new Repo({ network: [adapter] })
  await within(connected, "connecting to the sync server")
  return repo
}

// The publisher: creates the document and knows which of its changes the server has,
// from the heads in the server's sync messages (history here is linear: one writer).
async function publisher() {
  const ackWaiters = []
  const indexOfHash = new Map()
  const state = { acked: -1, sent: 0, handle: null, onAck: () => {} }
  const repo = await client({ onMessage: msg => {
    if (msg.type !== "sync" || !state.handle || msg.documentId !== state.handle.documentId) return
    for (const head of Am.decodeSyncMessage(msg.data).heads) {
      const n = indexOfHash.get(head)
      if (n !== undefined && n > state.acked) state.acked = n
    }
    while (ackWaiters.length && ackWaiters[0].n <= state.acked) ackWaiters.shift().resolve()
    state.onAck()
  } })
  // Makes change `n` and returns its bytes (as they travel inside sync messages).
  state.change = n => {
    state.handle.change(d => {
      d.seq = n
      d.text = new RawString(text(n))
    })
    const doc = state.handle.docSync()
    indexOfHash.set(Am.getHeads(doc)[0], n)
    return Am.getLastLocalChange(doc)
  }
  state.acknowledged = n => (n <= state.acked ? Promise.resolve() : new Promise(resolve => ackWaiters.push({ n, resolve })))
  state.handle = repo.create()
  state.change(0)
  await within(state.acknowledged(0), "the sync server storing the new document")
  return state
}

// A subscriber: finds the document; `onFrame` sees the server's frames first.
async function subscriber(documentUrl, onFrame) {
  const repo = await client({ onFrame })
  const handle = repo.find(documentUrl)
  await within(handle.whenReady(), "a subscriber finding the document")
  return handle
}

async function latency() {
  const count = num("subscribers", 1)
  const rounds = num("rounds", 200)
  const warmup = num("warmup", 20)
  const pause = num("pause-ms", 120)
  const pub = await publisher()
  let round = null
  for (let i = 0; i < count; i++) {
    // The change has arrived when a frame carries its bytes (the frame's envelope and
    // sync message hold them verbatim): found without decoding anything.
    await subscriber(pub.handle.url, bytes => {
      if (!round || round.got[i]) return
      const arrived = performance.now()
      if (Buffer.from(bytes).indexOf(round.change) < 0) return
      round.got[i] = true
      round.last = Math.max(round.last, arrived)
      if (--round.missing === 0) round.resolve(round.last - round.sent)
    })
  }
  const samples = []
  for (let n = 1; n <= warmup + rounds; n++) {
    const change = pub.change(n)
    // The change is made; from here on it is the library's sync, the server and the network.
    const sent = performance.now()
    const done = new Promise(resolve => {
      round = { change, sent, last: sent, missing: count, got: new Array(count).fill(false), resolve }
    })
    const ms = await within(done, `change ${n} reaching ${count} subscribers`)
    round = null
    if (n > warmup) samples.push(ms)
    await sleep(pause)
  }
  emit({ event: "latency", subscribers: count, samples_ms: samples })
}

async function appends() {
  const seconds = num("seconds", 5)
  const window = num("window", 32)
  const pub = await publisher()
  await subscriber(pub.handle.url)
  const first = pub.acked
  let running = true
  pub.onAck = () => {
    while (running && pub.sent - pub.acked < window) pub.change(++pub.sent)
  }
  pub.sent = first
  const started = performance.now()
  pub.onAck()
  await sleep(seconds * 1000)
  running = false
  const elapsed = (performance.now() - started) / 1000
  emit({ event: "appends", acked: pub.acked - first, seconds: elapsed })
}

async function idle() {
  const connections = num("connections", 1000)
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]()
  const pub = await publisher()
  emit({ event: "baseline" })
  await lines.next()
  const keep = []
  for (let opened = 0; opened < connections; ) {
    const batch = Math.min(OPENING_AT_ONCE, connections - opened)
    keep.push(...(await Promise.all(Array.from({ length: batch }, () => subscriber(pub.handle.url)))))
    opened += batch
  }
  emit({ event: "open", connections: keep.length })
  await lines.next()
}

const measures = { latency, appends, idle }
if (!measures[measure]) fail(`unknown measure ${JSON.stringify(measure)}: latency, appends or idle`)
measures[measure]()
  .then(() => process.exit(0))
  .catch(e => fail(String(e?.stack ?? e)))
