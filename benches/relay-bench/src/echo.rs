//! The floor: a bare WebSocket server that forwards every binary frame to every
//! connection in the same room (the path of the address), the sender included, which
//! is the sender's acknowledgement. No parsing, no storage, no crypto: what any relay
//! costs at least on this machine.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

use crate::measure::{self, payload, Room, Seen, Ws};
use crate::report::Measures;
use crate::server::{scratch, Server};
use crate::Settings;

/// Bytes of each connection's read buffer. tungstenite's default, 128 KiB, is allocated
/// and zero-filled per connection, and would be most of an idle connection's cost
/// (137 KiB per connection measured with it); frames larger than this still arrive whole.
const READ_BUFFER: usize = 4096;

/// What the server sends a connection once it is in its room.
const JOINED: &str = "joined";

type Rooms = Arc<Mutex<HashMap<String, Vec<(u64, mpsc::UnboundedSender<Message>)>>>>;

/// `relay-bench echo-server ADDR`: serves until killed; prints its address on stdout.
pub fn serve(addr: &str) -> Result<(), String> {
    let addr: SocketAddr = addr.parse().map_err(|_| format!("{addr:?} is not an address"))?;
    // Like the relay: tokio's multi-threaded runtime, one worker per core.
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let listener = TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        println!("echo server listening on {}", listener.local_addr().map_err(|e| e.to_string())?);
        let rooms = Rooms::default();
        let ids = AtomicU64::new(0);
        loop {
            let (stream, _) = listener.accept().await.map_err(|e| e.to_string())?;
            tokio::spawn(connection(stream, rooms.clone(), ids.fetch_add(1, Ordering::Relaxed)));
        }
    })
}

// The handshake callback's error type is tungstenite's, large as it is.
#[allow(clippy::result_large_err)]
async fn connection(stream: TcpStream, rooms: Rooms, id: u64) {
    let _ = stream.set_nodelay(true);
    let mut room = String::new();
    let callback = |request: &Request, response: Response| {
        room = request.uri().path().to_owned();
        Ok(response)
    };
    let config = WebSocketConfig::default().read_buffer_size(READ_BUFFER);
    let Ok(ws) = tokio_tungstenite::accept_hdr_async_with_config(stream, callback, Some(config)).await else { return };
    let (mut sink, mut frames) = ws.split();
    let (tx, mut outbox) = mpsc::unbounded_channel();
    rooms.lock().unwrap().entry(room.clone()).or_default().push((id, tx.clone()));
    let _ = tx.send(Message::text(JOINED));
    let writer = tokio::spawn(async move {
        while let Some(frame) = outbox.recv().await {
            // Write whatever is queued, then flush once.
            let mut ok = sink.feed(frame).await.is_ok();
            while let (true, Ok(frame)) = (ok, outbox.try_recv()) {
                ok = sink.feed(frame).await.is_ok();
            }
            if !ok || sink.flush().await.is_err() {
                break;
            }
        }
    });
    while let Some(Ok(frame)) = frames.next().await {
        match frame {
            Message::Binary(_) => {
                let rooms = rooms.lock().unwrap();
                for (_, peer) in rooms.get(&room).into_iter().flatten() {
                    let _ = peer.send(frame.clone());
                }
            }
            Message::Close(_) => break,
            _ => {}
        }
    }
    let mut rooms = rooms.lock().unwrap();
    if let Some(members) = rooms.get_mut(&room) {
        members.retain(|(other, _)| *other != id);
        if members.is_empty() {
            rooms.remove(&room);
        }
    }
    writer.abort();
}

/// A room on the echo server.
pub struct EchoRoom {
    url: String,
}

impl Room for EchoRoom {
    async fn join(&self) -> Result<Ws, String> {
        let (mut ws, _) = tokio_tungstenite::connect_async_with_config(self.url.as_str(), None, true)
            .await
            .map_err(|e| format!("connecting to {}: {e}", self.url))?;
        match ws.next().await {
            Some(Ok(Message::Text(t))) if t.as_str() == JOINED => Ok(ws),
            other => Err(format!("the echo server answered {other:?} instead of {JOINED:?}")),
        }
    }

    fn publish(&self, n: u64) -> Message {
        Message::binary(payload(n))
    }

    fn read(&self, frame: &Message) -> Seen {
        match frame {
            Message::Binary(b) if b.len() >= 8 => Seen::Delivered(u64::from_be_bytes(b[..8].try_into().expect("8 bytes"))),
            _ => Seen::Other,
        }
    }
}

/// Starts the echo server (this binary, `echo-server`) and measures it.
pub async fn bench(s: &Settings) -> Result<Measures, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut cmd = tokio::process::Command::new(exe);
    cmd.args(["echo-server", "127.0.0.1:0"]);
    let (mut server, addr) = Server::start("the echo server", cmd, scratch("echo")?, |line| {
        line.strip_prefix("echo server listening on ").map(str::to_owned)
    })
    .await?;
    let mut rooms = 0u64..;
    let room = || Ok(Arc::new(EchoRoom { url: format!("ws://{addr}/room-{}", rooms.next().unwrap_or_default()) }));
    let result = measure::all(&mut server, room, s).await;
    server.stop().await;
    result
}
