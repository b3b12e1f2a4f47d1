//! The Valkey section of a fixtures file: clusters by name, each a server URL.
//!
//! ```toml
//! [[valkey.clusters]]
//! name = "sessions"
//! url = "redis://127.0.0.1:6379"
//! ```

use serde::Deserialize;

use crate::fixtures::{Check, FixtureError};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawValkey {
    #[serde(default)]
    clusters: Vec<RawCluster>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCluster {
    name: String,
    url: String,
}

/// Validate `[[valkey.clusters]]`: `(name, url)` pairs, names unique, URLs a server's.
pub(crate) fn validate(
    check: &Check<'_>,
    raw: RawValkey,
) -> Result<Vec<(String, String)>, FixtureError> {
    let mut clusters: Vec<(String, String)> = Vec::new();
    for (i, raw) in raw.clusters.into_iter().enumerate() {
        let field = format!("valkey.clusters[{i}]");
        if raw.name.trim().is_empty() {
            return Err(check.invalid(format!("{field}.name"), "must not be empty"));
        }
        if clusters.iter().any(|(name, _)| *name == raw.name) {
            return Err(check.invalid(
                format!("{field}.name"),
                format!("`{}` is configured twice", raw.name),
            ));
        }
        if let Err(e) = redis::Client::open(raw.url.as_str()) {
            return Err(check.invalid(
                format!("{field}.url"),
                format!("`{}` is not a server URL (redis://host:port): {e}", raw.url),
            ));
        }
        clusters.push((raw.name, raw.url));
    }
    Ok(clusters)
}
