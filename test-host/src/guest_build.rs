//! Build a function crate to `wasm32-wasip2 --release`, once per process, into a separate target dir.
//!
//! The nested `cargo build` uses `<target dir>/wasm-guests` (or `$MOMENTO_FUNCTIONS_GUEST_TARGET_DIR`), so it
//! never waits on the lock of the `cargo test` that runs it.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};

/// The wasm target functions are built for.
pub const TARGET: &str = "wasm32-wasip2";

/// Why a function crate could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
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
        /// Cargo's diagnostics.
        output: String,
    },
}

fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    // Settings of an outer cargo (e.g. `cargo test`) must not leak into the guest build.
    for var in [
        "CARGO_TARGET_DIR",
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
    eprintln!("momento-functions: installing the {TARGET} target (rustup target add {TARGET})");
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
/// Cargo's own progress and diagnostics go to stderr. Prefer [`build_crate_once`] in tests.
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
    eprintln!(
        "momento-functions: building {} for {TARGET} (release) into {}",
        info.package,
        target_dir.display()
    );
    // One build-and-copy at a time per target dir, across processes: builds of one crate with different
    // environments write the same cargo output file, which is copied before the next build starts.
    let lock = std::fs::create_dir_all(&target_dir)
        .and_then(|()| std::fs::File::create(target_dir.join(".momento-functions-build.lock")))
        .and_then(|file| file.lock().map(|()| file))
        .map_err(|e| BuildError::Cargo {
            command: "cargo build".into(),
            message: format!("cannot lock {}: {e}", target_dir.display()),
        })?;
    let mut child = cargo()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .args([
            "build",
            "--release",
            "--target",
            TARGET,
            "--message-format",
            "short",
            "--manifest-path",
        ])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target_dir)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| BuildError::Cargo {
            command: "cargo build".into(),
            message: e.to_string(),
        })?;
    // Pass cargo's progress through while keeping it for the error message.
    let mut captured = String::new();
    if let Some(stderr) = child.stderr.take() {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            eprintln!("  {line}");
            captured.push_str(&line);
            captured.push('\n');
        }
    }
    let status = child.wait().map_err(|e| BuildError::Cargo {
        command: "cargo build".into(),
        message: e.to_string(),
    })?;
    if !status.success() {
        return Err(BuildError::Failed {
            package: info.package,
            output: captured.trim().to_owned(),
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
