//! Ends what the harness started, chromedriver and every Chromium process under it,
//! even when a panic aborts the process (release builds such as browser-bench), where
//! `Drop` never runs. Chromium outlives a killed chromedriver, so the whole tree goes.

use std::process::Child;
use std::sync::Mutex;

/// A child process whose whole tree is ended when this is dropped.
pub struct Owned(Child);

impl Owned {
    /// Takes charge of `child` (and, from now on, everything it starts).
    pub fn new(child: Child) -> Owned {
        track(child.id());
        Owned(child)
    }

    /// The child's exit status, if it has already exited.
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.0.try_wait().ok().flatten()
    }
}

impl Drop for Owned {
    fn drop(&mut self) {
        end(self.0.id());
        let _ = self.0.wait();
    }
}

/// Process ids whose trees are ended if the process panics with `panic = "abort"`.
static LIVE: Mutex<Vec<u32>> = Mutex::new(Vec::new());

/// Remembers `pid` so an aborting panic still ends its tree.
fn track(pid: u32) {
    #[cfg(panic = "abort")]
    {
        static HOOK: std::sync::Once = std::sync::Once::new();
        HOOK.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                if let Ok(live) = LIVE.lock() {
                    live.iter().for_each(|&pid| kill_tree(pid));
                }
                previous(info);
            }));
        });
    }
    if let Ok(mut live) = LIVE.lock() {
        live.push(pid);
    }
}

/// Kills `pid` and all its descendants, and forgets it.
fn end(pid: u32) {
    if let Ok(mut live) = LIVE.lock() {
        live.retain(|&p| p != pid);
    }
    kill_tree(pid);
}

fn kill_tree(pid: u32) {
    // Snapshot the whole tree first: once a parent dies its children are re-parented.
    let mut tree = vec![pid];
    let mut i = 0;
    while i < tree.len() {
        tree.extend(children(tree[i]));
        i += 1;
    }
    for p in tree {
        if let Ok(p) = i32::try_from(p) {
            // SAFETY: kill(2) takes plain integers and touches no memory of ours.
            unsafe { libc::kill(p, libc::SIGKILL) };
        }
    }
}

/// The processes whose parent is `pid`, from /proc.
fn children(pid: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&p| parent_of(p) == Some(pid))
        .collect()
}

/// The parent pid from /proc/<pid>/stat ("pid (comm) state ppid …"; comm may hold spaces).
fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(')')?.1.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tree_of_processes_ends_together() {
        let shell = std::process::Command::new("sh").args(["-c", "sleep 30 & sleep 30 & wait"]).spawn().unwrap();
        let pid = shell.id();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while children(pid).len() < 2 {
            assert!(std::time::Instant::now() < deadline, "the shell started its sleeps");
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let sleeps = children(pid);
        drop(Owned::new(shell));
        std::thread::sleep(std::time::Duration::from_millis(100));
        for s in sleeps {
            // Gone, or a zombie waiting for init to collect it.
            let state = std::fs::read_to_string(format!("/proc/{s}/stat")).unwrap_or_default();
            let state = state.rsplit_once(')').map_or("", |(_, rest)| rest.trim_start());
            assert!(state.is_empty() || state.starts_with('Z'), "sleep {s} was ended: {state}");
        }
    }
}
