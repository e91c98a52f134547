//! `relay-bench soak`: a writer keeps changing one workspace (and compacting it with a
//! snapshot every 100 changes, as the app does every 200), while subscribers that
//! never read keep coming: some subscribe from the start (a catch-up they never take),
//! others follow live changes they never read; each holds its connection for a while,
//! then drops it and comes back. Every few seconds the relay's resident memory and its
//! data file are printed: with its budgets, neither grows without bound.

use std::path::Path;
use std::time::{Duration, Instant};

use futures_util::SinkExt;
use tokio_tungstenite::tungstenite::Message as Frame;
use waymark_protocol::{Capability, EntryKind, Message, RelayId, VERSION};

use crate::measure::Ws;
use crate::server::{require, rss_kib, scratch, Server};

/// What the soak does.
pub struct Soak {
    pub relay: std::path::PathBuf,
    pub seconds: u64,
    pub silent: usize,
    pub entry_kib: usize,
    /// Extra flags for the relay (its budgets), as given.
    pub relay_args: Vec<String>,
}

pub fn run(s: Soak) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().map_err(|e| e.to_string())?;
    runtime.block_on(soak(s))
}

async fn soak(s: Soak) -> Result<(), String> {
    require(&s.relay, "waymark-relay", "build it with `cargo build --release -p waymark-relay`, or pass --relay")?;
    crate::server::raise_open_files(s.silent as u64 * 2 + 256)?;
    let dir = scratch("soak")?;
    let dist = dir.join("dist");
    std::fs::create_dir_all(&dist).map_err(|e| e.to_string())?;
    std::fs::write(dist.join("index.html"), "<!doctype html><title>soak</title>\n").map_err(|e| e.to_string())?;
    let data = dir.join("data");
    let mut cmd = tokio::process::Command::new(&s.relay);
    cmd.arg("--addr").arg("127.0.0.1:0").arg("--dist").arg(&dist).arg("--data-dir").arg(&data);
    cmd.args(["--entries-per-second", "1e9", "--entries-burst", "1e9", "--max-connections-per-ip", "1000000"]);
    cmd.args(&s.relay_args);
    cmd.env("RUST_LOG", "warn");
    let (server, addr) = Server::start("waymark-relay", cmd, dir, |line| line.strip_prefix("Waymark is running at http://").map(|a| a.trim().to_owned())).await?;
    let url = format!("ws://{addr}/sync");
    let cap = Capability::generate().map_err(|e| e.to_string())?;
    let ws = cap.relay_id();

    let mut writer = connect(&url, ws).await?;
    let deadline = Instant::now() + Duration::from_secs(s.seconds);
    for i in 0..s.silent {
        let url = url.clone();
        // Half catch up from the start and never take it; half follow live changes.
        let after = if i % 2 == 0 { 0 } else { u64::MAX / 2 };
        tokio::spawn(async move {
            while Instant::now() < deadline {
                if let Ok(mut silent) = connect_only(&url).await {
                    let _ = silent.send(Frame::binary(Message::Subscribe { workspace: ws, after }.encode())).await;
                    tokio::time::sleep(Duration::from_secs(20)).await;
                    drop(silent);
                }
            }
        });
    }
    println!("{:>6}  {:>9}  {:>9}  {:>8}", "s", "RSS MiB", "file MiB", "changes");
    let payload = vec![7u8; s.entry_kib << 10];
    let started = Instant::now();
    let mut last_report = Instant::now() - Duration::from_secs(10);
    let (mut seq, mut peak_rss, mut peak_file) = (0u64, 0u64, 0u64);
    let mut request = 0u32;
    while Instant::now() < deadline {
        request += 1;
        let entry = cap.seal_entry(EntryKind::Change, &payload).map_err(|e| e.to_string())?;
        writer.send(Frame::binary(Message::Append { workspace: ws, request, entry }.encode())).await.map_err(|e| e.to_string())?;
        seq = ack(&mut writer, request).await?;
        if seq % 100 == 0 {
            request += 1;
            let snapshot = cap.seal_entry(EntryKind::Snapshot { covers: seq }, &payload).map_err(|e| e.to_string())?;
            writer.send(Frame::binary(Message::Snapshot { workspace: ws, request, covers: seq, entry: snapshot }.encode())).await.map_err(|e| e.to_string())?;
            ack(&mut writer, request).await?;
        }
        if last_report.elapsed() >= Duration::from_secs(10) {
            last_report = Instant::now();
            let rss = rss_kib(server.pid)? / 1024;
            let file = file_mib(&data.join("relay.redb"));
            peak_rss = peak_rss.max(rss);
            peak_file = peak_file.max(file);
            println!("{:>6}  {:>9}  {:>9}  {:>8}", started.elapsed().as_secs(), rss, file, seq);
        }
    }
    println!("peak: {peak_rss} MiB resident, {peak_file} MiB file; {seq} changes of {} KiB, {} silent subscribers", s.entry_kib, s.silent);
    server.stop().await;
    Ok(())
}

fn file_mib(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len() >> 20).unwrap_or(0)
}

async fn connect_only(url: &str) -> Result<Ws, String> {
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.map_err(|e| e.to_string())?;
    ws.send(Frame::binary(Message::Hello { min_version: VERSION, max_version: VERSION }.encode())).await.map_err(|e| e.to_string())?;
    Ok(ws)
}

/// A writer: connected, subscribed, caught up.
async fn connect(url: &str, ws: RelayId) -> Result<Ws, String> {
    let mut c = connect_only(url).await?;
    c.send(Frame::binary(Message::Subscribe { workspace: ws, after: 0 }.encode())).await.map_err(|e| e.to_string())?;
    loop {
        if let Message::Entries { .. } = next(&mut c).await? {
            return Ok(c);
        }
    }
}

async fn next(c: &mut Ws) -> Result<Message, String> {
    use futures_util::StreamExt;
    loop {
        match c.next().await {
            Some(Ok(Frame::Binary(b))) => return Message::decode(&b).map_err(|e| e.to_string()),
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err(e.to_string()),
            None => return Err("the relay closed the writer's connection".into()),
        }
    }
}

async fn ack(c: &mut Ws, request: u32) -> Result<u64, String> {
    loop {
        match next(c).await? {
            Message::Ack { request: r, seq, .. } if r == request => return Ok(seq),
            Message::Error { code, message, .. } => return Err(format!("the relay refused the writer: {code:?}: {message}")),
            _ => {}
        }
    }
}
