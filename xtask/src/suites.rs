//! `cargo xtask test` and `cargo xtask bench`: every suite, timed, with a summary.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use crate::witness::run_witnessed;
use crate::{build, build_relay, install, root, run_cmd, say, tools_path};

type Suite = (&'static str, fn() -> Result<(), String>);

/// Runs the native, wasm, end-to-end and fuzz smoke suites; fails if any of them fails.
pub fn test() -> Result<(), String> {
    install::all(true)?;
    let suites: [Suite; 4] = [
        ("native (domain, server, tools)", native),
        ("wasm in headless Chromium", wasm),
        ("end-to-end: real server, headless Chromium", end_to_end),
        ("fuzz smoke: every cargo-fuzz target, briefly", fuzz_smoke),
    ];
    let mut results = Vec::new();
    for (name, suite) in suites {
        say(&format!("── suite: {name}"));
        let started = Instant::now();
        let outcome = suite();
        if let Err(e) = &outcome {
            say(&format!("suite failed: {e}"));
        }
        results.push((name, outcome, started.elapsed()));
    }
    println!("\nxtask: summary");
    for (name, outcome, took) in &results {
        println!("  {} {name} ({:.0} s)", if outcome.is_ok() { "PASS" } else { "FAIL" }, took.as_secs_f64());
        if let Err(why) = outcome {
            println!("    {why}");
        }
    }
    let failed = results.iter().filter(|r| r.1.is_err()).count();
    println!("{} passed, {} failed", results.len() - failed, failed);
    if failed == 0 {
        Ok(())
    } else {
        Err(format!("{failed} suite(s) failed"))
    }
}

fn native() -> Result<(), String> {
    run_witnessed(Command::new("cargo").args(["test", "--no-fail-fast", "--workspace", "--exclude", "waymark", "--exclude", "waymark-worker", "--exclude", "waymark-e2e"]))
}

/// Each fuzz target in `fuzz/` for a moment (at most 100,000 inputs or 15 s), from its
/// seeds in `fuzz/seeds/<target>` where it has some: that the targets build and find
/// nothing quickly. The long runs are documented in BENCHMARKS.md. libFuzzer needs
/// unstable compiler flags, so the stable toolchain is told to accept them
/// (RUSTC_BOOTSTRAP=1): no other toolchain is downloaded.
fn fuzz_smoke() -> Result<(), String> {
    let fuzz = root().join("fuzz");
    let mut targets: Vec<String> = std::fs::read_dir(fuzz.join("fuzz_targets"))
        .map_err(|e| format!("cannot list fuzz/fuzz_targets: {e}"))?
        .filter_map(|e| e.ok()?.path().file_stem()?.to_str().map(str::to_owned))
        .collect();
    targets.sort();
    let scratch = root().join("target/fuzz-smoke");
    let mut failed = Vec::new();
    for target in &targets {
        let corpus = scratch.join("corpus").join(target);
        std::fs::create_dir_all(&corpus).map_err(|e| format!("cannot create {}: {e}", corpus.display()))?;
        let mut cmd = Command::new("cargo");
        cmd.current_dir(&fuzz)
            .env("PATH", tools_path())
            .env("RUSTC_BOOTSTRAP", "1")
            .args(["fuzz", "run", "-O", "--target-dir"])
            .arg(scratch.join("build"))
            .arg(target)
            .arg(&corpus);
        let seeds = fuzz.join("seeds").join(target);
        if seeds.is_dir() {
            cmd.arg(seeds);
        }
        cmd.args(["--", "-runs=100000", "-max_total_time=15", "-max_len=8192", "-timeout=30", "-rss_limit_mb=4096"]);
        say(&format!("fuzzing {target} briefly…"));
        if let Err(e) = run_witnessed(&mut cmd) {
            say(&format!("fuzz target {target} failed: {e}"));
            failed.push(format!("{target} ({e})"));
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("fuzz targets failed (an input that failed is in fuzz/artifacts/): {}", failed.join("; ")))
    }
}

fn wasm() -> Result<(), String> {
    if !has_wasm_tests(&root().join("tests")) && !has_wasm_tests(&root().join("src")) {
        say("the app has no wasm-bindgen tests yet: nothing to run in Chromium (counted as a pass)");
    }
    let mut cargo = Command::new("cargo");
    cargo
        .args(["test", "--no-fail-fast", "-p", "waymark", "--target", "wasm32-unknown-unknown"])
        .env("PATH", tools_path())
        .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", "wasm-bindgen-test-runner")
        .env("CHROMEDRIVER", "/usr/bin/chromedriver")
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120");
    run_witnessed(&mut cargo)
}

/// Whether any Rust file under `dir` declares a `#[wasm_bindgen_test]`.
fn has_wasm_tests(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else { return false };
    entries.flatten().map(|e| e.path()).any(|path| {
        if path.is_dir() {
            has_wasm_tests(&path)
        } else {
            path.extension().is_some_and(|e| e == "rs")
                && std::fs::read_to_string(&path).is_ok_and(|s| s.contains("#[wasm_bindgen_test"))
        }
    })
}

fn end_to_end() -> Result<(), String> {
    build()?;
    let relay = build_relay()?;
    run_witnessed(e2e_env(&mut Command::new("cargo"), &relay).args(["test", "--no-fail-fast", "-p", "waymark-e2e", "--", "--test-threads=1"]))
}

/// Builds (one build at a time across concurrent runs, under a lock file), copies the
/// app and server aside, and runs the end-to-end tests with `args` against the copies,
/// so another run rebuilding meanwhile changes nothing under this one.
pub fn e2e_only(args: Vec<String>) -> Result<(), String> {
    let copy = root().join(format!("target/e2e-run-{}", std::process::id()));
    {
        std::fs::create_dir_all(root().join("target")).map_err(|e| e.to_string())?;
        let lock = std::fs::File::create(root().join("target/xtask-build.lock")).map_err(|e| e.to_string())?;
        say("waiting for any other build to finish…");
        lock.lock().map_err(|e| format!("could not take the build lock: {e}"))?;
        install::axe()?;
        build()?;
        let relay = build_relay()?;
        let _ = std::fs::remove_dir_all(&copy);
        copy_dir(&root().join("dist"), &copy.join("dist"))?;
        std::fs::copy(&relay, copy.join("waymark-relay")).map_err(|e| e.to_string())?;
    }
    let mut cmd = Command::new("cargo");
    cmd.env("WAYMARK_RELAY_BIN", copy.join("waymark-relay")).env("WAYMARK_DIST", copy.join("dist")).env("WAYMARK_AXE", install::axe_script());
    cmd.args(["test", "-p", "waymark-e2e"]).args(&args);
    if !args.iter().any(|a| a == "--") {
        cmd.arg("--");
    }
    cmd.arg("--test-threads=1");
    let result = run_cmd(&mut cmd);
    let _ = std::fs::remove_dir_all(&copy);
    result
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| e.to_string())?;
    for entry in std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

fn e2e_env<'a>(cmd: &'a mut Command, relay: &Path) -> &'a mut Command {
    cmd.env("WAYMARK_RELAY_BIN", relay).env("WAYMARK_DIST", root().join("dist")).env("WAYMARK_AXE", install::axe_script())
}

/// Builds the app, runs whichever benchmarks exist, prints the transfer size, and runs
/// the relay benchmark; `bench relay [options]` runs only the relay benchmark.
pub fn bench(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("relay") => return relay_bench(&args[1..]),
        Some("size") => {
            install::all(false)?;
            build()?;
            return transfer_size();
        }
        Some(only @ ("lists" | "ranking" | "roadmap" | "typing" | "import" | "open" | "teammate" | "palette" | "undo")) => {
            install::all(true)?;
            build()?;
            let relay = build_relay()?;
            return run_cmd(e2e_env(&mut Command::new("cargo"), &relay).args(["run", "--release", "-p", "waymark-e2e", "--bin", "browser-bench", only]));
        }
        Some(other) => {
            return Err(format!(
                "unknown benchmark {other:?}: `cargo xtask bench` runs them all, `cargo xtask bench relay [options]` only the relay's, `bench lists`, `bench ranking`, `bench roadmap`, `bench typing`, `bench import`, `bench open`, `bench teammate`, `bench palette` or `bench undo` only that browser benchmark, `bench size` only the transfer size"
            ))
        }
        None => {}
    }
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
    say("── transfer size of the app (what the server sends)");
    transfer_size()?;
    relay_bench(&[])
}

/// The relay benchmark (`benches/relay-bench`): Waymark's relay, a bare WebSocket echo
/// server and Automerge's reference sync server measured side by side in one run.
/// `options` go to `relay-bench` (see `relay-bench --help`); the results are also
/// written to `target/relay-bench.json`. Then the scale-out benchmark (`relay-bench
/// scale`, results also in `target/relay-scale.json`); `bench relay scale [options]`
/// runs only that one.
fn relay_bench(options: &[String]) -> Result<(), String> {
    let relay = build_relay()?;
    say("building the relay benchmark (release)…");
    run_cmd(Command::new("cargo").args(["build", "--release", "-p", "waymark-relay-bench"]))?;
    let scale = |options: &[String]| {
        say("── relay scale-out: one relay on redb vs 1, 2 and 4 relays on one PostgreSQL");
        run_cmd(Command::new(root().join("target/release/relay-bench")).arg("scale").arg("--relay").arg(&relay).args(["--json", "target/relay-scale.json"]).args(options))
    };
    if options.first().is_some_and(|o| o == "scale") {
        return scale(&options[1..]);
    }
    say("── relay: Waymark's relay vs a bare WebSocket echo server vs Automerge's sync server");
    install::automerge_bench()?;
    run_cmd(
        Command::new(root().join("target/release/relay-bench"))
            .arg("--relay")
            .arg(&relay)
            .args(["--node-modules", install::AUTOMERGE_BENCH_DIR, "--json", "target/relay-bench.json"])
            .args(options),
    )?;
    scale(&[])
}

/// Prints what a browser downloads, as the server sends it: each file's raw, gzip and
/// brotli size (the copies `cargo xtask build` wrote), the first paint (`index.html`,
/// the app's module, its JavaScript and CSS; not the document worker) and the whole app (everything the service
/// worker precaches), against the goals of 400 KB and 800 KB brotli.
pub fn transfer_size() -> Result<(), String> {
    let dist = root().join("dist");
    let sizes = crate::compress::sizes(&dist)?;
    let mut first_paint = 0u64;
    let mut whole = 0u64;
    for s in &sizes {
        println!("  {:<44} {:>9} B raw {:>9} B gzip {:>9} B brotli", s.name, s.raw, s.gzip, s.brotli);
        // The document worker starts on first use, after the page is drawn.
        if !s.name.starts_with("waymark-worker-") {
            first_paint += s.brotli;
        }
        whole += s.brotli;
    }
    // The files with fixed names, gzipped on the fly: index.html (first paint), the
    // service worker, the manifest and the worker's loader (fetched after it); and the icons (PNG as they
    // are, SVG gzipped).
    let gzipped = |path: &std::path::Path| -> Result<u64, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let svg_or_text = !path.extension().is_some_and(|e| e == "png");
        Ok(if svg_or_text { crate::compress::gzip(&bytes)?.len() as u64 } else { bytes.len() as u64 })
    };
    let html = gzipped(&dist.join("index.html"))?;
    first_paint += html;
    whole += html;
    let loaders = std::fs::read_dir(&dist).map_err(|e| format!("{}: {e}", dist.display()))?.flatten().map(|e| e.file_name().to_string_lossy().into_owned());
    for name in ["sw.js".to_owned(), "manifest.webmanifest".to_owned()].into_iter().chain(loaders.filter(|n| n.ends_with("_loader.js"))) {
        whole += gzipped(&dist.join(name))?;
    }
    if let Ok(icons) = std::fs::read_dir(dist.join("icons")) {
        for entry in icons.flatten() {
            whole += gzipped(&entry.path())?;
        }
    }
    // Kilobytes of 1,000 bytes, as the goals are stated.
    let verdict = |bytes: u64, goal_kb: u64| if bytes <= goal_kb * 1000 { "within" } else { "OVER" };
    // The last run's figures (this machine's `target/`), so a regression shows at once.
    let record = root().join("target/transfer-size.txt");
    let last: Vec<u64> = std::fs::read_to_string(&record).unwrap_or_default().split_whitespace().filter_map(|n| n.parse().ok()).collect();
    let since = |now: u64, i: usize| match last.get(i) {
        Some(&before) if before != now => format!(" ({:+} B since the last run)", now as i64 - before as i64),
        Some(_) => " (as in the last run)".to_owned(),
        None => String::new(),
    };
    println!(
        "  first-paint transfer (index.html + module + JS + CSS, brotli): {first_paint} B = {:.1} KB, {} the 400 KB goal{}",
        first_paint as f64 / 1000.0,
        verdict(first_paint, 400),
        since(first_paint, 0)
    );
    println!(
        "  whole app transfer (everything a first visit downloads and precaches, brotli): {whole} B = {:.1} KB, {} the 800 KB goal{}",
        whole as f64 / 1000.0,
        verdict(whole, 800),
        since(whole, 1)
    );
    std::fs::write(&record, format!("{first_paint} {whole}\n")).map_err(|e| format!("{}: {e}", record.display()))?;
    Ok(())
}
