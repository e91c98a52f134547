//! What the relay's integration tests share: a protocol client that keeps every frame
//! it saw, an app directory to serve, and relay processes killed when a test ends.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message as Ws;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use waymark_protocol::{Capability, EntryKind, Message, RelayId, SealedEntry, VERSION};

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// An app directory with an index page, for a relay to serve.
pub fn dist() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "<!doctype html><title>Waymark</title>").unwrap();
    dir
}

/// Every frame a client received, kept for the privacy check.
pub struct Client {
    pub ws: Socket,
    pub seen: Vec<Vec<u8>>,
}

impl Client {
    pub async fn connect(addr: SocketAddr) -> Client {
        Client::connect_speaking(addr, VERSION).await
    }

    /// A client that speaks protocol `version` only.
    pub async fn connect_speaking(addr: SocketAddr, version: u16) -> Client {
        let (ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/sync")).await.expect("connect");
        let mut c = Client { ws, seen: Vec::new() };
        c.send(&Message::Hello { min_version: version, max_version: version }).await;
        match c.next().await {
            Message::Welcome { version: agreed, .. } => assert_eq!(agreed, version),
            other => panic!("expected Welcome, got {other:?}"),
        }
        c
    }

    pub async fn send(&mut self, m: &Message) {
        let bytes = m.encode();
        self.seen.push(bytes.clone());
        self.ws.send(Ws::Binary(bytes.into())).await.expect("send");
    }

    /// The next protocol message (pings skipped); panics after 10 s.
    pub async fn next(&mut self) -> Message {
        self.try_next(Duration::from_secs(10)).await.expect("a message from the relay")
    }

    pub async fn try_next(&mut self, wait: Duration) -> Option<Message> {
        loop {
            let frame = tokio::time::timeout(wait, self.ws.next()).await.ok()??.ok()?;
            match frame {
                Ws::Binary(b) => {
                    self.seen.push(b.to_vec());
                    return Some(Message::decode(&b).expect("the relay sends well-formed frames"));
                }
                Ws::Close(_) => return None,
                _ => continue,
            }
        }
    }

    pub async fn subscribe(&mut self, ws: RelayId, after: u64) -> (u64, Option<u64>, Vec<(u64, SealedEntry)>) {
        self.send(&Message::Subscribe { workspace: ws, after }).await;
        self.read_until_head(ws).await
    }

    /// Reads Entries batches until the newest seq reaches the batch's head.
    pub async fn read_until_head(&mut self, ws: RelayId) -> (u64, Option<u64>, Vec<(u64, SealedEntry)>) {
        let mut snapshot = None;
        let mut got = Vec::new();
        loop {
            match self.next().await {
                Message::Entries { workspace, head, snapshot: snap, entries, .. } => {
                    assert_eq!(workspace, ws);
                    if let Some((covers, _)) = snap {
                        snapshot = Some(covers);
                    }
                    got.extend(entries);
                    let newest = got.last().map(|(s, _)| *s).or(snapshot).unwrap_or(0);
                    if newest >= head {
                        return (head, snapshot, got);
                    }
                }
                Message::PeerPresence { .. } | Message::PeerLeft { .. } => {}
                other => panic!("expected Entries, got {other:?}"),
            }
        }
    }

    pub async fn append(&mut self, cap: &Capability, request: u32, text: &str) -> u64 {
        let entry = cap.seal_entry(EntryKind::Change, text.as_bytes()).unwrap();
        self.send(&Message::Append { workspace: cap.relay_id(), request, entry }).await;
        loop {
            match self.next().await {
                Message::Ack { request: r, seq, .. } if r == request => return seq,
                Message::Entries { .. } | Message::PeerPresence { .. } | Message::PeerLeft { .. } => {}
                other => panic!("expected Ack, got {other:?}"),
            }
        }
    }

    /// The next Entries message with entries (skipping presence), opened with `cap`.
    pub async fn next_change(&mut self, cap: &Capability) -> (u64, String) {
        loop {
            if let Message::Entries { mut entries, .. } = self.next().await {
                if let Some((seq, e)) = entries.pop() {
                    return (seq, String::from_utf8(cap.open_entry(EntryKind::Change, &e).unwrap()).unwrap());
                }
            }
        }
    }
}

/// A relay process, killed if a test ends (or fails) without stopping it.
pub struct Process(pub std::process::Child);

impl std::ops::Deref for Process {
    type Target = std::process::Child;
    fn deref(&self) -> &std::process::Child {
        &self.0
    }
}

impl std::ops::DerefMut for Process {
    fn deref_mut(&mut self) -> &mut std::process::Child {
        &mut self.0
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

