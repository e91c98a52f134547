//! End-to-end harness: the real server binary and headless Chromium driven through
//! chromedriver, with helpers that act the way a person does (click, type, wait).
//!
//! `cargo xtask test` sets `WAYMARK_RELAY_BIN` (the built server) and `WAYMARK_DIST`
//! (the built app) before running these tests.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

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
    child: Option<Child>,
    port: u16,
    data: tempfile::TempDir,
}

impl Relay {
    pub async fn start() -> Relay {
        let mut relay = Relay { child: None, port: free_port(), data: tempfile::tempdir().expect("temp dir") };
        relay.spawn().await;
        relay
    }

    async fn spawn(&mut self) {
        let child = Command::new(env_path("WAYMARK_RELAY_BIN"))
            .args(["--addr", &format!("127.0.0.1:{}", self.port)])
            .arg("--dist")
            .arg(env_path("WAYMARK_DIST"))
            .arg("--data-dir")
            .arg(self.data.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the server starts");
        self.child = Some(child);
        let deadline = Instant::now() + TIMEOUT;
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "the server did not start listening");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Stops the server (the browser keeps running).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port with the same data.
    pub async fn restart(&mut self) {
        self.stop();
        self.spawn().await;
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Headless Chromium with a fresh profile of its own (two Browsers are two people).
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
    pub downloads: PathBuf,
    _downloads_dir: tempfile::TempDir,
}

impl Browser {
    pub async fn start() -> Browser {
        let port = free_port();
        let driver = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts (cargo xtask test installs it)");
        let deadline = Instant::now() + TIMEOUT;
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().expect("profile dir");
        let downloads_dir = tempfile::tempdir().expect("downloads dir");
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--no-first-run",
                    "--disable-sync", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
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
        Browser { client, driver, _profile: profile, downloads: downloads_dir.path().to_owned(), _downloads_dir: downloads_dir }
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

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
                self.screenshot("failure").await;
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
                self.screenshot("failure").await;
                panic!("no {css:?} shows {text:?} after {TIMEOUT:?}; visible: {:?}", self.texts(css).await);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until `condition` (a JavaScript expression) is true.
    pub async fn wait_until(&self, condition: &str, what: &str) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if self.eval(&format!("return !!({condition});")).await == Value::Bool(true) {
                return;
            }
            if Instant::now() > deadline {
                self.screenshot("failure").await;
                panic!("waited {TIMEOUT:?} for {what}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
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

    /// Saves a PNG of the page under target/screenshots/.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join(format!("{name}.png"));
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(&path, png);
        }
        path
    }

    /// Waits for a finished download whose name ends with `suffix`.
    pub async fn wait_for_download(&self, suffix: &str) -> PathBuf {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let found = std::fs::read_dir(&self.downloads)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .find(|p| p.to_string_lossy().ends_with(suffix));
            if let Some(path) = found {
                return path;
            }
            assert!(Instant::now() < deadline, "no download ending in {suffix} appeared");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn close(self) {
        let Browser { client, mut driver, .. } = self;
        let _ = client.close().await;
        let _ = driver.kill();
        let _ = driver.wait();
    }
}

/// Keys for `type_into`.
pub mod keys {
    pub const ENTER: &str = "\u{e007}";
    pub const TAB: &str = "\u{e004}";
    pub const ESCAPE: &str = "\u{e00c}";
}
