//! Serving the built app: content types, cache headers, the security headers, and the
//! app-route fallback.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use axum::{
    body::Body,
    extract::State,
    http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri},
    response::{IntoResponse, Response},
};

use crate::Config;

/// Serves a file from the dist directory, or `index.html` for app routes.
pub async fn serve(State(config): State<Arc<Config>>, method: Method, headers: HeaderMap, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD").into_response();
    }
    let Some(relative) = safe_relative_path(uri.path()) else {
        return (StatusCode::BAD_REQUEST, "bad path").into_response();
    };
    let requested = config.dist.join(&relative);
    let is_file = tokio::fs::metadata(&requested).await.is_ok_and(|m| m.is_file());
    let (path, name) = if is_file {
        let name = relative.file_name().and_then(|n| n.to_str()).unwrap_or("").to_owned();
        (requested, name)
    } else if relative.extension().is_none() {
        // An app route such as /w/<id>/ideas: the app decides what to show.
        (config.dist.join("index.html"), "index.html".to_owned())
    } else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    // The build writes brotli and gzip copies beside each compressible file: send the
    // best one the browser accepts instead of compressing on every request.
    let precompressed = if is_precompressed(&name) { precompressed_copy(&path, &headers).await } else { None };
    let read = match &precompressed {
        Some((copy, _)) => tokio::fs::read(copy).await,
        None => tokio::fs::read(&path).await,
    };
    match read {
        Ok(bytes) => {
            let inline = if name == "index.html" { inline_script_hashes(&String::from_utf8_lossy(&bytes)) } else { Vec::new() };
            let mut response = Response::new(Body::from(bytes));
            let headers = response.headers_mut();
            // (Without a copy, the compression layer adds `Vary` itself.)
            if let Some((_, encoding)) = precompressed {
                headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
                headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
            }
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(&name)));
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache_control(&name)));
            headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
            headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
            if let Ok(policy) = HeaderValue::from_str(&content_security_policy(&inline)) {
                headers.insert(header::CONTENT_SECURITY_POLICY, policy);
            }
            response
        }
        Err(_) => (StatusCode::NOT_FOUND, "the app is not built: run `cargo xtask build`").into_response(),
    }
}

/// The Content-Security-Policy of everything served: scripts only from here (plus the
/// inline module trunk writes into `index.html`, allowed by its hash) and WebAssembly;
/// styles from here and inline `style` attributes (the app sets positions with them);
/// images only from here or `data:`, so a Markdown image in a document can never make
/// a reader's browser fetch (and tell) another server; connections only back here (the
/// relay); never inside a frame.
fn content_security_policy(inline_scripts: &[String]) -> String {
    let hashes: String = inline_scripts.iter().map(|h| format!(" 'sha256-{h}'")).collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
         connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
}

/// The SHA-256 (base64) of each inline `<script>` in `html`: what the policy allows.
fn inline_script_hashes(html: &str) -> Vec<String> {
    use base64::Engine as _;
    use sha2::Digest as _;
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let tag_end = match rest[start..].find('>') {
            Some(i) => start + i,
            None => break,
        };
        let tag = &rest[start..tag_end];
        let Some(close) = rest[tag_end..].find("</script>") else { break };
        let body = &rest[tag_end + 1..tag_end + close];
        if !tag.contains(" src=") {
            out.push(base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(body.as_bytes())));
        }
        rest = &rest[tag_end + close + "</script>".len()..];
    }
    out
}

/// The request path as a relative path inside dist, or `None` if it tries to leave it.
fn safe_relative_path(path: &str) -> Option<PathBuf> {
    let candidate = Path::new(path.trim_start_matches('/'));
    let mut out = PathBuf::new();
    for part in candidate.components() {
        match part {
            Component::Normal(p) => out.push(p),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if out.as_os_str().is_empty() {
        out.push("index.html");
    }
    Some(out)
}

/// Files the build writes `.br` and `.gz` copies of (`cargo xtask build`): the app's
/// module, scripts and styles, whose names carry a hash of their content, so a copy
/// can never be older than its file (however `dist/` was copied about). The small
/// files with fixed names (`index.html`, `sw.js`, the manifest) are gzipped on the fly.
fn is_precompressed(name: &str) -> bool {
    matches!(name.rsplit('.').next().unwrap_or(""), "wasm" | "js" | "css") && is_hashed(name)
}

/// The brotli or gzip copy of `path` to send, if the browser accepts that encoding and
/// the build wrote the copy; brotli first (a third smaller than gzip for the app),
/// whatever the weights, unless the browser refuses it (`q=0`).
async fn precompressed_copy(path: &Path, headers: &HeaderMap) -> Option<(PathBuf, &'static str)> {
    let accepted: Vec<String> = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(accepted_coding)
        .collect();
    for (encoding, suffix) in [("br", "br"), ("gzip", "gz")] {
        if accepted.iter().any(|a| a == encoding) {
            let mut copy = path.as_os_str().to_owned();
            copy.push(".");
            copy.push(suffix);
            let copy = PathBuf::from(copy);
            if tokio::fs::metadata(&copy).await.is_ok_and(|m| m.is_file()) {
                return Some((copy, encoding));
            }
        }
    }
    None
}

/// One entry of `Accept-Encoding` (`br`, `gzip;q=0.8`) as the coding it accepts, or
/// `None` when it refuses it (`q=0`).
fn accepted_coding(entry: &str) -> Option<String> {
    let mut parts = entry.split(';');
    let coding = parts.next()?.trim().to_ascii_lowercase();
    let refused = parts.any(|p| {
        let p = p.trim();
        p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")).and_then(|q| q.trim().parse::<f32>().ok()).is_some_and(|q| q <= 0.0)
    });
    (!coding.is_empty() && !refused).then_some(coding)
}

/// The Content-Type for a file name, by its extension.
fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Hashed assets never change; the entry points must always be revalidated so a new
/// version is picked up on the next visit.
fn cache_control(name: &str) -> &'static str {
    if matches!(name, "index.html" | "sw.js" | "manifest.webmanifest") {
        "no-cache"
    } else if is_hashed(name) {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=3600"
    }
}

/// Trunk names built files `<stem>-<hash>[_bg].<ext>`, the hash a 64-bit number in hex
/// without leading zeros: usually 16 digits, sometimes fewer.
fn is_hashed(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or("");
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| (10..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_cannot_leave_dist() {
        assert_eq!(safe_relative_path("/"), Some(PathBuf::from("index.html")));
        assert_eq!(safe_relative_path("/w/abc/ideas"), Some(PathBuf::from("w/abc/ideas")));
        assert_eq!(safe_relative_path("/../etc/passwd"), None);
        assert_eq!(safe_relative_path("/icons/../../x"), None);
    }

    #[test]
    fn accept_encoding_entries_are_read_with_their_weights() {
        assert_eq!(accepted_coding(" br"), Some("br".to_owned()));
        assert_eq!(accepted_coding("GZIP;q=0.8"), Some("gzip".to_owned()));
        assert_eq!(accepted_coding("br;q=0"), None, "q=0 refuses the coding");
        assert_eq!(accepted_coding("gzip; q=0.000"), None);
        assert_eq!(accepted_coding(""), None);
    }

    #[test]
    fn hashed_names_are_recognised() {
        assert!(is_hashed("waymark-dc3e7b711db8e926_bg.wasm"));
        assert!(is_hashed("base-6236a689b6287ffd.css"));
        assert!(is_hashed("waymark-d069da1d21c7096.js"), "15 digits: the hash had a leading zero");
        assert!(!is_hashed("sw.js"));
        assert!(!is_hashed("icon-192.png"));
    }
}
