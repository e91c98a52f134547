//! The bench end to end, on a small scale: every measure runs against the echo floor
//! and against Waymark's relay, and the results come out in the table and the JSON.
//! (The reference needs node and its npm packages; `cargo xtask bench relay` runs it.)

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const BENCH: &str = env!("CARGO_BIN_EXE_relay-bench");

/// Runs the bench on `target` with a few rounds and returns its JSON for the target.
fn run(target: &str, extra: &[&str]) -> Value {
    let json = std::env::temp_dir().join(format!("relay-bench-test-{target}-{}.json", std::process::id()));
    let out = Command::new(BENCH)
        .args(["--targets", target, "--rounds", "5", "--warmup", "1", "--pause-ms", "1", "--seconds", "1", "--idle", "20"])
        .arg("--json")
        .arg(&json)
        .args(extra)
        .output()
        .expect("relay-bench runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "relay-bench failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.lines().any(|l| l.trim_start().starts_with(target)), "no {target} row in the table:\n{stdout}");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&json).expect("the JSON is written")).expect("valid JSON");
    let _ = std::fs::remove_file(&json);
    doc["targets"][target].clone()
}

fn check(result: &Value) {
    assert!(result.get("not_measured").is_none(), "not measured: {result}");
    let latency = result["latency_ms"].as_array().expect("latency_ms");
    let counts: Vec<u64> = latency.iter().map(|l| l["subscribers"].as_u64().expect("subscribers")).collect();
    assert_eq!(counts, [1, 10, 100]);
    for l in latency {
        let samples = l["samples"].as_array().expect("samples");
        assert_eq!(samples.len(), 5);
        assert!(samples.iter().all(|s| s.as_f64().is_some_and(|ms| ms > 0.0)), "{l}");
        assert!(l["median"].as_f64() <= l["p95"].as_f64());
    }
    assert!(result["appends_per_s"].as_f64().is_some_and(|a| a > 0.0), "{result}");
    assert!(result["kib_per_idle_connection"].as_f64().is_some_and(|k| k > 0.0), "{result}");
}

#[test]
fn the_echo_floor_is_measured() {
    check(&run("echo", &[]));
}

#[test]
fn waymarks_relay_is_measured() {
    // The relay binary beside this one, built with the same profile.
    let dir = Path::new(BENCH).parent().expect("a folder");
    let profile = if dir.ends_with("release") { "release" } else { "dev" };
    let status = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--profile", profile, "-p", "waymark-relay"])
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building waymark-relay failed");
    let relay: PathBuf = dir.join("waymark-relay");
    check(&run("waymark", &["--relay", relay.to_str().expect("a UTF-8 path")]));
}
