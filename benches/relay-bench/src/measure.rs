//! The three measures, for any server the Rust client can speak to (the echo floor and
//! Waymark's relay): what differs between them is a [`Room`].

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::stream::{SplitSink, StreamExt, TryStreamExt};
use futures_util::SinkExt;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

use crate::report::Measures;
use crate::server::Server;
use crate::Settings;

pub type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// How long one change may take to reach everyone before the run is called failed.
const ROUND_TIMEOUT: Duration = Duration::from_secs(20);
/// How long the server gets to settle before its memory is read.
pub const SETTLE: Duration = Duration::from_secs(2);
/// Connections opened at once for the memory measure.
const OPENING_AT_ONCE: usize = 50;

/// Bytes of payload in each change, as in a typical edit (an incremental save of a
/// title or a sentence).
pub const PAYLOAD: usize = 200;

/// What a frame from the server means to the bench.
#[derive(Debug)]
pub enum Seen {
    /// The server has accepted our change `n` (for the echo floor: it came back to us).
    Ack(u64),
    /// Change `n` has arrived.
    Delivered(u64),
    /// The server refused something.
    Refused(String),
    /// Anything else (a ping, a presence message…).
    Other,
}

/// One workspace (or room) on a server: a publisher and subscribers join it, the
/// publisher sends changes, everyone reads what arrives.
pub trait Room: Send + Sync + 'static {
    /// A connection that has joined the room: from now on it receives what is published.
    fn join(&self) -> impl Future<Output = Result<Ws, String>> + Send;
    /// The frame that publishes change `n` (built before the clock starts).
    fn publish(&self, n: u64) -> Message;
    fn read(&self, frame: &Message) -> Seen;
}

/// Every measure, each in a fresh room from `room`: memory first (on a server that has
/// done little yet), then latency at each subscriber count, then appends.
pub async fn all<R: Room>(
    server: &mut Server,
    mut room: impl FnMut() -> Result<Arc<R>, String>,
    s: &Settings,
) -> Result<Measures, String> {
    eprintln!("relay-bench:   memory with {} idle connections…", s.idle);
    let kib_per_connection = idle_memory(room()?, server, s.idle).await?;
    server.check_alive()?;
    let mut latencies = Vec::new();
    for &subscribers in &s.subscribers {
        eprintln!("relay-bench:   one change to {subscribers} subscriber(s), {} times…", s.rounds);
        latencies.push((subscribers, latency(room()?, subscribers, s).await?));
        server.check_alive()?;
    }
    eprintln!("relay-bench:   appends for {} s, {} in flight…", s.seconds, s.window);
    let appends_per_s = appends(room()?, s).await?;
    server.check_alive()?;
    Ok(Measures { latency: latencies, appends_per_s, kib_per_connection })
}

/// `PAYLOAD` bytes: the change number, then text.
pub fn payload(n: u64) -> Vec<u8> {
    let mut out = n.to_be_bytes().to_vec();
    let text = b"Ideas: move the onboarding checklist into the first-run dialog; ";
    while out.len() < PAYLOAD {
        out.push(text[out.len() % text.len()]);
    }
    out
}

/// Fan-out latency with `subscribers` subscribers: for each change, the time from the
/// publisher's send until the last subscriber has it. Returns the measured rounds, in ms.
pub async fn latency<R: Room>(room: Arc<R>, subscribers: usize, s: &Settings) -> Result<Vec<f64>, String> {
    let (arrived_tx, mut arrived) = mpsc::unbounded_channel();
    let mut readers = Vec::new();
    for _ in 0..subscribers {
        let (_, stream) = room.join().await?.split();
        let (room, tx) = (room.clone(), arrived_tx.clone());
        readers.push(spawn_reader(stream, move |frame| match room.read(&frame) {
            Seen::Delivered(n) => tx.send(Ok((n, Instant::now()))).is_ok(),
            Seen::Refused(why) => {
                let _ = tx.send(Err(why));
                false
            }
            Seen::Ack(_) | Seen::Other => true,
        }));
    }
    drop(arrived_tx);
    let (mut publisher, acks) = publisher(&room).await?;
    let mut samples = Vec::with_capacity(s.rounds);
    let result = async {
        for n in 0..(s.warmup + s.rounds) as u64 {
            let frame = room.publish(n);
            let sent = Instant::now();
            publisher.send(frame).await.map_err(|e| format!("send: {e}"))?;
            let mut last = sent;
            let mut reached = 0;
            while reached < subscribers {
                let arrival = tokio::time::timeout(ROUND_TIMEOUT, arrived.recv())
                    .await
                    .map_err(|_| format!("change {n} reached {reached} of {subscribers} subscribers in {} s", ROUND_TIMEOUT.as_secs()))?
                    .ok_or("every subscriber's connection closed")??;
                if arrival.0 == n {
                    reached += 1;
                    last = last.max(arrival.1);
                }
            }
            if n >= s.warmup as u64 {
                samples.push(last.duration_since(sent).as_secs_f64() * 1e3);
            }
            tokio::time::sleep(s.pause).await;
        }
        Ok(())
    }
    .await;
    acks.1.abort();
    readers.iter().for_each(JoinHandle::abort);
    result.map(|()| samples)
}

/// Sustained appends: the publisher keeps `window` changes in flight (one more as each
/// is acknowledged) for `seconds`, with one subscriber receiving them. Returns appends
/// acknowledged per second.
pub async fn appends<R: Room>(room: Arc<R>, s: &Settings) -> Result<f64, String> {
    let (_, stream) = room.join().await?.split();
    let subscriber = spawn_reader(stream, |_| true);
    let (mut publisher, (mut acks, reader)) = publisher(&room).await?;
    let started = Instant::now();
    let deadline = started + Duration::from_secs(s.seconds);
    let (mut sent, mut acked) = (0u64, 0u64);
    let result = async {
        loop {
            while sent - acked < s.window as u64 {
                publisher.feed(room.publish(sent)).await.map_err(|e| format!("send: {e}"))?;
                sent += 1;
            }
            publisher.flush().await.map_err(|e| format!("send: {e}"))?;
            match tokio::time::timeout_at(deadline.into(), acks.recv()).await {
                Err(_) => return Ok(acked as f64 / started.elapsed().as_secs_f64()),
                Ok(None) => return Err("the publisher's connection closed".to_owned()),
                Ok(Some(ack)) => {
                    ack?;
                    acked += 1;
                }
            }
            while let Ok(ack) = acks.try_recv() {
                ack?;
                acked += 1;
            }
        }
    }
    .await;
    reader.abort();
    subscriber.abort();
    result
}

/// Memory per idle connection: the server's resident memory with one publisher
/// connected, then with `idle` more connections joined to the same room and quiet.
/// Returns KiB per connection.
pub async fn idle_memory<R: Room>(room: Arc<R>, server: &Server, idle: usize) -> Result<f64, String> {
    let (_publisher, (_acks, reader)) = publisher(&room).await?;
    tokio::time::sleep(SETTLE).await;
    let before = server.rss_kib()?;
    let connections: Vec<Ws> = futures_util::stream::iter(0..idle)
        .map(|_| room.join())
        .buffer_unordered(OPENING_AT_ONCE)
        .try_collect()
        .await
        .map_err(|e| format!("opening {idle} idle connections: {e}"))?;
    // Each is read (and answers pings) but receives nothing.
    let readers: Vec<_> = connections.into_iter().map(|ws| spawn_reader(ws.split().1, |_| true)).collect();
    tokio::time::sleep(SETTLE).await;
    let after = server.rss_kib()?;
    readers.iter().for_each(JoinHandle::abort);
    reader.abort();
    eprintln!("relay-bench:   resident memory {before} KiB with 1 connection, {after} KiB with {}", idle + 1);
    Ok(after.saturating_sub(before) as f64 / idle as f64)
}

type Publisher = SplitSink<Ws, Message>;
type Acks = (mpsc::UnboundedReceiver<Result<u64, String>>, JoinHandle<()>);

/// The publisher's connection, and the acknowledgements it receives.
async fn publisher<R: Room>(room: &Arc<R>) -> Result<(Publisher, Acks), String> {
    let (sink, stream) = room.join().await?.split();
    let (tx, rx) = mpsc::unbounded_channel();
    let room = room.clone();
    let reader = spawn_reader(stream, move |frame| match room.read(&frame) {
        Seen::Ack(n) | Seen::Delivered(n) => tx.send(Ok(n)).is_ok(),
        Seen::Refused(why) => {
            let _ = tx.send(Err(why));
            false
        }
        Seen::Other => true,
    });
    Ok((sink, (rx, reader)))
}

/// Reads a connection until it closes or `on_frame` says stop.
pub fn spawn_reader<S>(mut stream: S, mut on_frame: impl FnMut(Message) -> bool + Send + 'static) -> JoinHandle<()>
where
    S: futures_util::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin + Send + 'static,
{
    tokio::spawn(async move {
        while let Some(Ok(frame)) = stream.next().await {
            if !on_frame(frame) {
                break;
            }
        }
    })
}
