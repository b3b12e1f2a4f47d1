//! The spawn section of a fixtures file: the functions a function may spawn, by name, and the queue's size.
//!
//! ```toml
//! [spawn]
//! queue = 100                              # optional: spawns waiting at most (default 1,000)
//!
//! [[spawn.functions]]
//! name = "resize"
//! path = "../spawn-worker"                 # a .wasm file or a function crate, relative to the fixtures file
//! limits = { deadline_ms = 1000 }          # optional: its own limits (default: the host's)
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::fixtures::{Check, FixtureError};
use crate::limits::{Limits, LimitsFile};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSpawn {
    queue: Option<usize>,
    #[serde(default)]
    functions: Vec<RawSpawnFunction>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpawnFunction {
    name: String,
    path: PathBuf,
    limits: Option<LimitsFile>,
}

/// One spawn function from a fixtures file.
#[derive(Debug, Clone)]
pub(crate) struct SpawnFunctionFixture {
    pub(crate) name: String,
    pub(crate) path: PathBuf,
    /// Its own limits, as changes to the host's.
    pub(crate) limits: Option<LimitsFile>,
}

impl SpawnFunctionFixture {
    /// Its limits: the host's with its own changes.
    pub(crate) fn limits(&self, host: &Limits) -> Option<Limits> {
        self.limits
            .as_ref()
            .map(|own| own.apply(host.clone()).unwrap_or_else(|_| host.clone()))
    }
}

/// The spawn section, validated.
#[derive(Debug, Clone, Default)]
pub(crate) struct SpawnFixtures {
    pub(crate) queue: Option<usize>,
    pub(crate) functions: Vec<SpawnFunctionFixture>,
}

/// Validate `[spawn]` and `[[spawn.functions]]`; paths become relative to `base` (the file's directory).
pub(crate) fn validate(
    check: &Check<'_>,
    base: &Path,
    raw: RawSpawn,
) -> Result<SpawnFixtures, FixtureError> {
    if raw.queue == Some(0) {
        return Err(check.invalid("spawn.queue", "must be at least 1"));
    }
    let mut functions: Vec<SpawnFunctionFixture> = Vec::new();
    for (i, raw) in raw.functions.into_iter().enumerate() {
        let field = format!("spawn.functions[{i}]");
        if raw.name.trim().is_empty() {
            return Err(check.invalid(format!("{field}.name"), "must not be empty"));
        }
        if functions.iter().any(|f| f.name == raw.name) {
            return Err(check.invalid(
                format!("{field}.name"),
                format!("`{}` is registered twice", raw.name),
            ));
        }
        if let Some(limits) = &raw.limits
            && let Err(message) = limits.apply(Limits::default())
        {
            let (key, why) = message.split_once(": ").unwrap_or(("", message.as_str()));
            return Err(check.invalid(format!("{field}.limits.{key}"), why));
        }
        let path = base.join(&raw.path);
        if !path.exists() {
            return Err(check.invalid(
                format!("{field}.path"),
                format!("{} does not exist", path.display()),
            ));
        }
        functions.push(SpawnFunctionFixture {
            name: raw.name,
            path,
            limits: raw.limits,
        });
    }
    Ok(SpawnFixtures {
        queue: raw.queue,
        functions,
    })
}
