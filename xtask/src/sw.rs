//! Writes `dist/sw.js`: the service worker with the list of every built file and a
//! version derived from their contents, so a new build replaces the old cache.

use std::path::{Path, PathBuf};

/// Fills the template's placeholders from what is in `dist`.
pub fn write(dist: &Path, template: &Path) -> Result<(), String> {
    let mut files = Vec::new();
    collect(dist, dist, &mut files)?;
    files.retain(|p| p != "sw.js");
    files.sort();
    let mut hash = Fnv::default();
    for name in &files {
        hash.write(name.as_bytes());
        hash.write(&std::fs::read(dist.join(name)).map_err(|e| format!("{name}: {e}"))?);
    }
    let mut urls = vec!["/".to_owned()];
    urls.extend(files.iter().map(|f| format!("/{f}")));
    let list = format!("[{}]", urls.iter().map(|u| format!("{u:?}")).collect::<Vec<_>>().join(", "));
    let source = std::fs::read_to_string(template).map_err(|e| format!("{}: {e}", template.display()))?;
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
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}
