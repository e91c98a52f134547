//! `cargo xtask <command>`: set-up, build, serve, test and measure Waymark.
//!
//! Every command first installs what a fresh machine lacks, skipping what is already
//! present at the right version, and says what it is doing.

mod compress;
mod install;
mod suites;
mod sw;
mod witness;
mod worker;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const USAGE: &str = "usage: cargo xtask <command>

commands:
  run      build the app and serve it at http://127.0.0.1:8080
  test     run every test: native, wasm in headless Chromium, end-to-end
  bench [relay [scale] [options…] | lists | ranking | roadmap | typing | import | open | teammate | palette | undo | size]
           run the benchmarks (domain, browser, bundle size, relay); `bench relay` runs
           only the relay's (Waymark vs an echo server vs Automerge's sync server, then
           one relay on redb vs 1, 2 and 4 relays on one PostgreSQL; options as for
           `target/release/relay-bench --help`); `bench relay scale` only the latter;
           `bench lists` only one edit in every long list, `bench ranking` only the
           ranked table, `bench roadmap` only the 500-feature board and timeline,
           `bench typing` only trusted keystrokes (DOM updated, rendered, presented),
           `bench import` only a JSON import of 1,000 and 10,000 ideas with progress,
           `bench open` only opening 1,000 and 10,000 ideas (navigation → list, longest task),
           `bench palette` only the command palette over 10,000 ideas (open, each key),
           `bench undo` only Ctrl-Z over 10,000 ideas (key → the undone status painted),
           `bench size` only what a browser downloads (raw, gzip, brotli)
  e2e [cargo test args…]
           build, then run only the end-to-end tests (e.g. `cargo xtask e2e --test stories`);
           safe to run several at once: builds take turns and each run gets its own copy
  build    build the app into dist/ (release, with the offline service worker)
  install  install the toolchain pieces a fresh machine lacks";

fn main() -> ExitCode {
    match try_main() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn try_main() -> Result<(), String> {
    let command = std::env::args().nth(1).unwrap_or_default();
    match command.as_str() {
        "install" => install::all(true),
        "build" => install::all(false).and_then(|()| build()),
        "run" => run(),
        "test" => suites::test(),
        "bench" => suites::bench(&std::env::args().skip(2).collect::<Vec<_>>()),
        "e2e" => install::all(false).and_then(|()| suites::e2e_only(std::env::args().skip(2).collect())),
        "" | "help" | "-h" | "--help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command {other:?}\n\n{USAGE}")),
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
    let mut shown = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        shown.push(' ');
        shown.push_str(&arg.to_string_lossy());
    }
    // Environment set for the command, except the PATH that only adds tool folders.
    let env: Vec<String> = cmd
        .get_envs()
        .filter(|(k, _)| *k != "PATH")
        .map(|(k, v)| format!("{}={}", k.to_string_lossy(), v.map(|v| v.to_string_lossy()).unwrap_or_default()))
        .collect();
    say(&format!("$ {}{shown}", env.iter().map(|e| format!("{e} ")).collect::<String>()));
    let status = cmd.current_dir(root()).status().map_err(|e| format!("could not start {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({status})"))
    }
}

/// PATH with the project-local tools (wasm-opt from npm) and cargo's bin first.
pub fn tools_path() -> String {
    let local = root().join(".tools/node_modules/.bin");
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo"))
        .join("bin");
    format!("{}:{}:{}", local.display(), cargo_bin.display(), std::env::var("PATH").unwrap_or_default())
}

/// Builds the app in release mode into dist/, then writes the service worker.
pub fn build() -> Result<(), String> {
    install::check_trunk_pins()?;
    say("building the app with trunk (release, offline; the first build takes a few minutes)…");
    run_cmd(Command::new("trunk").args(["build", "--release", "--offline"]).env("PATH", tools_path()))?;
    worker::hash_names(&root().join("dist"))?;
    worker::check_page_has_no_automerge(&root().join("dist"))?;
    sw::write(&root().join("dist"), &root().join("public/sw.js"))?;
    say("writing brotli and gzip copies of the app…");
    compress::write_copies(&root().join("dist"))?;
    say("app built into dist/");
    Ok(())
}

/// Builds the server in release mode and returns the binary's path.
pub fn build_relay() -> Result<PathBuf, String> {
    say("building the server waymark-relay (release)…");
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
