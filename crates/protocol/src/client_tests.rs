//! The sync core's rules, one behaviour per test, against a scripted relay.

use super::*;

struct Harness {
    core: SyncCore,
    cap: Capability,
    now: f64,
    generation: u32,
}

impl Harness {
    fn new(cap: Capability, position: Position) -> Harness {
        Harness { core: SyncCore::new(cap.clone(), position, 42), cap, now: 1_000_000.0, generation: 0 }
    }

    fn writer() -> Harness {
        Harness::new(Capability::generate().unwrap(), Position::default())
    }

    fn input(&mut self, input: Input) -> Vec<Output> {
        self.core.handle(self.now, input)
    }

    fn frame(&mut self, message: Message) -> Vec<Output> {
        let generation = self.generation;
        self.input(Input::Frame { generation, message })
    }

    /// Connects and is welcomed; returns what the Welcome produced.
    fn connect(&mut self) -> Vec<Output> {
        let out = self.input(Input::Connect);
        let Some(Output::Open { generation }) = out.iter().find(|o| matches!(o, Output::Open { .. })) else { panic!("no Open in {out:?}") };
        self.generation = *generation;
        let hello = self.input(Input::Opened { generation: self.generation });
        assert_eq!(hello, vec![Output::Send(Message::Hello { min_version: MIN_VERSION, max_version: VERSION })]);
        self.frame(Message::Welcome { version: VERSION, max_frame: 1 << 20 })
    }

    /// Connects again and is welcomed with `version`.
    fn connect_with_version(&mut self, version: u16) -> Vec<Output> {
        self.input(Input::Closed { generation: self.generation, reason: "again".into() });
        let out = self.input(Input::Connect);
        let Some(Output::Open { generation }) = out.iter().find(|o| matches!(o, Output::Open { .. })) else { panic!("no Open in {out:?}") };
        self.generation = *generation;
        self.input(Input::Opened { generation: self.generation });
        self.frame(Message::Welcome { version, max_frame: 1 << 20 })
    }

    fn entries(&mut self, head: u64, entries: Vec<(u64, SealedEntry)>) -> Vec<Output> {
        let workspace = self.cap.relay_id();
        self.frame(Message::Entries { workspace, epoch: 0, head, snapshot: None, entries })
    }

    fn change(&self, text: &str) -> SealedEntry {
        self.cap.seal_entry(EntryKind::Change, text.as_bytes()).unwrap()
    }

    fn ack(&mut self, request: u32, seq: u64) -> Vec<Output> {
        let workspace = self.cap.relay_id();
        self.frame(Message::Ack { workspace, request, seq })
    }
}

/// The requests of the Appends in `out`, with their opened text.
fn appends(cap: &Capability, out: &[Output]) -> Vec<(u32, String)> {
    out.iter()
        .filter_map(|o| match o {
            Output::Send(Message::Append { request, entry, .. }) => {
                Some((*request, String::from_utf8(cap.open_entry(EntryKind::Change, entry).unwrap()).unwrap()))
            }
            _ => None,
        })
        .collect()
}

/// The entries of the Appends in `out`, by request, as sent.
fn appended(out: &[Output]) -> Vec<(u32, SealedEntry)> {
    out.iter()
        .filter_map(|o| match o {
            Output::Send(Message::Append { request, entry, .. }) => Some((*request, entry.clone())),
            _ => None,
        })
        .collect()
}

fn acked(out: &[Output]) -> Vec<String> {
    out.iter().filter_map(|o| if let Output::Acked { key } = o { Some(key.clone()) } else { None }).collect()
}

fn statuses(out: &[Output]) -> Vec<&SyncStatus> {
    out.iter().filter_map(|o| if let Output::Status(s) = o { Some(s) } else { None }).collect()
}

fn retry_ms(out: &[Output]) -> Option<u64> {
    out.iter().find_map(|o| if let Output::RetryIn { ms } = o { Some(*ms) } else { None })
}

fn local(n: usize) -> Vec<(String, Vec<u8>)> {
    (0..n).map(|i| (format!("k{i:05}"), format!("change {i}").into_bytes())).collect()
}

#[test]
fn a_welcome_subscribes_after_the_stored_position_and_an_empty_relay_is_up_to_date() {
    let cap = Capability::generate().unwrap();
    let mut h = Harness::new(cap, Position { last_seq: 7, snapshot_seq: 0, last_synced: 0.0, epoch: 0 });
    let out = h.connect();
    assert!(out.contains(&Output::Send(Message::Subscribe { workspace: h.cap.relay_id(), after: 7 })), "{out:?}");
    assert_eq!(h.core.status(), &SyncStatus::Syncing);
    let out = h.entries(7, vec![]);
    assert_eq!(statuses(&out), vec![&SyncStatus::UpToDate]);
    assert!(out.contains(&Output::Save(Position { last_seq: 7, snapshot_seq: 0, last_synced: h.now, epoch: 0 })));
}

#[test]
fn failures_back_off_exponentially_with_jitter_and_a_welcome_resets_it() {
    let mut h = Harness::writer();
    let mut waits = Vec::new();
    for _ in 0..8 {
        let out = h.input(Input::Connect);
        let Some(Output::Open { generation }) = out.last() else { panic!("{out:?}") };
        let out = h.input(Input::Closed { generation: *generation, reason: "refused".into() });
        assert!(out.contains(&Output::Close));
        waits.push(retry_ms(&out).unwrap());
    }
    for (ms, base) in waits.iter().zip([1u64, 2, 4, 8, 15, 30, 30, 30]) {
        assert!((base * 750..=base * 1250).contains(ms), "{ms} ms for a {base} s step");
    }
    assert!(matches!(h.core.status(), SyncStatus::Offline { retry_in_s: 30, .. }));
    h.connect();
    let out = h.input(Input::Closed { generation: h.generation, reason: "gone".into() });
    assert!(retry_ms(&out).unwrap() <= 1250, "after a welcome the next wait is short again");
}

#[test]
fn the_outbox_drains_through_a_window_of_64_in_one_pass() {
    let mut h = Harness::writer();
    h.input(Input::Outbox(local(100)));
    let out = h.connect();
    let first = appends(&h.cap, &out);
    assert_eq!(first.len(), WINDOW, "no more than the window in flight");
    assert_eq!(first[0].1, "change 0");
    let mut sent = appended(&out);
    let mut log = Vec::new();
    let mut seq = 0;
    while let Some((request, entry)) = sent.first().cloned() {
        sent.remove(0);
        seq += 1;
        log.push((seq, entry));
        let out = h.ack(request, seq);
        assert!(acked(&out).is_empty(), "an Ack alone does not empty storage");
        let more = appended(&out);
        assert!(more.len() <= 1, "each Ack makes room for one");
        sent.extend(more);
    }
    assert_eq!(h.core.unsent(), 0);
    // Half a minute on, the log is read back from our oldest entry: seen there, each
    // leaves storage, once, in order.
    h.now += CONFIRM_AFTER_MS;
    let out = h.input(Input::Tick);
    assert!(out.contains(&Output::Send(Message::Subscribe { workspace: h.cap.relay_id(), after: 0 })), "{out:?}");
    let out = h.entries(100, log);
    assert_eq!(acked(&out), local(100).into_iter().map(|(k, _)| k).collect::<Vec<_>>(), "every entry once, in order");
    assert_eq!(h.core.position().last_seq, 100, "our own entries need not be downloaded");
    assert_eq!(h.core.status(), &SyncStatus::UpToDate);
}

#[test]
fn a_local_change_while_offline_waits_and_goes_after_the_welcome() {
    let mut h = Harness::writer();
    let out = h.input(Input::Local { key: "a".into(), chunk: b"typed offline".to_vec() });
    assert!(appends(&h.cap, &out).is_empty());
    let out = h.connect();
    assert_eq!(appends(&h.cap, &out).iter().map(|a| a.1.as_str()).collect::<Vec<_>>(), ["typed offline"]);
    let out = h.input(Input::Local { key: "a".into(), chunk: b"typed offline".to_vec() });
    assert!(appends(&h.cap, &out).is_empty(), "a key already queued is not sent twice");
}

#[test]
fn a_batch_applies_as_one_change_set_skipping_replays_and_reordered_entries() {
    let mut h = Harness::writer();
    h.connect();
    let out = h.entries(3, vec![(1, h.change("one")), (2, h.change("two")), (3, h.change("three"))]);
    assert!(out.contains(&Output::Apply { chunks: vec![b"one".to_vec(), b"two".to_vec(), b"three".to_vec()], last_seq: 3 }), "{out:?}");
    assert_eq!(out.iter().filter(|o| matches!(o, Output::Apply { .. })).count(), 1);
    // A hostile subscriber replays entries; a batch arrives out of order.
    let out = h.entries(5, vec![(2, h.change("two")), (5, h.change("five")), (4, h.change("four, late"))]);
    assert!(out.contains(&Output::Apply { chunks: vec![b"five".to_vec()], last_seq: 5 }), "{out:?}");
    let out = h.entries(5, vec![(1, h.change("one")), (5, h.change("five"))]);
    assert!(!out.iter().any(|o| matches!(o, Output::Apply { .. })), "nothing new: nothing applied");
}

#[test]
fn an_entry_that_fails_its_checks_is_warned_about_and_not_fetched_again() {
    let mut h = Harness::writer();
    h.connect();
    let stranger = Capability::generate().unwrap();
    let forged = stranger.seal_entry(EntryKind::Change, b"forged").unwrap();
    let out = h.entries(2, vec![(1, forged), (2, h.change("real"))]);
    assert!(out.iter().any(|o| matches!(o, Output::Warn(w) if w.starts_with("1 change from the relay failed"))), "{out:?}");
    assert!(out.contains(&Output::Apply { chunks: vec![b"real".to_vec()], last_seq: 2 }));
}

#[test]
fn a_snapshot_stands_for_the_entries_it_covers() {
    let mut h = Harness::writer();
    h.connect();
    let snapshot = h.cap.seal_entry(EntryKind::Snapshot { covers: 10 }, b"whole").unwrap();
    let workspace = h.cap.relay_id();
    let out = h.frame(Message::Entries { workspace, epoch: 0, head: 12, snapshot: Some((10, snapshot)), entries: vec![(9, h.change("old")), (11, h.change("eleven")), (12, h.change("twelve"))] });
    assert!(out.contains(&Output::Apply { chunks: vec![b"whole".to_vec(), b"eleven".to_vec(), b"twelve".to_vec()], last_seq: 12 }), "{out:?}");
    assert_eq!(h.core.position().snapshot_seq, 10);
}

#[test]
fn own_entries_fill_the_gaps_of_what_others_wrote() {
    let mut h = Harness::writer();
    h.input(Input::Local { key: "mine".into(), chunk: b"mine".to_vec() });
    let out = h.connect();
    let request = appends(&h.cap, &out)[0].0;
    // The relay numbered someone else's entry 1 and ours 2; ours is acknowledged first.
    let out = h.ack(request, 2);
    assert!(!out.iter().any(|o| matches!(o, Output::Advance { .. })), "1 has not arrived: the position stays");
    assert_eq!(h.core.status(), &SyncStatus::Syncing);
    let out = h.entries(2, vec![(1, h.change("theirs"))]);
    assert!(out.contains(&Output::Apply { chunks: vec![b"theirs".to_vec()], last_seq: 1 }));
    assert!(out.contains(&Output::Advance { last_seq: 2 }), "{out:?}");
    assert_eq!(h.core.status(), &SyncStatus::UpToDate);
}

#[test]
fn a_rate_limited_change_goes_again_on_the_next_tick() {
    let mut h = Harness::writer();
    h.input(Input::Local { key: "a".into(), chunk: b"hello".to_vec() });
    let out = h.connect();
    let request = appends(&h.cap, &out)[0].0;
    let out = h.frame(Message::Error { code: ErrorCode::RateLimited, request, message: "slow down".into() });
    assert!(appends(&h.cap, &out).is_empty(), "not at once");
    assert_eq!(h.core.status(), &SyncStatus::Syncing, "not refused: it will go");
    h.now += 2_000.0;
    let out = h.input(Input::Tick);
    let again = appends(&h.cap, &out);
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].1, "hello");
    let sent = appended(&out);
    h.ack(again[0].0, 1);
    let out = h.entries(1, sent.into_iter().map(|(_, e)| (1, e)).collect());
    assert!(out.contains(&Output::Acked { key: "a".into() }));
}

#[test]
fn a_fatal_error_closes_the_connection_and_is_shown_until_the_next_attempt() {
    let mut h = Harness::writer();
    h.connect();
    let out = h.frame(Message::Error { code: ErrorCode::TooManyConnections, request: 0, message: "too many connections".into() });
    assert!(out.contains(&Output::Close) && retry_ms(&out).is_some(), "{out:?}");
    let shown = SyncStatus::Refused("The relay refused this connection: too many connections".into());
    assert_eq!(h.core.status(), &shown);
    let out = h.input(Input::Closed { generation: h.generation, reason: "x".into() });
    assert!(out.is_empty(), "that connection is already gone");
    h.input(Input::Connect);
    assert_eq!(h.core.status(), &SyncStatus::Connecting, "a new attempt says so");
}

#[test]
fn a_refused_change_is_shown_and_the_connection_stays() {
    let mut h = Harness::writer();
    h.input(Input::Local { key: "a".into(), chunk: b"big".to_vec() });
    let out = h.connect();
    let request = appends(&h.cap, &out)[0].0;
    let out = h.frame(Message::Error { code: ErrorCode::WorkspaceFull, request, message: "the workspace is full".into() });
    assert!(!out.contains(&Output::Close), "{out:?}");
    assert_eq!(h.core.status(), &SyncStatus::Refused("The relay refused a change: the workspace is full".into()));
    assert_eq!(h.core.unsent(), 1, "the change is kept here");
}

#[test]
fn another_protocol_version_is_refused_without_retrying() {
    let mut h = Harness::writer();
    let out = h.input(Input::Connect);
    let Some(Output::Open { generation }) = out.last() else { panic!() };
    let out = h.core.handle(h.now, Input::Frame { generation: *generation, message: Message::Welcome { version: VERSION + 1, max_frame: 1 << 20 } });
    assert!(out.contains(&Output::Close) && retry_ms(&out).is_none(), "{out:?}");
    assert!(matches!(h.core.status(), SyncStatus::Refused(m) if m.contains("Reload to update")));
}

#[test]
fn events_of_an_earlier_connection_are_ignored() {
    let mut h = Harness::writer();
    h.connect();
    let old = h.generation;
    h.input(Input::Closed { generation: old, reason: "dropped".into() });
    let out = h.input(Input::Connect);
    assert!(matches!(out.last(), Some(Output::Open { generation }) if *generation != old));
    let workspace = h.cap.relay_id();
    let late = h.change("late");
    assert!(h.input(Input::Frame { generation: old, message: Message::Entries { workspace, epoch: 0, head: 1, snapshot: None, entries: vec![(1, late)] } }).is_empty());
    assert!(h.input(Input::Closed { generation: old, reason: "again".into() }).is_empty());
}

#[test]
fn a_relay_that_never_welcomes_is_left_after_ten_seconds() {
    let mut h = Harness::writer();
    h.input(Input::Connect);
    h.now += WELCOME_TIMEOUT_MS - 1.0;
    assert!(h.input(Input::Tick).is_empty());
    h.now += 2.0;
    let out = h.input(Input::Tick);
    assert!(matches!(h.core.status(), SyncStatus::Offline { reason, .. } if reason == "the relay did not answer in time"), "{out:?}");
}

#[test]
fn a_writer_uploads_a_snapshot_when_200_entries_piled_up() {
    let mut h = Harness::writer();
    h.connect();
    let batch: Vec<(u64, SealedEntry)> = (1..=200).map(|seq| (seq, h.change("x"))).collect();
    let out = h.entries(200, batch);
    assert!(out.contains(&Output::WantSnapshot { covers: 200 }), "{out:?}");
    let out = h.input(Input::SnapshotReady { covers: 200, bytes: b"whole".to_vec() });
    let Some(Output::Send(Message::Snapshot { request, covers: 200, entry, .. })) = out.first() else { panic!("{out:?}") };
    assert_eq!(h.cap.open_entry(EntryKind::Snapshot { covers: 200 }, entry).unwrap(), b"whole");
    let out = h.ack(*request, 200);
    assert!(out.contains(&Output::Save(Position { last_seq: 200, snapshot_seq: 200, last_synced: h.now, epoch: 0 })), "{out:?}");
}

#[test]
fn a_reader_never_sends_changes_or_snapshots() {
    let writer = Capability::generate().unwrap();
    let mut h = Harness::new(writer.view_only(), Position::default());
    h.input(Input::Local { key: "a".into(), chunk: b"x".to_vec() });
    let out = h.connect();
    assert!(appends(&writer, &out).is_empty());
    let batch: Vec<(u64, SealedEntry)> = (1..=200).map(|seq| (seq, writer.seal_entry(EntryKind::Change, b"x").unwrap())).collect();
    let out = h.entries(200, batch);
    assert!(!out.iter().any(|o| matches!(o, Output::WantSnapshot { .. })));
}

#[test]
fn storage_failing_puts_the_position_back_and_reconnects() {
    let mut h = Harness::writer();
    h.connect();
    h.entries(2, vec![(1, h.change("one")), (2, h.change("two"))]);
    let out = h.input(Input::ApplyFailed { reason: "quota exceeded".into() });
    assert_eq!(h.core.position().last_seq, 0);
    assert!(retry_ms(&out).is_some());
    let out = h.connect();
    assert!(out.contains(&Output::Send(Message::Subscribe { workspace: h.cap.relay_id(), after: 0 })), "asks for them again");
}

#[test]
fn a_signal_crosses_the_relay_sealed_and_says_whether_a_writer_sent_it() {
    let mut h = Harness::writer();
    assert!(h.connect().contains(&Output::Signals(true)), "a version 3 relay passes signals");
    let workspace = h.cap.relay_id();
    let out = h.input(Input::Signal { to: 9, plain: b"offer".to_vec() });
    let [Output::Send(Message::Signal { workspace: w, to: 9, sealed })] = out.as_slice() else { panic!("{out:?}") };
    assert_eq!(*w, workspace);
    assert!(!sealed.windows(5).any(|x| x == b"offer"), "the relay sees no plaintext");
    // What the other side gets, from a writer and from a view-link holder.
    let mut viewer = Harness::new(h.cap.view_only(), Position::default());
    viewer.connect();
    assert_eq!(viewer.frame(Message::PeerSignal { workspace, from: 3, sealed: sealed.clone() }), vec![Output::PeerSignal { from: 3, plain: b"offer".to_vec(), writer: true }]);
    let from_viewer = crate::peer::PeerMessage::Signal(b"answer".to_vec()).seal_whole(&h.cap.view_only()).unwrap();
    assert_eq!(h.frame(Message::PeerSignal { workspace, from: 4, sealed: from_viewer }), vec![Output::PeerSignal { from: 4, plain: b"answer".to_vec(), writer: false }]);
    // Garbage, or a presence dressed as a signal, is only logged.
    let presence = h.cap.seal_presence(b"{}").unwrap();
    for sealed in [vec![1, 2, 3], presence] {
        let out = h.frame(Message::PeerSignal { workspace, from: 5, sealed });
        assert!(matches!(out.as_slice(), [Output::Log(_)]), "{out:?}");
    }
}

#[test]
fn a_version_2_relay_is_still_spoken_to_and_gets_no_signal() {
    let mut h = Harness::writer();
    let out = h.input(Input::Connect);
    let Some(Output::Open { generation }) = out.iter().find(|o| matches!(o, Output::Open { .. })) else { panic!() };
    h.generation = *generation;
    h.input(Input::Opened { generation: h.generation });
    let welcomed = h.frame(Message::Welcome { version: 2, max_frame: 1 << 20 });
    assert!(welcomed.contains(&Output::Signals(false)), "{welcomed:?}");
    assert!(welcomed.contains(&Output::Send(Message::Subscribe { workspace: h.cap.relay_id(), after: 0 })), "it syncs as before");
    let out = h.input(Input::Signal { to: 9, plain: b"offer".to_vec() });
    assert!(matches!(out.as_slice(), [Output::Log(_)]), "{out:?}");
    let refused = h.connect_with_version(1);
    assert!(refused.iter().any(|o| matches!(o, Output::Status(SyncStatus::Refused(_)))), "{refused:?}");
}

#[test]
fn teammates_appear_leave_and_go_quiet() {
    let mut h = Harness::writer();
    h.connect();
    let workspace = h.cap.relay_id();
    let sealed = h.cap.seal_presence(b"{\"name\":\"Bo\"}").unwrap();
    let out = h.frame(Message::PeerPresence { workspace, from: 9, sealed: sealed.clone() });
    assert_eq!(out, vec![Output::PeerPresence { from: 9, plain: b"{\"name\":\"Bo\"}".to_vec(), editor: true }]);
    assert_eq!(h.frame(Message::PeerLeft { workspace, from: 9 }), vec![Output::PeerGone { from: 9 }]);
    h.frame(Message::PeerPresence { workspace, from: 10, sealed: sealed.clone() });
    let garbage = h.frame(Message::PeerPresence { workspace, from: 11, sealed: vec![1, 2, 3] });
    assert!(garbage.is_empty(), "presence that does not open is dropped");
    h.now += PEER_EXPIRY_MS + 1.0;
    let out = h.input(Input::Tick);
    assert!(out.contains(&Output::PeerGone { from: 10 }), "{out:?}");
    h.frame(Message::PeerPresence { workspace, from: 12, sealed });
    let out = h.input(Input::Closed { generation: h.generation, reason: "x".into() });
    assert!(out.contains(&Output::PeersCleared));
}

#[test]
fn presence_is_sent_when_it_changes_and_every_15_seconds() {
    let mut h = Harness::writer();
    h.connect();
    let out = h.input(Input::Presence(b"{\"open\":\"a\"}".to_vec()));
    let sent = |out: &[Output]| out.iter().filter(|o| matches!(o, Output::Send(Message::Presence { .. }))).count();
    assert_eq!(sent(&out), 1);
    h.now += PRESENCE_EVERY_MS - 1.0;
    assert_eq!(sent(&h.input(Input::Tick)), 0);
    h.now += 2.0;
    assert_eq!(sent(&h.input(Input::Tick)), 1);
}

#[test]
fn a_snapshot_relayed_with_a_covers_it_was_not_signed_for_is_refused() {
    let mut h = Harness::writer();
    h.connect();
    let snapshot = h.cap.seal_entry(EntryKind::Snapshot { covers: 3 }, b"whole").unwrap();
    let workspace = h.cap.relay_id();
    let out = h.frame(Message::Entries { workspace, epoch: 0, head: 8, snapshot: Some((8, snapshot)), entries: vec![] });
    assert!(out.iter().any(|o| matches!(o, Output::Warn(_))), "{out:?}");
    assert!(!out.iter().any(|o| matches!(o, Output::Apply { chunks, .. } if !chunks.is_empty())), "nothing of it is applied: {out:?}");
}

#[test]
fn the_first_epoch_seen_is_kept_and_another_one_starts_over_and_sends_everything_again() {
    let mut h = Harness::writer();
    h.connect();
    let workspace = h.cap.relay_id();
    let e1 = h.change("one");
    let out = h.frame(Message::Entries { workspace, epoch: 41, head: 1, snapshot: None, entries: vec![(1, e1)] });
    assert!(out.contains(&Output::Save(Position { last_seq: 0, snapshot_seq: 0, last_synced: 0.0, epoch: 41 })), "adopted: {out:?}");
    assert_eq!(h.core.position().last_seq, 1);
    // The relay was reset: a new log, numbered from 1 again.
    let out = h.frame(Message::Entries { workspace, epoch: 77, head: 3, snapshot: None, entries: vec![] });
    assert!(out.contains(&Output::Reupload), "{out:?}");
    assert!(out.contains(&Output::Close), "{out:?}");
    let Some(Output::Open { generation }) = out.last() else { panic!("reconnects at once: {out:?}") };
    assert_eq!((h.core.position().last_seq, h.core.position().epoch), (0, 77));
    h.generation = *generation;
    h.input(Input::Opened { generation: h.generation });
    let out = h.frame(Message::Welcome { version: VERSION, max_frame: 1 << 20 });
    assert!(out.contains(&Output::Send(Message::Subscribe { workspace, after: 0 })), "reads everything again: {out:?}");
}

#[test]
fn a_relay_behind_our_position_is_caught_and_given_everything_again() {
    let cap = Capability::generate().unwrap();
    let mut h = Harness::new(cap, Position { last_seq: 9, snapshot_seq: 0, last_synced: 0.0, epoch: 5 });
    h.connect();
    let workspace = h.cap.relay_id();
    // Restored from an older copy (same epoch, fewer entries), or emptied (epoch 0).
    for (epoch, head) in [(5, 4), (0, 0)] {
        let out = h.frame(Message::Entries { workspace, epoch, head, snapshot: None, entries: vec![] });
        assert!(out.contains(&Output::Reupload), "epoch {epoch}, head {head}: {out:?}");
        assert_ne!(h.core.status(), &SyncStatus::UpToDate, "never 'up to date' against a relay that lost entries");
        let Some(Output::Open { generation }) = out.last() else { panic!() };
        h.generation = *generation;
        h.input(Input::Opened { generation: h.generation });
        h.frame(Message::Welcome { version: VERSION, max_frame: 1 << 20 });
        h.core = SyncCore::new(h.cap.clone(), Position { last_seq: 9, snapshot_seq: 0, last_synced: 0.0, epoch: 5 }, 7);
        h.connect();
    }
}

#[test]
fn a_reader_starts_over_too_but_sends_nothing() {
    let writer = Capability::generate().unwrap();
    let mut h = Harness::new(writer.view_only(), Position { last_seq: 3, snapshot_seq: 0, last_synced: 0.0, epoch: 5 });
    h.connect();
    let out = h.frame(Message::Entries { workspace: writer.relay_id(), epoch: 6, head: 1, snapshot: None, entries: vec![] });
    assert!(!out.contains(&Output::Reupload) && out.contains(&Output::Close), "{out:?}");
}

#[test]
fn one_entry_that_does_not_open_keeps_nothing_after_it_out() {
    let cap = Capability::generate().unwrap();
    // Signed with the write key but sealed under another content key: it verifies and
    // cannot be decrypted (a buggy client's, or one from before keys were rotated).
    let mut other = Capability::generate().unwrap().edit_fragment().unwrap();
    let mine = cap.edit_fragment().unwrap();
    let (mine_parts, other_parts): (Vec<&str>, Vec<&str>) = (mine.split('.').collect(), other.split('.').collect());
    other = format!("{}.{}.{}.{}.{}", mine_parts[0], mine_parts[1], mine_parts[2], other_parts[3], mine_parts[4]);
    let stranger_key = Capability::from_fragment(&other).unwrap();
    let unreadable = stranger_key.seal_entry(EntryKind::Change, b"sealed under another key").unwrap();
    unreadable.verify(&cap.relay_id(), EntryKind::Change).expect("its signature is genuine");
    let good = |text: &str| cap.seal_entry(EntryKind::Change, text.as_bytes()).unwrap();
    let opened = open_batch(&cap, 0, None, vec![(1, good("one")), (2, unreadable), (3, good("three"))]);
    assert_eq!(opened, Opened { snapshot: None, changes: vec![b"one".to_vec(), b"three".to_vec()], newest: 3, closed: false, snapshot_covers: None, refused: 1 });
    assert_eq!(refused_warning(1).unwrap(), "1 change from the relay failed its signature or decryption check and was ignored.");
}

#[test]
fn frames_waiting_to_be_handled_have_a_budget() {
    let mut inflow = Inflow::new(3, 1000);
    assert!(inflow.admit(400) && inflow.admit(400));
    assert!(!inflow.admit(300), "1,100 bytes would pass the byte budget");
    assert!(inflow.admit(200), "a smaller one still fits");
    assert!(!inflow.admit(1), "a fourth frame passes the frame budget");
    inflow.done(400);
    assert!(inflow.admit(100), "handling one makes room");
}

#[test]
fn closing_a_log_waits_for_the_relay_then_stops_syncing_for_good() {
    let mut h = Harness::writer();
    // Not connected: refused with a reason, nothing sent.
    let out = h.input(Input::CloseLog);
    assert!(matches!(out.as_slice(), [Output::CloseFailed(m)] if m.contains("connection")), "{out:?}");
    h.connect();
    h.entries(0, Vec::new());
    assert_eq!(h.core.status(), &SyncStatus::UpToDate);
    let out = h.input(Input::CloseLog);
    let Some((request, entry)) = out.iter().find_map(|o| match o {
        Output::Send(Message::Close { request, entry, .. }) => Some((*request, entry.clone())),
        _ => None,
    }) else {
        panic!("no Close sent: {out:?}")
    };
    entry.verify(&h.cap.relay_id(), EntryKind::Close).expect("signed as a close with the write key");
    assert_eq!(h.core.status(), &SyncStatus::UpToDate, "nothing changes before the relay confirms");
    let out = h.ack(request, 1);
    assert!(out.contains(&Output::LogClosed) && out.contains(&Output::Close), "{out:?}");
    assert_eq!(h.core.status(), &SyncStatus::Closed);
    // No reconnecting, and local changes stay in the outbox (they belong to the next log).
    assert!(h.input(Input::Connect).is_empty());
    assert!(h.input(Input::Local { key: "k".into(), chunk: b"later".to_vec() }).iter().all(|o| !matches!(o, Output::Send(_))));
}

#[test]
fn another_editors_close_in_the_log_or_the_relays_refusal_stops_syncing() {
    // The close arrives as an entry.
    let mut h = Harness::writer();
    h.connect();
    let close = h.cap.seal_entry(EntryKind::Close, &[]).unwrap();
    let out = h.entries(2, vec![(1, h.change("before")), (2, close)]);
    assert!(out.iter().any(|o| matches!(o, Output::Apply { chunks, last_seq: 2 } if chunks.len() == 1)), "what came before is applied: {out:?}");
    assert!(!out.iter().any(|o| matches!(o, Output::Warn(_))), "a close is not a bad entry: {out:?}");
    assert_eq!(h.core.status(), &SyncStatus::Closed);
    assert!(h.input(Input::Connect).is_empty());

    // A view-link holder cannot fake one: its "close" is a bad entry, nothing more.
    let mut v = Harness::new(Capability::generate().unwrap().view_only(), Position::default());
    let forged = Capability::generate().unwrap().seal_entry(EntryKind::Close, &[]).unwrap();
    v.connect();
    let out = v.entries(1, vec![(1, forged)]);
    assert!(out.iter().any(|o| matches!(o, Output::Warn(_))), "{out:?}");
    assert_ne!(v.core.status(), &SyncStatus::Closed);

    // The relay says so (an old link subscribing after the close).
    let mut r = Harness::writer();
    r.connect();
    r.frame(Message::Error { code: ErrorCode::Closed, request: 0, message: "links replaced".into() });
    assert_eq!(r.core.status(), &SyncStatus::Closed);
}

#[test]
fn a_false_ack_is_caught_when_the_log_is_read_back_and_the_change_goes_again() {
    let mut h = Harness::writer();
    h.input(Input::Local { key: "a".into(), chunk: b"mine".to_vec() });
    let out = h.connect();
    let request = appends(&h.cap, &out)[0].0;
    // The relay acknowledges seq 1 but keeps (or shows) something else there.
    assert!(acked(&h.ack(request, 1)).is_empty());
    h.input(Input::Closed { generation: h.generation, reason: "gone".into() });
    let out = h.connect();
    assert!(out.contains(&Output::Send(Message::Subscribe { workspace: h.cap.relay_id(), after: 0 })), "read back from before it: {out:?}");
    let other = h.change("someone else's");
    let out = h.entries(1, vec![(1, other)]);
    assert!(acked(&out).is_empty(), "not confirmed");
    assert!(out.iter().any(|o| matches!(o, Output::Warn(w) if w.contains("without keeping it"))), "{out:?}");
    assert_eq!(appends(&h.cap, &out).iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>(), ["mine"], "sent again");
}

#[test]
fn an_acknowledged_change_is_read_back_only_after_a_while_and_a_snapshot_confirms_it() {
    let mut h = Harness::writer();
    h.input(Input::Local { key: "a".into(), chunk: b"mine".to_vec() });
    let out = h.connect();
    h.entries(0, Vec::new());
    let request = appends(&h.cap, &out)[0].0;
    h.ack(request, 1);
    h.now += CONFIRM_AFTER_MS / 2.0;
    assert!(!h.input(Input::Tick).iter().any(|o| matches!(o, Output::Send(Message::Subscribe { .. }))), "not at once");
    h.now += CONFIRM_AFTER_MS;
    assert!(h.input(Input::Tick).iter().any(|o| matches!(o, Output::Send(Message::Subscribe { after: 0, .. }))));
    // A snapshot covering it (signed by an editor who built it from the log) confirms it.
    let workspace = h.cap.relay_id();
    let snapshot = h.cap.seal_entry(EntryKind::Snapshot { covers: 1 }, b"whole").unwrap();
    let out = h.frame(Message::Entries { workspace, epoch: 0, head: 1, snapshot: Some((1, snapshot)), entries: Vec::new() });
    assert_eq!(acked(&out), ["a"]);
}

#[test]
fn a_close_is_done_however_the_relay_says_so_and_a_refused_one_is_answered() {
    // The relay stored our close, but an error for an edit in the same group came first.
    let mut h = Harness::writer();
    h.connect();
    h.entries(0, Vec::new());
    let out = h.input(Input::CloseLog);
    assert!(out.iter().any(|o| matches!(o, Output::Send(Message::Close { .. }))));
    assert!(h.input(Input::Local { key: "k".into(), chunk: b"typed meanwhile".to_vec() }).iter().all(|o| !matches!(o, Output::Send(_))), "nothing goes after a close");
    let out = h.frame(Message::Error { code: ErrorCode::Closed, request: 0, message: "closed".into() });
    assert!(out.contains(&Output::LogClosed), "{out:?}");
    assert!(!out.iter().any(|o| matches!(o, Output::CloseFailed(_))));
    // Asked again once closed: done at once, so new keys can follow.
    assert_eq!(h.input(Input::CloseLog), vec![Output::LogClosed]);

    // A full relay turns the close away: answered, and the workspace syncs on.
    let mut f = Harness::writer();
    f.connect();
    f.entries(0, Vec::new());
    let out = f.input(Input::CloseLog);
    let Some(request) = out.iter().find_map(|o| if let Output::Send(Message::Close { request, .. }) = o { Some(*request) } else { None }) else { panic!() };
    let out = f.frame(Message::Error { code: ErrorCode::WorkspaceFull, request, message: "full".into() });
    assert_eq!(out.iter().filter(|o| matches!(o, Output::CloseFailed(_))).count(), 1, "{out:?}");
    assert_eq!(f.core.status(), &SyncStatus::UpToDate);
}
