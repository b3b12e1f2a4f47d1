//! The cache's fixtures section: `[[cache.items]]`, parsed and validated.

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use crate::fixtures::{Check, FixtureError};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCache {
    /// `CacheLimits::max_total_bytes`: a number or a size such as `"64 MiB"`.
    max_total_bytes: Option<crate::limits::Size>,
    /// `CacheLimits::max_items`.
    max_items: Option<usize>,
    #[serde(default)]
    items: Vec<RawCacheItem>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCacheItem {
    key: String,
    value: Option<String>,
    value_base64: Option<String>,
    json: Option<Value>,
    ttl_ms: Option<u64>,
}

/// A cache item from a fixtures file, validated, for the cache mock to load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CacheItemFixture {
    pub(crate) key: Vec<u8>,
    pub(crate) value: Vec<u8>,
    pub(crate) ttl: Option<Duration>,
}

/// The cache section, validated: its size bounds (when given) and its items.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CacheFixtures {
    pub(crate) max_total_bytes: Option<usize>,
    pub(crate) max_items: Option<usize>,
    pub(crate) items: Vec<CacheItemFixture>,
}

/// Validate `[cache]` and `[[cache.items]]`.
pub(crate) fn validate(check: &Check<'_>, raw: RawCache) -> Result<CacheFixtures, FixtureError> {
    let max_total_bytes = match &raw.max_total_bytes {
        Some(size) => Some(
            size.bytes("max_total_bytes")
                .map_err(|e| check.invalid("cache.max_total_bytes", e))?,
        ),
        None => None,
    };
    if max_total_bytes == Some(0) || raw.max_items == Some(0) {
        return Err(check.invalid("cache", "max_total_bytes and max_items must be at least 1"));
    }
    let mut out = Vec::new();
    for (i, raw) in raw.items.into_iter().enumerate() {
        let field = format!("cache.items[{i}]");
        if raw.key.is_empty() {
            return Err(check.invalid(format!("{field}.key"), "must not be empty"));
        }
        let value = check.one_body(
            &field,
            "value, value_base64 or json",
            vec![
                raw.value.map(|v| Ok(v.into_bytes())),
                raw.value_base64
                    .map(|v| check.base64(format!("{field}.value_base64"), &v)),
                raw.json.map(|v| Ok(v.to_string().into_bytes())),
            ],
        )?;
        if raw.ttl_ms == Some(0) {
            return Err(check.invalid(format!("{field}.ttl_ms"), "must be at least 1"));
        }
        out.push(CacheItemFixture {
            key: raw.key.into_bytes(),
            value,
            ttl: raw.ttl_ms.map(Duration::from_millis),
        });
    }

    Ok(CacheFixtures {
        max_total_bytes,
        max_items: raw.max_items,
        items: out,
    })
}
