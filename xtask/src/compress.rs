//! Writes a brotli (`.br`) and a gzip (`.gz`) copy beside each file of `dist/` that a
//! browser downloads compressed, once per build at the highest settings, so the server
//! sends the smallest copy the browser accepts without compressing on every request
//! (`crates/relay/src/assets.rs` chooses the copy).

use std::io::Write as _;
use std::path::Path;

/// What gets copies: the app's module, scripts and styles, which trunk names by their
/// content's hash (`waymark-<hash>_bg.wasm`), as the server expects: a file whose name
/// stays the same across builds (`sw.js`) could be deployed without its copies.
pub fn is_compressible(name: &str) -> bool {
    let hashed = name.split('.').next().unwrap_or("").trim_end_matches("_bg").rsplit_once('-').is_some_and(|(_, h)| {
        (10..=16).contains(&h.len()) && h.bytes().all(|b| b.is_ascii_hexdigit())
    });
    matches!(name.rsplit('.').next().unwrap_or(""), "wasm" | "js" | "css") && hashed
}

/// The sizes of one file and its two copies, in bytes.
pub struct Sizes {
    pub name: String,
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

/// The compressible files of `dist` (its folders hold only icons), sorted.
fn compressible(dist: &Path) -> Result<Vec<String>, String> {
    let mut names: Vec<String> = std::fs::read_dir(dist)
        .map_err(|e| format!("{}: {e}", dist.display()))?
        .flatten()
        .filter(|e| e.path().is_file())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| is_compressible(n))
        .collect();
    names.sort();
    Ok(names)
}

/// Compresses every compressible file in `dist`.
pub fn write_copies(dist: &Path) -> Result<(), String> {
    for name in compressible(dist)? {
        let path = dist.join(&name);
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        std::fs::write(dist.join(format!("{name}.br")), brotli(&bytes)?).map_err(|e| format!("{name}.br: {e}"))?;
        std::fs::write(dist.join(format!("{name}.gz")), gzip(&bytes)?).map_err(|e| format!("{name}.gz: {e}"))?;
    }
    Ok(())
}

/// The sizes of every compressible file in `dist` and of the copies the build wrote.
pub fn sizes(dist: &Path) -> Result<Vec<Sizes>, String> {
    let size = |name: &str| {
        std::fs::metadata(dist.join(name)).map(|m| m.len()).map_err(|e| format!("dist/{name}: {e} (build the app with `cargo xtask build`)"))
    };
    compressible(dist)?
        .into_iter()
        .map(|name| Ok(Sizes { raw: size(&name)?, gzip: size(&format!("{name}.gz"))?, brotli: size(&format!("{name}.br"))?, name }))
        .collect()
}

/// Brotli at quality 11 with a 4 MiB window: the smallest output, as browsers decode it.
fn brotli(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 64 * 1024, 11, 22);
        writer.write_all(bytes).map_err(|e| format!("brotli: {e}"))?;
    }
    Ok(out)
}

/// Gzip at level 9, for browsers (and tools) without brotli.
pub fn gzip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).map_err(|e| format!("gzip: {e}"))?;
    encoder.finish().map_err(|e| format!("gzip: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read as _;

    #[test]
    fn copies_decode_to_the_file_and_only_downloads_get_them() {
        let dist = std::env::temp_dir().join(format!("waymark-compress-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dist);
        std::fs::create_dir_all(&dist).unwrap();
        let js = "export function f() { return 42; }\n".repeat(500);
        std::fs::write(dist.join("waymark-0123456789abcdef.js"), &js).unwrap();
        std::fs::write(dist.join("index.html"), "<html>").unwrap();
        std::fs::write(dist.join("sw.js"), &js).unwrap();
        std::fs::write(dist.join("icon-192.png"), "\u{89}PNG").unwrap();
        write_copies(&dist).unwrap();
        let sizes = sizes(&dist).unwrap();
        assert_eq!(sizes.len(), 1, "index.html, sw.js (no hash in its name) and PNG get no copies");
        assert!(sizes[0].brotli < sizes[0].gzip && sizes[0].gzip < sizes[0].raw / 10);
        let mut unbrotli = String::new();
        brotli::Decompressor::new(std::fs::File::open(dist.join("waymark-0123456789abcdef.js.br")).unwrap(), 4096)
            .read_to_string(&mut unbrotli)
            .unwrap();
        assert_eq!(unbrotli, js);
        let mut ungzip = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(dist.join("waymark-0123456789abcdef.js.gz")).unwrap()).read_to_string(&mut ungzip).unwrap();
        assert_eq!(ungzip, js);
        assert!(!dist.join("index.html.br").exists() && !dist.join("sw.js.br").exists() && !dist.join("icon-192.png.gz").exists());
        std::fs::remove_dir_all(&dist).unwrap();
    }
}
