//! `cargo xtask <command>`: set-up, build, serve, test and measure Waymark.
//!
//! Every command first installs what a fresh machine lacks, skipping what is already
//! present at the right version, and says what it is doing.

mod install;
mod sw;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  run      build the app and serve it at http://127.0.0.1:8080
  test     run every test: native, wasm in headless Chromium, end-to-end
  bench    run the benchmarks (domain, browser, bundle size)
  build    build the app into dist/ (release, with the offline service worker)
  install  install the toolchain pieces a fresh machine lacks";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(),
        Some("test") => test(),
        Some("bench") => bench(),
        Some("build") => install::all(false).and_then(|()| build()),
        Some("install") => install::all(true),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The repository root (xtask lives one level below it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask is inside the repository").to_owned()
}

/// Says what is about to happen.
pub fn say(message: &str) {
    eprintln!("xtask: {message}");
}

/// Runs a command in the repository root, failing on a non-zero exit.
pub fn run_cmd(cmd: &mut Command) -> Result<(), String> {
    let shown = format!("{cmd:?}").replace('"', "");
    say(&format!("$ {shown}"));
    let status = cmd.current_dir(root()).status().map_err(|e| format!("could not start {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({status})"))
    }
}

/// PATH with the project-local tools (wasm-opt from npm) first.
pub fn tools_path() -> String {
    let local = root().join(".tools/node_modules/.bin");
    let cargo_bin = home_cargo_bin();
    format!("{}:{}:{}", local.display(), cargo_bin.display(), std::env::var("PATH").unwrap_or_default())
}

fn home_cargo_bin() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo"))
        .join("bin")
}

/// Builds the app in release mode into dist/, then writes the service worker.
fn build() -> Result<(), String> {
    say("building the app (release; the first build takes a few minutes)…");
    run_cmd(Command::new("trunk").args(["build", "--release", "--offline"]).env("PATH", tools_path()))?;
    sw::write(&root().join("dist"), &root().join("public/sw.js"))?;
    say("app built into dist/");
    Ok(())
}

fn build_relay() -> Result<PathBuf, String> {
    say("building the server (release)…");
    run_cmd(Command::new("cargo").args(["build", "--release", "-p", "waymark-relay"]))?;
    Ok(root().join("target/release/waymark-relay"))
}

fn run() -> Result<(), String> {
    install::all(false)?;
    build()?;
    let relay = build_relay()?;
    say("serving Waymark at http://127.0.0.1:8080 (Ctrl-C to stop)");
    run_cmd(Command::new(relay).args(["--addr", "127.0.0.1:8080", "--dist", "dist", "--data-dir", "target/waymark-data"]))
}

fn wasm_test_env(cmd: &mut Command) -> &mut Command {
    cmd.env("PATH", tools_path())
        .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", "wasm-bindgen-test-runner")
        .env("CHROMEDRIVER", "/usr/bin/chromedriver")
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120")
}

fn e2e_env<'a>(cmd: &'a mut Command, relay: &Path) -> &'a mut Command {
    cmd.env("WAYMARK_RELAY_BIN", relay).env("WAYMARK_DIST", root().join("dist"))
}

fn test() -> Result<(), String> {
    install::all(true)?;
    type Suite = (&'static str, Box<dyn Fn() -> Result<(), String>>);
    let suites: Vec<Suite> = vec![
        ("native (domain, server)", Box::new(|| {
            run_cmd(Command::new("cargo").args(["test", "--workspace", "--exclude", "waymark", "--exclude", "waymark-e2e"]))
        })),
        ("wasm in headless Chromium (IndexedDB)", Box::new(|| {
            run_cmd(wasm_test_env(&mut Command::new("cargo")).args(["test", "-p", "waymark", "--target", "wasm32-unknown-unknown"]))
        })),
        ("end-to-end in headless Chromium", Box::new(|| {
            build()?;
            let relay = build_relay()?;
            run_cmd(e2e_env(&mut Command::new("cargo"), &relay).args(["test", "-p", "waymark-e2e", "--", "--test-threads=1"]))
        })),
    ];
    let mut results = Vec::new();
    for (name, suite) in &suites {
        say(&format!("── suite: {name}"));
        let started = Instant::now();
        let outcome = suite();
        if let Err(e) = &outcome {
            say(&format!("suite failed: {e}"));
        }
        results.push((*name, outcome.is_ok(), started.elapsed()));
    }
    eprintln!("\nxtask: summary");
    for (name, ok, took) in &results {
        eprintln!("  {} {name} ({:.0} s)", if *ok { "PASS" } else { "FAIL" }, took.as_secs_f64());
    }
    let failed = results.iter().filter(|r| !r.1).count();
    println!("{} passed, {} failed", results.len() - failed, failed);
    if failed == 0 {
        Ok(())
    } else {
        Err(format!("{failed} suite(s) failed"))
    }
}

fn bench() -> Result<(), String> {
    install::all(true)?;
    build()?;
    if root().join("crates/domain/examples/bench.rs").exists() {
        say("── domain benchmarks (release)");
        run_cmd(Command::new("cargo").args(["run", "--release", "-p", "waymark-domain", "--example", "bench"]))?;
    }
    if root().join("tests/e2e/src/bin/browser-bench.rs").exists() {
        say("── browser benchmarks (headless Chromium)");
        let relay = build_relay()?;
        run_cmd(e2e_env(&mut Command::new("cargo"), &relay).args(["run", "--release", "-p", "waymark-e2e", "--bin", "browser-bench"]))?;
    }
    say("── transfer size of the app (gzip -9)");
    transfer_size()
}

/// Gzipped size of the wasm, js and css the browser downloads.
fn transfer_size() -> Result<(), String> {
    let dist = root().join("dist");
    let mut total = 0u64;
    let mut entries: Vec<_> = std::fs::read_dir(&dist).map_err(|e| e.to_string())?.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !matches!(ext, "wasm" | "js" | "css") || path.file_name().is_some_and(|n| n == "sw.js") {
            continue;
        }
        let out = Command::new("gzip").args(["-9", "-c"]).arg(&path).output().map_err(|e| format!("gzip: {e}"))?;
        let raw = std::fs::metadata(&path).map_err(|e| e.to_string())?.len();
        let gz = out.stdout.len() as u64;
        total += gz;
        println!("  {:<44} {:>9} B raw {:>9} B gzip", path.file_name().unwrap().to_string_lossy(), raw, gz);
    }
    println!("  total transfer (wasm + js + css, gzip): {:.1} KB (goal: under 400 KB)", total as f64 / 1024.0);
    Ok(())
}
