//! A throwaway PostgreSQL cluster for the relay's tests and benchmark.
//!
//! It uses the server binaries of Debian's `postgresql` package (installed with
//! `apt-get` if missing, when running as root), makes a cluster in a scratch
//! directory, and starts it on a free loopback port with `trust` authentication.
//! PostgreSQL refuses to run as root, so as root every server command runs as the
//! `postgres` user through `runuser`. Dropping the cluster stops it and removes the
//! directory.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    running: bool,
}

fn root() -> bool {
    // SAFETY-free check: `id -u` prints 0 for root.
    Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0\n")).unwrap_or(false)
}

/// The newest installed server's binaries (`/usr/lib/postgresql/<n>/bin`).
fn server_bin() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, bin): &(u32, PathBuf)| bin.join("initdb").is_file())
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

/// Installs Debian's `postgresql` package if no server is installed. One test at a
/// time: two `apt-get` runs at once fail on dpkg's lock.
fn install() -> Result<PathBuf, String> {
    static INSTALLING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one_at_a_time = INSTALLING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(bin) = server_bin() {
        return Ok(bin);
    }
    if !root() {
        return Err("PostgreSQL's server is not installed (no /usr/lib/postgresql/*/bin/initdb): install Debian's `postgresql` package".into());
    }
    eprintln!("installing Debian's postgresql package (the relay's shared-store tests need its server)…");
    let ok = |c: &mut Command| c.env("DEBIAN_FRONTEND", "noninteractive").status().map(|s| s.success()).unwrap_or(false);
    if !ok(Command::new("apt-get").args(["install", "-y", "-q", "--no-install-recommends", "postgresql"])) {
        ok(Command::new("apt-get").args(["update", "-q"]));
        if !ok(Command::new("apt-get").args(["install", "-y", "-q", "--no-install-recommends", "postgresql"])) {
            return Err("apt-get could not install postgresql".into());
        }
    }
    server_bin().ok_or_else(|| "postgresql was installed but no server binaries were found".into())
}

/// A server command, as the `postgres` user when we are root.
fn server_command(bin: &Path, name: &str) -> Command {
    if root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin.join(name));
        c
    } else {
        Command::new(bin.join(name))
    }
}

fn run(mut c: Command, what: &str) -> Result<(), String> {
    let out = c.output().map_err(|e| format!("cannot run {what}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
    }
}

fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

impl Cluster {
    /// Makes a cluster in a scratch directory and starts it.
    pub fn start() -> Result<Cluster, String> {
        let bin = install()?;
        let dir = tempfile::Builder::new().prefix("waymark-pg-").tempdir().map_err(|e| format!("no scratch directory: {e}"))?;
        if root() {
            run(
                {
                    let mut c = Command::new("chown");
                    c.arg("postgres:postgres").arg(dir.path());
                    c
                },
                "chown",
            )?;
        }
        let mut initdb = server_command(&bin, "initdb");
        initdb.arg("-D").arg(dir.path().join("data")).args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
        run(initdb, "initdb")?;
        let mut cluster = Cluster { dir, bin, port: free_port()?, running: false };
        cluster.resume()?;
        Ok(cluster)
    }

    /// `postgres://postgres@127.0.0.1:<port>/postgres`.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Starts the server again (same directory, same port) and waits until it accepts
    /// connections.
    pub fn resume(&mut self) -> Result<(), String> {
        let options = format!("-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=200", self.port, self.dir.path().display());
        let mut c = server_command(&self.bin, "pg_ctl");
        c.arg("-D").arg(self.dir.path().join("data")).arg("-l").arg(self.dir.path().join("log")).args(["-o", &options, "-w", "-t", "60", "start"]);
        run(c, "pg_ctl start").map_err(|e| format!("{e}\n{}", self.log()))?;
        self.running = true;
        Ok(())
    }

    /// Stops the server as a crash would (`-m immediate`: no checkpoint, recovery from
    /// the write-ahead log at the next start).
    pub fn crash(&mut self) -> Result<(), String> {
        let mut c = server_command(&self.bin, "pg_ctl");
        c.arg("-D").arg(self.dir.path().join("data")).args(["-m", "immediate", "-w", "stop"]);
        run(c, "pg_ctl stop -m immediate")?;
        self.running = false;
        Ok(())
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.running {
            let _ = self.crash();
        }
    }
}
