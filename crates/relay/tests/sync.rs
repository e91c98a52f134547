//! The relay with real WebSocket clients: fan-out, catch-up, compaction, durability
//! across kill -9, hostile frames, limits, and that it never holds plaintext.

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message as Ws;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use waymark_protocol::{Capability, EntryKind, ErrorCode, Message, RelayId, SealedEntry, VERSION};
use waymark_relay::Limits;

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A relay in this process on a free port, with its own data directory.
struct Server {
    addr: SocketAddr,
    _data: tempfile::TempDir,
    _dist: tempfile::TempDir,
    data_path: std::path::PathBuf,
}

fn dist() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "<!doctype html><title>Waymark</title>").unwrap();
    dir
}

async fn serve(limits: Limits) -> Server {
    let data = tempfile::tempdir().unwrap();
    let dist = dist();
    let (relay, handle) = waymark_relay::Relay::start(data.path(), limits).unwrap();
    std::mem::forget(handle); // lives as long as the test process
    let app = waymark_relay::app_with_relay(waymark_relay::Config { dist: dist.path().to_owned() }, relay);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await.unwrap() });
    let data_path = data.path().to_owned();
    Server { addr, _data: data, _dist: dist, data_path }
}

/// Every frame a client received, kept for the privacy check.
struct Client {
    ws: Socket,
    seen: Vec<Vec<u8>>,
}

impl Client {
    async fn connect(addr: SocketAddr) -> Client {
        let (ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/sync")).await.expect("connect");
        let mut c = Client { ws, seen: Vec::new() };
        c.send(&Message::Hello { min_version: VERSION, max_version: VERSION }).await;
        match c.next().await {
            Message::Welcome { version, .. } => assert_eq!(version, VERSION),
            other => panic!("expected Welcome, got {other:?}"),
        }
        c
    }

    async fn send(&mut self, m: &Message) {
        let bytes = m.encode();
        self.seen.push(bytes.clone());
        self.ws.send(Ws::Binary(bytes.into())).await.expect("send");
    }

    /// The next protocol message (pings skipped); panics after 10 s.
    async fn next(&mut self) -> Message {
        self.try_next(Duration::from_secs(10)).await.expect("a message from the relay")
    }

    async fn try_next(&mut self, wait: Duration) -> Option<Message> {
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

    async fn subscribe(&mut self, ws: RelayId, after: u64) -> (u64, Option<u64>, Vec<(u64, SealedEntry)>) {
        self.send(&Message::Subscribe { workspace: ws, after }).await;
        self.read_until_head(ws).await
    }

    /// Reads Entries batches until the newest seq reaches the batch's head.
    async fn read_until_head(&mut self, ws: RelayId) -> (u64, Option<u64>, Vec<(u64, SealedEntry)>) {
        let mut snapshot = None;
        let mut got = Vec::new();
        loop {
            match self.next().await {
                Message::Entries { workspace, head, snapshot: snap, entries } => {
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

    async fn append(&mut self, cap: &Capability, request: u32, text: &str) -> u64 {
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
    async fn next_change(&mut self, cap: &Capability) -> (u64, String) {
        loop {
            if let Message::Entries { mut entries, .. } = self.next().await {
                if let Some((seq, e)) = entries.pop() {
                    return (seq, String::from_utf8(cap.open_entry(EntryKind::Change, &e).unwrap()).unwrap());
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_reaches_every_subscriber_in_order() {
    let server = serve(Limits::default()).await;
    let cap = Capability::generate().unwrap();
    let ws = cap.relay_id();
    let mut writer = Client::connect(server.addr).await;
    writer.subscribe(ws, 0).await;
    let mut readers = Vec::new();
    for _ in 0..25 {
        let mut c = Client::connect(server.addr).await;
        assert_eq!(c.subscribe(ws, 0).await.0, 0);
        readers.push(c);
    }
    for i in 1..=3u32 {
        assert_eq!(writer.append(&cap, i, &format!("change {i}")).await, i as u64);
    }
    for r in &mut readers {
        for i in 1..=3u64 {
            assert_eq!(r.next_change(&cap).await, (i, format!("change {i}")));
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_catches_up_from_its_last_sequence_number_and_from_a_snapshot() {
    let server = serve(Limits::default()).await;
    let cap = Capability::generate().unwrap();
    let ws = cap.relay_id();
    let mut writer = Client::connect(server.addr).await;
    writer.subscribe(ws, 0).await;
    for i in 1..=5 {
        writer.append(&cap, i, &format!("change {i}")).await;
    }
    // A reader that saw up to 3 gets exactly 4 and 5.
    let mut reader = Client::connect(server.addr).await;
    let (head, snap, got) = reader.subscribe(ws, 3).await;
    assert_eq!((head, snap), (5, None));
    assert_eq!(got.iter().map(|(s, _)| *s).collect::<Vec<_>>(), [4, 5]);
    // A snapshot covering 4 replaces entries 1–4.
    let snapshot = cap.seal_entry(EntryKind::Snapshot, b"whole document").unwrap();
    writer.send(&Message::Snapshot { workspace: ws, request: 99, covers: 4, entry: snapshot.clone() }).await;
    assert!(matches!(writer.next().await, Message::Ack { request: 99, seq: 4, .. }));
    // Behind the snapshot: the snapshot, then 5.
    let mut fresh = Client::connect(server.addr).await;
    let (head, snap, got) = fresh.subscribe(ws, 0).await;
    assert_eq!((head, snap), (5, Some(4)));
    assert_eq!(got.iter().map(|(s, _)| *s).collect::<Vec<_>>(), [5]);
    // A snapshot that goes backwards or beyond the head is refused.
    for covers in [3, 9] {
        writer.send(&Message::Snapshot { workspace: ws, request: 100, covers, entry: snapshot.clone() }).await;
        assert!(matches!(writer.next().await, Message::Error { code: ErrorCode::BadSnapshot, request: 100, .. }));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_signatures_oversized_and_malformed_frames_hurt_only_their_sender() {
    let server = serve(Limits { max_frame: 64 * 1024, ..Limits::default() }).await;
    let cap = Capability::generate().unwrap();
    let ws = cap.relay_id();
    let mut good = Client::connect(server.addr).await;
    good.subscribe(ws, 0).await;

    // A view-link holder (content key, no write key) signs with a key of its own.
    let forger = Capability::generate().unwrap();
    let mut evil = Client::connect(server.addr).await;
    evil.subscribe(ws, 0).await;
    let mut forged = cap.seal_entry(EntryKind::Change, b"real").unwrap();
    forged.signature = forger.seal_entry(EntryKind::Change, b"x").unwrap().signature;
    evil.send(&Message::Append { workspace: ws, request: 7, entry: forged }).await;
    assert!(matches!(evil.next().await, Message::Error { code: ErrorCode::BadSignature, request: 7, .. }));
    // Still connected after a refused change.
    assert_eq!(evil.append(&cap, 8, "a real one").await, 1);

    // Garbage: an error, then the connection closes.
    let mut garbage = Client::connect(server.addr).await;
    garbage.ws.send(Ws::Binary(vec![0x04, 1, 2, 3].into())).await.unwrap();
    assert!(matches!(garbage.next().await, Message::Error { code: ErrorCode::Malformed, .. }));
    assert!(garbage.try_next(Duration::from_secs(5)).await.is_none(), "closed after a malformed frame");
    // Oversized.
    let mut big = Client::connect(server.addr).await;
    big.subscribe(ws, 0).await;
    let huge = cap.seal_entry(EntryKind::Change, &vec![7u8; 100 * 1024]).unwrap();
    big.send(&Message::Append { workspace: ws, request: 1, entry: huge }).await;
    loop {
        match big.try_next(Duration::from_secs(5)).await {
            Some(Message::Error { code, .. }) => {
                assert_eq!(code, ErrorCode::FrameTooLarge);
                break;
            }
            Some(_) => continue,
            None => panic!("no FrameTooLarge error before the close"),
        }
    }
    // Text frames are not the protocol.
    let mut text = Client::connect(server.addr).await;
    text.ws.send(Ws::Text("hello".into())).await.unwrap();
    assert!(matches!(text.next().await, Message::Error { code: ErrorCode::Malformed, .. }));

    // Meanwhile the good client carries on.
    assert_eq!(good.next_change(&cap).await, (1, "a real one".into()));
    assert_eq!(good.append(&cap, 2, "still here").await, 2);
    // Nothing from the forger was stored.
    let mut late = Client::connect(server.addr).await;
    let (_, _, got) = late.subscribe(ws, 0).await;
    assert_eq!(got.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn writing_requires_a_subscription_and_hello_comes_first() {
    let server = serve(Limits::default()).await;
    let cap = Capability::generate().unwrap();
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/sync", server.addr)).await.unwrap();
    ws.send(Ws::Binary(Message::Subscribe { workspace: cap.relay_id(), after: 0 }.encode().into())).await.unwrap();
    let Some(Ok(Ws::Binary(b))) = ws.next().await else { panic!("no reply") };
    assert!(matches!(Message::decode(&b).unwrap(), Message::Error { code: ErrorCode::Malformed, .. }));

    let mut c = Client::connect(server.addr).await;
    let entry = cap.seal_entry(EntryKind::Change, b"x").unwrap();
    c.send(&Message::Append { workspace: cap.relay_id(), request: 3, entry }).await;
    assert!(matches!(c.next().await, Message::Error { code: ErrorCode::NotSubscribed, request: 3, .. }));
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_and_connection_limits_answer_with_clear_errors() {
    let server = serve(Limits { entries_per_second: 1.0, entries_burst: 3.0, max_connections_per_ip: 4, ..Limits::default() }).await;
    let cap = Capability::generate().unwrap();
    let mut c = Client::connect(server.addr).await;
    c.subscribe(cap.relay_id(), 0).await;
    for i in 1..=3 {
        c.append(&cap, i, "ok").await;
    }
    let entry = cap.seal_entry(EntryKind::Change, b"one too many").unwrap();
    c.send(&Message::Append { workspace: cap.relay_id(), request: 4, entry }).await;
    match c.next().await {
        Message::Error { code: ErrorCode::RateLimited, request: 4, message } => assert!(message.contains("per second"), "{message}"),
        other => panic!("expected RateLimited, got {other:?}"),
    }
    let mut others = Vec::new();
    for _ in 0..3 {
        others.push(Client::connect(server.addr).await);
    }
    let (mut fifth, _) = tokio_tungstenite::connect_async(format!("ws://{}/sync", server.addr)).await.unwrap();
    let Some(Ok(Ws::Binary(b))) = fifth.next().await else { panic!("no reply") };
    match Message::decode(&b).unwrap() {
        Message::Error { code: ErrorCode::TooManyConnections, message, .. } => assert!(message.contains("limit is 4"), "{message}"),
        other => panic!("expected TooManyConnections, got {other:?}"),
    }
    // The first client is unaffected.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    c.append(&cap, 5, "after a pause").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn presence_reaches_the_others_and_leaving_is_announced() {
    let server = serve(Limits::default()).await;
    let cap = Capability::generate().unwrap();
    let ws = cap.relay_id();
    let mut a = Client::connect(server.addr).await;
    let mut b = Client::connect(server.addr).await;
    a.subscribe(ws, 0).await;
    b.subscribe(ws, 0).await;
    let sealed = cap.seal_presence(b"{\"name\":\"Ada\"}").unwrap();
    a.send(&Message::Presence { workspace: ws, sealed }).await;
    let Message::PeerPresence { sealed, from, .. } = b.next().await else { panic!("expected presence") };
    assert_eq!(cap.open_presence(&sealed).unwrap(), b"{\"name\":\"Ada\"}");
    drop(a);
    match b.next().await {
        Message::PeerLeft { from: left, .. } => assert_eq!(left, from),
        other => panic!("expected PeerLeft, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_relay_never_holds_plaintext() {
    let server = serve(Limits::default()).await;
    let cap = Capability::generate().unwrap();
    let ws = cap.relay_id();
    let marker = "MARKER-Quarterly-Roadmap-7731";
    let mut a = Client::connect(server.addr).await;
    let mut b = Client::connect(server.addr).await;
    a.subscribe(ws, 0).await;
    b.subscribe(ws, 0).await;
    for i in 1..=20 {
        a.append(&cap, i, &format!("{marker} change {i}")).await;
    }
    let sealed = cap.seal_presence(format!("{{\"name\":\"{marker}\"}}").as_bytes()).unwrap();
    a.send(&Message::Presence { workspace: ws, sealed }).await;
    let snapshot = cap.seal_entry(EntryKind::Snapshot, format!("{marker} whole").as_bytes()).unwrap();
    a.send(&Message::Snapshot { workspace: ws, request: 500, covers: 10, entry: snapshot }).await;
    while !matches!(a.next().await, Message::Ack { request: 500, .. }) {}
    for _ in 0..21 {
        b.next().await;
    }
    let mut everything: Vec<Vec<u8>> = a.seen.clone();
    everything.extend(b.seen.clone());
    for entry in std::fs::read_dir(&server.data_path).unwrap().flatten() {
        everything.push(std::fs::read(entry.path()).unwrap());
    }
    assert!(everything.len() > 40);
    for bytes in everything {
        assert!(!bytes.windows(marker.len()).any(|w| w == marker.as_bytes()), "plaintext found");
    }
}

/// The real binary, killed with SIGKILL and started again on the same data.
#[tokio::test(flavor = "multi_thread")]
async fn acknowledged_entries_survive_kill_9_and_restart() {
    let data = tempfile::tempdir().unwrap();
    let dist = dist();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let spawn = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_waymark-relay"))
            .args(["--addr", &addr.to_string()])
            .arg("--dist")
            .arg(dist.path())
            .arg("--data-dir")
            .arg(data.path())
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("the relay starts")
    };
    async fn wait_up(addr: SocketAddr) {
        for _ in 0..200 {
            if TcpStream::connect(addr).await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the relay did not start");
    }
    let cap = Capability::generate().unwrap();
    let ws = cap.relay_id();
    let mut child = spawn();
    wait_up(addr).await;
    let mut c = Client::connect(addr).await;
    c.subscribe(ws, 0).await;
    // Pipelined appends: every one acknowledged must be on disk.
    let n = 200u32;
    for i in 1..=n {
        let entry = cap.seal_entry(EntryKind::Change, format!("change {i}").as_bytes()).unwrap();
        c.send(&Message::Append { workspace: ws, request: i, entry }).await;
    }
    let mut acked = 0;
    while acked < n {
        if let Message::Ack { .. } = c.next().await {
            acked += 1;
        }
    }
    child.kill().unwrap(); // SIGKILL: no shutdown, no flush
    child.wait().unwrap();
    let mut child = spawn();
    wait_up(addr).await;
    let mut r = Client::connect(addr).await;
    let (head, _, got) = r.subscribe(ws, 0).await;
    assert_eq!(head, n as u64);
    assert_eq!(got.len(), n as usize);
    for (i, (seq, entry)) in got.iter().enumerate() {
        assert_eq!(*seq, i as u64 + 1);
        assert_eq!(cap.open_entry(EntryKind::Change, entry).unwrap(), format!("change {}", i + 1).as_bytes());
    }
    child.kill().unwrap();
    child.wait().unwrap();
}
