//! `relay-bench scale`: one relay on its embedded store (redb) against 1, 2 and 4
//! relays sharing one PostgreSQL (a throwaway cluster started here), in one run.
//!
//! For each setup:
//! - **Paced**: one change every 20 ms from a publisher on the first relay to a
//!   subscriber on the last one (another relay whenever there are several): the Ack's
//!   latency and the delivery's, from send.
//! - **Sustained**: 16 workspaces, each with a publisher keeping `window` changes in
//!   flight on relay `i mod n` and a subscriber on the next relay, for `seconds`:
//!   acknowledged appends per second and the Ack latency under that load, with the
//!   CPU the relays and PostgreSQL used (cores = CPU seconds / wall seconds).
//!
//! The client side runs on one thread. On a machine of 2 cores the relays and
//! PostgreSQL share the other one with it; the per-append CPU costs printed are what
//! tells where more cores would take the throughput.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;

use crate::measure::{spawn_reader, Room, Seen};
use crate::report::quantile;
use crate::server::{require, Server};
use crate::waymark::{start_relay, Workspace};

pub struct Scale {
    pub relay: PathBuf,
    pub seconds: u64,
    pub window: usize,
    pub rounds: usize,
    pub json: Option<PathBuf>,
}

const WORKSPACES: usize = 16;
const PACE: Duration = Duration::from_millis(20);
const WARMUP: usize = 20;
const TIMEOUT: Duration = Duration::from_secs(20);

struct Setup {
    name: String,
    relays: usize,
    paced_ack: Vec<f64>,
    paced_delivery: Vec<f64>,
    appends_per_s: f64,
    loaded_ack: Vec<f64>,
    relay_cores: f64,
    postgres_cores: f64,
    /// PostgreSQL's commits per second during the sustained run (none for redb).
    commits_per_s: Option<f64>,
}

pub fn run(s: Scale) -> Result<(), String> {
    require(&s.relay, "waymark-relay", "build it with `cargo build --release -p waymark-relay`, or pass --relay")?;
    eprintln!("relay-bench scale: starting a throwaway PostgreSQL…");
    let pg = pg_scratch::Cluster::start()?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    let mut setups = Vec::new();
    for (name, relays, store) in [("redb, 1 relay", 1, None), ("PostgreSQL, 1 relay", 1, Some(pg.url())), ("PostgreSQL, 2 relays", 2, Some(pg.url())), ("PostgreSQL, 4 relays", 4, Some(pg.url()))] {
        eprintln!("relay-bench scale: ── {name}");
        let setup = runtime.block_on(measure(&s, name, relays, store.as_deref()))?;
        setups.push(setup);
    }
    print!("{}", table(&s, &setups));
    if let Some(path) = &s.json {
        std::fs::write(path, json(&setups)).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

async fn start_relays(s: &Scale, n: usize, store: Option<&str>) -> Result<Vec<(Server, String)>, String> {
    let mut relays = Vec::new();
    for i in 0..n {
        relays.push(start_relay(&s.relay, &format!("scale-{i}"), store).await?);
    }
    Ok(relays)
}

async fn measure(s: &Scale, name: &str, n: usize, store: Option<&str>) -> Result<Setup, String> {
    let relays = start_relays(s, n, store).await?;
    let urls: Vec<String> = relays.iter().map(|(_, u)| u.clone()).collect();
    let (paced_ack, paced_delivery) = paced(s, &urls).await?;
    let pids: Vec<u32> = relays.iter().map(|(server, _)| server.pid).collect();
    let (appends_per_s, loaded_ack, relay_cores, postgres_cores, commits_per_s) = sustained(s, &urls, &pids, store).await?;
    for (server, _) in relays {
        server.stop().await;
    }
    Ok(Setup { name: name.to_owned(), relays: n, paced_ack, paced_delivery, appends_per_s, loaded_ack, relay_cores, postgres_cores, commits_per_s })
}

/// Write transactions PostgreSQL has started so far (the next transaction id), if
/// there is a database. Asked from a thread of its own: the client blocks on a
/// runtime of its own.
fn transactions(store: Option<&str>) -> Result<Option<i64>, String> {
    let Some(url) = store.map(str::to_owned) else { return Ok(None) };
    std::thread::spawn(move || -> Result<i64, String> {
        let mut c = postgres::Client::connect(&url, postgres::NoTls).map_err(|e| e.to_string())?;
        let row = c.query_one("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint", &[]).map_err(|e| e.to_string())?;
        Ok(row.get(0))
    })
    .join()
    .map_err(|_| "the transaction count panicked".to_owned())?
    .map(Some)
}

/// Times of what the publisher's and the subscriber's readers saw, by change number.
type Arrivals = mpsc::UnboundedReceiver<(u64, Instant)>;

fn reader(room: &Arc<Workspace>, stream: futures_util::stream::SplitStream<crate::measure::Ws>, ack: bool) -> (tokio::task::JoinHandle<()>, Arrivals) {
    let (tx, rx) = mpsc::unbounded_channel();
    let room = Arc::clone(room);
    let task = spawn_reader(stream, move |frame| match room.read(&frame) {
        Seen::Ack(n) if ack => tx.send((n, Instant::now())).is_ok(),
        Seen::Delivered(n) if !ack => tx.send((n, Instant::now())).is_ok(),
        Seen::Refused(why) => {
            eprintln!("relay-bench scale: refused: {why}");
            false
        }
        _ => true,
    });
    (task, rx)
}

async fn until(rx: &mut Arrivals, n: u64) -> Result<Instant, String> {
    loop {
        let (m, at) = tokio::time::timeout(TIMEOUT, rx.recv()).await.map_err(|_| format!("change {n} not seen in {} s", TIMEOUT.as_secs()))?.ok_or("a connection closed")?;
        if m == n {
            return Ok(at);
        }
    }
}

/// One change at a time: (Ack ms, delivery ms) per round.
async fn paced(s: &Scale, urls: &[String]) -> Result<(Vec<f64>, Vec<f64>), String> {
    let room = Arc::new(Workspace::new(&urls[0], WARMUP + s.rounds)?);
    let (_, sub_stream) = room.join_at(urls.last().expect("one relay at least")).await?.split();
    let (sub_task, mut delivered) = reader(&room, sub_stream, false);
    let (mut sink, stream) = room.join_at(&urls[0]).await?.split();
    let (pub_task, mut acked) = reader(&room, stream, true);
    let (mut acks, mut deliveries) = (Vec::new(), Vec::new());
    for n in 0..(WARMUP + s.rounds) as u64 {
        let frame = room.publish(n);
        let sent = Instant::now();
        sink.send(frame).await.map_err(|e| format!("send: {e}"))?;
        let ack = until(&mut acked, n).await?;
        let delivery = until(&mut delivered, n).await?;
        if n >= WARMUP as u64 {
            acks.push(ack.duration_since(sent).as_secs_f64() * 1e3);
            deliveries.push(delivery.duration_since(sent).as_secs_f64() * 1e3);
        }
        tokio::time::sleep(PACE).await;
    }
    sub_task.abort();
    pub_task.abort();
    Ok((acks, deliveries))
}

/// CPU ticks used so far by `pids` and by every process named `postgres`.
fn cpu_ticks(pids: &[u32]) -> (u64, u64) {
    let ticks = |pid: &str| -> Option<(String, u64)> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let (name, rest) = stat.split_once(" (")?.1.rsplit_once(") ")?;
        let fields: Vec<&str> = rest.split(' ').collect();
        Some((name.to_owned(), fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?))
    };
    let relays = pids.iter().filter_map(|p| ticks(&p.to_string())).map(|(_, t)| t).sum();
    let postgres = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str().filter(|n| n.bytes().all(|b| b.is_ascii_digit())).and_then(ticks))
        .filter(|(name, _)| name == "postgres")
        .map(|(_, t)| t)
        .sum();
    (relays, postgres)
}

/// Appends per second, Ack latencies (ms), cores used by relays and PostgreSQL, and
/// PostgreSQL's write transactions (group commits) per second.
async fn sustained(s: &Scale, urls: &[String], pids: &[u32], store: Option<&str>) -> Result<(f64, Vec<f64>, f64, f64, Option<f64>), String> {
    let per_workspace = (s.seconds as usize * 20_000 / WORKSPACES).max(256);
    let (done_tx, mut done) = mpsc::unbounded_channel::<(usize, u64, Instant)>();
    let mut rooms = Vec::new();
    let mut sinks = Vec::new();
    let mut tasks = Vec::new();
    for w in 0..WORKSPACES {
        let room = Arc::new(Workspace::new(&urls[w % urls.len()], per_workspace)?);
        let (_, sub) = room.join_at(&urls[(w + 1) % urls.len()]).await?.split();
        tasks.push(spawn_reader(sub, |_| true));
        let (sink, stream) = room.join_at(&urls[w % urls.len()]).await?.split();
        let (task, mut acked) = reader(&room, stream, true);
        tasks.push(task);
        let tx = done_tx.clone();
        tasks.push(tokio::spawn(async move {
            while let Some((n, at)) = acked.recv().await {
                if tx.send((w, n, at)).is_err() {
                    break;
                }
            }
        }));
        rooms.push(room);
        sinks.push(sink);
    }
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    let transactions_before = transactions(store)?;
    let before = cpu_ticks(pids);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(s.seconds);
    let mut sent_at: HashMap<(usize, u64), Instant> = HashMap::new();
    let mut next = [0u64; WORKSPACES];
    let mut latencies = Vec::new();
    for w in 0..WORKSPACES {
        for _ in 0..s.window {
            sent_at.insert((w, next[w]), Instant::now());
            sinks[w].feed(rooms[w].publish(next[w])).await.map_err(|e| format!("send: {e}"))?;
            next[w] += 1;
        }
        sinks[w].flush().await.map_err(|e| format!("send: {e}"))?;
    }
    let mut acked = 0u64;
    loop {
        let Ok(got) = tokio::time::timeout_at(deadline.into(), done.recv()).await else { break };
        let (w, n, at) = got.ok_or("every connection closed")?;
        if let Some(sent) = sent_at.remove(&(w, n)) {
            latencies.push(at.duration_since(sent).as_secs_f64() * 1e3);
            acked += 1;
        }
        if next[w] as usize >= per_workspace {
            return Err(format!("workspace {w} ran out of distinct entries ({per_workspace})"));
        }
        sent_at.insert((w, next[w]), Instant::now());
        sinks[w].send(rooms[w].publish(next[w])).await.map_err(|e| format!("send: {e}"))?;
        next[w] += 1;
    }
    let wall = started.elapsed().as_secs_f64();
    let after = cpu_ticks(pids);
    let commits_per_s = transactions(store)?.zip(transactions_before).map(|(after, before)| (after - before) as f64 / wall);
    tasks.iter().for_each(|t| t.abort());
    let relay_cores = (after.0 - before.0) as f64 / hz / wall;
    let postgres_cores = after.1.saturating_sub(before.1) as f64 / hz / wall;
    Ok((acked as f64 / wall, latencies, relay_cores, postgres_cores, commits_per_s))
}

fn ms(samples: &[f64]) -> String {
    format!("{:.2} / {:.2}", quantile(samples, 0.5), quantile(samples, 0.95))
}

fn table(s: &Scale, setups: &[Setup]) -> String {
    let mut out = format!(
        "\nrelay scale-out: paced = one change every {} ms, publisher on the first relay, subscriber on the last \
         ({} rounds, ms median / p95 from send); sustained = {WORKSPACES} workspaces, {} in flight each, {} s\n\n",
        PACE.as_millis(),
        s.rounds,
        s.window,
        s.seconds
    );
    out += "| setup | paced Ack | paced delivery (other relay) | appends/s | Ack under load | relays' cores | PostgreSQL's cores | CPU ms per append (relays + PostgreSQL) | PostgreSQL write transactions/s |\n|---|---|---|---|---|---|---|---|---|\n";
    for x in setups {
        let per_append = (x.relay_cores + x.postgres_cores) / x.appends_per_s.max(1e-9) * 1e3;
        out += &format!(
            "| {} | {} | {} | {:.0} | {} | {:.2} | {:.2} | {:.3} | {} |\n",
            x.name,
            ms(&x.paced_ack),
            ms(&x.paced_delivery),
            x.appends_per_s,
            ms(&x.loaded_ack),
            x.relay_cores,
            x.postgres_cores,
            per_append,
            x.commits_per_s.map_or("—".to_owned(), |c| format!("{c:.0}"))
        );
    }
    out
}

fn json(setups: &[Setup]) -> String {
    let rows: Vec<serde_json::Value> = setups
        .iter()
        .map(|x| {
            serde_json::json!({
                "setup": x.name, "relays": x.relays,
                "paced_ack_ms": [quantile(&x.paced_ack, 0.5), quantile(&x.paced_ack, 0.95)],
                "paced_delivery_ms": [quantile(&x.paced_delivery, 0.5), quantile(&x.paced_delivery, 0.95)],
                "appends_per_s": x.appends_per_s,
                "loaded_ack_ms": [quantile(&x.loaded_ack, 0.5), quantile(&x.loaded_ack, 0.95)],
                "relay_cores": x.relay_cores, "postgres_cores": x.postgres_cores, "commits_per_s": x.commits_per_s,
            })
        })
        .collect();
    serde_json::to_string_pretty(&rows).unwrap_or_default()
}
