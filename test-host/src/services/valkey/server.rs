//! [`ValkeyServer`]: a real Valkey (or Redis) server on 127.0.0.1 for a test, stopped when dropped.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a server may take to answer its first `PING`.
const STARTUP: Duration = Duration::from_secs(10);

/// A `valkey-server` (or `redis-server`) process for one test: its own port on 127.0.0.1, nothing saved
/// to disk, stopped (by its PID) when dropped. Give its [`url`](Self::url) to
/// [`TestHostBuilder::valkey`](crate::TestHostBuilder::valkey).
///
/// The binary is `$VALKEY_SERVER` if set, else `valkey-server` or `redis-server` on the `PATH` (on Debian:
/// `apt-get install valkey-server` or `redis-server`).
///
/// ```no_run
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use momento_functions_test_host::{TestHost, ValkeyServer};
///
/// let server = ValkeyServer::start()?;
/// let host = TestHost::builder().valkey("sessions", server.url()).build_crate(".")?;
/// # let _ = host;
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct ValkeyServer {
    child: Child,
    port: u16,
    binary: PathBuf,
}

impl ValkeyServer {
    /// Start a server on a free port of 127.0.0.1 and wait until it answers.
    ///
    /// # Errors
    /// No server binary found, or it did not start (its output is in the message).
    pub fn start() -> std::io::Result<ValkeyServer> {
        // A free port: bind port 0, note the port, let it go. (Another process could take it in between;
        // the server then fails to start and says so.)
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        Self::start_on_port(port)
    }

    /// Start a server on `port` of 127.0.0.1 (e.g. again where a stopped one was) and wait until it
    /// answers.
    ///
    /// # Errors
    /// As [`start`](Self::start); also when the port is taken.
    pub fn start_on_port(port: u16) -> std::io::Result<ValkeyServer> {
        let binary = find_binary().ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no valkey-server or redis-server on the PATH (and VALKEY_SERVER is not set): install one, e.g. `apt-get install redis-server`",
            )
        })?;
        let mut child = Command::new(&binary)
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "yes",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", binary.display())))?;
        let started = Instant::now();
        while started.elapsed() < STARTUP {
            if let Some(status) = child.try_wait()? {
                let mut output = String::new();
                if let Some(stdout) = child.stdout.take() {
                    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                        output.push_str(&line);
                        output.push('\n');
                    }
                }
                return Err(std::io::Error::other(format!(
                    "{} exited ({status}) before answering: {}",
                    binary.display(),
                    output.trim_end()
                )));
            }
            if ping(port) {
                // Nothing reads the pipes from here on: stop the server from blocking on a full pipe.
                drop(child.stdout.take());
                drop(child.stderr.take());
                return Ok(ValkeyServer {
                    child,
                    port,
                    binary,
                });
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
        Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            format!(
                "{} did not answer PING on 127.0.0.1:{port} within {STARTUP:?}",
                binary.display()
            ),
        ))
    }

    /// `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Its port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The binary that runs it.
    pub fn binary(&self) -> &std::path::Path {
        &self.binary
    }
}

impl Drop for ValkeyServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn find_binary() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("VALKEY_SERVER") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    ["valkey-server", "redis-server"].iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// Does a server on `port` answer `PING`?
fn ping(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    if stream.write_all(b"*1\r\n$4\r\nPING\r\n").is_err() {
        return false;
    }
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).is_ok() && line.starts_with("+PONG")
}
