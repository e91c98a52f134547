//! Gives the document worker's files content-hashed names. Trunk names a worker after
//! its binary (`waymark-worker.js`, `_bg.wasm`, `_loader.js`), so every build would
//! reuse the same names and a browser could run a cached old worker beside a new app.
//! Renamed like the app's own module, a new version always loads its own worker, the
//! relay may cache it for good, and the build's compressed copies cover it.

use std::path::Path;

use crate::sw::Fnv;

const STEM: &str = "waymark-worker";
/// What `index.html` names until this step rewrites it.
const PLACEHOLDER: &str = "content=\"/waymark-worker_loader.js\"";

/// Renames the worker's script and module in `dist` after their contents, writes a
/// loader for them and names that loader in `index.html`.
pub fn hash_names(dist: &Path) -> Result<(), String> {
    let read = |name: &str| std::fs::read(dist.join(name)).map_err(|e| format!("dist/{name}: {e} (did trunk build the worker?)"));
    let script = read(&format!("{STEM}.js"))?;
    let module = read(&format!("{STEM}_bg.wasm"))?;
    let mut hash = Fnv::default();
    hash.write(&script);
    hash.write(&module);
    let base = format!("{STEM}-{:016x}", hash.0);
    let index = std::fs::read_to_string(dist.join("index.html")).map_err(|e| format!("dist/index.html: {e}"))?;
    if !index.contains(PLACEHOLDER) {
        return Err(format!("dist/index.html lacks <meta name=\"waymark-worker\" {PLACEHOLDER}>"));
    }
    let write = |name: &str, bytes: &[u8]| std::fs::write(dist.join(name), bytes).map_err(|e| format!("dist/{name}: {e}"));
    write(&format!("{base}.js"), &script)?;
    write(&format!("{base}_bg.wasm"), &module)?;
    // What trunk's loader does, under the new names (relative to the loader's own URL).
    write(&format!("{base}_loader.js"), format!("importScripts(\"./{base}.js\");wasm_bindgen(\"./{base}_bg.wasm\");").as_bytes())?;
    write("index.html", index.replace(PLACEHOLDER, &format!("content=\"/{base}_loader.js\"")).as_bytes())?;
    for old in [format!("{STEM}.js"), format!("{STEM}_bg.wasm"), format!("{STEM}_loader.js")] {
        let _ = std::fs::remove_file(dist.join(old));
    }
    crate::say(&format!("document worker built as {base}"));
    Ok(())
}

/// Refuses a build whose page module holds Automerge code: every document lives in
/// the worker, and the page's first download is the smaller for it. Automerge's code
/// shows in a module as the paths of its source files (the panic locations it keeps).
pub fn check_page_has_no_automerge(dist: &Path) -> Result<(), String> {
    let entries = std::fs::read_dir(dist).map_err(|e| format!("dist: {e}"))?;
    for name in entries.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()) {
        if !(name.starts_with("waymark-") && name.ends_with("_bg.wasm")) || name.starts_with(STEM) {
            continue;
        }
        let module = std::fs::read(dist.join(&name)).map_err(|e| format!("dist/{name}: {e}"))?;
        if holds_automerge(&module) {
            return Err(format!(
                "dist/{name}, the page's module, holds Automerge code: something the page runs reads a document itself. Ask the document worker instead (see src/session/worker.rs)."
            ));
        }
    }
    Ok(())
}

fn holds_automerge(module: &[u8]) -> bool {
    const MARK: &[u8] = b"/automerge-0.";
    module.windows(MARK.len()).any(|w| w == MARK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_module_with_automerge_in_it_is_told_apart() {
        assert!(holds_automerge(b"\0panicked at /root/.cargo/registry/src/x/automerge-0.12.0/src/op_set2.rs\0"));
        assert!(!holds_automerge(b"\0Import a .automerge file\0"));
    }

    #[test]
    fn the_worker_gets_a_name_that_changes_with_its_contents() {
        let dist = std::env::temp_dir().join(format!("waymark-worker-test-{}", std::process::id()));
        let built = |module: &str| {
            let _ = std::fs::remove_dir_all(&dist);
            std::fs::create_dir_all(&dist).unwrap();
            std::fs::write(dist.join("index.html"), format!("<meta name=\"waymark-worker\" {PLACEHOLDER} />")).unwrap();
            std::fs::write(dist.join("waymark-worker.js"), "var wasm_bindgen;").unwrap();
            std::fs::write(dist.join("waymark-worker_bg.wasm"), module).unwrap();
            std::fs::write(dist.join("waymark-worker_loader.js"), "old").unwrap();
            hash_names(&dist).unwrap();
            let index = std::fs::read_to_string(dist.join("index.html")).unwrap();
            let loader = index.split("content=\"/").nth(1).unwrap().split('"').next().unwrap().to_owned();
            let base = loader.strip_suffix("_loader.js").unwrap().to_owned();
            let shim = std::fs::read_to_string(dist.join(&loader)).unwrap();
            assert_eq!(shim, format!("importScripts(\"./{base}.js\");wasm_bindgen(\"./{base}_bg.wasm\");"));
            assert_eq!(std::fs::read_to_string(dist.join(format!("{base}_bg.wasm"))).unwrap(), module);
            assert!(!dist.join("waymark-worker_bg.wasm").exists() && !dist.join("waymark-worker_loader.js").exists(), "no unhashed copy is left to cache");
            base
        };
        let first = built("module one");
        assert_eq!(built("module one"), first, "the same build, the same name");
        assert_ne!(built("module two"), first, "a new worker, a new name");
        assert!(crate::compress::is_compressible(&format!("{first}_bg.wasm")), "its module gets brotli and gzip copies");
        let _ = std::fs::remove_dir_all(&dist);
    }
}
