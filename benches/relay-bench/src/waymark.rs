//! Waymark's relay, `waymark-relay`, spoken to as the app speaks to it (PROTOCOL.md,
//! through `waymark-protocol`): Hello, Subscribe, then Append of entries sealed with the
//! workspace's keys (encrypted, then signed), answered by Ack once durable; every other
//! subscriber gets the entry in an Entries frame.
//!
//! Entries are sealed before the clock starts: the time measured is the relay's (and
//! the network's), not the client's crypto. Subscribers recognise an entry by its nonce.

use std::collections::HashMap;
use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message as Frame;
use waymark_protocol::keys::NONCE_LEN;
use waymark_protocol::{Capability, EntryKind, Message, RelayId, SealedEntry, VERSION};

use crate::measure::{self, payload, Room, Seen, Ws};
use crate::report::Measures;
use crate::server::{require, scratch, Server};
use crate::Settings;

/// Entries sealed ahead for one workspace, at least. Appends reuse them in turn, but
/// past the pool the relay answers a repeated entry from its signature table, storing
/// and forwarding nothing: the pool is sized so the appends run never gets there.
const MIN_POOL: usize = 256;
/// More appends a second than the relay has ever been measured to take (BENCHMARKS.md).
const APPENDS_PER_SECOND_AT_MOST: usize = 20_000;

/// One shared workspace on the relay, with entries sealed ahead.
pub struct Workspace {
    url: String,
    id: RelayId,
    entries: Vec<SealedEntry>,
    by_nonce: HashMap<[u8; NONCE_LEN], u64>,
}

impl Workspace {
    pub fn new(url: &str, pool: usize) -> Result<Workspace, String> {
        let keys = Capability::generate().map_err(|e| e.to_string())?;
        let entries = (0..pool as u64)
            .map(|n| keys.seal_entry(EntryKind::Change, &payload(n)).map_err(|e| e.to_string()))
            .collect::<Result<Vec<_>, _>>()?;
        let by_nonce = entries.iter().enumerate().map(|(n, e)| (e.nonce, n as u64)).collect();
        Ok(Workspace { url: url.to_owned(), id: keys.relay_id(), entries, by_nonce })
    }
}

async fn send(ws: &mut Ws, message: Message) -> Result<(), String> {
    ws.send(Frame::binary(message.encode())).await.map_err(|e| format!("send: {e}"))
}

/// The relay's next protocol message on `ws` (pings and the like are skipped).
async fn receive(ws: &mut Ws) -> Result<Message, String> {
    loop {
        match ws.next().await {
            Some(Ok(Frame::Binary(bytes))) => return Message::decode(&bytes).map_err(|e| format!("the relay sent a malformed frame: {e}")),
            Some(Ok(Frame::Close(close))) => return Err(format!("the relay closed the connection: {close:?}")),
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err(e.to_string()),
            None => return Err("the relay closed the connection".into()),
        }
    }
}

impl Workspace {
    /// A connection subscribed to this workspace on the relay at `url` (several relays
    /// sharing one store serve the same workspace).
    pub async fn join_at(&self, url: &str) -> Result<Ws, String> {
        let (mut ws, _) = tokio_tungstenite::connect_async_with_config(url, None, true)
            .await
            .map_err(|e| format!("the relay did not accept a WebSocket at {url}: {e}"))?;
        send(&mut ws, Message::Hello { min_version: VERSION, max_version: VERSION }).await?;
        match receive(&mut ws).await? {
            Message::Welcome { .. } => {}
            other => return Err(format!("the relay answered Hello with {other:?}")),
        }
        send(&mut ws, Message::Subscribe { workspace: self.id, after: 0 }).await?;
        // Subscribed once the relay has sent everything up to its head.
        loop {
            match receive(&mut ws).await? {
                Message::Entries { head, snapshot, entries, .. } => {
                    let seen = entries.last().map(|e| e.0).or(snapshot.map(|s| s.0)).unwrap_or(0);
                    if seen >= head {
                        return Ok(ws);
                    }
                }
                Message::Error { code, message, .. } => return Err(format!("the relay refused Subscribe: {code:?}: {message}")),
                _ => {}
            }
        }
    }
}

impl Room for Workspace {
    async fn join(&self) -> Result<Ws, String> {
        self.join_at(&self.url).await
    }

    fn publish(&self, n: u64) -> Frame {
        let entry = self.entries[n as usize % self.entries.len()].clone();
        Frame::binary(Message::Append { workspace: self.id, request: n as u32, entry }.encode())
    }

    fn read(&self, frame: &Frame) -> Seen {
        let Frame::Binary(bytes) = frame else { return Seen::Other };
        match Message::decode(bytes) {
            Ok(Message::Ack { request, .. }) => Seen::Ack(request.into()),
            Ok(Message::Entries { entries, .. }) => {
                entries.iter().find_map(|(_, e)| self.by_nonce.get(&e.nonce)).map_or(Seen::Other, |n| Seen::Delivered(*n))
            }
            Ok(Message::Error { code, request, message }) => Seen::Refused(format!("{code:?} (request {request}): {message}")),
            Ok(_) => Seen::Other,
            Err(e) => Seen::Refused(format!("the relay sent a malformed frame: {e}")),
        }
    }
}

/// Starts `waymark-relay` in a fresh scratch folder `name` (on its own data
/// directory, or on the PostgreSQL at `store`); returns it and its WebSocket URL.
pub async fn start_relay(relay: &std::path::Path, name: &str, store: Option<&str>) -> Result<(Server, String), String> {
    let dir = scratch(name)?;
    // The relay also serves the app; it wants a folder with an index.html to start.
    let dist = dir.join("dist");
    std::fs::create_dir_all(&dist).map_err(|e| e.to_string())?;
    std::fs::write(dist.join("index.html"), "<!doctype html><title>relay-bench</title>\n").map_err(|e| e.to_string())?;
    let mut cmd = tokio::process::Command::new(relay);
    cmd.arg("--addr").arg("127.0.0.1:0").arg("--dist").arg(&dist).arg("--data-dir").arg(dir.join("data"));
    // The limits on changes per second per connection and on connections per address
    // protect a public relay; lifted here, so that the relay's capacity is measured
    // rather than its policy (1,000 idle connections all come from 127.0.0.1).
    cmd.args(["--entries-per-second", "1e9", "--entries-burst", "1e9", "--max-connections-per-ip", "1000000"]);
    if let Some(url) = store {
        cmd.arg("--store").arg(url);
    }
    cmd.env("RUST_LOG", "warn");
    let (server, addr) = Server::start("waymark-relay", cmd, dir, |line| {
        line.strip_prefix("Waymark is running at http://").map(|a| a.trim().to_owned())
    })
    .await?;
    Ok((server, format!("ws://{addr}/sync")))
}

/// Starts `waymark-relay` on a fresh data directory and measures it.
pub async fn bench(s: &Settings) -> Result<Measures, String> {
    require(&s.relay, "waymark-relay", "build it with `cargo build --release -p waymark-relay`, or pass --relay")?;
    let (mut server, url) = start_relay(&s.relay, "waymark", None).await?;
    // Enough distinct entries for the appends run too (the relay stores an entry once:
    // a repeat would be answered without being stored), up to 20,000 a second.
    let pool = (s.warmup + s.rounds).max(MIN_POOL).max(s.seconds as usize * APPENDS_PER_SECOND_AT_MOST);
    let result = measure::all(&mut server, || Workspace::new(&url, pool).map(Arc::new), s).await;
    server.stop().await;
    result
}
