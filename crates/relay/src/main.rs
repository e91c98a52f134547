//! `waymark-relay`: serves the Waymark app and relays its encrypted changes.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;

use axum::serve::ListenerExt;
use clap::Parser;
use waymark_relay::Limits;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;
use tracing_subscriber::EnvFilter;

/// Serves the Waymark app and relays teammates' end-to-end encrypted changes.
///
/// The relay stores and forwards only ciphertext signed with each workspace's write
/// key; it never sees a key. Acknowledged changes are on disk (fsynced) in the data
/// directory and survive a crash.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "WAYMARK_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// The built app (trunk's output).
    #[arg(long, env = "WAYMARK_DIST", default_value = "dist")]
    dist: PathBuf,
    /// Where the relay keeps its data (created if missing).
    #[arg(long, env = "WAYMARK_DATA_DIR", default_value = "waymark-data")]
    data_dir: PathBuf,
    /// A PostgreSQL database to keep the log in instead of the data directory
    /// (`postgres://user:password@host:port/database`): several relays given the same
    /// one serve the same workspaces. The relay creates and migrates its tables.
    #[arg(long, env = "WAYMARK_STORE")]
    store: Option<String>,
    /// Largest WebSocket frame accepted, in bytes (told to clients; an entry must
    /// leave 64 bytes of it, so that the frame relaying it fits too).
    #[arg(long, env = "WAYMARK_MAX_FRAME", default_value_t = Limits::default().max_frame)]
    max_frame: usize,
    /// Largest total stored per workspace, in bytes (entries plus snapshot); a full
    /// workspace takes new changes again once a snapshot compacts it.
    #[arg(long, env = "WAYMARK_MAX_WORKSPACE_BYTES", default_value_t = Limits::default().max_workspace_bytes)]
    max_workspace_bytes: u64,
    /// Changes and snapshots per second per connection, sustained (a token bucket).
    #[arg(long, env = "WAYMARK_ENTRIES_PER_SECOND", default_value_t = Limits::default().entries_per_second)]
    entries_per_second: f64,
    /// Changes a connection may send at once before the rate applies.
    #[arg(long, env = "WAYMARK_ENTRIES_BURST", default_value_t = Limits::default().entries_burst)]
    entries_burst: f64,
    /// Simultaneous connections from one IP address. Loopback counts like any
    /// address: raise this for load tests from one machine (e.g. 1000000).
    #[arg(long, env = "WAYMARK_MAX_CONNECTIONS_PER_IP", default_value_t = Limits::default().max_connections_per_ip)]
    max_connections_per_ip: usize,
    /// Bytes queued for one connection before it counts as too slow and is closed.
    #[arg(long, env = "WAYMARK_MAX_QUEUED_BYTES", default_value_t = Limits::default().max_queued_bytes)]
    max_queued_bytes: usize,
    /// Bytes queued for all connections together; past it, connections that are more
    /// than 1 MiB behind are closed (they reconnect and catch up from storage).
    #[arg(long, env = "WAYMARK_MAX_TOTAL_QUEUED_BYTES", default_value_t = Limits::default().max_total_queued_bytes)]
    max_total_queued_bytes: usize,
    /// Bytes of received changes waiting to be stored; past it, changes are refused as
    /// rate limited and clients send them again.
    #[arg(long, env = "WAYMARK_MAX_PENDING_WRITE_BYTES", default_value_t = Limits::default().max_pending_write_bytes)]
    max_pending_write_bytes: usize,
    /// What all workspaces together may store, in bytes (entries, snapshots and 104
    /// bytes per change ever stored); past it, new changes are refused.
    #[arg(long, env = "WAYMARK_MAX_STORED_BYTES", default_value_t = Limits::default().max_stored_bytes)]
    max_stored_bytes: u64,
    /// New workspaces one address may start per hour, sustained.
    #[arg(long, env = "WAYMARK_NEW_WORKSPACES_PER_HOUR", default_value_t = Limits::default().new_workspaces_per_hour)]
    new_workspaces_per_hour: f64,
    /// New workspaces one address may start at once before the hourly rate applies.
    #[arg(long, env = "WAYMARK_NEW_WORKSPACES_BURST", default_value_t = Limits::default().new_workspaces_burst)]
    new_workspaces_burst: f64,
    /// Reverse proxies in front of the relay, comma-separated IP addresses: for a
    /// connection from one of them, the client's address is taken from the
    /// X-Forwarded-For header it sets. Without this, everyone behind the proxy shares
    /// the proxy's per-address limits.
    #[arg(long, env = "WAYMARK_TRUSTED_PROXIES", value_delimiter = ',')]
    trusted_proxies: Vec<std::net::IpAddr>,
}

#[tokio::main]
async fn main() {
    if let Err(e) = try_main().await {
        eprintln!("waymark-relay: {e}");
        std::process::exit(1);
    }
}

async fn try_main() -> Result<(), String> {
    // Logs go to stderr (colored only on a terminal); stdout says where the app is.
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let args = Args::parse();
    if !args.dist.join("index.html").is_file() {
        return Err(format!("{} has no index.html: build the app first with `cargo xtask build`", args.dist.display()));
    }
    std::fs::create_dir_all(&args.data_dir).map_err(|e| format!("cannot create data directory {}: {e}", args.data_dir.display()))?;
    let listener = tokio::net::TcpListener::bind(args.addr).await.map_err(|e| format!("cannot listen on {}: {e}", args.addr))?;
    let addr = listener.local_addr().map_err(|e| format!("cannot read the listening address: {e}"))?;
    // Frames are small and latency matters: no Nagle delay on an Ack or a fanned-out entry.
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
    });
    println!("Waymark is running at http://{addr}");
    // One log line per request (method, path, status, latency) at the default level.
    let trace = TraceLayer::new_for_http()
        .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
        .on_response(DefaultOnResponse::new().level(Level::INFO));
    let limits = Limits {
        max_frame: args.max_frame,
        max_workspace_bytes: args.max_workspace_bytes,
        entries_per_second: args.entries_per_second,
        entries_burst: args.entries_burst,
        max_connections_per_ip: args.max_connections_per_ip,
        max_queued_bytes: args.max_queued_bytes,
        max_total_queued_bytes: args.max_total_queued_bytes,
        max_pending_write_bytes: args.max_pending_write_bytes,
        max_stored_bytes: args.max_stored_bytes,
        new_workspaces_per_hour: args.new_workspaces_per_hour,
        new_workspaces_burst: args.new_workspaces_burst,
        trusted_proxies: args.trusted_proxies,
        ..Limits::default()
    };
    limits.check()?;
    let (data_dir, store) = (args.data_dir.clone(), args.store.clone());
    let place = match &store {
        Some(url) => format!("the PostgreSQL database {}", without_password(url)),
        None => data_dir.display().to_string(),
    };
    tracing::info!(store = %place, ?limits, "relay starting");
    // The PostgreSQL client blocks (on a runtime of its own): off the async threads.
    let started = tokio::task::spawn_blocking(move || waymark_relay::store::open(&data_dir, store.as_deref()).and_then(|store| waymark_relay::Relay::start_with(store, limits)))
        .await
        .map_err(|e| e.to_string())?;
    let (relay, handle) = started.map_err(|e| format!("cannot open the relay's storage in {place}: {e}"))?;
    let app = waymark_relay::app_with_relay(waymark_relay::Config { dist: args.dist }, relay).layer(trace);
    let handle = std::sync::Arc::new(handle);
    let closer = std::sync::Arc::clone(&handle);
    let served = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async move {
            shutdown().await;
            // WebSockets are long-lived: tell them to close so the server can finish.
            closer.close_connections();
        })
        .await
        .map_err(|e| e.to_string());
    // Connections close, then the core finishes its last commit.
    handle.stop().await;
    tracing::info!("stopped");
    served
}

/// A database URL for the log: its password, if any, left out.
fn without_password(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let user = &url[scheme + 3..at];
            let user = user.split(':').next().unwrap_or_default();
            format!("{}{user}@{}", &url[..scheme + 3], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

/// Resolves on Ctrl-C or SIGTERM, so in-flight requests finish before the server exits.
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
