//! Runs a test command while keeping the lines that explain a failure (compiler
//! errors, panics and their messages, failed test names), so the summary at the very
//! end of `cargo xtask test` says why a suite failed: a CI log is often read from its
//! tail only.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use crate::{root, say};

/// At most this many telling lines are kept per command (the last ones).
const KEPT: usize = 40;

/// Whether `line` helps say why a run failed.
fn telling(line: &str) -> bool {
    let line = line.trim_end();
    line.starts_with("error")
        || line.starts_with("---- ")
        || line.contains("panicked at")
        || line.ends_with("... FAILED")
        || line.starts_with("test result: FAILED")
        || line.starts_with("SUMMARY: ")
        || line.starts_with("==") && line.contains("ERROR")
        || line.contains("No space left on device")
}

/// Copies `from` to `to` line by line, keeping the telling lines (and the line after a
/// panic, which holds its message) in `kept`.
fn pump(from: impl Read, mut to: impl Write, kept: Arc<Mutex<Vec<String>>>) {
    let mut keep_next = false;
    for line in BufReader::new(from).split(b'\n').map_while(Result::ok) {
        let _ = to.write_all(&line);
        let _ = to.write_all(b"\n");
        let _ = to.flush();
        let text = String::from_utf8_lossy(&line);
        if keep_next || telling(&text) {
            let mut kept = kept.lock().expect("no thread panics holding it");
            if kept.len() == KEPT {
                kept.remove(0);
            }
            kept.push(text.chars().take(300).collect());
        }
        keep_next = text.contains("panicked at");
    }
}

/// Like [`crate::run_cmd`], but a failure's message ends with the telling lines of its
/// output.
pub fn run_witnessed(cmd: &mut Command) -> Result<(), String> {
    let mut shown = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        shown.push(' ');
        shown.push_str(&arg.to_string_lossy());
    }
    say(&format!("$ {shown}"));
    let mut child = cmd.current_dir(root()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().map_err(|e| format!("could not start {shown}: {e}"))?;
    let kept = Arc::new(Mutex::new(Vec::new()));
    let out = child.stdout.take().map(|o| {
        let kept = kept.clone();
        std::thread::spawn(move || pump(o, std::io::stdout(), kept))
    });
    let err = child.stderr.take().map(|e| {
        let kept = kept.clone();
        std::thread::spawn(move || pump(e, std::io::stderr(), kept))
    });
    let status = child.wait().map_err(|e| format!("{shown}: {e}"))?;
    for pumping in [out, err].into_iter().flatten() {
        let _ = pumping.join();
    }
    if status.success() {
        return Ok(());
    }
    let kept = kept.lock().expect("the pumps are done").join("\n    ");
    Err(if kept.is_empty() { format!("{shown} failed ({status})") } else { format!("{shown} failed ({status}):\n    {kept}") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_panics_with_their_message_and_failed_tests() {
        let output = "running 2 tests\ntest a ... ok\ntest b ... FAILED\n---- b stdout ----\nthread 'b' panicked at tests/b.rs:3:5:\nB never saw the risk\nnote: run with RUST_BACKTRACE=1\nerror: could not compile `x`\n";
        let kept = Arc::new(Mutex::new(Vec::new()));
        pump(output.as_bytes(), std::io::sink(), kept.clone());
        assert_eq!(
            *kept.lock().unwrap(),
            ["test b ... FAILED", "---- b stdout ----", "thread 'b' panicked at tests/b.rs:3:5:", "B never saw the risk", "error: could not compile `x`"]
        );
    }
}
