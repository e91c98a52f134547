//! `waymark-relay`: serves the Waymark app.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;
use tracing_subscriber::EnvFilter;

/// Serves the Waymark app (and, from the relay issue on, relays encrypted changes).
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
    println!("Waymark is running at http://{addr}");
    // One log line per request (method, path, status, latency) at the default level.
    let trace = TraceLayer::new_for_http()
        .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
        .on_response(DefaultOnResponse::new().level(Level::INFO));
    let app = waymark_relay::app(waymark_relay::Config { dist: args.dist }).layer(trace);
    axum::serve(listener, app).with_graceful_shutdown(shutdown()).await.map_err(|e| e.to_string())
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
