//! Writes `dist/sw.js`: the service worker with the list of every built file and a
//! version derived from their contents, so a new build replaces the old cache.

use std::path::{Path, PathBuf};

/// Fills the template's placeholders from what is in `dist`.
pub fn write(dist: &Path, template: &Path) -> Result<(), String> {
    let mut files = Vec::new();
    collect(dist, dist, &mut files)?;
    // The brotli and gzip copies are the same files to the browser: never listed.
    files.retain(|p| p != "sw.js" && !p.ends_with(".br") && !p.ends_with(".gz"));
    files.sort();
    let source = std::fs::read_to_string(template).map_err(|e| format!("{}: {e}", template.display()))?;
    // The template is part of the version: a new worker gets a fresh cache.
    let mut hash = Fnv::default();
    hash.write(source.as_bytes());
    for name in &files {
        hash.write(name.as_bytes());
        hash.write(&std::fs::read(dist.join(name)).map_err(|e| format!("{name}: {e}"))?);
    }
    let mut urls = vec!["/".to_owned()];
    urls.extend(files.iter().map(|f| format!("/{f}")));
    let list = format!("[{}]", urls.iter().map(|u| format!("{u:?}")).collect::<Vec<_>>().join(", "));
    if !source.contains("__WAYMARK_PRECACHE__") || !source.contains("__WAYMARK_VERSION__") {
        return Err(format!("{} lacks the __WAYMARK_PRECACHE__ / __WAYMARK_VERSION__ placeholders", template.display()));
    }
    let out = source.replace("__WAYMARK_PRECACHE__", &list).replace("__WAYMARK_VERSION__", &format!("{:016x}", hash.0));
    std::fs::write(dist.join("sw.js"), out).map_err(|e| format!("dist/sw.js: {e}"))?;
    crate::say(&format!("service worker precaches {} files (version {:016x})", urls.len(), hash.0));
    Ok(())
}

fn collect(base: &Path, dir: &Path, out: &mut Vec<String>) -> Result<(), String> {
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path: PathBuf = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            collect(base, &path, out)?;
        } else if let Ok(rel) = path.strip_prefix(base) {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

/// FNV-1a, 64 bit: a stable content fingerprint (not a security boundary).
pub(crate) struct Fnv(pub(crate) u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    pub(crate) fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_every_built_file_and_changes_version_with_content() {
        let base = std::env::temp_dir().join(format!("waymark-sw-test-{}", std::process::id()));
        let dist = base.join("dist");
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(dist.join("icons")).unwrap();
        std::fs::write(dist.join("index.html"), "<html>").unwrap();
        std::fs::write(dist.join("waymark-0123456789abcdef_bg.wasm"), "wasm").unwrap();
        std::fs::write(dist.join("icons/icon.svg"), "<svg/>").unwrap();
        std::fs::write(dist.join("waymark-0123456789abcdef_bg.wasm.br"), "copy").unwrap();
        std::fs::write(dist.join("waymark-0123456789abcdef_bg.wasm.gz"), "copy").unwrap();
        let template = base.join("sw.js");
        std::fs::write(&template, "const V = \"__WAYMARK_VERSION__\"; const P = __WAYMARK_PRECACHE__;").unwrap();
        let built = || {
            write(&dist, &template).unwrap();
            std::fs::read_to_string(dist.join("sw.js")).unwrap()
        };
        let first = built();
        assert!(first.ends_with(r#"const P = ["/", "/icons/icon.svg", "/index.html", "/waymark-0123456789abcdef_bg.wasm"];"#), "{first}");
        assert_eq!(built(), first, "the same build gives the same worker (sw.js itself is not listed)");
        std::fs::write(dist.join("index.html"), "<html lang=en>").unwrap();
        assert_ne!(built(), first, "a change to any file gives a new version");
        std::fs::remove_dir_all(&base).unwrap();
    }
}
