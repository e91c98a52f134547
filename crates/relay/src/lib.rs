//! Waymark's server: serves the built app, and relays teammates' encrypted changes
//! over WebSockets (`/sync`, PROTOCOL.md). It never holds a key or plaintext: it is
//! given none. It stores sealed entries durably and checks their signatures against
//! the workspace id, which is the write public key.

mod assets;
mod core;
pub mod store;
pub mod sync;

use std::path::PathBuf;
use std::sync::Arc;

use axum::{routing::get, Router};
use tower_http::compression::CompressionLayer;

pub use sync::{Limits, Relay, RelayHandle};

/// Where the server finds what it serves.
#[derive(Clone, Debug)]
pub struct Config {
    /// The app as built by trunk (`dist/`).
    pub dist: PathBuf,
}

/// The app's routes: `/healthz`, and the app for everything else.
pub fn app(config: Config) -> Router {
    let config = Arc::new(config);
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .fallback(assets::serve)
        .with_state(config)
        .layer(CompressionLayer::new().gzip(true))
}

/// The app's routes plus the relay at `/sync`.
pub fn app_with_relay(config: Config, relay: Relay) -> Router {
    let sync = Router::new().route("/sync", get(sync::endpoint)).with_state(relay);
    // The WebSocket route stays outside the compression layer.
    sync.merge(app(config))
}
