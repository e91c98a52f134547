//! End-to-end harness: the real server binary and headless Chromium driven through
//! chromedriver, with helpers that act the way a person does (click, type, wait).
//!
//! `cargo xtask test` sets `WAYMARK_RELAY_BIN` (the built server) and `WAYMARK_DIST`
//! (the built app) before running these tests.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

mod reap;

/// How long a wait lasts before the test fails with what it was waiting for.
pub const TIMEOUT: Duration = Duration::from_secs(15);

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free local port")
}

fn env_path(name: &str) -> PathBuf {
    PathBuf::from(std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: run the end-to-end tests with `cargo xtask test`")))
}

/// The Waymark server, running as its real binary on a free local port.
pub struct Relay {
    child: Option<reap::Owned>,
    port: u16,
    data: tempfile::TempDir,
    dist: PathBuf,
    /// The PostgreSQL database it shares with other relays, if any.
    store: Option<String>,
}

impl Relay {
    /// The server, serving the built app.
    pub async fn start() -> Relay {
        Relay::start_with_dist(env_path("WAYMARK_DIST")).await
    }

    /// The server, serving the app from `dist` (e.g. a copy a test changes).
    pub async fn start_with_dist(dist: PathBuf) -> Relay {
        let mut relay = Relay { child: None, port: free_port(), data: tempfile::tempdir().expect("temp dir"), dist, store: None };
        relay.spawn().await;
        relay
    }

    /// A server keeping its log in the PostgreSQL database at `url`, which other
    /// relays may share.
    pub async fn start_on_store(url: &str) -> Relay {
        let dist = env_path("WAYMARK_DIST");
        let mut relay = Relay { child: None, port: free_port(), data: tempfile::tempdir().expect("temp dir"), dist, store: Some(url.to_owned()) };
        relay.spawn().await;
        relay
    }

    async fn spawn(&mut self) {
        let mut command = Command::new(env_path("WAYMARK_RELAY_BIN"));
        if let Some(url) = &self.store {
            command.args(["--store", url]);
        }
        let child = command
            .args(["--addr", &format!("127.0.0.1:{}", self.port)])
            .arg("--dist")
            .arg(&self.dist)
            .arg("--data-dir")
            .arg(self.data.path())
            // Its errors show in the test output; its per-request log lines do not.
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the server starts");
        self.child = Some(reap::Owned::new(child));
        let deadline = Instant::now() + TIMEOUT;
        while !healthy(self.port) {
            if let Some(status) = self.child.as_mut().and_then(reap::Owned::exited) {
                panic!("the server exited at start ({status})");
            }
            assert!(Instant::now() < deadline, "the server did not answer /healthz within {TIMEOUT:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The address of `path` on this server, e.g. `url("/")`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The built app it serves.
    pub fn dist(&self) -> &Path {
        &self.dist
    }

    /// Where the server keeps its data.
    pub fn data_dir(&self) -> &Path {
        self.data.path()
    }

    /// Stops the server (the browser keeps running).
    pub fn stop(&mut self) {
        // Dropping it kills the process and waits for it.
        self.child = None;
    }

    /// Starts the server again on the same port with the same data.
    pub async fn restart(&mut self) {
        self.stop();
        self.spawn().await;
    }

    /// Starts the server again on the same port with an empty data directory, as after
    /// a relay is reset or its disk lost.
    pub async fn restart_empty(&mut self) {
        self.stop();
        self.data = tempfile::tempdir().expect("temp dir");
        self.spawn().await;
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Whether a server on `port` answers `GET /healthz` with 200 `ok`.
fn healthy(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else { return false };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if stream.write_all(b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").is_err() {
        return false;
    }
    let mut reply = String::new();
    let _ = stream.read_to_string(&mut reply);
    reply.split_whitespace().nth(1) == Some("200") && reply.ends_with("ok")
}

/// Headless Chromium with a fresh profile of its own (two Browsers are two people).
pub struct Browser {
    pub client: Client,
    // Dropped after `client` and before `_profile`: Chromium ends before its profile goes.
    _driver: reap::Owned,
    _profile: tempfile::TempDir,
    pub downloads: PathBuf,
    _downloads_dir: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium session with a fresh profile.
    pub async fn start() -> Browser {
        Browser::start_with(true).await
    }

    /// A browser whose WebRTC cannot reach another on this machine (no loopback, local
    /// addresses behind mDNS names): it syncs through the relay only.
    pub async fn start_relay_only() -> Browser {
        Browser::start_with(false).await
    }

    /// A browser that shows pages in dark mode (the person's system setting).
    pub async fn start_dark() -> Browser {
        Browser::start_with_theme(true, true).await
    }

    async fn start_with(direct: bool) -> Browser {
        Browser::start_with_theme(direct, std::env::var_os("WAYMARK_E2E_DARK").is_some()).await
    }

    async fn start_with_theme(direct: bool, dark: bool) -> Browser {
        let port = free_port();
        let driver = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts (cargo xtask test installs it)");
        let driver = reap::Owned::new(driver);
        let deadline = Instant::now() + TIMEOUT;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().expect("profile dir");
        let downloads_dir = tempfile::tempdir().expect("downloads dir");
        let mut args: Vec<String> = [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--no-first-run",
            "--disable-sync", "--window-size=1280,900", "--lang=en-US",
        ]
        .map(String::from)
        .to_vec();
        if direct {
            // Direct connections between two browsers of this machine (WebRTC on
            // loopback, with local addresses not hidden behind mDNS names).
            args.extend(["--allow-loopback-in-peer-connection".into(), "--disable-features=WebRtcHideLocalIpsWithMdns".into()]);
        }
        args.push(format!("--user-data-dir={}", profile.path().display()));
        // WAYMARK_E2E_DARK=1 shows the pages in dark mode, to look at their screenshots.
        if dark {
            args.extend(["--force-dark-mode".into(), "--blink-settings=preferredColorScheme=0".into()]);
        }
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": args,
                "prefs": {
                    "download.default_directory": downloads_dir.path(),
                    "download.prompt_for_download": false,
                },
            }
        });
        let Value::Object(caps) = caps else { unreachable!() };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a Chromium session");
        Browser { client, _driver: driver, _profile: profile, downloads: downloads_dir.path().to_owned(), _downloads_dir: downloads_dir }
    }

    /// Opens Home on a wide window and creates a workspace called `name` through its
    /// form; returns once its brief shows.
    pub async fn create_workspace(&self, relay: &Relay, name: &str) {
        self.client.set_window_size(1400, 1000).await.unwrap();
        self.goto(&relay.url("/")).await;
        self.wait_for_text("h1", "Your workspaces").await;
        self.type_into("input[aria-label='New workspace name']", name).await;
        self.click(".create-form button[type=submit]").await;
        self.wait_for_text("h1.page-title", "Brief").await;
    }

    /// Sets the name teammates see, through the profile chip.
    pub async fn set_name(&self, name: &str) {
        self.click(".profile-chip").await;
        self.type_into("input[placeholder='How teammates see you']", &format!("{name}{}", keys::ENTER)).await;
        self.wait_for_text(".profile-name", name).await;
    }

    /// Shares the open workspace and waits until it reached the relay: its (edit, view)
    /// links.
    pub async fn share_links(&self) -> (String, String) {
        self.click("button.share-button").await;
        self.click_text(".dialog button", "Create share links").await;
        self.wait_for(".edit-link input").await;
        let links = (self.value(".edit-link input").await, self.value(".view-link input").await);
        self.type_into(".edit-link input", keys::ESCAPE).await;
        self.wait_until(UP_TO_DATE, "the workspace to reach the relay").await;
        links
    }

    /// A Waymark JSON file (in this browser's downloads folder) of a workspace "Big
    /// backlog" with `n` ideas, "Imported idea 1" to "Imported idea {n}".
    pub fn big_backlog(&self, n: usize) -> PathBuf {
        let ideas: Vec<Value> = (1..=n)
            .map(|i| json!({
                "title": format!("Imported idea {i}"),
                "description": format!("Customers asked for this in interview {i}; it came up again in the quarterly review."),
                "tags": ["backlog"],
                "votes": i % 7,
            }))
            .collect();
        let file = json!({ "format": "waymark-workspace", "version": 4, "brief": { "name": "Big backlog" }, "ideas": ideas });
        let path = self.downloads.join("big-backlog.json");
        std::fs::write(&path, file.to_string()).unwrap();
        path
    }

    /// The serious and critical accessibility violations axe-core finds on the page as
    /// it is now: each "rule id (impact): help — the first elements' selectors". The
    /// script comes from `WAYMARK_AXE` (`cargo xtask test` installs it from npm).
    pub async fn axe(&self) -> Vec<String> {
        let path = std::env::var("WAYMARK_AXE").expect("WAYMARK_AXE names axe.min.js (cargo xtask test sets it)");
        let script = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read axe-core at {path}: {e}"));
        if self.eval("return typeof window.axe === 'undefined'").await == Value::Bool(true) {
            self.eval(&format!("{script}\nreturn true;")).await;
        }
        let found = self
            .eval_async(
                "const done = arguments[0];
                 axe.run(document, { resultTypes: ['violations'] }).then(r => done(r.violations
                   .filter(v => v.impact === 'serious' || v.impact === 'critical')
                   .map(v => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`)),
                   e => done([`axe failed: ${e}`]));",
            )
            .await;
        let found = found.as_array().unwrap_or_else(|| panic!("axe-core answered something else: {found}"));
        found.iter().map(|v| v.as_str().unwrap_or_default().to_owned()).collect()
    }

    /// Opens `url` and waits for it to load.
    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    /// Reloads the page, as F5 would.
    pub async fn reload(&self) {
        self.client.refresh().await.expect("reload");
    }

    /// Waits for an element matching `css`.
    pub async fn wait_for(&self, css: &str) -> Element {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Ok(el) = self.client.find(Locator::Css(css)).await {
                return el;
            }
            if Instant::now() > deadline {
                self.failure_screenshot().await;
                panic!("nothing matches {css:?} after {TIMEOUT:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until some element matching `css` shows `text` (a substring).
    pub async fn wait_for_text(&self, css: &str, text: &str) -> Element {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            for el in self.client.find_all(Locator::Css(css)).await.unwrap_or_default() {
                if el.text().await.is_ok_and(|t| t.contains(text)) {
                    return el;
                }
            }
            if Instant::now() > deadline {
                self.failure_screenshot().await;
                panic!("no {css:?} shows {text:?} after {TIMEOUT:?}; visible: {:?}", self.texts(css).await);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until `condition` (a JavaScript expression) is true.
    pub async fn wait_until(&self, condition: &str, what: &str) {
        self.wait_until_within(condition, what, TIMEOUT).await
    }

    /// Waits up to `timeout` until `condition` (a JavaScript expression) is true: for
    /// what takes longer by design, like reconnecting after a relay comes back.
    pub async fn wait_until_within(&self, condition: &str, what: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            if self.eval(&format!("return !!({condition});")).await == Value::Bool(true) {
                return;
            }
            if Instant::now() > deadline {
                self.failure_screenshot().await;
                panic!("waited {timeout:?} for {what}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until asynchronous `script` (it calls `arguments[0](true)` when its
    /// condition holds) reports true: for conditions only an async API answers, like
    /// what IndexedDB holds.
    pub async fn wait_until_async(&self, script: &str, what: &str) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if self.eval_async(script).await == Value::Bool(true) {
                return;
            }
            if Instant::now() > deadline {
                self.failure_screenshot().await;
                panic!("waited {TIMEOUT:?} for {what}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until this browser keeps a view cache for `workspaces` workspaces (each is
    /// written once the browser is idle, a second after the workspace's first opening).
    pub async fn wait_for_view_caches(&self, workspaces: usize) {
        self.wait_until_async(&view_caches_at_least("", workspaces), "the view cache to be written").await
    }

    /// Waits until this browser keeps a view cache for workspace `id`.
    pub async fn wait_for_view_cache_of(&self, id: &str) {
        self.wait_until_async(&view_caches_at_least(id, 1), "the workspace's view cache to be written").await
    }

    /// The texts of every element matching `css`.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let mut out = Vec::new();
        for el in self.client.find_all(Locator::Css(css)).await.unwrap_or_default() {
            out.push(el.text().await.unwrap_or_default());
        }
        out
    }

    /// Clicks the element matching `css`. If the page re-renders it in between (a
    /// stale element), it finds it again, as a person would.
    pub async fn click(&self, css: &str) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            match self.wait_for(css).await.click().await {
                Ok(()) => return,
                Err(e) if Instant::now() > deadline => panic!("click {css}: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    /// Clicks the element matching `css` whose text contains `text`.
    pub async fn click_text(&self, css: &str, text: &str) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            match self.wait_for_text(css, text).await.click().await {
                Ok(()) => return,
                Err(e) if Instant::now() > deadline => panic!("click {css} {text:?}: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    /// Types into the field matching `css` (keys go through the browser like a person's).
    pub async fn type_into(&self, css: &str, text: &str) {
        self.wait_for(css).await.send_keys(text).await.unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    /// Types `value` into the number field labelled `label` inside `scope` (a number
    /// field is named by its label's text), then leaves it, which saves it.
    pub async fn set_number(&self, scope: &str, label: &str, value: &str) {
        self.eval(&format!(
            "[...document.querySelectorAll('{scope} label.field')].find(l => l.querySelector('.field-label').textContent === {label:?}).querySelector('input').focus()"
        ))
        .await;
        self.type_into(&format!("{scope} input:focus"), &format!("{value}{}", keys::TAB)).await;
    }

    /// The current value of an input or text area.
    pub async fn value(&self, css: &str) -> String {
        self.wait_for(css).await.prop("value").await.ok().flatten().unwrap_or_default()
    }

    /// Picks an option of a `<select>` by its value, as a person's click would.
    pub async fn select(&self, select_css: &str, value: &str) {
        self.click(&format!("{select_css} option[value='{value}']")).await;
    }

    /// Runs JavaScript in the page (`return …` to get a value).
    pub async fn eval(&self, js: &str) -> Value {
        self.client.execute(js, vec![]).await.unwrap_or_else(|e| panic!("script failed: {e}\n{js}"))
    }

    /// Runs asynchronous JavaScript; the script calls `arguments[0](value)` when done.
    pub async fn eval_async(&self, js: &str) -> Value {
        self.client.execute_async(js, vec![]).await.unwrap_or_else(|e| panic!("script failed: {e}\n{js}"))
    }

    /// Two browsers on one shared workspace "Roadmap 2027": Ada Lovelace made it and
    /// shared it, Grace Hopper opened its edit link. Both show its brief.
    pub async fn ada_and_grace(relay: &Relay) -> (Browser, Browser) {
        let (a, b) = (Browser::start().await, Browser::start().await);
        a.goto(&relay.url("/")).await;
        a.set_name("Ada Lovelace").await;
        a.create_workspace(relay, "Roadmap 2027").await;
        let (edit_link, _) = a.share_links().await;
        b.join(relay, &edit_link, "Grace Hopper").await;
        (a, b)
    }

    /// Opens share link `link` as a teammate called `name` (Home first, for the name);
    /// returns once the workspace's brief shows.
    pub async fn join(&self, relay: &Relay, link: &str, name: &str) {
        self.goto(&relay.url("/")).await;
        self.set_name(name).await;
        self.goto(link).await;
        self.wait_for_text("h1.page-title", "Brief").await;
    }

    /// Sends a Chrome DevTools Protocol command (`Profiler.start`, …) through
    /// chromedriver and returns its result.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.client.issue_cmd(Cdp(cmd.to_owned(), params)).await.unwrap_or_else(|e| panic!("CDP {cmd}: {e}"))
    }

    /// Saves a PNG of the page as target/screenshots/<name>.png and returns its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let path = screenshot_path(name);
        let png = self.client.screenshot().await.unwrap_or_else(|e| panic!("screenshot {name}: {e}"));
        std::fs::write(&path, png).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        path
    }

    /// Best effort, for a test about to fail: target/screenshots/failure.png.
    async fn failure_screenshot(&self) {
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(screenshot_path("failure"), png);
        }
    }

    /// Waits for a finished, non-empty download whose name ends with `suffix`.
    pub async fn wait_for_download(&self, suffix: &str) -> PathBuf {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let files: Vec<PathBuf> =
                std::fs::read_dir(&self.downloads).into_iter().flatten().flatten().map(|e| e.path()).collect();
            // Chromium first creates an empty file under the final name and writes to
            // a `.crdownload` beside it, then renames that over the empty one.
            let writing = files.iter().any(|p| p.extension().is_some_and(|e| e == "crdownload"));
            let found = files
                .into_iter()
                .find(|p| p.to_string_lossy().ends_with(suffix) && std::fs::metadata(p).is_ok_and(|m| m.len() > 0));
            if let (false, Some(path)) = (writing, found) {
                return path;
            }
            assert!(Instant::now() < deadline, "no download ending in {suffix} appeared");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Ends the browser session cleanly; dropping a Browser also ends it.
    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}


fn screenshot_path(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    let _ = std::fs::create_dir_all(&dir);
    dir.join(format!("{name}.png"))
}

/// Copies the built app into a fresh directory a test may change.
pub fn copy_of_dist() -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap().flatten() {
            let (src, dst) = (entry.path(), to.join(entry.file_name()));
            if src.is_dir() {
                copy(&src, &dst);
            } else {
                std::fs::copy(&src, &dst).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().expect("temp dir");
    copy(&env_path("WAYMARK_DIST"), dir.path());
    dir
}

/// Keys for `type_into`.
/// A condition true once the open workspace is in step with the relay.
pub const UP_TO_DATE: &str = "document.querySelector(\".sync-state[data-state='up-to-date']\")";

pub mod keys {
    pub const NULL: &str = "\u{e000}";
    pub const ALT: &str = "\u{e00a}";
    pub const LEFT: &str = "\u{e012}";
    pub const UP: &str = "\u{e013}";
    pub const DOWN: &str = "\u{e015}";
    pub const ENTER: &str = "\u{e007}";
    pub const TAB: &str = "\u{e004}";
    pub const ESCAPE: &str = "\u{e00c}";
    pub const BACKSPACE: &str = "\u{e003}";
    pub const HOME: &str = "\u{e011}";
    pub const END: &str = "\u{e010}";
    pub const RIGHT: &str = "\u{e014}";
}

/// A DevTools command through chromedriver's `goog/cdp/execute` endpoint.
#[derive(Debug)]
struct Cdp(String, Value);

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/goog/cdp/execute", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(json!({ "cmd": self.0, "params": self.1 }).to_string()))
    }
}

/// A script (for `wait_until_async`) that reports whether IndexedDB holds at least
/// `n` view caches, of workspace `id` only unless it is empty.
fn view_caches_at_least(id: &str, n: usize) -> String {
    let key = if id.is_empty() { String::new() } else { format!("'{id}'") };
    format!(
        "const done = arguments[0];
         const req = indexedDB.open('waymark');
         req.onsuccess = () => {{
             const get = req.result.transaction(['views'], 'readonly').objectStore('views').count({key});
             get.onsuccess = () => {{ req.result.close(); done(get.result >= {n}); }};
             get.onerror = () => done(false);
         }};
         req.onerror = () => done(false);"
    )
}
