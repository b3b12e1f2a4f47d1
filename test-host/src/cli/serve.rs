//! `serve`: a function behind an HTTP server on loopback, with `--watch` to rebuild and reload.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use crate::server::{ServeOptions, Server, ServerHandle};
use crate::{TestHost, TestHostBuilder};
use clap::Args;

use super::{EXIT_LOAD, HostArgs, LimitArgs};

/// How often `--watch` looks for changes.
const WATCH_INTERVAL: Duration = Duration::from_millis(300);

/// Serve a function.
#[derive(Debug, Args)]
pub(crate) struct ServeCommand {
    #[command(flatten)]
    host: HostArgs,
    /// Address to listen on (loopback by default; port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Worker threads, each running one invocation at a time [default: one per core].
    #[arg(long)]
    threads: Option<usize>,
    /// No access log (function logs included).
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Rebuild and reload when the crate's files change (TARGET a crate directory), or reload when the
    /// `.wasm` file changes. A failed build keeps serving the previous version.
    #[arg(long)]
    watch: bool,
    /// A request body that makes no progress for this long is answered 408 and its connection closed,
    /// in milliseconds [default: 20000].
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..))]
    body_timeout_ms: Option<u64>,
    /// Memory for request bodies of all connections together (at least one request of the request
    /// limit); a body that does not fit is answered 503 [default: 256MiB].
    #[arg(long, value_name = "SIZE", value_parser = super::parse_size_arg)]
    body_memory: Option<usize>,
    /// `--body-memory` in MiB, as earlier versions took it; hidden from --help.
    #[arg(long, hide = true, value_name = "MIB", conflicts_with = "body_memory")]
    body_memory_mb: Option<usize>,
    #[command(flatten)]
    limits: LimitArgs,
}

impl ServeCommand {
    fn builder(&self) -> TestHostBuilder {
        // A server runs long: keep no history of logs or service calls.
        self.limits.configure(
            TestHost::builder()
                .keep_log_history(false)
                .record_calls(false),
        )
    }

    pub(crate) fn run(self) -> ExitCode {
        let host = match self.host.load(self.builder()) {
            Ok(host) => host,
            Err(message) => {
                super::error(&message);
                return ExitCode::from(EXIT_LOAD);
            }
        };
        if let Some(notice) = super::warn_only_notice(host.limits()) {
            super::style::warning(notice);
        }
        let mut options = ServeOptions::default()
            .addr(self.addr)
            .access_log(!self.quiet)
            .shutdown_on_ctrl_c(true);
        if let Some(threads) = self.threads {
            options = options.threads(threads);
        }
        if let Some(ms) = self.body_timeout_ms {
            options = options.body_idle_timeout(Duration::from_millis(ms));
        }
        if let Some(bytes) = self
            .body_memory
            .or(self.body_memory_mb.map(|mb| mb.saturating_mul(1 << 20)))
        {
            options = options.body_memory(bytes);
        }
        let server = match Server::start(host, options) {
            Ok(server) => server,
            Err(e) => {
                super::error(format_args!("cannot serve on {}: {e}", self.addr));
                return ExitCode::from(EXIT_LOAD);
            }
        };
        eprintln!(
            "serving {} on http://{} (Ctrl-C to stop{})",
            self.host.target().display(),
            server.local_addr(),
            if self.watch {
                "; watching for changes"
            } else {
                ""
            }
        );
        if self.watch {
            let handle = server.handle();
            let command = self;
            let watcher = std::thread::Builder::new()
                .name("momento-serve-watch".into())
                .spawn(move || command.watch(&handle));
            if let Err(e) = watcher {
                super::error(format_args!("cannot start watching: {e}"));
            }
        }
        match server.wait() {
            Ok(()) => {
                eprintln!("stopped");
                ExitCode::SUCCESS
            }
            Err(e) => {
                super::error(format_args!("the server failed: {e}"));
                ExitCode::FAILURE
            }
        }
    }

    /// Poll the target for changes until the server stops; rebuild and reload on each change.
    fn watch(&self, server: &ServerHandle) {
        let target = self.host.target();
        let mut seen = fingerprint(target);
        while !server.is_stopped() {
            std::thread::sleep(WATCH_INTERVAL);
            let now = fingerprint(target);
            if now == seen {
                continue;
            }
            // Let an editor or `cargo` finish writing.
            let mut settled = now;
            loop {
                std::thread::sleep(WATCH_INTERVAL);
                let again = fingerprint(target);
                if again == settled {
                    break;
                }
                settled = again;
            }
            seen = settled;
            eprintln!("change detected in {}: reloading", target.display());
            match self.rebuild() {
                Ok(host) => {
                    let hash = host
                        .component_hash()
                        .get(..12)
                        .unwrap_or_default()
                        .to_owned();
                    server.reload(host);
                    eprintln!("reloaded (component {hash})");
                }
                Err(message) => {
                    super::error(format_args!(
                        "{message}\n(still serving the previous version)"
                    ));
                }
            }
        }
    }

    /// Build the crate again (not the once-per-process build) and load it.
    fn rebuild(&self) -> Result<TestHost, String> {
        let wasm = self.host.rebuilt_wasm_path()?;
        self.host.load_file(self.builder(), &wasm)
    }
}

/// A hash of the names, sizes and modification times of the files under `root` (or of `root` itself),
/// skipping `target/` and hidden entries. Symlinked directories are not followed.
fn fingerprint(root: &Path) -> u64 {
    let mut hasher = DefaultHasher::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(path) = stack.pop() {
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            let Ok(entries) = std::fs::read_dir(&path) else {
                continue;
            };
            let mut children: Vec<PathBuf> = entries
                .flatten()
                .filter(|entry| {
                    let name = entry.file_name();
                    let name = name.to_string_lossy();
                    !name.starts_with('.') && name != "target"
                })
                .map(|entry| entry.path())
                .collect();
            children.sort();
            stack.extend(children);
        } else {
            path.hash(&mut hasher);
            meta.len().hash(&mut hasher);
            meta.modified().ok().hash(&mut hasher);
        }
    }
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_changes_with_sources_but_not_with_target() {
        let dir = std::env::temp_dir().join(format!("mf-watch-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::create_dir_all(dir.join("target")).unwrap();
        std::fs::write(dir.join("src/lib.rs"), "a").unwrap();
        let before = fingerprint(&dir);
        std::fs::write(dir.join("target/out.wasm"), "ignored").unwrap();
        assert_eq!(fingerprint(&dir), before);
        std::fs::write(dir.join("src/lib.rs"), "ab").unwrap();
        assert_ne!(fingerprint(&dir), before);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
