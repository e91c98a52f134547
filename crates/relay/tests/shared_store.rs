//! Several relay processes on one real PostgreSQL (a throwaway cluster this test
//! starts): entries cross relays with the seq of their Ack, numbering stays gap-free
//! and identical everywhere, and nothing acknowledged is lost when a relay is killed,
//! when PostgreSQL crashes, or when a snapshot races appends.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message as Ws;
use waymark_protocol::{Capability, EntryKind, Message, RelayId, SealedEntry};

mod common;

use common::{dist, Client, Process};

/// A PostgreSQL cluster and the relays started on it.
struct Shared {
    pg: pg_scratch::Cluster,
    dist: tempfile::TempDir,
    scratch: tempfile::TempDir,
}

/// A failing test shows what the relays and PostgreSQL logged.
impl Drop for Shared {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            return;
        }
        for entry in std::fs::read_dir(self.scratch.path()).into_iter().flatten().flatten() {
            if entry.path().extension().is_some_and(|e| e == "log") {
                let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                let tail: Vec<&str> = text.lines().rev().take(40).collect();
                eprintln!("── {} (last 40 lines)", entry.path().display());
                tail.iter().rev().for_each(|l| eprintln!("{l}"));
            }
        }
        let log = self.pg.log();
        eprintln!("── PostgreSQL's log (last 20 lines)");
        log.lines().rev().take(20).collect::<Vec<_>>().iter().rev().for_each(|l| eprintln!("{l}"));
    }
}

struct Relay {
    addr: SocketAddr,
    process: Process,
}

impl Shared {
    fn new() -> Shared {
        let pg = pg_scratch::Cluster::start().expect("a throwaway PostgreSQL cluster");
        Shared { pg, dist: dist(), scratch: tempfile::tempdir().unwrap() }
    }

    /// A relay process on the shared database, answering on a free port.
    async fn relay(&self) -> Relay {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let log = self.scratch.path().join(format!("relay-{port}.log"));
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_waymark-relay"))
            .args(["--addr", &addr.to_string(), "--entries-burst", "100000", "--entries-per-second", "100000", "--store", &self.pg.url()])
            .arg("--dist")
            .arg(self.dist.path())
            .arg("--data-dir")
            .arg(self.scratch.path().join(format!("data-{port}")))
            .env("RUST_LOG", "info")
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("the relay starts");
        let process = Process(child);
        for _ in 0..800 {
            if TcpStream::connect(addr).await.is_ok() {
                return Relay { addr, process };
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the relay did not start: {}", std::fs::read_to_string(&log).unwrap_or_default());
    }
}

/// A log as a subscriber sees it: what it holds up to (a snapshot counts for all it
/// covers) and every entry by seq. Entries must arrive in order with no gap.
#[derive(Default)]
struct Seen {
    upto: u64,
    head: u64,
    entries: BTreeMap<u64, SealedEntry>,
}

impl Seen {
    fn take(&mut self, m: Message) {
        let Message::Entries { head, snapshot, entries, .. } = m else { return };
        self.head = self.head.max(head);
        if let Some((covers, _)) = snapshot {
            self.upto = self.upto.max(covers);
        }
        for (seq, entry) in entries {
            if seq <= self.upto {
                continue;
            }
            assert_eq!(seq, self.upto + 1, "a gap: entry {seq} came after {}", self.upto);
            self.upto = seq;
            self.entries.insert(seq, entry);
        }
    }
}

/// Reads until the subscriber holds everything up to `seq`.
async fn read_until(c: &mut Client, seen: &mut Seen, seq: u64) {
    while seen.upto < seq {
        let m = c.try_next(Duration::from_secs(20)).await.unwrap_or_else(|| panic!("stuck at {} of {seq}", seen.upto));
        seen.take(m);
    }
}

async fn subscriber(addr: SocketAddr, ws: RelayId) -> (Client, Seen) {
    let mut c = Client::connect(addr).await;
    c.send(&Message::Subscribe { workspace: ws, after: 0 }).await;
    let mut seen = Seen::default();
    // The first batch tells the head.
    let first = c.next().await;
    seen.take(first);
    let head = seen.head;
    read_until(&mut c, &mut seen, head).await;
    (c, seen)
}

/// Two relays on one database; a workspace with a client on A and a subscriber on B.
struct Pair {
    shared: Shared,
    relays: (Relay, Relay),
    cap: Capability,
    ws: RelayId,
    on_a: Client,
    on_b: (Client, Seen),
}

impl Pair {
    async fn new() -> Pair {
        let shared = Shared::new();
        let relays = (shared.relay().await, shared.relay().await);
        let cap = Capability::generate().unwrap();
        let ws = cap.relay_id();
        let mut on_a = Client::connect(relays.0.addr).await;
        on_a.subscribe(ws, 0).await;
        let on_b = subscriber(relays.1.addr, ws).await;
        Pair { shared, relays, cap, ws, on_a, on_b }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_append_on_one_relay_reaches_a_subscriber_on_another_with_its_seq() {
    let Pair { shared: _shared, relays: _relays, cap, ws, mut on_a, on_b: (mut on_b, mut seen) } = Pair::new().await;
    for n in 1..=3 {
        let seq = on_a.append(&cap, n, &format!("hello {n}")).await;
        assert_eq!(seq, n as u64);
        read_until(&mut on_b, &mut seen, seq).await;
        assert_eq!(cap.open_entry(EntryKind::Change, &seen.entries[&seq]).unwrap(), format!("hello {n}").as_bytes());
    }
    // And back: B's append reaches A, numbered after A's.
    assert_eq!(on_b.append(&cap, 9, "from b").await, 4);
    let (seq, text) = on_a.next_change(&cap).await;
    assert_eq!((seq, text.as_str()), (4, "from b"));
    // Presence crosses too, and so does leaving; connection ids differ across relays.
    on_b.send(&Message::Presence { workspace: ws, sealed: cap.seal_presence(b"on b").unwrap() }).await;
    let from_b = loop {
        if let Message::PeerPresence { from, sealed, .. } = on_a.next().await {
            assert_eq!(cap.open_presence(&sealed).unwrap().0, b"on b");
            break from;
        }
    };
    on_a.send(&Message::Presence { workspace: ws, sealed: cap.seal_presence(b"on a").unwrap() }).await;
    let from_a = loop {
        if let Message::PeerPresence { from, .. } = on_b.next().await {
            break from;
        }
    };
    assert_ne!(from_a, from_b);
    // A signal for a direct connection crosses to the relay serving the one it names.
    let sealed = waymark_protocol::peer::PeerMessage::Signal(b"offer".to_vec()).seal_whole(&cap).unwrap();
    on_a.send(&Message::Signal { workspace: ws, to: from_b, sealed: sealed.clone() }).await;
    loop {
        if let Message::PeerSignal { from, sealed: got, .. } = on_b.next().await {
            assert_eq!((from, got), (from_a, sealed));
            break;
        }
    }
    drop(on_b);
    loop {
        if let Message::PeerLeft { from, .. } = on_a.next().await {
            assert_eq!(from, from_b);
            break;
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn writers_on_three_relays_get_one_gap_free_numbering_seen_alike_everywhere() {
    let shared = Shared::new();
    let relays = [shared.relay().await, shared.relay().await, shared.relay().await];
    let cap = Capability::generate().unwrap();
    let ws = cap.relay_id();
    let mut subscribers = Vec::new();
    for r in &relays {
        subscribers.push(subscriber(r.addr, ws).await);
    }
    let (writers, each) = (6usize, 40u32);
    let mut tasks = Vec::new();
    for w in 0..writers {
        let (addr, cap) = (relays[w % 3].addr, cap.clone());
        tasks.push(tokio::spawn(async move {
            let mut c = Client::connect(addr).await;
            c.subscribe(ws, 0).await;
            let mut acked = Vec::new();
            for n in 1..=each {
                let text = format!("writer {w} change {n}");
                acked.push((c.append(&cap, n, &text).await, text));
            }
            acked
        }));
    }
    let mut acked = Vec::new();
    for t in tasks {
        acked.extend(t.await.unwrap());
    }
    let total = writers as u64 * each as u64;
    let mut seqs: Vec<u64> = acked.iter().map(|(s, _)| *s).collect();
    seqs.sort();
    assert_eq!(seqs, (1..=total).collect::<Vec<_>>(), "every Ack a different seq, 1 to {total}");
    for (c, seen) in &mut subscribers {
        read_until(c, seen, total).await;
        for (seq, text) in &acked {
            assert_eq!(cap.open_entry(EntryKind::Change, &seen.entries[seq]).unwrap(), text.as_bytes(), "seq {seq}");
        }
    }
    let first: Vec<_> = subscribers[0].1.entries.values().map(|e| e.signature).collect();
    for (_, seen) in &subscribers[1..] {
        assert_eq!(seen.entries.values().map(|e| e.signature).collect::<Vec<_>>(), first);
    }
}

/// A writer streams appends into relay A (its presence seen on B and C); A is killed
/// with SIGKILL mid-stream. B's subscriber is told the writer left. The writer
/// connects to B and sends its whole outbox again: every acknowledged entry is at
/// its Ack's seq at every subscriber, each change once, no gap.
#[tokio::test(flavor = "multi_thread")]
async fn a_relay_killed_mid_stream_loses_nothing_acknowledged_and_its_peers_leave() {
    let shared = Shared::new();
    let (mut a, b, c) = (shared.relay().await, shared.relay().await, shared.relay().await);
    let cap = Capability::generate().unwrap();
    let ws = cap.relay_id();
    let (mut on_b, mut seen_b) = subscriber(b.addr, ws).await;
    let (mut on_c, mut seen_c) = subscriber(c.addr, ws).await;
    let mut writer = Client::connect(a.addr).await;
    writer.subscribe(ws, 0).await;
    writer.send(&Message::Presence { workspace: ws, sealed: cap.seal_presence(b"writer").unwrap() }).await;
    let writer_conn = loop {
        if let Message::PeerPresence { from, .. } = on_b.next().await {
            break from;
        }
    };
    let n = 400u32;
    let outbox: Vec<SealedEntry> = (1..=n).map(|i| cap.seal_entry(EntryKind::Change, format!("change {i}").as_bytes()).unwrap()).collect();
    let acked = {
        let (mut sink, mut stream) = writer.ws.split();
        let entries = outbox.clone();
        let send = tokio::spawn(async move {
            for (i, entry) in entries.into_iter().enumerate() {
                if sink.send(Ws::Binary(Message::Append { workspace: ws, request: i as u32 + 1, entry }.encode().into())).await.is_err() {
                    break;
                }
            }
        });
        let mut acked = BTreeMap::new();
        while acked.len() < 100 {
            match stream.next().await {
                Some(Ok(Ws::Binary(bytes))) => {
                    if let Message::Ack { request, seq, .. } = Message::decode(&bytes).unwrap() {
                        acked.insert(request, seq);
                    }
                }
                Some(Ok(_)) => {}
                other => panic!("relay A went away early: {other:?}"),
            }
        }
        a.process.kill().unwrap(); // SIGKILL: no shutdown, no goodbye
        a.process.wait().unwrap();
        send.abort();
        acked
    };
    // B's subscriber learns that the writer on the dead relay left.
    loop {
        match on_b.try_next(Duration::from_secs(20)).await.expect("PeerLeft for the writer on the killed relay") {
            Message::PeerLeft { from, .. } if from == writer_conn => break,
            m => seen_b.take(m),
        }
    }
    // The writer comes back through B and sends everything it has not seen in the log.
    let mut writer = Client::connect(b.addr).await;
    writer.subscribe(ws, 0).await;
    let mut seqs = BTreeMap::new();
    for (i, entry) in outbox.iter().enumerate() {
        let request = i as u32 + 1;
        writer.send(&Message::Append { workspace: ws, request, entry: entry.clone() }).await;
        let seq = loop {
            match writer.next().await {
                Message::Ack { request: r, seq, .. } if r == request => break seq,
                Message::Ack { .. } | Message::Entries { .. } | Message::PeerPresence { .. } | Message::PeerLeft { .. } => {}
                other => panic!("expected an Ack, got {other:?}"),
            }
        };
        seqs.insert(request, seq);
    }
    for (request, seq) in &acked {
        assert_eq!(seqs[request], *seq, "an entry acknowledged before the kill keeps its seq");
    }
    let total = n as u64;
    let mut all: Vec<u64> = seqs.values().copied().collect();
    all.sort();
    assert_eq!(all, (1..=total).collect::<Vec<_>>(), "each change stored once, numbered without a gap");
    for (c, seen) in [(&mut on_b, &mut seen_b), (&mut on_c, &mut seen_c)] {
        read_until(c, seen, total).await;
        for (request, seq) in &seqs {
            assert_eq!(seen.entries[seq].signature, outbox[*request as usize - 1].signature);
        }
    }
}

/// PostgreSQL is stopped as a crash would stop it (`-m immediate`) while appends
/// stream in, then started again: every acknowledged entry is there, under its seq,
/// and the relay carries on without a restart.
#[tokio::test(flavor = "multi_thread")]
async fn nothing_acknowledged_is_missing_after_postgresql_crashes() {
    let mut shared = Shared::new();
    let a = shared.relay().await;
    let cap = Capability::generate().unwrap();
    let ws = cap.relay_id();
    let mut writer = Client::connect(a.addr).await;
    writer.subscribe(ws, 0).await;
    let n = 400u32;
    let (mut sink, mut stream) = writer.ws.split();
    let send = {
        let cap = cap.clone();
        tokio::spawn(async move {
            for i in 1..=n {
                let entry = cap.seal_entry(EntryKind::Change, format!("change {i}").as_bytes()).unwrap();
                if sink.send(Ws::Binary(Message::Append { workspace: ws, request: i, entry }.encode().into())).await.is_err() {
                    break;
                }
            }
        })
    };
    let mut acked = BTreeMap::new();
    while acked.len() < 100 {
        if let Some(Ok(Ws::Binary(bytes))) = stream.next().await {
            if let Message::Ack { request, seq, .. } = Message::decode(&bytes).unwrap() {
                acked.insert(seq, request);
            }
        }
    }
    tokio::task::block_in_place(|| shared.pg.crash()).expect("PostgreSQL stops");
    // Whatever else the relay answers before the database is back is kept too.
    while let Ok(Some(Ok(frame))) = tokio::time::timeout(Duration::from_millis(500), stream.next()).await {
        if let Ws::Binary(bytes) = frame {
            if let Message::Ack { request, seq, .. } = Message::decode(&bytes).unwrap() {
                acked.insert(seq, request);
            }
        }
    }
    send.abort();
    tokio::task::block_in_place(|| shared.pg.resume()).expect("PostgreSQL starts again");
    // The relay reconnects on its next use: subscribe until it reads the log again.
    let mut got = None;
    for _ in 0..100 {
        let mut c = Client::connect(a.addr).await;
        c.send(&Message::Subscribe { workspace: ws, after: 0 }).await;
        let mut seen = Seen::default();
        match c.next().await {
            m @ Message::Entries { .. } => {
                seen.take(m);
                let head = seen.head;
                read_until(&mut c, &mut seen, head).await;
                got = Some((c, seen));
                break;
            }
            Message::Error { .. } => tokio::time::sleep(Duration::from_millis(100)).await,
            other => panic!("unexpected {other:?}"),
        }
    }
    let (mut c, seen) = got.expect("the relay reads the log again once PostgreSQL is back");
    let newest = *acked.keys().last().unwrap();
    assert!(seen.head >= newest, "head {} behind acknowledged {newest}", seen.head);
    assert_eq!(seen.entries.keys().copied().collect::<Vec<_>>(), (1..=seen.head).collect::<Vec<_>>());
    for (seq, request) in &acked {
        assert_eq!(cap.open_entry(EntryKind::Change, &seen.entries[seq]).unwrap(), format!("change {request}").as_bytes());
    }
    assert_eq!(c.append(&cap, 1, "after the crash").await, seen.head + 1);
}

/// Appends stream into B while A's client keeps compacting to what it has seen, and
/// new subscribers join on C all the while: each one's log (snapshot, then entries)
/// has no gap.
#[tokio::test(flavor = "multi_thread")]
async fn a_snapshot_racing_appends_leaves_no_gap_for_a_new_subscriber() {
    let shared = Shared::new();
    let (a, b, c) = (shared.relay().await, shared.relay().await, shared.relay().await);
    let cap = Capability::generate().unwrap();
    let ws = cap.relay_id();
    let (total, burst) = (600u64, 40u64);
    // How many snapshots A's client has sent: the writer sends its next burst only
    // after the last one's snapshot, so every snapshot races a burst of appends, however
    // the relays happen to batch what they pass on.
    let (snapshot_sent, mut snapshots_sent) = tokio::sync::watch::channel(0u64);
    let appends = {
        let (addr, cap) = (b.addr, cap.clone());
        tokio::spawn(async move {
            let mut w = Client::connect(addr).await;
            w.subscribe(ws, 0).await;
            let (mut sink, mut stream) = w.ws.split();
            let send = tokio::spawn(async move {
                for i in 1..=total {
                    let entry = cap.seal_entry(EntryKind::Change, format!("change {i}").as_bytes()).unwrap();
                    sink.send(Ws::Binary(Message::Append { workspace: ws, request: i as u32, entry }.encode().into())).await.unwrap();
                    if i % burst == 0 && i < total {
                        snapshots_sent.wait_for(|&n| n >= i / burst).await.unwrap();
                    }
                }
            });
            let mut acks = 0;
            while acks < total {
                if let Some(Ok(Ws::Binary(bytes))) = stream.next().await {
                    if let Message::Ack { .. } = Message::decode(&bytes).unwrap() {
                        acks += 1;
                    }
                }
            }
            send.await.unwrap();
        })
    };
    let compactions = {
        let (addr, cap) = (a.addr, cap.clone());
        tokio::spawn(async move {
            let (mut on_a, mut seen) = subscriber(addr, ws).await;
            let (mut snapshots, mut request) = (0, 1000u32);
            while seen.upto < total {
                let m = on_a.next().await;
                if let Message::Ack { .. } | Message::Error { .. } = m {
                    continue;
                }
                seen.take(m);
                if seen.upto >= (snapshots + 1) * burst {
                    snapshots += 1;
                    request += 1;
                    let entry = cap.seal_entry(EntryKind::Snapshot { covers: seen.upto }, format!("whole up to {}", seen.upto).as_bytes()).unwrap();
                    on_a.send(&Message::Snapshot { workspace: ws, request, covers: seen.upto, entry }).await;
                    snapshot_sent.send_replace(snapshots);
                }
            }
            snapshots
        })
    };
    // Subscribers join on C while both go on; each must read a gap-free log.
    let mut joined = 0;
    while !appends.is_finished() {
        let (_, seen) = subscriber(c.addr, ws).await;
        assert!(seen.upto >= seen.head, "caught up to its head without a gap");
        joined += 1;
    }
    appends.await.unwrap();
    let snapshots = compactions.await.unwrap();
    let (_, seen) = subscriber(c.addr, ws).await;
    assert_eq!(seen.upto, total);
    assert_eq!(snapshots, total / burst, "a snapshot after every burst");
    assert!(joined >= 2, "{joined} subscribers joined meanwhile");
}

/// Every relay's connections to PostgreSQL are ended (as a failover or an operator
/// would): the relays connect again, a write refused meanwhile goes through when sent
/// again, and the other relay's subscriber gets every entry, in order.
#[tokio::test(flavor = "multi_thread")]
async fn relays_whose_database_connections_drop_connect_again_and_miss_nothing() {
    let Pair { shared, relays: _relays, cap, ws, mut on_a, on_b: (mut on_b, mut seen) } = Pair::new().await;
    assert_eq!(on_a.append(&cap, 1, "before").await, 1);
    read_until(&mut on_b, &mut seen, 1).await;
    let url = shared.pg.url();
    let ended = tokio::task::spawn_blocking(move || {
        let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        let sql = "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'";
        admin.query_one(sql, &[]).unwrap().get::<_, i64>(0)
    })
    .await
    .unwrap();
    assert!(ended >= 4, "each relay's core and listener connections were ended ({ended})");
    for n in 2..=5u32 {
        let entry = cap.seal_entry(EntryKind::Change, format!("after {n}").as_bytes()).unwrap();
        // A write caught by the dropped connection is refused; sent again, it is stored.
        let mut attempts = 0;
        let seq = loop {
            attempts += 1;
            assert!(attempts <= 20, "change {n} was never stored");
            on_a.send(&Message::Append { workspace: ws, request: n * 100 + attempts, entry: entry.clone() }).await;
            match on_a.next().await {
                Message::Ack { seq, .. } => break seq,
                Message::Error { code: waymark_protocol::ErrorCode::Internal, .. } => continue,
                other => panic!("expected an Ack, got {other:?}"),
            }
        };
        assert_eq!(seq, n as u64);
    }
    read_until(&mut on_b, &mut seen, 5).await;
    for n in 2..=5u64 {
        assert_eq!(cap.open_entry(EntryKind::Change, &seen.entries[&n]).unwrap(), format!("after {n}").as_bytes());
    }
}

/// A write refused to a workspace with nothing stored (here a snapshot of nothing)
/// leaves no row behind: refusals cannot fill the database.
#[tokio::test(flavor = "multi_thread")]
async fn a_refused_write_to_a_new_workspace_leaves_nothing_in_the_database() {
    let shared = Shared::new();
    let a = shared.relay().await;
    let cap = Capability::generate().unwrap();
    let ws = cap.relay_id();
    let mut c = Client::connect(a.addr).await;
    c.subscribe(ws, 0).await;
    let entry = cap.seal_entry(EntryKind::Snapshot { covers: 1 }, b"nothing yet").unwrap();
    c.send(&Message::Snapshot { workspace: ws, request: 1, covers: 1, entry }).await;
    match c.next().await {
        Message::Error { code, request: 1, .. } => assert_eq!(code, waymark_protocol::ErrorCode::BadSnapshot),
        other => panic!("expected BadSnapshot, got {other:?}"),
    }
    let url = shared.pg.url();
    let rows = tokio::task::spawn_blocking(move || {
        let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        admin.query_one("SELECT count(*) FROM waymark_heads WHERE ws = $1", &[&ws.0.as_slice()]).unwrap().get::<_, i64>(0)
    })
    .await
    .unwrap();
    assert_eq!(rows, 0);
    // And a real first change still starts the workspace.
    assert_eq!(c.append(&cap, 2, "first").await, 1);
}
