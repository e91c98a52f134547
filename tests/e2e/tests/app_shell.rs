//! The offline app shell: after a visit the app opens with the server stopped (its
//! document worker too), and a new version replaces the old one cleanly on the next
//! visit.

use waymark_e2e::{copy_of_dist, Browser, Relay};

const CACHES: &str = "const done = arguments[0]; caches.keys().then(done);";

#[tokio::test(flavor = "multi_thread")]
async fn a_new_version_replaces_the_cached_one_on_the_next_visit() {
    let dist = copy_of_dist();
    let mut relay = Relay::start_with_dist(dist.path().to_owned()).await;
    let b = Browser::start().await;
    b.goto(&relay.url("/")).await;
    b.wait_for_text("h1", "Your workspaces").await;
    b.wait_until("navigator.serviceWorker.controller !== null", "the service worker to take over").await;
    let first = b.eval_async(CACHES).await;
    assert_eq!(first.as_array().map(Vec::len), Some(1), "one cache: {first}");
    let old = first[0].as_str().unwrap().to_owned();

    // Deploy a new version: a changed page and a changed service worker.
    let sw = std::fs::read_to_string(dist.path().join("sw.js")).unwrap();
    let version = old.trim_start_matches("waymark-");
    std::fs::write(dist.path().join("sw.js"), sw.replace(version, &format!("{version}next"))).unwrap();
    let index = std::fs::read_to_string(dist.path().join("index.html")).unwrap();
    std::fs::write(dist.path().join("index.html"), index.replace("<head>", "<head><meta name=\"waymark-build\" content=\"next\">")).unwrap();

    b.reload().await;
    b.wait_for_text("h1", "Your workspaces").await;
    b.wait_until("document.querySelector('meta[name=waymark-build]') !== null", "the new page").await;
    let expected = format!("waymark-{version}next");
    let deadline = std::time::Instant::now() + waymark_e2e::TIMEOUT;
    loop {
        let caches = b.eval_async(CACHES).await;
        if caches.as_array().is_some_and(|c| c.len() == 1 && c[0] == expected.as_str()) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "old cache not replaced: {caches}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    // With the server gone, the new version is what opens.
    relay.stop();
    b.reload().await;
    b.wait_for_text("h1", "Your workspaces").await;
    b.wait_until("document.querySelector('meta[name=waymark-build]') !== null", "the new version offline").await;

    // Its document worker was precached with it: a JSON file still imports offline.
    let file = b.downloads.join("offline.json");
    let json = r#"{"format":"waymark-workspace","version":4,"brief":{"name":"Planned on the train"},"ideas":[{"title":"Works without signal"}]}"#;
    std::fs::write(&file, json).unwrap();
    b.wait_for("input[type=file]").await.send_keys(&file.to_string_lossy()).await.unwrap();
    b.wait_for_text(".toast", "Imported “Planned on the train”").await;
    b.wait_for_text(".workspace-card", "1 idea").await;
    b.close().await;
}

/// A first visit downloads the app's module as the build's brotli copy, not the raw
/// file nor a gzip made on the fly: what a person on a slow connection waits for
/// (BENCHMARKS.md, transfer size).
#[tokio::test(flavor = "multi_thread")]
async fn a_first_visit_downloads_the_brotli_copy_of_the_app() {
    let relay = Relay::start().await;
    let b = Browser::start().await;
    b.goto(&relay.url("/")).await;
    b.wait_for_text("h1", "Your workspaces").await;
    let entry = b
        .eval(
            "const e = performance.getEntriesByType('resource').find(e => e.name.endsWith('_bg.wasm')); \
             return e ? [new URL(e.name).pathname.slice(1), e.encodedBodySize, e.decodedBodySize] : null;",
        )
        .await;
    let name = entry[0].as_str().expect("the page fetched its module").to_owned();
    let (encoded, decoded) = (entry[1].as_u64().unwrap(), entry[2].as_u64().unwrap());
    let size = |suffix: &str| std::fs::metadata(relay.dist().join(format!("{name}{suffix}"))).unwrap().len();
    assert_eq!(decoded, size(""), "the module arrives whole");
    // Chromium accepts brotli from a secure origin, and loopback is one.
    assert_eq!(encoded, size(".br"), "the module was not sent as its brotli copy (gzip copy: {} B)", size(".gz"));
    b.close().await;
}
