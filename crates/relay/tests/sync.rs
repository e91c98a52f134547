//! The relay with real WebSocket clients: fan-out, catch-up, compaction, durability
//! across kill -9, hostile frames, limits, and that it never holds plaintext.

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message as Ws;
use waymark_protocol::{Capability, EntryKind, ErrorCode, Message, VERSION};
use waymark_relay::Limits;

mod common;

use common::{dist, Client, Process};

/// A relay in this process on a free port, with its own data directory.
struct Server {
    addr: SocketAddr,
    _data: tempfile::TempDir,
    _dist: tempfile::TempDir,
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
    Server { addr, _data: data, _dist: dist }
}

/// A fresh workspace with two clients subscribed to it.
async fn two_subscribers(server: &Server) -> (Capability, Client, Client) {
    let cap = Capability::generate().unwrap();
    let mut a = Client::connect(server.addr).await;
    let mut b = Client::connect(server.addr).await;
    a.subscribe(cap.relay_id(), 0).await;
    b.subscribe(cap.relay_id(), 0).await;
    (cap, a, b)
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
    let snapshot = cap.seal_entry(EntryKind::Snapshot { covers: 4 }, b"whole document").unwrap();
    writer.send(&Message::Snapshot { workspace: ws, request: 99, covers: 4, entry: snapshot.clone() }).await;
    assert!(matches!(writer.next().await, Message::Ack { request: 99, seq: 4, .. }));
    // Behind the snapshot: the snapshot, then 5.
    let mut fresh = Client::connect(server.addr).await;
    let (head, snap, got) = fresh.subscribe(ws, 0).await;
    assert_eq!((head, snap), (5, Some(4)));
    assert_eq!(got.iter().map(|(s, _)| *s).collect::<Vec<_>>(), [5]);
    // A snapshot that goes backwards or beyond the head is refused.
    for covers in [3, 9] {
        let entry = cap.seal_entry(EntryKind::Snapshot { covers }, b"whole document").unwrap();
        writer.send(&Message::Snapshot { workspace: ws, request: 100, covers, entry }).await;
        assert!(matches!(writer.next().await, Message::Error { code: ErrorCode::BadSnapshot, request: 100, .. }));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_that_was_away_gets_exactly_what_it_missed_then_live_changes() {
    let server = serve(Limits::default()).await;
    let cap = Capability::generate().unwrap();
    let ws = cap.relay_id();
    let mut writer = Client::connect(server.addr).await;
    writer.subscribe(ws, 0).await;
    let mut reader = Client::connect(server.addr).await;
    reader.subscribe(ws, 0).await;
    for i in 1..=3 {
        writer.append(&cap, i, &format!("change {i}")).await;
    }
    let mut last = 0;
    for _ in 1..=3 {
        last = reader.next_change(&cap).await.0;
    }
    assert_eq!(last, 3);
    drop(reader);
    for i in 4..=6 {
        writer.append(&cap, i, &format!("change {i}")).await;
    }
    let mut back = Client::connect(server.addr).await;
    let (head, snap, got) = back.subscribe(ws, last).await;
    assert_eq!((head, snap), (6, None));
    let texts: Vec<_> = got.iter().map(|(s, e)| (*s, String::from_utf8(cap.open_entry(EntryKind::Change, e).unwrap()).unwrap())).collect();
    assert_eq!(texts, [(4, "change 4".to_string()), (5, "change 5".into()), (6, "change 6".into())]);
    writer.append(&cap, 7, "change 7").await;
    assert_eq!(back.next_change(&cap).await, (7, "change 7".into()));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_subscriber_joining_mid_stream_sees_every_entry_once_in_order() {
    let server = serve(Limits { entries_burst: 10_000.0, ..Limits::default() }).await;
    let cap = Capability::generate().unwrap();
    let ws = cap.relay_id();
    let mut writer = Client::connect(server.addr).await;
    writer.subscribe(ws, 0).await;
    let n = 300u32;
    let entries: Vec<_> = (1..=n).map(|i| cap.seal_entry(EntryKind::Change, format!("change {i}").as_bytes()).unwrap()).collect();
    let mut reader = Client::connect(server.addr).await;
    // Appends stream in while the reader subscribes: its catch-up and the live
    // entries after it must join up exactly.
    let writing = tokio::spawn(async move {
        for (i, entry) in entries.into_iter().enumerate() {
            writer.send(&Message::Append { workspace: ws, request: i as u32 + 1, entry }).await;
            if i % 50 == 0 {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        }
        let mut acked = 0;
        while acked < n {
            if let Message::Ack { .. } = writer.next().await {
                acked += 1;
            }
        }
    });
    tokio::time::sleep(Duration::from_millis(5)).await;
    reader.send(&Message::Subscribe { workspace: ws, after: 0 }).await;
    let mut seqs = Vec::new();
    while seqs.last() != Some(&(n as u64)) {
        if let Message::Entries { entries, .. } = reader.next().await {
            seqs.extend(entries.iter().map(|(s, _)| *s));
        }
    }
    assert_eq!(seqs, (1..=n as u64).collect::<Vec<_>>());
    writing.await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn catch_up_comes_in_batches_within_the_frame_limit_snapshot_first() {
    let max_frame = 4096;
    let server = serve(Limits { max_frame, ..Limits::default() }).await;
    let cap = Capability::generate().unwrap();
    let ws = cap.relay_id();
    let mut writer = Client::connect(server.addr).await;
    writer.subscribe(ws, 0).await;
    let body = "x".repeat(400);
    for i in 1..=40 {
        writer.append(&cap, i, &format!("{i} {body}")).await;
    }
    let snapshot = cap.seal_entry(EntryKind::Snapshot { covers: 10 }, "s".repeat(1500).as_bytes()).unwrap();
    writer.send(&Message::Snapshot { workspace: ws, request: 100, covers: 10, entry: snapshot.clone() }).await;
    assert!(matches!(writer.next().await, Message::Ack { request: 100, seq: 10, .. }));
    // Sending the same snapshot again (its Ack was lost, say) is fine.
    writer.send(&Message::Snapshot { workspace: ws, request: 101, covers: 10, entry: snapshot }).await;
    assert!(matches!(writer.next().await, Message::Ack { request: 101, seq: 10, .. }));

    let mut fresh = Client::connect(server.addr).await;
    let (head, snap, got) = fresh.subscribe(ws, 0).await;
    assert_eq!((head, snap), (40, Some(10)));
    assert_eq!(got.iter().map(|(s, _)| *s).collect::<Vec<_>>(), (11..=40).collect::<Vec<_>>());
    let frames: Vec<_> = fresh.seen.iter().filter(|f| f[0] == 0x82).collect();
    assert!(frames.len() > 3, "{} frames", frames.len());
    assert!(frames.iter().all(|f| f.len() <= max_frame));
    // Only the first batch carries the snapshot.
    let snapshots: Vec<_> = frames.iter().map(|f| matches!(Message::decode(f).unwrap(), Message::Entries { snapshot: Some(_), .. })).collect();
    assert!(snapshots[0] && !snapshots[1..].iter().any(|s| *s));
    // A client already past the snapshot gets only what follows.
    let mut recent = Client::connect(server.addr).await;
    let (_, snap, got) = recent.subscribe(ws, 12).await;
    assert_eq!((snap, got.first().map(|(s, _)| *s), got.len()), (None, Some(13), 28));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_workspace_refuses_changes_until_a_snapshot_makes_room() {
    let server = serve(Limits { max_workspace_bytes: 2000, ..Limits::default() }).await;
    let cap = Capability::generate().unwrap();
    let ws = cap.relay_id();
    let mut c = Client::connect(server.addr).await;
    c.subscribe(ws, 0).await;
    // 104 + 300 = 404 bytes each: four fit, the fifth does not.
    // Distinct changes of 300 bytes (the same bytes sealed twice are one entry).
    let text = |i: u32| format!("{i}{}", "y".repeat(299));
    for i in 1..=4 {
        assert_eq!(c.append(&cap, i, &text(i)).await, i as u64);
    }
    let entry = cap.seal_entry(EntryKind::Change, text(5).as_bytes()).unwrap();
    c.send(&Message::Append { workspace: ws, request: 5, entry: entry.clone() }).await;
    match c.next().await {
        Message::Error { code: ErrorCode::WorkspaceFull, request: 5, message } => assert!(message.contains("size limit"), "{message}"),
        other => panic!("expected WorkspaceFull, got {other:?}"),
    }
    // A snapshot bigger than what it replaces, past the limit, is refused too.
    let huge = cap.seal_entry(EntryKind::Snapshot { covers: 1 }, "z".repeat(1900).as_bytes()).unwrap();
    c.send(&Message::Snapshot { workspace: ws, request: 6, covers: 1, entry: huge }).await;
    assert!(matches!(c.next().await, Message::Error { code: ErrorCode::WorkspaceFull, request: 6, .. }));
    let small = cap.seal_entry(EntryKind::Snapshot { covers: 4 }, b"compact").unwrap();
    c.send(&Message::Snapshot { workspace: ws, request: 7, covers: 4, entry: small }).await;
    assert!(matches!(c.next().await, Message::Ack { request: 7, seq: 4, .. }));
    assert_eq!(c.append(&cap, 8, &text(8)).await, 5);
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
    // An entry that fits the frame but not, once relayed, the frame limit.
    let mut edge = Client::connect(server.addr).await;
    edge.subscribe(ws, 0).await;
    let mut almost = cap.seal_entry(EntryKind::Change, b"").unwrap();
    almost.ciphertext = vec![1; 64 * 1024 - 1 - 32 - 4 - 4 - 88];
    edge.send(&Message::Append { workspace: ws, request: 1, entry: almost }).await;
    assert!(matches!(edge.next().await, Message::Error { code: ErrorCode::FrameTooLarge, .. }));
    assert!(edge.try_next(Duration::from_secs(5)).await.is_none(), "closed after FrameTooLarge");
    // Text frames are not the protocol.
    let mut text = Client::connect(server.addr).await;
    text.ws.send(Ws::Text("hello".into())).await.unwrap();
    assert!(matches!(text.next().await, Message::Error { code: ErrorCode::Malformed, .. }));
    // A relay's message sent to the relay.
    let mut backwards = Client::connect(server.addr).await;
    backwards.send(&Message::Ack { workspace: ws, request: 1, seq: 1 }).await;
    assert!(matches!(backwards.next().await, Message::Error { code: ErrorCode::Malformed, .. }));
    assert!(backwards.try_next(Duration::from_secs(5)).await.is_none());

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
    // Four back to back, so no token refills between them however slow the disk: the
    // burst of three is taken, the fourth refused.
    for (request, text) in [(1, "ok"), (2, "ok"), (3, "ok"), (4, "one too many")] {
        let entry = cap.seal_entry(EntryKind::Change, text.as_bytes()).unwrap();
        c.send(&Message::Append { workspace: cap.relay_id(), request, entry }).await;
    }
    let (mut acked, mut limited) = (Vec::new(), None);
    while acked.len() + usize::from(limited.is_some()) < 4 {
        match c.next().await {
            Message::Ack { request, .. } => acked.push(request),
            Message::Error { code: ErrorCode::RateLimited, request, message } => {
                assert!(message.contains("per second"), "{message}");
                limited = Some(request);
            }
            Message::Entries { .. } => {}
            other => panic!("expected an Ack or RateLimited, got {other:?}"),
        }
    }
    acked.sort();
    assert_eq!((acked, limited), (vec![1, 2, 3], Some(4)));
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
    assert!(matches!(fifth.next().await, Some(Ok(Ws::Close(_))) | None), "closed after TooManyConnections");
    // A connection that leaves frees its place.
    drop(others.pop());
    let mut admitted = false;
    for _ in 0..100 {
        let (mut again, _) = tokio_tungstenite::connect_async(format!("ws://{}/sync", server.addr)).await.unwrap();
        again.send(Ws::Binary(Message::Hello { min_version: VERSION, max_version: VERSION }.encode().into())).await.unwrap();
        let Some(Ok(Ws::Binary(b))) = again.next().await else { panic!("no reply") };
        if matches!(Message::decode(&b).unwrap(), Message::Welcome { .. }) {
            admitted = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(admitted, "a place freed by a closed connection is given again");
    // The first client is unaffected.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    c.append(&cap, 5, "after a pause").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn presence_reaches_the_others_and_leaving_is_announced() {
    let server = serve(Limits::default()).await;
    let (cap, mut a, mut b) = two_subscribers(&server).await;
    let ws = cap.relay_id();
    let sealed = cap.seal_presence(b"{\"name\":\"Ada\"}").unwrap();
    a.send(&Message::Presence { workspace: ws, sealed }).await;
    let Message::PeerPresence { sealed, from, .. } = b.next().await else { panic!("expected presence") };
    assert_eq!(cap.open_presence(&sealed).unwrap().0, b"{\"name\":\"Ada\"}");
    drop(a);
    match b.next().await {
        Message::PeerLeft { from: left, .. } => assert_eq!(left, from),
        other => panic!("expected PeerLeft, got {other:?}"),
    }
}

/// The connection number the relay gave `who`, as another subscriber sees it.
async fn number_of(who: &mut Client, seer: &mut Client, cap: &Capability) -> u64 {
    who.send(&Message::Presence { workspace: cap.relay_id(), sealed: cap.seal_presence(b"{}").unwrap() }).await;
    loop {
        if let Message::PeerPresence { from, .. } = seer.next().await {
            return from;
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_signal_reaches_only_the_connection_it_names_and_never_one_speaking_version_2() {
    let server = serve(Limits::default()).await;
    let (cap, mut a, mut b) = two_subscribers(&server).await;
    let ws = cap.relay_id();
    let b_number = number_of(&mut b, &mut a, &cap).await;
    let mut c = Client::connect(server.addr).await;
    c.subscribe(ws, 0).await;
    let sealed = waymark_protocol::peer::PeerMessage::Signal(b"offer".to_vec()).seal_whole(&cap).unwrap();
    a.send(&Message::Signal { workspace: ws, to: b_number, sealed: sealed.clone() }).await;
    let from = loop {
        match b.next().await {
            Message::PeerSignal { from, sealed: got, .. } => {
                assert_eq!(got, sealed, "passed on as it came");
                break from;
            }
            Message::PeerPresence { .. } => {}
            other => panic!("expected the signal, got {other:?}"),
        }
    };
    assert_ne!(from, b_number);
    // Nobody else gets it; one too large, or for a workspace the sender does not follow,
    // is dropped.
    a.send(&Message::Signal { workspace: ws, to: b_number, sealed: vec![7; 5000] }).await;
    a.send(&Message::Signal { workspace: Capability::generate().unwrap().relay_id(), to: b_number, sealed: sealed.clone() }).await;
    for other in [&mut b, &mut c] {
        while let Some(m) = other.try_next(Duration::from_millis(300)).await {
            assert!(!matches!(m, Message::PeerSignal { .. }), "{m:?}");
        }
    }
    // A client of version 2 is still served, never gets a signal, and may not send one.
    let mut old = Client::connect_speaking(server.addr, 2).await;
    old.subscribe(ws, 0).await;
    let old_number = number_of(&mut old, &mut a, &cap).await;
    a.send(&Message::Signal { workspace: ws, to: old_number, sealed: sealed.clone() }).await;
    while let Some(m) = old.try_next(Duration::from_millis(300)).await {
        assert!(!matches!(m, Message::PeerSignal { .. }), "{m:?}");
    }
    old.send(&Message::Signal { workspace: ws, to: b_number, sealed }).await;
    loop {
        match old.next().await {
            Message::Error { code, .. } => break assert_eq!(code, ErrorCode::Malformed),
            Message::PeerPresence { .. } | Message::PeerLeft { .. } => {}
            other => panic!("expected an error, got {other:?}"),
        }
    }
    // A relay's own message sent to it closes the connection.
    c.send(&Message::PeerSignal { workspace: ws, from: 1, sealed: vec![1] }).await;
    loop {
        match c.next().await {
            Message::Error { code, .. } => break assert_eq!(code, ErrorCode::Malformed),
            Message::PeerPresence { .. } | Message::PeerLeft { .. } => {}
            other => panic!("expected an error, got {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_presence_flood_is_thinned_and_hurts_no_one() {
    let server = serve(Limits::default()).await;
    let (cap, mut a, mut b) = two_subscribers(&server).await;
    let ws = cap.relay_id();
    let start = std::time::Instant::now();
    for i in 0..1000 {
        let sealed = cap.seal_presence(format!("{{\"n\":{i}}}").as_bytes()).unwrap();
        a.send(&Message::Presence { workspace: ws, sealed }).await;
    }
    a.append(&cap, 1, "after the flood").await;
    let elapsed = start.elapsed().as_secs_f64();
    let mut presences = 0;
    loop {
        match b.next().await {
            Message::PeerPresence { .. } => presences += 1,
            Message::Entries { entries, .. } if !entries.is_empty() => break,
            _ => {}
        }
    }
    // A burst of 100, then 20 per second.
    assert!(presences >= 100 && (presences as f64) <= 101.0 + 20.0 * elapsed, "{presences} in {elapsed:.2} s");
}

/// A session of changes, a snapshot and presence whose plaintext holds a marker: the
/// marker is nowhere in the relay's files, its logs (at debug level) or any frame.
#[tokio::test(flavor = "multi_thread")]
async fn the_relay_never_holds_plaintext() {
    let relay = Binary::new();
    let (child, cap, mut a) = relay.start_with_a_subscriber().await;
    let ws = cap.relay_id();
    let marker = "MARKER-Quarterly-Roadmap-7731";
    let mut b = Client::connect(relay.addr).await;
    b.subscribe(ws, 0).await;
    for i in 1..=20 {
        a.append(&cap, i, &format!("{marker} change {i}")).await;
    }
    let sealed = cap.seal_presence(format!("{{\"name\":\"{marker}\"}}").as_bytes()).unwrap();
    a.send(&Message::Presence { workspace: ws, sealed }).await;
    let signal = waymark_protocol::peer::PeerMessage::Signal(format!("{marker} offer").into_bytes()).seal_whole(&cap).unwrap();
    a.send(&Message::Signal { workspace: ws, to: 1 << 20, sealed: signal }).await;
    let snapshot = cap.seal_entry(EntryKind::Snapshot { covers: 10 }, format!("{marker} whole").as_bytes()).unwrap();
    a.send(&Message::Snapshot { workspace: ws, request: 500, covers: 10, entry: snapshot }).await;
    while !matches!(a.next().await, Message::Ack { request: 500, .. }) {}
    for _ in 0..21 {
        b.next().await;
    }
    // A late subscriber catches up from the snapshot.
    let mut late = Client::connect(relay.addr).await;
    assert_eq!(late.subscribe(ws, 0).await.1, Some(10));
    drop(child); // killed: the files are as a crash leaves them
    let mut everything: Vec<Vec<u8>> = [a.seen, b.seen, late.seen].concat();
    let files = walk(relay.data.path());
    assert!(!files.is_empty());
    everything.extend(files.iter().map(|f| std::fs::read(f).unwrap()));
    let log = std::fs::read(&relay.log).unwrap();
    assert!(String::from_utf8_lossy(&log).contains("subscribed"), "the log is there");
    everything.push(log);
    assert!(everything.len() > 40);
    for bytes in everything {
        assert!(!bytes.windows(marker.len()).any(|w| w == marker.as_bytes()), "plaintext found");
    }
}

/// Every file below `dir`.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// The built relay, run as a process of its own on a fixed port and data directory.
struct Binary {
    addr: SocketAddr,
    data: tempfile::TempDir,
    _dist: tempfile::TempDir,
    _logs: tempfile::TempDir,
    /// Its logs (stderr, debug level).
    log: std::path::PathBuf,
}

impl Binary {
    fn new() -> Binary {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let logs = tempfile::tempdir().unwrap();
        let log = logs.path().join("relay.log");
        Binary { addr: format!("127.0.0.1:{port}").parse().unwrap(), data: tempfile::tempdir().unwrap(), _dist: dist(), _logs: logs, log }
    }

    async fn start(&self) -> Process {
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_waymark-relay"))
            .args(["--addr", &self.addr.to_string(), "--entries-burst", "100000"])
            .arg("--dist")
            .arg(self._dist.path())
            .arg("--data-dir")
            .arg(self.data.path())
            .env("RUST_LOG", "debug")
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::OpenOptions::new().create(true).append(true).open(&self.log).unwrap())
            .spawn()
            .expect("the relay starts");
        let child = Process(child);
        for _ in 0..400 {
            if TcpStream::connect(self.addr).await.is_ok() {
                return child;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the relay did not start");
    }

    /// Starts the relay, and a client subscribed to a fresh workspace.
    async fn start_with_a_subscriber(&self) -> (Process, Capability, Client) {
        let child = self.start().await;
        let cap = Capability::generate().unwrap();
        let mut c = Client::connect(self.addr).await;
        c.subscribe(cap.relay_id(), 0).await;
        (child, cap, c)
    }
}

/// Killed with SIGKILL while appends stream in, then started again on the same data:
/// every acknowledged entry is there, under the seq its Ack gave.
#[tokio::test(flavor = "multi_thread")]
async fn acknowledged_entries_survive_kill_9_and_restart() {
    let relay = Binary::new();
    let (mut child, cap, c) = relay.start_with_a_subscriber().await;
    let ws = cap.relay_id();
    let n = 600u32;
    let sender = {
        let (ws_sink, mut ws_stream) = c.ws.split();
        let cap = cap.clone();
        let send = tokio::spawn(async move {
            let mut sink = ws_sink;
            for i in 1..=n {
                let entry = cap.seal_entry(EntryKind::Change, format!("change {i}").as_bytes()).unwrap();
                if sink.send(Ws::Binary(Message::Append { workspace: ws, request: i, entry }.encode().into())).await.is_err() {
                    break;
                }
            }
        });
        // Kill as soon as a hundred are acknowledged, with more in flight.
        let mut acked = std::collections::BTreeMap::new();
        while acked.len() < 100 {
            match ws_stream.next().await {
                Some(Ok(Ws::Binary(b))) => {
                    if let Message::Ack { request, seq, .. } = Message::decode(&b).unwrap() {
                        acked.insert(seq, request);
                    }
                }
                Some(Ok(_)) => {}
                other => panic!("the relay went away early: {other:?}"),
            }
        }
        child.kill().unwrap(); // SIGKILL: no shutdown, no flush
        child.wait().unwrap();
        send.abort();
        acked
    };
    let _child = relay.start().await;
    let mut r = Client::connect(relay.addr).await;
    let (head, _, got) = r.subscribe(ws, 0).await;
    let newest_acked = *sender.keys().last().unwrap();
    assert!(head >= newest_acked, "head {head} behind acknowledged {newest_acked}");
    // Numbered 1, 2, 3… with no gap, and each acknowledged seq holds its change.
    assert_eq!(got.iter().map(|(s, _)| *s).collect::<Vec<_>>(), (1..=head).collect::<Vec<_>>());
    for (seq, request) in &sender {
        let (_, entry) = &got[*seq as usize - 1];
        assert_eq!(cap.open_entry(EntryKind::Change, entry).unwrap(), format!("change {request}").as_bytes());
    }
    // And it goes on from there.
    assert_eq!(r.append(&cap, 1, "after the restart").await, head + 1);
}

/// SIGTERM: connections are told to close, the process exits cleanly, and nothing
/// acknowledged is lost.
#[tokio::test(flavor = "multi_thread")]
async fn sigterm_closes_connections_and_exits_cleanly() {
    let relay = Binary::new();
    let (mut child, cap, mut c) = relay.start_with_a_subscriber().await;
    let ws = cap.relay_id();
    for i in 1..=20 {
        c.append(&cap, i, &format!("change {i}")).await;
    }
    let status = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let close = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match c.ws.next().await {
                Some(Ok(Ws::Close(frame))) => return frame.map(|f| u16::from(f.code)),
                Some(Ok(_)) => continue,
                _ => return None,
            }
        }
    })
    .await
    .expect("the relay closes its WebSockets");
    assert_eq!(close, Some(1001));
    let mut exited = None;
    for _ in 0..200 {
        if let Some(status) = child.try_wait().unwrap() {
            exited = Some(status);
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(exited.expect("the relay exits after SIGTERM").success());
    let _child = relay.start().await;
    let mut r = Client::connect(relay.addr).await;
    let (head, _, got) = r.subscribe(ws, 0).await;
    assert_eq!((head, got.len()), (20, 20));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_replayed_entry_is_stored_once_and_answered_with_its_first_seq() {
    let server = serve(Limits::default()).await;
    let (cap, mut writer, mut reader) = two_subscribers(&server).await;
    let ws = cap.relay_id();
    assert_eq!(writer.append(&cap, 1, "genuine").await, 1);
    let (_, received) = match reader.next().await {
        Message::Entries { mut entries, .. } => entries.pop().unwrap(),
        other => panic!("expected the entry, got {other:?}"),
    };
    // Anyone subscribed (a view-link holder, a hostile relay client) sends it back, again and again.
    for request in 10..20u32 {
        reader.send(&Message::Append { workspace: ws, request, entry: received.clone() }).await;
        match reader.next().await {
            Message::Ack { request: r, seq, .. } => assert_eq!((r, seq), (request, 1), "the entry it already has"),
            other => panic!("expected an Ack, got {other:?}"),
        }
    }
    // The writer sees no copies, and its next change is number 2.
    assert!(writer.try_next(Duration::from_millis(300)).await.is_none(), "no copy was fanned out");
    assert_eq!(writer.append(&cap, 2, "next").await, 2);
    // A newcomer catches up with each entry once.
    let mut late = Client::connect(server.addr).await;
    let (head, _, got) = late.subscribe(ws, 0).await;
    assert_eq!((head, got.len()), (2, 2));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_view_link_holder_cannot_make_the_relay_drop_history() {
    let server = serve(Limits::default()).await;
    let (cap, mut writer, mut viewer) = two_subscribers(&server).await;
    let ws = cap.relay_id();
    for i in 1..=3u32 {
        writer.append(&cap, i, &format!("change {i}")).await;
    }
    let snapshot = cap.seal_entry(EntryKind::Snapshot { covers: 2 }, b"up to 2").unwrap();
    writer.send(&Message::Snapshot { workspace: ws, request: 9, covers: 2, entry: snapshot }).await;
    assert!(matches!(writer.next().await, Message::Ack { request: 9, seq: 2, .. }));
    // The viewer gets the genuine snapshot on subscribing and sends it back claiming
    // it covers everything, which would drop entry 3 for good.
    let mut again = Client::connect(server.addr).await;
    let genuine = match {
        again.send(&Message::Subscribe { workspace: ws, after: 0 }).await;
        again.next().await
    } {
        Message::Entries { snapshot: Some((2, entry)), .. } => entry,
        other => panic!("expected the snapshot, got {other:?}"),
    };
    while viewer.try_next(Duration::from_millis(200)).await.is_some() {}
    viewer.send(&Message::Snapshot { workspace: ws, request: 1, covers: 3, entry: genuine }).await;
    assert!(matches!(viewer.next().await, Message::Error { code: ErrorCode::BadSignature, request: 1, .. }));
    // A newcomer still gets the snapshot and entry 3.
    let mut late = Client::connect(server.addr).await;
    let (head, snap, got) = late.subscribe(ws, 0).await;
    assert_eq!((head, snap, got.iter().map(|(s, _)| *s).collect::<Vec<_>>()), (3, Some(2), vec![3]));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_workspaces_log_has_an_epoch_that_another_relay_does_not_share() {
    let epoch_of = |m: Message| match m {
        Message::Entries { epoch, .. } => epoch,
        other => panic!("expected Entries, got {other:?}"),
    };
    let cap = Capability::generate().unwrap();
    let ws = cap.relay_id();
    let mut epochs = Vec::new();
    for _ in 0..2 {
        let server = serve(Limits::default()).await;
        let mut writer = Client::connect(server.addr).await;
        writer.send(&Message::Subscribe { workspace: ws, after: 0 }).await;
        assert_eq!(epoch_of(writer.next().await), 0, "no entries: no epoch yet");
        writer.append(&cap, 1, "first").await;
        writer.append(&cap, 2, "second").await;
        let mut reader = Client::connect(server.addr).await;
        reader.send(&Message::Subscribe { workspace: ws, after: 0 }).await;
        let epoch = epoch_of(reader.next().await);
        assert_ne!(epoch, 0);
        let mut again = Client::connect(server.addr).await;
        again.send(&Message::Subscribe { workspace: ws, after: 1 }).await;
        assert_eq!(epoch_of(again.next().await), epoch, "one log, one epoch");
        epochs.push(epoch);
    }
    assert_ne!(epochs[0], epochs[1], "a fresh relay's log of the same workspace is another log");
}

/// A subscriber that stops reading during its catch-up would hold the store's view (and
/// so the file's free space) for as long as it likes: it is closed instead.
#[tokio::test(flavor = "multi_thread")]
async fn a_subscriber_that_stops_reading_during_its_catch_up_is_closed() {
    let limits = Limits { catch_up_frame_timeout: Duration::from_millis(500), max_frame: 1 << 20, ..Limits::default() };
    let server = serve(limits).await;
    let cap = Capability::generate().unwrap();
    let ws = cap.relay_id();
    let mut writer = Client::connect(server.addr).await;
    writer.subscribe(ws, 0).await;
    // About 24 MB of entries: far more than the socket buffers hold.
    write_30_big_entries(&mut writer, &cap).await;
    let mut silent = Client::connect(server.addr).await;
    silent.send(&Message::Subscribe { workspace: ws, after: 0 }).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    // Reading now: what was buffered arrives, then the relay's close, long before all 30.
    let got = entries_until_closed(&mut silent).await;
    assert!(got < 30, "the catch-up was cut off ({got} of 30 entries arrived)");
    // Others are not affected.
    let mut late = Client::connect(server.addr).await;
    assert_eq!(late.subscribe(ws, 0).await.2.len(), 30);
}

/// A subscriber that stops reading while others write would queue their entries for
/// it without bound: past its byte budget it is closed, and the writers carry on.
#[tokio::test(flavor = "multi_thread")]
async fn a_subscriber_that_stops_reading_live_entries_is_closed_at_its_byte_budget() {
    let server = serve(Limits { max_queued_bytes: 2 << 20, max_frame: 1 << 20, ..Limits::default() }).await;
    let cap = Capability::generate().unwrap();
    let ws = cap.relay_id();
    let mut writer = Client::connect(server.addr).await;
    writer.subscribe(ws, 0).await;
    let mut silent = Client::connect(server.addr).await;
    silent.subscribe(ws, 0).await;
    // About 24 MB in entries the silent one never reads (more than the socket buffers).
    write_30_big_entries(&mut writer, &cap).await;
    let got = entries_until_closed(&mut silent).await;
    assert!(got < 30, "the silent subscriber was closed ({got} of 30 entries arrived)");
    assert_eq!(writer.append(&cap, 31, "still writing").await, 31);
}

/// About 24 MB in 30 entries: more than the socket buffers between relay and client hold.
async fn write_30_big_entries(writer: &mut Client, cap: &Capability) {
    for i in 1..=30u32 {
        writer.append(cap, i, &format!("{i:02}{}", "x".repeat((800 << 10) - 2))).await;
    }
}

/// How many entries reach `client` before its connection ends (or goes quiet for 5 s).
async fn entries_until_closed(client: &mut Client) -> usize {
    let mut got = 0;
    while let Some(message) = client.try_next(Duration::from_secs(5)).await {
        if let Message::Entries { entries, .. } = message {
            got += entries.len();
        }
    }
    got
}

/// Many subscribers that stop reading would each stay under their own budget while
/// together holding the relay's memory: past the total budget, those that are behind
/// are closed (they reconnect and catch up from storage) and the writer carries on.
#[tokio::test(flavor = "multi_thread")]
async fn subscribers_that_stop_reading_are_closed_at_the_relays_total_budget() {
    // Each one's own budget (64 MiB) would hold all 24 MB.
    let server = serve(Limits { max_total_queued_bytes: 2 << 20, max_frame: 1 << 20, ..Limits::default() }).await;
    let cap = Capability::generate().unwrap();
    let ws = cap.relay_id();
    let mut writer = Client::connect(server.addr).await;
    writer.subscribe(ws, 0).await;
    let mut silent = Vec::new();
    for _ in 0..2 {
        let mut c = Client::connect(server.addr).await;
        c.subscribe(ws, 0).await;
        silent.push(c);
    }
    write_30_big_entries(&mut writer, &cap).await;
    for c in &mut silent {
        let got = entries_until_closed(c).await;
        assert!(got < 30, "a silent subscriber was closed ({got} of 30 entries arrived)");
    }
    assert_eq!(writer.append(&cap, 31, "still writing").await, 31);
}

/// Sends one change to a new workspace: Ok(seq) or the relay's refusal.
async fn start_workspace(c: &mut Client) -> Result<u64, (ErrorCode, String)> {
    let cap = Capability::generate().unwrap();
    c.subscribe(cap.relay_id(), 0).await;
    let entry = cap.seal_entry(EntryKind::Change, b"first").unwrap();
    c.send(&Message::Append { workspace: cap.relay_id(), request: 1, entry }).await;
    loop {
        match c.next().await {
            Message::Ack { seq, .. } => return Ok(seq),
            Message::Error { code, message, .. } => return Err((code, message)),
            _ => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_relays_storage_budget_refuses_new_changes_until_a_snapshot_makes_room() {
    // 404 bytes per change plus 104 for its signature row: three take 1,524 bytes, and
    // another workspace's first change (109 + 104) does not fit in 1,700.
    let server = serve(Limits { max_stored_bytes: 1700, ..Limits::default() }).await;
    let cap = Capability::generate().unwrap();
    let mut a = Client::connect(server.addr).await;
    a.subscribe(cap.relay_id(), 0).await;
    for i in 1..=3 {
        a.append(&cap, i, &format!("{i}{}", "y".repeat(299))).await;
    }
    let mut b = Client::connect(server.addr).await;
    match start_workspace(&mut b).await {
        Err((ErrorCode::WorkspaceFull, message)) => assert!(message.contains("storage its operator gave it"), "{message}"),
        other => panic!("expected the relay to be full, got {other:?}"),
    }
    // Another workspace's snapshot frees room for everyone.
    let small = cap.seal_entry(EntryKind::Snapshot { covers: 3 }, b"compact").unwrap();
    a.send(&Message::Snapshot { workspace: cap.relay_id(), request: 4, covers: 3, entry: small }).await;
    assert!(matches!(a.next().await, Message::Ack { request: 4, seq: 3, .. }));
    assert_eq!(start_workspace(&mut b).await, Ok(1));
}

/// Connects with an `X-Forwarded-For` header; `Err` carries the relay's refusal.
async fn connect_forwarded(addr: SocketAddr, forwarded_for: &str) -> Result<Client, ErrorCode> {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut request = format!("ws://{addr}/sync").into_client_request().unwrap();
    request.headers_mut().insert("x-forwarded-for", forwarded_for.parse().unwrap());
    let (ws, _) = tokio_tungstenite::connect_async(request).await.expect("connect");
    let mut c = Client { ws, seen: Vec::new() };
    c.send(&Message::Hello { min_version: VERSION, max_version: VERSION }).await;
    match c.next().await {
        Message::Welcome { .. } => Ok(c),
        Message::Error { code, .. } => Err(code),
        other => panic!("expected Welcome or an error, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn behind_a_trusted_proxy_limits_count_per_forwarded_address() {
    let limits = Limits { max_connections_per_ip: 1, new_workspaces_burst: 2.0, new_workspaces_per_hour: 1.0, trusted_proxies: vec!["127.0.0.1".parse().unwrap()], ..Limits::default() };
    let server = serve(limits.clone()).await;
    let mut first = connect_forwarded(server.addr, "198.51.100.1").await.expect("one connection per address");
    let _second = connect_forwarded(server.addr, "198.51.100.2").await.expect("another address behind the proxy");
    // A client's own X-Forwarded-For is left of what the proxy appends: it changes nothing.
    assert!(matches!(connect_forwarded(server.addr, "203.0.113.9, 198.51.100.1").await, Err(ErrorCode::TooManyConnections)));
    // IPv6 addresses count by their /64.
    let _v6 = connect_forwarded(server.addr, "2001:db8:1:2::1").await.expect("an IPv6 client");
    assert!(matches!(connect_forwarded(server.addr, "2001:db8:1:2::ffff").await, Err(ErrorCode::TooManyConnections)));

    // One address starts two workspaces, then waits; others are not held back.
    assert_eq!(start_workspace(&mut first).await, Ok(1));
    assert_eq!(start_workspace(&mut first).await, Ok(1));
    match start_workspace(&mut first).await {
        Err((ErrorCode::RateLimited, message)) => assert!(message.contains("new workspaces"), "{message}"),
        other => panic!("expected too many new workspaces, got {other:?}"),
    }
    let mut third = connect_forwarded(server.addr, "198.51.100.3").await.unwrap();
    assert_eq!(start_workspace(&mut third).await, Ok(1));

    // Without a trusted proxy the header is ignored: everyone here is 127.0.0.1.
    let plain = serve(Limits { trusted_proxies: Vec::new(), ..limits }).await;
    let _one = connect_forwarded(plain.addr, "198.51.100.1").await.unwrap();
    assert!(matches!(connect_forwarded(plain.addr, "198.51.100.2").await, Err(ErrorCode::TooManyConnections)));
}

/// Replacing a workspace's links closes its log: the close (signed with the write key)
/// reaches everyone as the last entry, and from then on the log takes nothing, from
/// anyone; a late subscriber gets the history, then is told.
#[tokio::test(flavor = "multi_thread")]
async fn a_closed_log_takes_nothing_more_and_says_so() {
    let server = serve(Limits::default()).await;
    let (cap, mut a, mut b) = two_subscribers(&server).await;
    let ws = cap.relay_id();
    assert_eq!(a.append(&cap, 1, "before").await, 1);
    assert_eq!(b.next_change(&cap).await, (1, "before".into()));
    // A view-link holder cannot close it.
    let forged = Capability::generate().unwrap().seal_entry(EntryKind::Close, &[]).unwrap();
    b.send(&Message::Close { workspace: ws, request: 9, entry: forged }).await;
    assert!(matches!(b.next().await, Message::Error { code: ErrorCode::BadSignature, request: 9, .. }));

    let close = cap.seal_entry(EntryKind::Close, &[]).unwrap();
    a.send(&Message::Close { workspace: ws, request: 2, entry: close.clone() }).await;
    assert!(matches!(a.next().await, Message::Ack { request: 2, seq: 2, .. }));
    match b.next().await {
        Message::Entries { entries, .. } => {
            assert_eq!(entries.len(), 1);
            assert_eq!(entries[0].0, 2);
            assert!(cap.view_only().open_entry(EntryKind::Close, &entries[0].1).is_ok(), "the close, as signed");
        }
        other => panic!("expected the close entry, got {other:?}"),
    }
    // Nothing more: not a change, not a snapshot; a close again gets the same Ack.
    let change = cap.seal_entry(EntryKind::Change, b"after").unwrap();
    a.send(&Message::Append { workspace: ws, request: 3, entry: change }).await;
    match a.next().await {
        Message::Error { code: ErrorCode::Closed, request: 3, message } => assert!(message.contains("links were replaced"), "{message}"),
        other => panic!("expected Closed, got {other:?}"),
    }
    let snapshot = cap.seal_entry(EntryKind::Snapshot { covers: 2 }, b"whole").unwrap();
    a.send(&Message::Snapshot { workspace: ws, request: 4, covers: 2, entry: snapshot }).await;
    assert!(matches!(a.next().await, Message::Error { code: ErrorCode::Closed, request: 4, .. }));
    let again = cap.seal_entry(EntryKind::Close, &[]).unwrap();
    a.send(&Message::Close { workspace: ws, request: 5, entry: again }).await;
    assert!(matches!(a.next().await, Message::Ack { request: 5, seq: 2, .. }));
    // A late subscriber: the history with the close, then the error.
    let mut late = Client::connect(server.addr).await;
    let (head, _, got) = late.subscribe(ws, 0).await;
    assert_eq!((head, got.len()), (2, 2));
    assert!(matches!(late.next().await, Message::Error { code: ErrorCode::Closed, request: 0, .. }));
}

/// Removing access must work even when there is no room: a close is never refused
/// for size, by the workspace's limit or the relay's.
#[tokio::test(flavor = "multi_thread")]
async fn a_full_workspace_can_still_be_closed() {
    let server = serve(Limits { max_workspace_bytes: 500, max_stored_bytes: 600, ..Limits::default() }).await;
    let cap = Capability::generate().unwrap();
    let ws = cap.relay_id();
    let mut c = Client::connect(server.addr).await;
    c.subscribe(ws, 0).await;
    assert_eq!(c.append(&cap, 1, &"y".repeat(300)).await, 1);
    let more = cap.seal_entry(EntryKind::Change, &[b'z'; 300]).unwrap();
    c.send(&Message::Append { workspace: ws, request: 2, entry: more }).await;
    assert!(matches!(c.next().await, Message::Error { code: ErrorCode::WorkspaceFull, request: 2, .. }));
    let close = cap.seal_entry(EntryKind::Close, &[]).unwrap();
    c.send(&Message::Close { workspace: ws, request: 3, entry: close }).await;
    assert!(matches!(c.next().await, Message::Ack { request: 3, seq: 2, .. }));
}
