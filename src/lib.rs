//! Waymark's browser app: a local-first workspace for technical product management.
//!
//! `main.rs` only calls [`start`]; the modules are a library so that browser tests
//! (tests/*.rs, run in headless Chromium) can exercise storage and sessions directly.

mod app;
mod components;
pub mod doc_worker;
mod pages;
pub mod route;
pub mod session;
pub mod storage;
pub mod sync;
pub mod util;

/// Mounts the app on the page and installs the offline app shell.
pub fn start() {
    console_error_panic_hook::set_once();
    register_service_worker();
    leptos::mount::mount_to_body(app::App);
}

/// Installs the service worker (built by `cargo xtask build` as /sw.js).
fn register_service_worker() {
    let Some(window) = web_sys::window() else { return };
    let container = window.navigator().service_worker();
    if container.is_undefined() {
        return;
    }
    let promise = container.register("/sw.js");
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = wasm_bindgen_futures::JsFuture::from(promise).await {
            leptos::logging::warn!("offline support is unavailable: {e:?}");
        }
    });
}
