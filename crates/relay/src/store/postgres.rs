//! The shared store: one PostgreSQL database that several relays write.
//!
//! Each workspace has a row in `waymark_heads`. A commit locks the rows of the
//! workspaces it writes (in id order, so two relays never deadlock), reads them,
//! lets [`Rules`] decide each write, inserts entries and signatures, updates the
//! heads and commits: a workspace's commits land in seq order, and a rollback undoes
//! both the entries and the numbers, so no seq is ever skipped. Ack follows the
//! commit (PostgreSQL's `synchronous_commit` is on by default: committed is on disk).
//!
//! A commit also sends `NOTIFY waymark` with each workspace's new head. That is only
//! a hint: a relay serving the workspace reads the new rows itself, once, and sends
//! them to its subscribers. Presence, "left" and "a relay is gone" go the same way and
//! are never stored. Each relay registers in `waymark_relays` (its number makes its
//! connection ids unique) and beats there every second; a relay silent for
//! [`STALE`] is removed by whichever relay notices first, which tells the others.
//! When a relay's listening connection drops, notes sent meanwhile are lost, so it
//! reads the head of every workspace it serves again ([`Note::Resync`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, NoTls, Statement};
use waymark_protocol::{RelayId, SealedEntry};

use super::embedded::{decode_entry, encode_entry};
use super::rules::Decision;
use super::{Head, Log, Note, Outcome, Rules, StoreError, Write, WriteKind};

/// The schema, one step per version; a relay applies the steps the database lacks.
const MIGRATIONS: &[&str] = &["
    CREATE TABLE waymark_heads (ws bytea PRIMARY KEY, seq bigint NOT NULL, bytes bigint NOT NULL,
        covers bigint NOT NULL, epoch bigint NOT NULL, closed bigint NOT NULL);
    CREATE TABLE waymark_entries (ws bytea NOT NULL, seq bigint NOT NULL, entry bytea NOT NULL,
        PRIMARY KEY (ws, seq));
    CREATE TABLE waymark_snapshots (ws bytea PRIMARY KEY, covers bigint NOT NULL, entry bytea NOT NULL);
    CREATE TABLE waymark_signatures (ws bytea NOT NULL, signature bytea NOT NULL, seq bigint NOT NULL,
        PRIMARY KEY (ws, signature));
    CREATE TABLE waymark_relays (id bigserial PRIMARY KEY, started timestamptz NOT NULL DEFAULT now(),
        seen timestamptz NOT NULL DEFAULT now());
"];

/// The channel relays tell each other on.
const CHANNEL: &str = "waymark";
/// How often a relay says it is alive, and how long a silent one is believed alive.
const BEAT: Duration = Duration::from_secs(1);
pub const STALE: Duration = Duration::from_secs(5);
/// Rows read per query by a catch-up.
const PAGE: i64 = 256;

/// Statements the core's connection runs for every commit.
struct Prepared {
    lock_head: Statement,
    stored_as: Statement,
    put_entries: Statement,
    put_signatures: Statement,
    covered: Statement,
    drop_covered: Statement,
    put_snapshot: Statement,
    put_head: Statement,
    notify: Statement,
    head: Statement,
    drop_empty_head: Statement,
}

struct Connected {
    client: Client,
    sql: Prepared,
}

pub struct Store {
    url: String,
    relay: u64,
    conn: Option<Connected>,
    /// Connections for catch-up readers.
    pool: Arc<Pool>,
}

/// A connection that gives up on an unreachable or silent server instead of hanging
/// the thread that uses it (a half-open connection after a network partition or a
/// failover): 10 s to connect, keepalives after 10 s idle, 20 s for sent data to be
/// acknowledged.
fn connect(url: &str) -> Result<Client, StoreError> {
    let mut config: postgres::Config = url.parse()?;
    config
        .connect_timeout(Duration::from_secs(10))
        .keepalives(true)
        .keepalives_idle(Duration::from_secs(10))
        .keepalives_interval(Duration::from_secs(5))
        .tcp_user_timeout(Duration::from_secs(20));
    Ok(config.connect(NoTls)?)
}

fn prepare(client: &mut Client) -> Result<Prepared, StoreError> {
    Ok(Prepared {
        // An upsert that changes nothing but locks the row (and makes it if missing).
        lock_head: client.prepare(
            "INSERT INTO waymark_heads (ws, seq, bytes, covers, epoch, closed) VALUES ($1, 0, 0, 0, 0, 0)
             ON CONFLICT (ws) DO UPDATE SET seq = waymark_heads.seq
             RETURNING seq, bytes, covers, epoch, closed",
        )?,
        stored_as: client.prepare(
            "SELECT s.ws, s.signature, s.seq FROM waymark_signatures s
             JOIN unnest($1::bytea[], $2::bytea[]) AS asked (ws, signature) USING (ws, signature)",
        )?,
        put_entries: client.prepare("INSERT INTO waymark_entries (ws, seq, entry) SELECT * FROM unnest($1::bytea[], $2::int8[], $3::bytea[])")?,
        put_signatures: client.prepare("INSERT INTO waymark_signatures (ws, signature, seq) SELECT * FROM unnest($1::bytea[], $2::bytea[], $3::int8[])")?,
        covered: client.prepare(
            "SELECT (SELECT coalesce(sum(length(entry)), 0) FROM waymark_entries WHERE ws = $1 AND seq <= $2)::bigint
                  + (SELECT coalesce(sum(8 + length(entry)), 0) FROM waymark_snapshots WHERE ws = $1)::bigint",
        )?,
        drop_covered: client.prepare("DELETE FROM waymark_entries WHERE ws = $1 AND seq <= $2")?,
        put_snapshot: client.prepare(
            "INSERT INTO waymark_snapshots (ws, covers, entry) VALUES ($1, $2, $3)
             ON CONFLICT (ws) DO UPDATE SET covers = excluded.covers, entry = excluded.entry",
        )?,
        put_head: client.prepare("UPDATE waymark_heads SET seq = $2, bytes = $3, covers = $4, epoch = $5, closed = $6 WHERE ws = $1")?,
        notify: client.prepare("SELECT pg_notify($1, $2)")?,
        head: client.prepare("SELECT seq, bytes, covers, epoch, closed FROM waymark_heads WHERE ws = $1")?,
        drop_empty_head: client.prepare("DELETE FROM waymark_heads WHERE ws = $1 AND seq = 0")?,
    })
}

/// Entries (and their signatures) a commit stores, inserted in one statement each.
#[derive(Default)]
struct Rows {
    ws: Vec<Vec<u8>>,
    seq: Vec<i64>,
    entry: Vec<Vec<u8>>,
    signature: Vec<Vec<u8>>,
}

impl Rows {
    fn add(&mut self, w: &Write, seq: u64) {
        self.ws.push(w.ws.0.to_vec());
        self.seq.push(i(seq));
        self.entry.push(encode_entry(&w.entry));
        self.signature.push(w.entry.signature.to_vec());
    }

    /// Inserts what was added since the last time.
    fn insert(&mut self, txn: &mut postgres::Transaction, sql: &Prepared) -> Result<(), StoreError> {
        if self.seq.is_empty() {
            return Ok(());
        }
        txn.execute(&sql.put_entries, &[&self.ws, &self.seq, &self.entry])?;
        txn.execute(&sql.put_signatures, &[&self.ws, &self.signature, &self.seq])?;
        *self = Rows::default();
        Ok(())
    }
}

/// Numbers are stored as PostgreSQL's signed 64-bit integers, bit for bit.
fn i(n: u64) -> i64 {
    n as i64
}

fn u(n: i64) -> u64 {
    n as u64
}

fn head_of(row: &postgres::Row) -> Head {
    Head { seq: u(row.get(0)), bytes: u(row.get(1)), covers: u(row.get(2)), epoch: u(row.get(3)), closed: u(row.get(4)) }
}

/// Applies the migrations the database lacks, one relay at a time.
fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let mut txn = client.transaction()?;
    txn.execute("SELECT pg_advisory_xact_lock(7340531)", &[])?;
    txn.batch_execute("CREATE TABLE IF NOT EXISTS waymark_schema (version integer NOT NULL)")?;
    let version: i32 = match txn.query_opt("SELECT version FROM waymark_schema", &[])? {
        Some(row) => row.get(0),
        None => {
            txn.execute("INSERT INTO waymark_schema (version) VALUES (0)", &[])?;
            0
        }
    };
    let known = MIGRATIONS.len() as i32;
    if version > known {
        return Err(format!("the database's schema is version {version}, newer than this relay knows ({known}): update the relay").into());
    }
    for (n, step) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        txn.batch_execute(step)?;
        tracing::info!(version = n + 1, "database schema migrated");
    }
    txn.execute("UPDATE waymark_schema SET version = $1", &[&known])?;
    txn.commit()?;
    Ok(())
}

impl Store {
    /// Connects, migrates the schema, and registers this relay.
    pub fn open(url: &str) -> Result<Store, StoreError> {
        let mut client = connect(url)?;
        migrate(&mut client)?;
        let relay: i64 = client.query_one("INSERT INTO waymark_relays DEFAULT VALUES RETURNING id", &[])?.get(0);
        let sql = prepare(&mut client)?;
        tracing::info!(relay, "registered with the shared store");
        Ok(Store { url: url.to_owned(), relay: u(relay), conn: Some(Connected { client, sql }), pool: Arc::new(Pool::new(url)) })
    }

    /// The core's connection, connected again if it dropped.
    fn connected(&mut self) -> Result<&mut Connected, StoreError> {
        if self.conn.as_ref().is_none_or(|c| c.client.is_closed()) {
            self.conn = None;
            let mut client = connect(&self.url)?;
            let sql = prepare(&mut client)?;
            tracing::info!("connected to the shared store again");
            self.conn = Some(Connected { client, sql });
        }
        Ok(self.conn.as_mut().expect("connected above"))
    }
}

impl Store {
    /// Runs `f`, a read (or a note: nothing that may have half happened), on the
    /// core's connection; if that connection turns out to have dropped, connects again
    /// and runs it once more. A commit is never run twice: its writes are sent again
    /// by their clients and recognised by their signatures.
    fn read<T>(&mut self, f: impl Fn(&mut Connected) -> Result<T, postgres::Error>) -> Result<T, StoreError> {
        let c = self.connected()?;
        match f(c) {
            Ok(v) => Ok(v),
            Err(e) if c.client.is_closed() => {
                tracing::info!(error = %e, "the connection to the shared store dropped; connecting again");
                self.conn = None;
                Ok(f(self.connected()?)?)
            }
            Err(e) => Err(e.into()),
        }
    }
}

impl Log for Store {
    fn relay_number(&self) -> u64 {
        self.relay
    }

    fn shared(&self) -> bool {
        true
    }

    fn head(&mut self, ws: &RelayId) -> Result<Head, StoreError> {
        self.read(|c| Ok(c.client.query_opt(&c.sql.head, &[&ws.0.as_slice()])?.map(|r| head_of(&r)).unwrap_or_default()))
    }

    fn footprint(&mut self) -> Result<u64, StoreError> {
        self.read(|c| Ok(u(c.client.query_one("SELECT coalesce(sum(bytes + $1 * seq), 0)::bigint FROM waymark_heads", &[&i(super::SIGNATURE_ROW)])?.get(0))))
    }

    fn commit(&mut self, writes: &[Write], rules: &mut Rules) -> Result<Vec<Outcome>, StoreError> {
        let relay = self.relay;
        let c = self.connected()?;
        let sql = &c.sql;
        let mut txn = c.client.transaction()?;
        let mut order: Vec<RelayId> = writes.iter().map(|w| w.ws).collect();
        order.sort_by_key(|a| a.0);
        order.dedup();
        let mut heads: HashMap<RelayId, Head> = HashMap::new();
        for ws in &order {
            let row = txn.query_one(&sql.lock_head, &[&ws.0.as_slice()])?;
            heads.insert(*ws, head_of(&row));
        }
        // Which of the group's entries were stored before: one query for the group.
        let (wss, sigs): (Vec<&[u8]>, Vec<&[u8]>) = writes.iter().filter(|w| !matches!(w.kind, WriteKind::Snapshot { .. })).map(|w| (w.ws.0.as_slice(), w.entry.signature.as_slice())).unzip();
        let mut stored: HashMap<(RelayId, [u8; 64]), u64> = HashMap::new();
        if !wss.is_empty() {
            for row in txn.query(&sql.stored_as, &[&wss, &sigs])? {
                let (ws, sig): (&[u8], &[u8]) = (row.get(0), row.get(1));
                if let (Ok(ws), Ok(sig)) = (<[u8; 32]>::try_from(ws), <[u8; 64]>::try_from(sig)) {
                    stored.insert((RelayId(ws), sig), u(row.get(2)));
                }
            }
        }
        // Entries and signatures to insert, sent as one statement each.
        let mut rows = Rows::default();
        let mut outcomes = Vec::with_capacity(writes.len());
        let mut touched: HashMap<RelayId, bool> = HashMap::new();
        for w in writes {
            let head = heads[&w.ws];
            let key = w.ws.0.as_slice();
            let decision = match w.kind {
                WriteKind::Change | WriteKind::Close => rules.append(head, stored.get(&(w.ws, w.entry.signature)).copied(), w)?,
                WriteKind::Snapshot { covers } => {
                    // What it covers must be in the table to be counted and dropped.
                    rows.insert(&mut txn, sql)?;
                    let freed = || -> Result<u64, StoreError> { Ok(u(txn.query_one(&sql.covered, &[&key, &i(covers)])?.get(0))) };
                    rules.snapshot(head, covers, w, freed)?
                }
            };
            outcomes.push(match decision {
                Decision::Answer(outcome) => outcome,
                Decision::Store(new) => {
                    heads.insert(w.ws, new);
                    match w.kind {
                        WriteKind::Snapshot { covers } => {
                            txn.execute(&sql.drop_covered, &[&key, &i(covers)])?;
                            txn.execute(&sql.put_snapshot, &[&key, &i(covers), &encode_entry(&w.entry)])?;
                            touched.entry(w.ws).or_insert(false);
                            Outcome::Acked { seq: covers }
                        }
                        _ => {
                            // The same entry twice in one group is stored once.
                            stored.insert((w.ws, w.entry.signature), new.seq);
                            rows.add(w, new.seq);
                            touched.insert(w.ws, true);
                            Outcome::Stored { seq: new.seq, epoch: new.epoch }
                        }
                    }
                }
            });
        }
        rows.insert(&mut txn, sql)?;
        for ws in &order {
            if heads[ws].seq == 0 {
                // Locking made the row; a write refused to a workspace with nothing
                // stored leaves none behind.
                txn.execute(&sql.drop_empty_head, &[&ws.0.as_slice()])?;
            }
        }
        for (ws, appended) in touched {
            let h = heads[&ws];
            txn.execute(&sql.put_head, &[&ws.0.as_slice(), &i(h.seq), &i(h.bytes), &i(h.covers), &i(h.epoch), &i(h.closed)])?;
            if appended {
                // Delivered to the listening relays when (and only if) this commits.
                txn.query_one(&sql.notify, &[&CHANNEL, &note_text(relay, &Note::Appended { ws, seq: h.seq })])?;
            }
        }
        txn.commit()?;
        Ok(outcomes)
    }

    fn reader(&mut self) -> Result<Box<dyn super::Reader>, StoreError> {
        Ok(Box::new(Reader { pool: Arc::clone(&self.pool) }))
    }

    fn tell(&mut self, note: &Note) -> Result<(), StoreError> {
        let text = note_text(self.relay, note);
        self.read(|c| {
            c.client.query_one(&c.sql.notify, &[&CHANNEL, &text])?;
            Ok(())
        })
    }

    fn listen(&mut self, to_core: Box<dyn Fn(Note) -> bool + Send>) -> Result<(), StoreError> {
        let (url, relay) = (self.url.clone(), self.relay);
        let mut client = connect(&url)?;
        client.batch_execute(&format!("LISTEN {CHANNEL}"))?;
        std::thread::Builder::new().name("relay-listen".into()).spawn(move || listen(url, relay, client, to_core))?;
        Ok(())
    }
}

/// Connections catch-ups read with, at most [`READERS`] at once per relay: a read
/// borrows one for a page, never while a frame is sent, so a subscriber that stops
/// reading holds none.
const READERS: usize = 16;

/// Bytes of entries one page reads at most (one entry more if the first alone is
/// larger): a page is one frame's worth, not 256 entries of up to 16 MiB each.
const PAGE_BYTES: i64 = 4 << 20;

struct Pool {
    url: String,
    /// Idle connections, and how many exist (idle or lent).
    state: Mutex<(Vec<Client>, usize)>,
    returned: std::sync::Condvar,
}

impl Pool {
    fn new(url: &str) -> Pool {
        Pool { url: url.to_owned(), state: Mutex::new((Vec::new(), 0)), returned: std::sync::Condvar::new() }
    }

    /// Runs `f` on a connection; if that connection had dropped, once more on a new one.
    fn with<T>(&self, f: impl Fn(&mut Client) -> Result<T, postgres::Error>) -> Result<T, StoreError> {
        let mut client = self.take()?;
        let result = match f(&mut client) {
            Err(e) if client.is_closed() => {
                tracing::info!(error = %e, "a catch-up connection to the shared store dropped; connecting again");
                self.forget(client);
                client = self.take()?;
                f(&mut client)
            }
            other => other,
        };
        self.give_back(client);
        Ok(result?)
    }

    fn take(&self) -> Result<Client, StoreError> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(c) = state.0.pop() {
                return Ok(c);
            }
            if state.1 < READERS {
                state.1 += 1;
                drop(state);
                return connect(&self.url).inspect_err(|_| self.state.lock().unwrap_or_else(|e| e.into_inner()).1 -= 1);
            }
            state = self.returned.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn give_back(&self, client: Client) {
        if client.is_closed() {
            return self.forget(client);
        }
        self.state.lock().unwrap_or_else(|e| e.into_inner()).0.push(client);
        self.returned.notify_one();
    }

    fn forget(&self, client: Client) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).1 -= 1;
        self.returned.notify_one();
        close_elsewhere(vec![client]);
    }
}

/// Closing a client blocks on its own runtime, which must not happen on an async
/// thread (a catch-up may end, and the last reader may drop, there).
fn close_elsewhere(clients: Vec<Client>) {
    if !clients.is_empty() {
        let _ = std::thread::Builder::new().name("relay-pg-close".into()).spawn(move || drop(clients));
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        let idle = std::mem::take(&mut self.state.get_mut().unwrap_or_else(|e| e.into_inner()).0);
        close_elsewhere(idle);
    }
}

/// A catch-up's reader: each page read as committed when it is read, on a pooled
/// connection. A snapshot may drop entries between pages; `core::CatchUp` then sends it.
struct Reader {
    pool: Arc<Pool>,
}

impl super::Reader for Reader {
    fn snapshot(&mut self, ws: &RelayId) -> Result<Option<(u64, SealedEntry)>, StoreError> {
        let row = self.pool.with(|c| c.query_opt("SELECT covers, entry FROM waymark_snapshots WHERE ws = $1", &[&ws.0.as_slice()]))?;
        let Some(row) = row else { return Ok(None) };
        let entry = decode_entry(row.get(1)).ok_or("a stored snapshot is damaged")?;
        Ok(Some((u(row.get(0)), entry)))
    }

    fn entries_after(&mut self, ws: &RelayId, after: u64, f: &mut dyn FnMut(u64, SealedEntry) -> bool) -> Result<(), StoreError> {
        let mut from = after;
        loop {
            // Up to PAGE entries, stopping once PAGE_BYTES are read (sizes come from
            // the rows' headers, without reading the entries twice).
            let rows = self.pool.with(|c| {
                c.query(
                    "SELECT seq, entry FROM (
                         SELECT seq, entry, sum(octet_length(entry)) OVER (ORDER BY seq) - octet_length(entry) AS before
                         FROM (SELECT seq, entry FROM waymark_entries WHERE ws = $1 AND seq > $2 ORDER BY seq LIMIT $3) page
                     ) sized WHERE before < $4 ORDER BY seq",
                    &[&ws.0.as_slice(), &i(from), &PAGE, &PAGE_BYTES],
                )
            })?;
            if rows.is_empty() {
                return Ok(());
            }
            for row in rows {
                let seq = u(row.get(0));
                let entry = decode_entry(row.get(1)).ok_or("a stored entry is damaged")?;
                from = seq;
                if !f(seq, entry) {
                    return Ok(());
                }
            }
        }
    }
}

/// A note as the text of a notification: `a relay ws seq`, `p relay ws from sealed`,
/// `s relay ws from to sealed`, `l relay ws from`, `g relay`, with the workspace in hex
/// and presence and signals in base64.
fn note_text(relay: u64, note: &Note) -> String {
    let hex = |ws: &RelayId| ws.0.iter().map(|b| format!("{b:02x}")).collect::<String>();
    match note {
        Note::Appended { ws, seq } => format!("a {relay} {} {seq}", hex(ws)),
        Note::Presence { ws, from, sealed } => format!("p {relay} {} {from} {}", hex(ws), base64::engine::general_purpose::STANDARD.encode(sealed)),
        Note::Signal { ws, from, to, sealed } => format!("s {relay} {} {from} {to} {}", hex(ws), base64::engine::general_purpose::STANDARD.encode(sealed)),
        Note::Left { ws, from } => format!("l {relay} {} {from}", hex(ws)),
        Note::RelayGone { relay: gone } => format!("g {relay} {gone}"),
        Note::Resync => format!("r {relay}"),
    }
}

/// A notification's note, and the relay that sent it; `None` if it is not one.
fn parse_note(text: &str) -> Option<(u64, Note)> {
    let mut parts = text.split(' ');
    let (kind, relay) = (parts.next()?, parts.next()?.parse().ok()?);
    let ws = |s: Option<&str>| -> Option<RelayId> {
        let s = s?;
        if s.len() != 64 {
            return None;
        }
        let mut id = [0u8; 32];
        for (n, b) in id.iter_mut().enumerate() {
            *b = u8::from_str_radix(s.get(2 * n..2 * n + 2)?, 16).ok()?;
        }
        Some(RelayId(id))
    };
    let note = match kind {
        "a" => Note::Appended { ws: ws(parts.next())?, seq: parts.next()?.parse().ok()? },
        "p" => {
            let (ws, from) = (ws(parts.next())?, parts.next()?.parse().ok()?);
            let sealed = base64::engine::general_purpose::STANDARD.decode(parts.next()?).ok()?;
            Note::Presence { ws, from, sealed }
        }
        "s" => {
            let (ws, from, to) = (ws(parts.next())?, parts.next()?.parse().ok()?, parts.next()?.parse().ok()?);
            let sealed = base64::engine::general_purpose::STANDARD.decode(parts.next()?).ok()?;
            Note::Signal { ws, from, to, sealed }
        }
        "l" => Note::Left { ws: ws(parts.next())?, from: parts.next()?.parse().ok()? },
        "g" => Note::RelayGone { relay: parts.next()?.parse().ok()? },
        _ => return None,
    };
    parts.next().is_none().then_some((relay, note))
}

/// The listening thread: passes the other relays' notes to the core, beats, and
/// notices relays that stopped beating. Connects again (and has the core read every
/// head again) whenever its connection drops.
fn listen(url: String, relay: u64, mut client: Client, to_core: Box<dyn Fn(Note) -> bool + Send>) {
    let mut last_beat = Instant::now() - BEAT;
    loop {
        let result = (|| -> Result<bool, StoreError> {
            loop {
                if last_beat.elapsed() >= BEAT {
                    last_beat = Instant::now();
                    beat(&mut client, relay)?;
                }
                // Each note goes to the core as soon as it arrives; the wait ends in
                // time for the next beat.
                let wait = BEAT.saturating_sub(last_beat.elapsed()).max(Duration::from_millis(1));
                let next = {
                    let mut all = client.notifications();
                    let mut iter = all.timeout_iter(wait);
                    iter.next()?
                };
                let Some(n) = next else { continue };
                let text = n.payload();
                match parse_note(text) {
                    // We are not gone, whoever thought so (the next beat registers us
                    // again); another relay gone is news even when we noticed it.
                    Some((_, Note::RelayGone { relay: gone })) if gone == relay => {}
                    Some((from, note)) if from != relay || matches!(note, Note::RelayGone { .. }) => {
                        if !to_core(note) {
                            return Ok(false);
                        }
                    }
                    Some(_) => {}
                    None => tracing::warn!(text = %text.chars().take(80).collect::<String>(), "a notification that is not a relay's note"),
                }
            }
        })();
        match result {
            Ok(false) => return,
            Ok(true) => {}
            Err(e) => tracing::warn!(error = %e, "the shared store's listening connection dropped; connecting again"),
        }
        // Again, until it works; then whatever was sent meanwhile is read from heads.
        loop {
            std::thread::sleep(BEAT);
            match connect(&url).and_then(|mut c| {
                c.batch_execute(&format!("LISTEN {CHANNEL}"))?;
                Ok(c)
            }) {
                Ok(c) => {
                    client = c;
                    break;
                }
                Err(e) => tracing::warn!(error = %e, "cannot reach the shared store yet"),
            }
        }
        if !to_core(Note::Resync) {
            return;
        }
    }
}

/// Says this relay is alive (registered again if another relay gave it up for gone),
/// and removes the relays that stopped beating, telling everyone.
fn beat(client: &mut Client, relay: u64) -> Result<(), StoreError> {
    let id = i(relay);
    if client.execute("UPDATE waymark_relays SET seen = now() WHERE id = $1", &[&id])? == 0 {
        client.execute("INSERT INTO waymark_relays (id) VALUES ($1) ON CONFLICT (id) DO UPDATE SET seen = now()", &[&id])?;
    }
    let stale = STALE.as_secs_f64();
    client.query(
        "WITH gone AS (DELETE FROM waymark_relays WHERE seen < now() - make_interval(secs => $1) RETURNING id)
         SELECT pg_notify($2, 'g ' || $3 || ' ' || id) FROM gone",
        &[&stale, &CHANNEL, &id.to_string()],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_read_back_as_written_and_garbage_is_no_note() {
        let ws = RelayId([0xab; 32]);
        for note in [
            Note::Appended { ws, seq: 42 },
            Note::Presence { ws, from: (3 << 40) + 7, sealed: vec![0, 1, 2, 255] },
            Note::Signal { ws, from: (3 << 40) + 7, to: (4 << 40) + 1, sealed: vec![9, 0, 255] },
            Note::Left { ws, from: 9 },
            Note::RelayGone { relay: 12 },
        ] {
            assert_eq!(parse_note(&note_text(5, &note)), Some((5, note)));
        }
        for junk in ["", "a", "a 1", "a 1 zz 3", "x 1 2", "a 1 abab 1", "g 1 2 3", "l 1 héhé 1"] {
            assert_eq!(parse_note(junk), None, "{junk:?}");
        }
    }
}
