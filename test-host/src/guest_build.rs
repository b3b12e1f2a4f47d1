//! Build a function crate to `wasm32-wasip2 --release`, once per process, into a separate target dir.
//!
//! The nested `cargo build` uses `<target dir>/wasm-guests` (or `$MOMENTO_FUNCTIONS_GUEST_TARGET_DIR`), so it
//! never waits on the lock of the `cargo test` that runs it.
//!
//! While cargo compiles, one line on stderr says so (on a terminal it is updated in place with the
//! number of crates compiled); when the component is already up to date nothing is printed. The line is
//! written to the process's stderr directly, so `cargo test` shows it although it captures the output of
//! tests. A failed build's [`BuildError::Failed`] holds rustc's diagnostics as rustc renders them, notes
//! and help included. `MOMENTO_FUNCTIONS_BUILD_VERBOSE=1` passes cargo's own output through instead.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The wasm target functions are built for.
pub const TARGET: &str = "wasm32-wasip2";

/// Why a function crate could not be built.
///
/// Its `Debug` output is its message, so that a test's `.unwrap()` or `.expect(..)` shows rustc's
/// diagnostics as rustc wrote them rather than as one escaped string.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// `dir` has no `Cargo.toml`.
    #[error("{dir} is not a function crate: it has no Cargo.toml")]
    NotACrate {
        /// The directory.
        dir: PathBuf,
    },
    /// Running cargo failed.
    #[error("cannot run `{command}`: {message}")]
    Cargo {
        /// The command.
        command: String,
        /// What went wrong.
        message: String,
    },
    /// The crate has no library target with `crate-type = ["cdylib"]`.
    #[error(
        "package `{package}` has no cdylib library: add\n\n[lib]\ncrate-type = [\"cdylib\"]\n\nto its Cargo.toml"
    )]
    NotCdylib {
        /// The package.
        package: String,
    },
    /// The `wasm32-wasip2` target is missing and could not be installed.
    #[error(
        "the {TARGET} target is not installed and installing it failed ({message}); run: rustup target add {TARGET}"
    )]
    TargetMissing {
        /// What the install attempt said.
        message: String,
    },
    /// The build itself failed.
    #[error("building {package} for {TARGET} failed:\n{output}")]
    Failed {
        /// The package.
        package: String,
        /// rustc's diagnostics as rendered for a terminal (errors with their notes and help), then
        /// cargo's own error lines.
        output: String,
    },
}

impl std::fmt::Debug for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let variant = match self {
            BuildError::NotACrate { .. } => "NotACrate",
            BuildError::Cargo { .. } => "Cargo",
            BuildError::NotCdylib { .. } => "NotCdylib",
            BuildError::TargetMissing { .. } => "TargetMissing",
            BuildError::Failed { .. } => "Failed",
        };
        write!(f, "{variant}: {self}")
    }
}

fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    // Settings of an outer cargo (e.g. `cargo test`) must not leak into the guest build. A
    // `CARGO_TARGET_DIR` the user set stays: `cargo metadata` reports it, and the guests go to its
    // `wasm-guests` (the build itself always gets an explicit `--target-dir`).
    for var in [
        "CARGO_BUILD_TARGET",
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTFLAGS",
        "CARGO_MAKEFLAGS",
        "CARGO_PRIMARY_PACKAGE",
        "RUSTC_WORKSPACE_WRAPPER",
    ] {
        command.env_remove(var);
    }
    command
}

fn run(mut command: Command) -> Result<Vec<u8>, BuildError> {
    let description = format!("{command:?}");
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| BuildError::Cargo {
            command: description.clone(),
            message: e.to_string(),
        })?;
    if !output.status.success() {
        return Err(BuildError::Cargo {
            command: description,
            message: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        });
    }
    Ok(output.stdout)
}

/// What `cargo metadata` says about the crate in `dir`.
struct CrateInfo {
    package: String,
    lib_name: String,
    target_directory: PathBuf,
}

fn crate_info(manifest: &Path) -> Result<CrateInfo, BuildError> {
    let absolute = manifest
        .canonicalize()
        .unwrap_or_else(|_| manifest.to_path_buf());
    let manifest = absolute.as_path();
    let mut command = cargo();
    // From the crate's directory, so that its own `.cargo/config.toml` (e.g. `build.target-dir`) applies.
    if let Some(dir) = manifest.parent() {
        command.current_dir(dir);
    }
    command
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--manifest-path",
        ])
        .arg(manifest);
    let stdout = run(command)?;
    let metadata: serde_json::Value =
        serde_json::from_slice(&stdout).map_err(|e| BuildError::Cargo {
            command: "cargo metadata".into(),
            message: format!("unreadable output: {e}"),
        })?;
    let manifest = manifest
        .canonicalize()
        .unwrap_or_else(|_| manifest.to_path_buf());
    let package = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["manifest_path"].as_str().map(Path::new) == Some(manifest.as_path()))
        .ok_or_else(|| BuildError::NotACrate {
            dir: manifest.parent().unwrap_or(&manifest).to_path_buf(),
        })?;
    let name = package["name"].as_str().unwrap_or_default().to_owned();
    let lib = package["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| {
            t["crate_types"]
                .as_array()
                .is_some_and(|types| types.iter().any(|k| k == "cdylib"))
        })
        .ok_or_else(|| BuildError::NotCdylib {
            package: name.clone(),
        })?;
    Ok(CrateInfo {
        lib_name: lib["name"].as_str().unwrap_or_default().replace('-', "_"),
        package: name,
        target_directory: PathBuf::from(metadata["target_directory"].as_str().unwrap_or("target")),
    })
}

/// Install the wasm target for the toolchain `dir` uses, if it is missing.
fn ensure_target(dir: &Path) -> Result<(), BuildError> {
    let sysroot = Command::new("rustc")
        .args(["--print", "sysroot"])
        .current_dir(dir)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    if let Some(sysroot) = &sysroot
        && sysroot.join("lib/rustlib").join(TARGET).is_dir()
    {
        return Ok(());
    }
    status_line(&format!(
        "momento-functions: installing the {TARGET} target (rustup target add {TARGET})\n"
    ));
    let status = Command::new("rustup")
        .args(["target", "add", TARGET])
        .current_dir(dir)
        .stdin(Stdio::null())
        .status();
    match status {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(BuildError::TargetMissing {
            message: format!("rustup exited with {status}"),
        }),
        Err(e) => Err(BuildError::TargetMissing {
            message: format!("cannot run rustup: {e}"),
        }),
    }
}

/// Build the function crate in `dir` for `wasm32-wasip2` in release mode and return the `.wasm` path.
///
/// One line on stderr while cargo compiles (none when the component is up to date); rustc's
/// diagnostics of a failed build are in the error. Prefer [`build_crate_once`] in tests.
///
/// # Errors
/// A [`BuildError`] saying what is wrong with the crate or the build.
pub fn build_crate(dir: &Path) -> Result<PathBuf, BuildError> {
    build_crate_with_env(dir, &[])
}

/// A name for a build environment: `default` when empty, else a hash of the sorted variables.
fn env_tag(env: &[(String, String)]) -> String {
    use sha2::{Digest, Sha256};
    if env.is_empty() {
        return "default".to_owned();
    }
    let mut sorted: Vec<&(String, String)> = env.iter().collect();
    sorted.sort();
    let mut hasher = Sha256::new();
    for (key, value) in sorted {
        hasher.update(key.as_bytes());
        hasher.update([0]);
        hasher.update(value.as_bytes());
        hasher.update([0]);
    }
    hasher.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// [`build_crate`] with these variables set in the environment of `cargo build` (others are inherited),
/// e.g. the AWS keys `build_environment_aws_credentials!()` reads at compile time.
///
/// The result is copied to `<target dir>/wasm32-wasip2/release/momento-functions/<lib>-<env tag>.wasm`, so
/// builds of one crate with different environments do not overwrite each other's component.
///
/// # Errors
/// A [`BuildError`] saying what is wrong with the crate or the build.
pub fn build_crate_with_env(dir: &Path, env: &[(String, String)]) -> Result<PathBuf, BuildError> {
    // Absolute, since cargo runs in the crate's directory.
    let absolute = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let dir = absolute.as_path();
    let manifest = dir.join("Cargo.toml");
    if !manifest.is_file() {
        return Err(BuildError::NotACrate {
            dir: dir.to_path_buf(),
        });
    }
    let info = crate_info(&manifest)?;
    ensure_target(dir)?;
    let target_dir = std::env::var_os("MOMENTO_FUNCTIONS_GUEST_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| info.target_directory.join("wasm-guests"));
    // One build-and-copy at a time per target dir, across processes: builds of one crate with different
    // environments write the same cargo output file, which is copied before the next build starts.
    let lock = std::fs::create_dir_all(&target_dir)
        .and_then(|()| std::fs::File::create(target_dir.join(".momento-functions-build.lock")))
        .and_then(|file| file.lock().map(|()| file))
        .map_err(|e| BuildError::Cargo {
            command: "cargo build".into(),
            message: format!("cannot lock {}: {e}", target_dir.display()),
        })?;
    let color = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut child = cargo()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .args(["build", "--release", "--target", TARGET, "--color", "never"])
        // Diagnostics as JSON on stdout, each with its rendering (notes and help included); cargo's
        // progress on stderr.
        .arg(if color {
            "--message-format=json-diagnostic-rendered-ansi"
        } else {
            "--message-format=json"
        })
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target_dir)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| BuildError::Cargo {
            command: "cargo build".into(),
            message: e.to_string(),
        })?;
    let progress = Progress::new(&info.package, &target_dir, color);
    let stderr = child.stderr.take();
    let (diagnostics, cargo_errors) = std::thread::scope(|scope| {
        let cargo_errors = scope.spawn(|| {
            let mut errors = String::new();
            if let Some(stderr) = stderr {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    if let Some(kept) = progress.cargo_line(&line) {
                        errors.push_str(kept);
                        errors.push('\n');
                    }
                }
            }
            errors
        });
        let mut diagnostics = String::new();
        if let Some(stdout) = child.stdout.take() {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rendered) = error_diagnostic(&line) {
                    diagnostics.push_str(&rendered);
                }
            }
        }
        (diagnostics, cargo_errors.join().unwrap_or_default())
    });
    let status = child.wait().map_err(|e| BuildError::Cargo {
        command: "cargo build".into(),
        message: e.to_string(),
    })?;
    progress.finish(status.success());
    if !status.success() {
        let mut output = diagnostics;
        output.push_str(&cargo_errors);
        return Err(BuildError::Failed {
            package: info.package,
            output: output.trim_end().to_owned(),
        });
    }
    let release = target_dir.join(TARGET).join("release");
    let output = release.join(format!("{}.wasm", info.lib_name));
    let copies = release.join("momento-functions");
    let copy = copies.join(format!("{}-{}.wasm", info.lib_name, env_tag(env)));
    // Copy, then rename: a reader never sees a half-written component.
    let partial = copies.join(format!(
        ".{}-{}.{}.partial",
        info.lib_name,
        env_tag(env),
        std::process::id()
    ));
    std::fs::create_dir_all(&copies)
        .and_then(|()| std::fs::copy(&output, &partial))
        .and_then(|_| std::fs::rename(&partial, &copy))
        .map_err(|e| BuildError::Cargo {
            command: "cargo build".into(),
            message: format!(
                "cannot copy {} to {}: {e}",
                output.display(),
                copy.display()
            ),
        })?;
    drop(lock);
    Ok(copy)
}

/// Write `text` to the process's stderr as it is: not through `eprint!`, which the test harness captures.
fn status_line(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
    let _ = stderr.flush();
}

/// The one line that says a guest is being built (see the module docs).
struct Progress<'a> {
    package: &'a str,
    target_dir: &'a Path,
    /// Update the line in place (stderr is a terminal).
    terminal: bool,
    /// `MOMENTO_FUNCTIONS_BUILD_VERBOSE`: pass cargo's lines through.
    verbose: bool,
    started: Instant,
    state: Mutex<ProgressState>,
    /// Where the line goes: [`status_line`].
    write: fn(&str),
}

#[derive(Default)]
struct ProgressState {
    /// The line has been started.
    shown: bool,
    /// Crates compiled so far.
    compiled: usize,
}

/// Cargo's status words: progress, not diagnostics.
const CARGO_STATUS: &[&str] = &[
    "Adding",
    "Blocking",
    "Building",
    "Checking",
    "Compiling",
    "Downloaded",
    "Downloading",
    "Finished",
    "Fresh",
    "Locking",
    "Removing",
    "Running",
    "Unpacking",
    "Updating",
];

impl<'a> Progress<'a> {
    fn new(package: &'a str, target_dir: &'a Path, terminal: bool) -> Self {
        Progress {
            package,
            target_dir,
            terminal,
            verbose: std::env::var_os("MOMENTO_FUNCTIONS_BUILD_VERBOSE")
                .is_some_and(|v| !v.is_empty() && v != "0"),
            started: Instant::now(),
            state: Mutex::new(ProgressState::default()),
            write: status_line,
        }
    }

    /// Take one line of cargo's stderr: progress updates the status line; anything else is returned, to
    /// be kept for the error message (cargo's own errors, e.g. a dependency that cannot be resolved).
    fn cargo_line<'l>(&self, line: &'l str) -> Option<&'l str> {
        if self.verbose {
            (self.write)(&format!("{line}\n"));
        }
        let trimmed = line.trim_start();
        let word = trimmed.split(' ').next().unwrap_or_default();
        if !CARGO_STATUS.contains(&word) {
            let noise = trimmed.starts_with("warning: build failed, waiting for other jobs");
            return (!noise).then_some(line);
        }
        // Only work shows the line: compiling, or fetching what is to be compiled. Waiting for a lock
        // another cargo holds, or resolving the lock file, is not worth a line when nothing is built.
        if self.verbose
            || !matches!(
                word,
                "Compiling" | "Downloading" | "Downloaded" | "Updating"
            )
        {
            return None;
        }
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if word == "Compiling" {
            state.compiled += 1;
        }
        let first = !state.shown;
        state.shown = true;
        if self.terminal {
            let doing = trimmed.split(' ').take(2).collect::<Vec<_>>().join(" ");
            (self.write)(&format!(
                "\r\x1b[2Kmomento-functions: building {} for {TARGET} (release): {} crate{} compiled, {}",
                self.package,
                state.compiled,
                if state.compiled == 1 { "" } else { "s" },
                doing.to_lowercase()
            ));
        } else if first {
            (self.write)(&format!(
                "momento-functions: building {} for {TARGET} (release) in {} ... ",
                self.package,
                self.target_dir.display()
            ));
        }
        None
    }

    /// End the line, if one was started: how long the build took, or that it failed.
    fn finish(&self, success: bool) {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if !state.shown || self.verbose {
            return;
        }
        let elapsed = format_seconds(self.started.elapsed());
        let outcome = if success {
            format!("done in {elapsed}")
        } else {
            format!("failed after {elapsed}")
        };
        if self.terminal {
            (self.write)(&format!(
                "\r\x1b[2Kmomento-functions: building {} for {TARGET} (release): {outcome} ({} crate{} compiled)\n",
                self.package,
                state.compiled,
                if state.compiled == 1 { "" } else { "s" },
            ));
        } else {
            (self.write)(&format!("{outcome}\n"));
        }
    }
}

/// `21.4 s`.
fn format_seconds(duration: Duration) -> String {
    format!("{:.1} s", duration.as_secs_f64())
}

/// The rendering of an error diagnostic, from one line of cargo's JSON messages; `None` for anything
/// else (warnings, artifacts, build-script output).
fn error_diagnostic(line: &str) -> Option<String> {
    let message: serde_json::Value = serde_json::from_str(line).ok()?;
    if message["reason"] != "compiler-message" {
        return None;
    }
    let diagnostic = &message["message"];
    let level = diagnostic["level"].as_str()?;
    if !level.starts_with("error") {
        return None;
    }
    let rendered = diagnostic["rendered"].as_str()?;
    let mut rendered = rendered.to_owned();
    if !rendered.ends_with('\n') {
        rendered.push('\n');
    }
    Some(rendered)
}

/// [`build_crate`], at most once per crate directory per process (later calls return the first result).
///
/// # Errors
/// The first build's [`BuildError`].
pub fn build_crate_once(dir: &Path) -> Result<PathBuf, BuildError> {
    build_crate_once_with_env(dir, &[])
}

/// [`build_crate_with_env`], at most once per crate directory and environment per process.
///
/// # Errors
/// The first build's [`BuildError`].
pub fn build_crate_once_with_env(
    dir: &Path,
    env: &[(String, String)],
) -> Result<PathBuf, BuildError> {
    type Slot = Arc<OnceLock<Result<PathBuf, BuildError>>>;
    type Key = (PathBuf, Vec<(String, String)>);
    static BUILDS: OnceLock<Mutex<HashMap<Key, Slot>>> = OnceLock::new();
    let path = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let mut sorted = env.to_vec();
    sorted.sort();
    let slot = {
        let mut builds = BUILDS
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        Arc::clone(builds.entry((path.clone(), sorted)).or_default())
    };
    slot.get_or_init(|| build_crate_with_env(&path, env))
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_progress_is_not_kept_but_its_errors_are() {
        let mut progress = Progress::new("f", Path::new("/t"), false);
        progress.write = |_| {};
        assert_eq!(progress.cargo_line("   Compiling serde v1.0.0"), None);
        assert_eq!(progress.cargo_line("    Finished `release` profile"), None);
        assert_eq!(
            progress.cargo_line("error: could not compile `f` (lib) due to 1 previous error"),
            Some("error: could not compile `f` (lib) due to 1 previous error")
        );
        assert_eq!(
            progress.cargo_line("warning: build failed, waiting for other jobs to finish..."),
            None
        );
        assert_eq!(progress.cargo_line("Caused by:"), Some("Caused by:"));
        assert_eq!(
            progress.cargo_line("    Blocking waiting for file lock on package cache"),
            None
        );
        let state = progress.state.lock().unwrap();
        assert!(state.shown);
        assert_eq!(state.compiled, 1);
    }

    #[test]
    fn only_error_diagnostics_are_kept_whole() {
        let error = r#"{"reason":"compiler-message","message":{"level":"error","rendered":"error[E0277]: x\nnote: required by a bound\n"}}"#;
        assert_eq!(
            error_diagnostic(error).as_deref(),
            Some("error[E0277]: x\nnote: required by a bound\n")
        );
        let warning = r#"{"reason":"compiler-message","message":{"level":"warning","rendered":"warning: unused"}}"#;
        assert_eq!(error_diagnostic(warning), None);
        assert_eq!(error_diagnostic(r#"{"reason":"compiler-artifact"}"#), None);
        assert_eq!(error_diagnostic("not json"), None);
    }

    #[test]
    fn build_errors_debug_as_their_message() {
        let error = BuildError::Failed {
            package: "f".into(),
            output: "error: a\n  --> b".into(),
        };
        assert_eq!(
            format!("{error:?}"),
            "Failed: building f for wasm32-wasip2 failed:\nerror: a\n  --> b"
        );
    }
}
