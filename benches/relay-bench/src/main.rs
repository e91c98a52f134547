//! `relay-bench`: how fast one change reaches 1, 10 and 100 subscribers, how many
//! appends per second one publisher sustains, and how much memory an idle connection
//! costs, measured in the same run for three servers:
//!
//! - `echo`: a bare WebSocket broadcast server (this binary, `relay-bench echo-server`),
//!   the floor: it only forwards frames;
//! - `reference`: Automerge's `@automerge/automerge-repo-sync-server`, driven by
//!   `@automerge/automerge-repo` clients (`js/driver.mjs`, run with node);
//! - `waymark`: Waymark's relay, `waymark-relay`, speaking PROTOCOL.md.
//!
//! Each server runs as a process of its own, so its resident memory can be read from
//! `/proc`. BENCHMARKS.md ("Relay: method") describes what is measured and how.

mod echo;
mod measure;
mod reference;
mod report;
mod scale;
mod server;
mod soak;
mod waymark;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use report::TargetResult;

const USAGE: &str = "usage:
  relay-bench [options]          measure every target and print the table
  relay-bench echo-server [ADDR] run the echo floor server (default 127.0.0.1:0)
  relay-bench scale [--seconds N] [--window N] [--rounds N] [--relay PATH] [--json PATH]
                                 one relay on redb against 1, 2 and 4 relays on one
                                 PostgreSQL (started here): Ack and cross-relay delivery
                                 latency, appends/s and the cores used
  relay-bench soak [SECONDS] [SILENT] [ENTRY_KIB] [-- RELAY FLAGS…]
                                 a writer and subscribers that never read, for SECONDS
                                 (default 180); prints the relay's memory and file size

options:
  --targets LIST     comma-separated, of echo, reference, waymark (default: all three)
  --rounds N         measured changes per subscriber count (default 200)
  --warmup N         unmeasured changes first (default 20)
  --pause-ms N       pause between changes (default 120; Automerge's client and server
                     batch changes made within 100 ms of the last sync)
  --seconds N        length of the appends run (default 5)
  --window N         appends in flight at once (default 32)
  --idle N           idle connections for the memory measure (default 1000)
  --relay PATH       the waymark-relay binary (default target/release/waymark-relay)
  --node-modules DIR where the npm packages are installed (default .tools/automerge-bench)
  --json PATH        also write the results as JSON";

/// What to measure and how.
#[derive(Clone, Debug)]
pub struct Settings {
    pub targets: Vec<String>,
    pub subscribers: Vec<usize>,
    pub rounds: usize,
    pub warmup: usize,
    pub pause: Duration,
    pub seconds: u64,
    pub window: usize,
    pub idle: usize,
    pub relay: PathBuf,
    pub node_modules: PathBuf,
    pub json: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("echo-server") => echo::serve(args.get(1).map_or("127.0.0.1:0", String::as_str)),
        Some("soak") => {
            let (mine, relay_args) = match args.iter().position(|a| a == "--") {
                Some(i) => (&args[1..i], args[i + 1..].to_vec()),
                None => (&args[1..], Vec::new()),
            };
            let n = |i: usize, default: u64| mine.get(i).and_then(|v| v.parse().ok()).unwrap_or(default);
            soak::run(soak::Soak {
                relay: PathBuf::from("target/release/waymark-relay"),
                seconds: n(0, 180),
                silent: n(1, 40) as usize,
                entry_kib: n(2, 64) as usize,
                relay_args,
            })
        }
        Some("scale") => parse(&args[1..]).and_then(|s| {
            // 8 in flight per workspace unless told: 16 workspaces make 128 at once.
            let window = if args.iter().any(|a| a == "--window") { s.window } else { 8 };
            scale::run(scale::Scale { relay: s.relay, seconds: s.seconds, window, rounds: s.rounds, json: s.json })
        }),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => parse(&args).and_then(run),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("relay-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parse(args: &[String]) -> Result<Settings, String> {
    let mut s = Settings {
        targets: vec!["echo".into(), "reference".into(), "waymark".into()],
        subscribers: vec![1, 10, 100],
        rounds: 200,
        warmup: 20,
        pause: Duration::from_millis(120),
        seconds: 5,
        window: 32,
        idle: 1000,
        relay: PathBuf::from("target/release/waymark-relay"),
        node_modules: PathBuf::from(".tools/automerge-bench"),
        json: None,
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().cloned().ok_or_else(|| format!("{flag} needs a value\n\n{USAGE}"));
        let number = |v: String| v.parse::<u64>().map_err(|_| format!("{flag}: {v:?} is not a whole number"));
        match flag.as_str() {
            "--targets" => {
                s.targets = value()?.split(',').map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect();
                if let Some(bad) = s.targets.iter().find(|t| !matches!(t.as_str(), "echo" | "reference" | "waymark")) {
                    return Err(format!("unknown target {bad:?}: the targets are echo, reference and waymark"));
                }
            }
            "--rounds" => s.rounds = number(value()?)?.max(1) as usize,
            "--warmup" => s.warmup = number(value()?)? as usize,
            "--pause-ms" => s.pause = Duration::from_millis(number(value()?)?),
            "--seconds" => s.seconds = number(value()?)?.max(1),
            "--window" => s.window = number(value()?)?.max(1) as usize,
            "--idle" => s.idle = number(value()?)?.max(1) as usize,
            "--relay" => s.relay = PathBuf::from(value()?),
            "--node-modules" => s.node_modules = PathBuf::from(value()?),
            "--json" => s.json = Some(PathBuf::from(value()?)),
            other => return Err(format!("unknown option {other:?}\n\n{USAGE}")),
        }
    }
    Ok(s)
}

fn run(settings: Settings) -> Result<(), String> {
    // 1,000 idle connections need 1,000 descriptors here and as many in the server;
    // the servers are spawned from here and inherit the raised limit.
    let limit = server::raise_open_files(settings.idle as u64 + 512)?;
    eprintln!("relay-bench: open-file limit {limit} (for this process and the servers it starts)");
    // The client side runs on one thread, like the Node driver of the reference: the
    // server under test gets the other core.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    let mut results = Vec::new();
    for target in &settings.targets {
        eprintln!("relay-bench: ── target {target}");
        let outcome = runtime.block_on(async {
            match target.as_str() {
                "echo" => echo::bench(&settings).await,
                "reference" => reference::bench(&settings).await,
                _ => waymark::bench(&settings).await,
            }
        });
        if let Err(e) = &outcome {
            eprintln!("relay-bench: {target}: not measured: {e}");
        }
        results.push(TargetResult { name: target.clone(), outcome });
    }
    print!("{}", report::table(&settings, &results));
    if let Some(path) = &settings.json {
        std::fs::write(path, report::json(&settings, &results)).map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!("relay-bench: results written to {}", path.display());
    }
    Ok(())
}
