//! The server under test, as a process of its own: started, waited for, its memory
//! read from `/proc`, stopped.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// How long a server may take to say it is listening.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A running server; killed when dropped, and its scratch folder removed.
pub struct Server {
    child: Child,
    pub pid: u32,
    name: String,
    dir: PathBuf,
}

impl Server {
    /// Starts `cmd` with its stderr going to a log file in `dir`, and waits until a line
    /// of its stdout passes `ready`, whose answer (say, the address) is returned.
    pub async fn start<T>(
        name: &str,
        mut cmd: Command,
        dir: PathBuf,
        ready: impl Fn(&str) -> Option<T>,
    ) -> Result<(Server, T), String> {
        let log = std::fs::File::create(dir.join("server.log")).map_err(|e| e.to_string())?;
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(log).kill_on_drop(true);
        let mut child = cmd.spawn().map_err(|e| format!("could not start {name}: {e}"))?;
        let pid = child.id().ok_or_else(|| format!("{name} exited at once"))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut server = Server { child, pid, name: name.to_owned(), dir };
        let mut lines = BufReader::new(stdout).lines();
        let found = tokio::time::timeout(START_TIMEOUT, async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(found) = ready(&line) {
                    return Some(found);
                }
            }
            None
        })
        .await;
        match found {
            Ok(Some(found)) => {
                // Keep reading what it prints, so that its stdout pipe never fills up.
                tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
                Ok((server, found))
            }
            Ok(None) => Err(format!("{name} exited before it was ready{}", server.log_tail())),
            Err(_) => {
                let _ = server.child.start_kill();
                Err(format!("{name} was not ready after {} s{}", START_TIMEOUT.as_secs(), server.log_tail()))
            }
        }
    }

    /// The server's resident memory, in KiB (`VmRSS` in `/proc/<pid>/status`).
    pub fn rss_kib(&self) -> Result<u64, String> {
        rss_kib(self.pid).map_err(|e| format!("cannot read {}'s memory: {e}", self.name))
    }

    /// Fails if the server has exited (it crashed, or refused something fatally).
    pub fn check_alive(&mut self) -> Result<(), String> {
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => Err(format!("{} exited ({status}){}", self.name, self.log_tail())),
            Err(e) => Err(e.to_string()),
        }
    }

    /// The last lines the server wrote to stderr, to explain a failure.
    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let tail = lines[lines.len().saturating_sub(15)..].join("\n    ");
        if tail.is_empty() {
            String::new()
        } else {
            format!("; its last words:\n    {tail}")
        }
    }

    pub async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A fresh scratch folder for one server (its data directory and log).
pub fn scratch(name: &str) -> Result<PathBuf, String> {
    let dir = std::env::temp_dir().join(format!("waymark-relay-bench-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}

/// A port free on the loopback interface right now.
pub fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

pub fn rss_kib(pid: u32) -> Result<u64, String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).map_err(|e| e.to_string())?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| "no VmRSS line".to_owned())
}

/// Raises this process's soft limit on open files to at least `wanted` (children
/// inherit it), as far as the hard limit allows; returns the new soft limit.
pub fn raise_open_files(wanted: u64) -> Result<u64, String> {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed to them.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return Err(format!("cannot read the open-file limit: {}", std::io::Error::last_os_error()));
    }
    let (soft, hard) = (limit.rlim_cur, limit.rlim_max);
    if soft >= wanted {
        return Ok(soft);
    }
    if hard < wanted {
        return Err(format!(
            "the open-file limit is {hard} at most (`ulimit -Hn`), and this run needs {wanted}: \
             raise the hard limit, or ask for fewer idle connections with --idle"
        ));
    }
    limit.rlim_cur = wanted.max(4096).min(hard);
    // SAFETY: as above.
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) } != 0 {
        return Err(format!("cannot raise the open-file limit to {wanted}: {}", std::io::Error::last_os_error()));
    }
    Ok(limit.rlim_cur)
}

/// Whether `path` exists, with a hint saying how to get it when it does not.
pub fn require(path: &Path, what: &str, hint: &str) -> Result<(), String> {
    if path.exists() {
        Ok(())
    } else {
        Err(format!("{what} not found at {} ({hint})", path.display()))
    }
}
