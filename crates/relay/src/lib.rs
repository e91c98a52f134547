//! Waymark's server. Today it serves the built app; the relay issue adds encrypted
//! sync. It never holds a key or plaintext: nothing here is given any.

mod assets;

use std::path::PathBuf;
use std::sync::Arc;

use axum::{routing::get, Router};
use tower_http::compression::CompressionLayer;

/// Where the server finds what it serves.
#[derive(Clone, Debug)]
pub struct Config {
    /// The app as built by trunk (`dist/`).
    pub dist: PathBuf,
}

/// The server's routes: `/healthz`, and the app for everything else.
pub fn app(config: Config) -> Router {
    let config = Arc::new(config);
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .fallback(assets::serve)
        .with_state(config)
        .layer(CompressionLayer::new().gzip(true))
}
