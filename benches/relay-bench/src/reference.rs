//! The reference: Automerge's `@automerge/automerge-repo-sync-server`, run with node,
//! driven by Automerge's own clients in `js/driver.mjs` (one run of the driver per
//! measure). `cargo xtask install` puts the npm packages in `.tools/automerge-bench`.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

use crate::measure::SETTLE;
use crate::report::Measures;
use crate::server::{free_port, require, scratch, Server};
use crate::Settings;

/// The driver, copied beside the packages when run so that their names resolve.
const DRIVER: &str = include_str!("../js/driver.mjs");
/// How long the driver may stay silent at most (connecting 1,000 idle clients, 5 s of
/// appends).
const DRIVER_TIMEOUT: Duration = Duration::from_secs(300);
/// How many times a latency run is tried. Now and then (about one run in three at 100
/// subscribers, on the 2-core machines of BENCHMARKS.md) the driver's node process goes
/// quiet in the middle of a run: idle, no output, and not even its own 30 s timeouts
/// fire. That is the client library's or node's, not the server's: a fresh driver
/// against the same server carries on. A stalled run is killed and run again, and the
/// table says nothing of it beyond this log line.
const LATENCY_ATTEMPTS: usize = 3;
/// What [`Driver::next`]'s error says when the driver stayed silent too long, and
/// what the retry looks for.
const SILENT: &str = "said nothing for";

pub async fn bench(s: &Settings) -> Result<Measures, String> {
    let modules = std::path::absolute(&s.node_modules).map_err(|e| e.to_string())?;
    let server_js = modules.join("node_modules/@automerge/automerge-repo-sync-server/src/index.js");
    require(&server_js, "Automerge's sync server", "`cargo xtask bench relay` installs it")?;
    let driver = modules.join("relay-bench-driver.mjs");
    std::fs::write(&driver, DRIVER).map_err(|e| format!("{}: {e}", driver.display()))?;

    let port = free_port()?;
    let dir = scratch("reference")?;
    let mut cmd = Command::new("node");
    cmd.arg(&server_js).env("PORT", port.to_string()).env("DATA_DIR", dir.join("data")).current_dir(&dir);
    let (mut server, ()) = Server::start("Automerge's sync server", cmd, dir, |line| line.starts_with("Listening on port").then_some(())).await?;
    let url = format!("ws://127.0.0.1:{port}");
    let result = async {
        eprintln!("relay-bench:   memory with {} idle connections…", s.idle);
        let kib_per_connection = idle(&server, &driver, &url, s.idle).await?;
        server.check_alive()?;
        let mut latency = Vec::new();
        for &n in &s.subscribers {
            eprintln!("relay-bench:   one change to {n} subscriber(s), {} times…", s.rounds);
            let args = [
                ("--subscribers", n.to_string()),
                ("--rounds", s.rounds.to_string()),
                ("--warmup", s.warmup.to_string()),
                ("--pause-ms", s.pause.as_millis().to_string()),
            ];
            // A run takes about (warmup + rounds) × (pause + its latency); give it a minute
            // more for its subscribers to connect before calling it stalled.
            let expected = (s.pause + Duration::from_millis(100)) * (s.warmup + s.rounds) as u32;
            let limit = Duration::from_secs(60) + expected;
            let mut attempt = 1;
            let event = loop {
                match Driver::start(&driver, "latency", &url, &args).await?.with_timeout(limit).finish().await {
                    Err(e) if e.contains(SILENT) && attempt < LATENCY_ATTEMPTS => {
                        attempt += 1;
                        eprintln!("relay-bench:   {e}: the driver stalled; running it again (attempt {attempt} of {LATENCY_ATTEMPTS})");
                    }
                    other => break other?,
                }
            };
            let samples = event["samples_ms"].as_array().ok_or("the driver gave no samples_ms")?;
            latency.push((n, samples.iter().filter_map(Value::as_f64).collect()));
            server.check_alive()?;
        }
        eprintln!("relay-bench:   appends for {} s, {} in flight…", s.seconds, s.window);
        let args = [("--seconds", s.seconds.to_string()), ("--window", s.window.to_string())];
        let event = Driver::start(&driver, "appends", &url, &args).await?.finish().await?;
        let (acked, seconds) = (event["acked"].as_f64(), event["seconds"].as_f64());
        let appends_per_s = acked.zip(seconds).map(|(a, s)| a / s).ok_or("the driver gave no acked/seconds")?;
        server.check_alive()?;
        Ok(Measures { latency, appends_per_s, kib_per_connection })
    }
    .await;
    server.stop().await;
    result
}

/// Memory per idle connection: the driver connects a publisher and says "baseline",
/// then opens `count` subscribers that find the document, and says "open".
async fn idle(server: &Server, driver: &Path, url: &str, count: usize) -> Result<f64, String> {
    let mut run = Driver::start(driver, "idle", url, &[("--connections", count.to_string())]).await?;
    run.expect("baseline").await?;
    tokio::time::sleep(SETTLE).await;
    let before = server.rss_kib()?;
    run.reply().await?;
    run.expect("open").await?;
    tokio::time::sleep(SETTLE).await;
    let after = server.rss_kib()?;
    run.reply().await?;
    run.wait().await?;
    eprintln!("relay-bench:   resident memory {before} KiB with 1 connection, {after} KiB with {}", count + 1);
    Ok(after.saturating_sub(before) as f64 / count as f64)
}

/// One run of the driver.
struct Driver {
    child: Child,
    lines: Lines<BufReader<ChildStdout>>,
    stdin: ChildStdin,
    script: PathBuf,
    timeout: Duration,
}

impl Driver {
    async fn start(script: &Path, measure: &str, url: &str, args: &[(&str, String)]) -> Result<Driver, String> {
        let mut cmd = Command::new("node");
        cmd.arg(script).arg(measure).args(["--url", url]);
        for (flag, value) in args {
            cmd.args([flag, value.as_str()]);
        }
        cmd.current_dir(script.parent().unwrap_or(Path::new(".")));
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::inherit()).kill_on_drop(true);
        let mut child = cmd.spawn().map_err(|e| format!("could not run node (is it installed?): {e}"))?;
        let lines = BufReader::new(child.stdout.take().ok_or("no stdout")?).lines();
        let stdin = child.stdin.take().ok_or("no stdin")?;
        Ok(Driver { child, lines, stdin, script: script.to_owned(), timeout: DRIVER_TIMEOUT })
    }

    /// How long the driver may stay silent before it is taken for stalled.
    fn with_timeout(mut self, timeout: Duration) -> Driver {
        self.timeout = timeout;
        self
    }

    /// The driver's next event (a JSON line with an "event"); its "error" is an error.
    async fn next(&mut self) -> Result<Value, String> {
        loop {
            let line = tokio::time::timeout(self.timeout, self.lines.next_line())
                .await
                .map_err(|_| format!("{} {SILENT} {} s", self.script.display(), self.timeout.as_secs()))?
                .map_err(|e| e.to_string())?;
            let Some(line) = line else {
                let status = self.child.wait().await.map_err(|e| e.to_string())?;
                return Err(format!("the driver ended ({status}) before it gave its result"));
            };
            let Ok(event) = serde_json::from_str::<Value>(&line) else { continue };
            match event["event"].as_str() {
                Some("error") => return Err(format!("the driver failed: {}", event["message"].as_str().unwrap_or("?"))),
                Some(_) => return Ok(event),
                None => continue,
            }
        }
    }

    async fn expect(&mut self, name: &str) -> Result<Value, String> {
        let event = self.next().await?;
        if event["event"] == name {
            Ok(event)
        } else {
            Err(format!("the driver said {event} where {name:?} was expected"))
        }
    }

    async fn reply(&mut self) -> Result<(), String> {
        self.stdin.write_all(b"\n").await.map_err(|e| format!("writing to the driver: {e}"))?;
        self.stdin.flush().await.map_err(|e| e.to_string())
    }

    /// The result event, then the driver's exit.
    async fn finish(mut self) -> Result<Value, String> {
        let event = self.next().await?;
        self.wait().await?;
        Ok(event)
    }

    async fn wait(&mut self) -> Result<(), String> {
        let status = self.child.wait().await.map_err(|e| e.to_string())?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("the driver ended with {status}"))
        }
    }
}
