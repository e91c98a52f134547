//! Installs what a fresh machine lacks, idempotently.

use std::path::Path;
use std::process::Command;

use crate::{root, run_cmd, say, tools_path};

const TRUNK_VERSION: &str = "0.21.14";
const CARGO_FUZZ_VERSION: &str = "0.13.2";
const BINARYEN_VERSION: &str = "132.0.0";
/// The relay benchmark's reference (`cargo xtask bench relay`): Automerge's sync server
/// and the client libraries it is driven with. The server's own dependency range
/// (`automerge-repo ^1.2.0`) resolves to 1.2.1, so the clients are pinned to the same
/// release: one copy of each package, and both ends speak the same protocol.
const AUTOMERGE_BENCH: [(&str, &str); 4] = [
    ("@automerge/automerge-repo-sync-server", "0.2.8"),
    ("@automerge/automerge-repo", "1.2.1"),
    ("@automerge/automerge-repo-network-websocket", "1.2.1"),
    ("@automerge/automerge", "2.2.9"),
];
/// Where they are installed (the bench reads them from there).
pub const AUTOMERGE_BENCH_DIR: &str = ".tools/automerge-bench";
/// The accessibility checker the end-to-end tests run on every screen.
const AXE_VERSION: &str = "4.14.1";
/// Where it is installed; the tests read `axe.min.js` from there (`WAYMARK_AXE`).
pub const AXE_DIR: &str = ".tools/axe";

/// Everything the build needs; with `browsers`, Chromium and its driver too.
pub fn all(browsers: bool) -> Result<(), String> {
    wasm_target()?;
    trunk()?;
    wasm_bindgen()?;
    node()?;
    binaryen()?;
    if browsers {
        chromium()?;
        cargo_fuzz()?;
        axe()?;
    }
    say(&format!(
        "tools ready: wasm32 target, trunk {TRUNK_VERSION}, wasm-bindgen {}, wasm-opt {}{}",
        wasm_bindgen_version()?,
        BINARYEN_VERSION.split('.').next().unwrap_or(""),
        if browsers { format!(", chromium + chromedriver, cargo-fuzz {CARGO_FUZZ_VERSION}") } else { String::new() }
    ));
    Ok(())
}

fn output(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).env("PATH", tools_path()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn wasm_target() -> Result<(), String> {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        return Ok(());
    }
    say("installing the wasm32-unknown-unknown target…");
    run_cmd(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

fn trunk() -> Result<(), String> {
    if output("trunk", &["--version"]).is_some_and(|v| v.contains(TRUNK_VERSION)) {
        return Ok(());
    }
    say(&format!("installing trunk {TRUNK_VERSION} (about 9 minutes the first time)…"));
    run_cmd(Command::new("cargo").args(["install", "trunk", "--version", TRUNK_VERSION, "--locked"]))
}

/// cargo-fuzz, for the fuzz smoke of `cargo xtask test` (it runs on the stable
/// toolchain: see `suites::fuzz_smoke`).
fn cargo_fuzz() -> Result<(), String> {
    if output("cargo", &["fuzz", "--version"]).is_some_and(|v| v.contains(CARGO_FUZZ_VERSION)) {
        return Ok(());
    }
    say(&format!("installing cargo-fuzz {CARGO_FUZZ_VERSION} (about 2 minutes the first time)…"));
    run_cmd(Command::new("cargo").args(["install", "cargo-fuzz", "--version", CARGO_FUZZ_VERSION, "--locked"]))
}

/// The exact wasm-bindgen version in Cargo.lock: the CLI must match the library.
pub fn wasm_bindgen_version() -> Result<String, String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines.next().and_then(|l| l.trim().strip_prefix("version = \"")) {
                return Ok(v.trim_end_matches('"').to_owned());
            }
        }
    }
    Err("Cargo.lock names no wasm-bindgen version".into())
}

fn wasm_bindgen() -> Result<(), String> {
    let version = wasm_bindgen_version()?;
    let have = |bin: &str| output(bin, &["--version"]).is_some_and(|v| v.split_whitespace().nth(1) == Some(version.as_str()));
    if have("wasm-bindgen") && have("wasm-bindgen-test-runner") {
        return Ok(());
    }
    say(&format!("installing wasm-bindgen-cli {version} (a few minutes)…"));
    // Not --locked: the CLI's own lock file names a crate version the registry lacks.
    run_cmd(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", &version, "--force"]))
}

/// Checks that Trunk.toml pins the tool versions installed here, so trunk finds them
/// on PATH instead of trying to download others.
pub fn check_trunk_pins() -> Result<(), String> {
    let trunk_toml = std::fs::read_to_string(root().join("Trunk.toml")).map_err(|e| format!("Trunk.toml: {e}"))?;
    let pinned = |key: &str| {
        trunk_toml.lines().find_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == key).then(|| v.trim().trim_matches('"').to_owned())
        })
    };
    let expected = [
        ("wasm_bindgen", wasm_bindgen_version()?),
        ("wasm_opt", format!("version_{}", BINARYEN_VERSION.split('.').next().unwrap_or(""))),
    ];
    for (key, want) in expected {
        let have = pinned(key);
        if have.as_deref() != Some(want.as_str()) {
            return Err(format!(
                "Trunk.toml [tools] must say {key} = \"{want}\" (it says {}): update it to match the installed tool",
                have.map_or("nothing".to_owned(), |h| format!("\"{h}\""))
            ));
        }
    }
    Ok(())
}

fn binaryen() -> Result<(), String> {
    let wanted = format!("version {}", BINARYEN_VERSION.split('.').next().unwrap_or(""));
    let local = root().join(".tools/node_modules/.bin/wasm-opt");
    if local.exists() && output("wasm-opt", &["--version"]).is_some_and(|v| v.contains(&wanted)) {
        return Ok(());
    }
    // Debian's binaryen produces a broken module; npm's works.
    say(&format!("installing wasm-opt (npm binaryen {BINARYEN_VERSION}) into .tools/…"));
    std::fs::create_dir_all(root().join(".tools")).map_err(|e| e.to_string())?;
    run_cmd(Command::new("npm").args([
        "install",
        "--prefix",
        ".tools",
        "--no-audit",
        "--no-fund",
        "--silent",
        "--save-exact",
        &format!("binaryen@{BINARYEN_VERSION}"),
    ]))
}

/// Node.js and npm (npm installs wasm-opt, and node runs the relay benchmark's
/// reference), from Debian when missing.
fn node() -> Result<(), String> {
    if output("node", &["--version"]).is_some() && output("npm", &["--version"]).is_some() {
        return Ok(());
    }
    say("installing Node.js and npm from Debian…");
    run_cmd(Command::new("apt-get").args(["update", "-q"]))?;
    run_cmd(Command::new("apt-get").args(["install", "-y", "-q", "nodejs", "npm"]).env("DEBIAN_FRONTEND", "noninteractive"))
}

/// The npm packages of the relay benchmark's reference, at the pinned versions, in
/// `.tools/automerge-bench` (apart from wasm-opt's `.tools`, so neither install
/// disturbs the other).
pub fn automerge_bench() -> Result<(), String> {
    node()?;
    let modules = root().join(AUTOMERGE_BENCH_DIR).join("node_modules");
    let installed = |name: &str, version: &str| {
        std::fs::read_to_string(modules.join(name).join("package.json"))
            .is_ok_and(|json| json.contains(&format!("\"version\": \"{version}\"")))
    };
    if AUTOMERGE_BENCH.iter().all(|(name, version)| installed(name, version)) {
        return Ok(());
    }
    let packages: Vec<String> = AUTOMERGE_BENCH.iter().map(|(name, version)| format!("{name}@{version}")).collect();
    say(&format!("installing Automerge's reference sync server and clients ({}) into {AUTOMERGE_BENCH_DIR}/…", packages.join(", ")));
    std::fs::create_dir_all(root().join(AUTOMERGE_BENCH_DIR)).map_err(|e| e.to_string())?;
    run_cmd(
        Command::new("npm")
            .args(["install", "--prefix", AUTOMERGE_BENCH_DIR, "--no-audit", "--no-fund", "--silent", "--save-exact"])
            .args(&packages),
    )
}

/// axe-core, from npm, in `AXE_DIR` (apart from wasm-opt's `.tools`).
pub fn axe() -> Result<(), String> {
    let package = root().join(AXE_DIR).join("node_modules/axe-core/package.json");
    if std::fs::read_to_string(&package).is_ok_and(|json| json.contains(&format!("\"version\": \"{AXE_VERSION}\""))) {
        return Ok(());
    }
    say(&format!("installing axe-core {AXE_VERSION} into {AXE_DIR}/…"));
    std::fs::create_dir_all(root().join(AXE_DIR)).map_err(|e| e.to_string())?;
    run_cmd(Command::new("npm").args(["install", "--prefix", AXE_DIR, "--no-audit", "--no-fund", "--silent", "--save-exact", &format!("axe-core@{AXE_VERSION}")]))
}

/// The axe-core script the end-to-end tests inject.
pub fn axe_script() -> std::path::PathBuf {
    root().join(AXE_DIR).join("node_modules/axe-core/axe.min.js")
}

fn chromium() -> Result<(), String> {
    if Path::new("/usr/bin/chromium").exists() && Path::new("/usr/bin/chromedriver").exists() {
        return Ok(());
    }
    say("installing Chromium and ChromeDriver from Debian…");
    run_cmd(Command::new("apt-get").args(["update", "-q"]))?;
    run_cmd(Command::new("apt-get").args(["install", "-y", "-q", "chromium", "chromium-driver"]).env("DEBIAN_FRONTEND", "noninteractive"))
}
