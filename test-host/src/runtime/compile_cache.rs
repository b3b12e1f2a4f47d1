//! On-disk cache of compiled components, keyed by the component's SHA-256 and the engine's compatibility
//! hash: a component is compiled (~40–70 ms) once, later loads deserialize it (~0.1 ms).

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

/// Where the compiled artifact of `bytes` lives for `engine`.
pub(crate) fn artifact_path(dir: &Path, engine: &Engine, content_hash: &str) -> PathBuf {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut hasher);
    dir.join(format!("{content_hash}-{:016x}.cwasm", hasher.finish()))
}

/// SHA-256 of the component, hex.
pub(crate) fn content_hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Load a previously compiled artifact, if there is a usable one.
pub(crate) fn load(engine: &Engine, path: &Path) -> Option<Component> {
    if !path.is_file() {
        return None;
    }
    // Only files written by `store` below are read: they come from this engine's own `serialize`, are
    // named by content hash and engine hash, and are written atomically (temp file + rename).
    #[allow(
        unsafe_code,
        reason = "deserializing an artifact this host serialized itself"
    )]
    let component = unsafe { Component::deserialize_file(engine, path) };
    component.ok()
}

/// Store a compiled component. Failures only cost a recompile next time, so they are ignored.
pub(crate) fn store(component: &Component, path: &Path) {
    let Ok(bytes) = component.serialize() else {
        return;
    };
    let Some(dir) = path.parent() else {
        return;
    };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let temp = path.with_extension(format!("tmp{}", std::process::id()));
    if std::fs::write(&temp, bytes).is_ok() && std::fs::rename(&temp, path).is_err() {
        let _ = std::fs::remove_file(&temp);
    }
}

/// The default cache directory: `$MOMENTO_FUNCTIONS_CACHE_DIR`, else `$XDG_CACHE_HOME/momento-functions`,
/// else `$HOME/.cache/momento-functions`.
pub(crate) fn default_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("MOMENTO_FUNCTIONS_CACHE_DIR") {
        return Some(PathBuf::from(dir));
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME") {
        return Some(PathBuf::from(dir).join("momento-functions"));
    }
    std::env::var_os("HOME")
        .map(|home| PathBuf::from(home).join(".cache").join("momento-functions"))
}
