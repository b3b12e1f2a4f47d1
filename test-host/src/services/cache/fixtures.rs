//! The cache's fixtures section: `[cache]`, `[[cache.items]]` and `[[cache.lists]]`, parsed and validated.

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
    #[serde(default)]
    lists: Vec<RawCacheList>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCacheList {
    key: String,
    values: Option<Vec<String>>,
    values_base64: Option<Vec<String>>,
    json: Option<Vec<Value>>,
    ttl_ms: Option<u64>,
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

/// A list from a fixtures file, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CacheListFixture {
    pub(crate) key: Vec<u8>,
    pub(crate) elements: Vec<Vec<u8>>,
    pub(crate) ttl: Option<Duration>,
}

/// The cache section, validated: its size bounds (when given), its items and its lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CacheFixtures {
    pub(crate) max_total_bytes: Option<usize>,
    pub(crate) max_items: Option<usize>,
    pub(crate) items: Vec<CacheItemFixture>,
    pub(crate) lists: Vec<CacheListFixture>,
}

/// Validate `[[cache.lists]]`.
fn validate_lists(
    check: &Check<'_>,
    raw: Vec<RawCacheList>,
) -> Result<Vec<CacheListFixture>, FixtureError> {
    let mut out = Vec::new();
    for (i, raw) in raw.into_iter().enumerate() {
        let field = format!("cache.lists[{i}]");
        if raw.key.is_empty() {
            return Err(check.invalid(format!("{field}.key"), "must not be empty"));
        }
        let given = [
            raw.values
                .map(|v| Ok(v.into_iter().map(String::into_bytes).collect::<Vec<_>>())),
            raw.values_base64.map(|v| {
                v.iter()
                    .enumerate()
                    .map(|(j, text)| check.base64(format!("{field}.values_base64[{j}]"), text))
                    .collect::<Result<Vec<_>, _>>()
            }),
            raw.json.map(|v| {
                Ok(v.iter()
                    .map(|value| value.to_string().into_bytes())
                    .collect())
            }),
        ];
        let mut given = given.into_iter().flatten();
        let elements = match (given.next(), given.next()) {
            (Some(elements), None) => elements?,
            (None, _) => {
                return Err(check.invalid(&field, "needs one of values, values_base64 or json"));
            }
            (Some(_), Some(_)) => {
                return Err(
                    check.invalid(&field, "takes only one of values, values_base64 or json")
                );
            }
        };
        if elements.is_empty() {
            return Err(check.invalid(
                &field,
                "a list needs at least one element (Momento has no empty lists)",
            ));
        }
        if raw.ttl_ms == Some(0) {
            return Err(check.invalid(format!("{field}.ttl_ms"), "must be at least 1"));
        }
        out.push(CacheListFixture {
            key: raw.key.into_bytes(),
            elements,
            ttl: raw.ttl_ms.map(Duration::from_millis),
        });
    }
    Ok(out)
}

/// Validate `[cache]`, `[[cache.items]]` and `[[cache.lists]]`.
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
    let lists = validate_lists(check, raw.lists)?;
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
        lists,
    })
}
