//! The server as a browser sees it, without a network: types, caching, routes.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

fn dist() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        ("index.html", "<!doctype html><title>Waymark</title><script type=\"module\">import init from '/w.js';</script><script src=\"/x.js\"></script>"),
        ("sw.js", "self.addEventListener('fetch', () => {});"),
        ("manifest.webmanifest", "{}"),
        ("waymark-0123456789abcdef.js", &"export const x = 1;\n".repeat(200)),
        ("waymark-0123456789abcdef_bg.wasm", &"\0asm\x01\0\0\0".repeat(100)),
        ("icon-192.png", "\u{89}PNG"),
        ("base-0123456789abcdef.css", "body{}"),
    ];
    for (name, body) in files {
        std::fs::write(dir.path().join(name), body).unwrap();
    }
    dir
}

async fn get(dir: &tempfile::TempDir, path: &str, gzip: bool) -> axum::response::Response {
    let app = waymark_relay::app(waymark_relay::Config { dist: dir.path().to_owned() });
    let mut req = Request::get(path);
    if gzip {
        req = req.header(header::ACCEPT_ENCODING, "gzip");
    }
    app.oneshot(req.body(Body::empty()).unwrap()).await.unwrap()
}

fn header_of(r: &axum::response::Response, name: header::HeaderName) -> String {
    r.headers().get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

#[tokio::test]
async fn assets_have_their_types_and_hashed_ones_are_immutable() {
    let dir = dist();
    let wasm = get(&dir, "/waymark-0123456789abcdef_bg.wasm", false).await;
    assert_eq!(header_of(&wasm, header::CONTENT_TYPE), "application/wasm");
    assert_eq!(header_of(&wasm, header::CACHE_CONTROL), "public, max-age=31536000, immutable");
    let css = get(&dir, "/base-0123456789abcdef.css", false).await;
    assert!(header_of(&css, header::CONTENT_TYPE).starts_with("text/css"));
    let js = get(&dir, "/waymark-0123456789abcdef.js", false).await;
    assert!(header_of(&js, header::CONTENT_TYPE).starts_with("text/javascript"));
    assert_eq!(header_of(&js, header::CACHE_CONTROL), "public, max-age=31536000, immutable");
    let html = get(&dir, "/index.html", false).await;
    assert!(header_of(&html, header::CONTENT_TYPE).starts_with("text/html"));
    let manifest = get(&dir, "/manifest.webmanifest", false).await;
    assert_eq!(header_of(&manifest, header::CONTENT_TYPE), "application/manifest+json");
    let png = get(&dir, "/icon-192.png", false).await;
    assert_eq!(header_of(&png, header::CONTENT_TYPE), "image/png");
    // Unhashed files may change between builds: cached briefly.
    assert_eq!(header_of(&png, header::CACHE_CONTROL), "public, max-age=3600");
}

#[tokio::test]
async fn entry_points_are_never_cached() {
    let dir = dist();
    for path in ["/", "/index.html", "/sw.js", "/manifest.webmanifest"] {
        let r = get(&dir, path, false).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert_eq!(header_of(&r, header::CACHE_CONTROL), "no-cache", "{path}");
    }
}

#[tokio::test]
async fn app_routes_get_the_app_and_missing_files_404() {
    let dir = dist();
    let route = get(&dir, "/w/4x2k/ideas/9zz", false).await;
    assert_eq!(route.status(), StatusCode::OK);
    assert!(header_of(&route, header::CONTENT_TYPE).starts_with("text/html"));
    assert_eq!(header_of(&route, header::CACHE_CONTROL), "no-cache");
    let body = route.into_body().collect().await.unwrap().to_bytes();
    assert!(String::from_utf8_lossy(&body).contains("<title>Waymark</title>"));
    assert_eq!(get(&dir, "/missing-0123456789abcdef.js", false).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(get(&dir, "/icons/missing.png", false).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(get(&dir, "/../secret.txt", false).await.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn text_is_gzipped_when_the_browser_accepts_it() {
    let dir = dist();
    let js = get(&dir, "/waymark-0123456789abcdef.js", true).await;
    assert_eq!(header_of(&js, header::CONTENT_ENCODING), "gzip");
    let compressed = js.into_body().collect().await.unwrap().to_bytes();
    assert!(compressed.len() < 4000 / 4, "gzip shrinks repetitive text: {} bytes", compressed.len());
    let wasm = get(&dir, "/waymark-0123456789abcdef_bg.wasm", true).await;
    assert_eq!(header_of(&wasm, header::CONTENT_ENCODING), "gzip");
    let plain = get(&dir, "/waymark-0123456789abcdef.js", false).await;
    assert_eq!(header_of(&plain, header::CONTENT_ENCODING), "");
}

#[tokio::test]
async fn the_builds_brotli_and_gzip_copies_are_sent_to_browsers_that_accept_them() {
    let dir = dist();
    let wasm = "waymark-0123456789abcdef_bg.wasm";
    std::fs::write(dir.path().join(format!("{wasm}.br")), "brotli copy").unwrap();
    std::fs::write(dir.path().join(format!("{wasm}.gz")), "gzip copy").unwrap();
    let app = waymark_relay::app(waymark_relay::Config { dist: dir.path().to_owned() });
    let fetch = |accept: &'static str| {
        let app = app.clone();
        async move {
            let req = Request::get(format!("/{wasm}")).header(header::ACCEPT_ENCODING, accept).body(Body::empty()).unwrap();
            let r = app.oneshot(req).await.unwrap();
            let encoding = header_of(&r, header::CONTENT_ENCODING);
            let vary = header_of(&r, header::VARY);
            let kind = header_of(&r, header::CONTENT_TYPE);
            (encoding, vary, kind, r.into_body().collect().await.unwrap().to_bytes())
        }
    };
    let (encoding, vary, kind, body) = fetch("gzip, deflate, br, zstd").await;
    assert_eq!((encoding.as_str(), vary.as_str(), kind.as_str()), ("br", "accept-encoding", "application/wasm"));
    assert_eq!(&body[..], b"brotli copy");
    let (encoding, _, _, body) = fetch("gzip").await;
    assert_eq!((encoding.as_str(), &body[..]), ("gzip", &b"gzip copy"[..]));
    let (encoding, _, _, body) = fetch("br;q=0, gzip;q=0.5").await;
    assert_eq!((encoding.as_str(), &body[..]), ("gzip", &b"gzip copy"[..]), "a coding refused with q=0 is never sent");
    // A browser that accepts neither gets the file itself.
    let plain = get(&dir, &format!("/{wasm}"), false).await;
    assert_eq!(header_of(&plain, header::CONTENT_ENCODING), "");
    assert!(plain.into_body().collect().await.unwrap().to_bytes().starts_with(b"\0asm"));
    // Files with fixed names never get their copies sent, even if a stale one lies
    // about: they change between builds without changing name.
    std::fs::write(dir.path().join("sw.js.br"), "an old worker").unwrap();
    let req = Request::get("/sw.js").header(header::ACCEPT_ENCODING, "br").body(Body::empty()).unwrap();
    let sw = app.clone().oneshot(req).await.unwrap();
    assert_eq!(header_of(&sw, header::CONTENT_ENCODING), "");
    assert_eq!(&sw.into_body().collect().await.unwrap().to_bytes()[..], b"self.addEventListener('fetch', () => {});");
    // A file without copies is still compressed on the fly.
    let js = get(&dir, "/waymark-0123456789abcdef.js", true).await;
    assert_eq!(header_of(&js, header::CONTENT_ENCODING), "gzip");
}

#[tokio::test]
async fn health_check_answers() {
    let dir = dist();
    let r = get(&dir, "/healthz", false).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.into_body().collect().await.unwrap().to_bytes(), "ok");
}

#[tokio::test]
async fn the_app_is_served_with_a_policy_that_blocks_foreign_scripts_images_and_frames() {
    use base64::Engine as _;
    use sha2::Digest as _;
    let dir = dist();
    let html = get(&dir, "/w/abc/docs", false).await;
    let policy = header_of(&html, header::CONTENT_SECURITY_POLICY);
    let inline = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(b"import init from '/w.js';"));
    assert!(policy.contains(&format!("script-src 'self' 'wasm-unsafe-eval' 'sha256-{inline}';")), "{policy}");
    for directive in ["img-src 'self' data:;", "connect-src 'self';", "frame-ancestors 'none'", "object-src 'none';", "base-uri 'none';"] {
        assert!(policy.contains(directive), "{directive} in {policy}");
    }
    assert_eq!(header_of(&html, header::REFERRER_POLICY), "no-referrer");
    let js = get(&dir, "/waymark-0123456789abcdef.js", false).await;
    assert!(header_of(&js, header::CONTENT_SECURITY_POLICY).contains("script-src 'self' 'wasm-unsafe-eval';"), "no inline script allowed elsewhere");
}
