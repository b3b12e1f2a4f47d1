//! The permissions of a disposable token: parsed from the JSON text `generate-disposable-token` receives,
//! in the shape Momento's published SDK serializes (`{"explicit": {"permissions": [...]}}`, each entry
//! one of `cache_permissions`, `topic_permissions`, `function_permissions` with a role, a cache scope and
//! an item, topic or function scope), and validated. Every error names the field.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Longest permissions text accepted (a bound of the test host).
pub(crate) const MAX_PERMISSIONS_BYTES: usize = 64 << 10;
/// Most permissions in one token (Momento's documented hard limit per API key or token).
pub(crate) const MAX_PERMISSIONS: usize = 10;

/// What a permission allows on caches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CacheRole {
    /// `CachePermitNone`.
    None,
    /// `CacheReadWrite`.
    ReadWrite,
    /// `CacheReadOnly`.
    ReadOnly,
    /// `CacheWriteOnly`.
    WriteOnly,
}

/// What a permission allows on topics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TopicRole {
    /// `TopicPermitNone`.
    None,
    /// `TopicReadWrite`: publish and subscribe.
    ReadWrite,
    /// `TopicReadOnly`: subscribe.
    ReadOnly,
    /// `TopicWriteOnly`: publish.
    WriteOnly,
}

/// What a permission allows on functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FunctionRole {
    /// `FunctionPermitNone`.
    None,
    /// `FunctionInvoke`.
    Invoke,
}

/// Which caches a permission covers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CacheScope {
    /// Every cache (`all_caches`).
    All,
    /// One cache (`cache_selector.cacheName`).
    Named(String),
}

/// Which items of the caches a cache permission covers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum KeyScope {
    /// Every item (`all_items`).
    All,
    /// One key (`item_selector.key`).
    Key(Vec<u8>),
    /// Keys with this prefix (`item_selector.key_prefix`).
    Prefix(Vec<u8>),
}

/// Which topics or functions a permission covers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NameScope {
    /// Every one (`all_topics`, `all_functions`).
    All,
    /// One, by name.
    Named(String),
    /// Those whose names start with this.
    Prefix(String),
}

/// One permission of a token.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TokenPermission {
    /// Access to cache items.
    Cache {
        /// What it allows.
        role: CacheRole,
        /// In which caches.
        caches: CacheScope,
        /// On which items.
        items: KeyScope,
    },
    /// Access to topics.
    Topic {
        /// What it allows.
        role: TopicRole,
        /// In which caches.
        caches: CacheScope,
        /// On which topics.
        topics: NameScope,
    },
    /// Invoking functions.
    Function {
        /// What it allows.
        role: FunctionRole,
        /// In which caches.
        caches: CacheScope,
        /// Which functions.
        functions: NameScope,
    },
}

/// Parse and validate the permissions text; the error is the `invalid-argument` message.
pub(crate) fn parse(text: &str) -> Result<Vec<TokenPermission>, String> {
    if text.len() > MAX_PERMISSIONS_BYTES {
        return Err(format!(
            "permissions: {} bytes, over the {MAX_PERMISSIONS_BYTES}-byte limit",
            text.len()
        ));
    }
    let value: Value =
        serde_json::from_str(text).map_err(|e| format!("permissions: not JSON: {e}"))?;
    let top = object(&value, "permissions")?;
    only(top, "permissions", &["explicit"])?;
    let explicit = object(
        top.get("explicit")
            .ok_or("permissions: `explicit` is missing")?,
        "permissions.explicit",
    )?;
    only(explicit, "permissions.explicit", &["permissions"])?;
    let list = explicit
        .get("permissions")
        .ok_or("permissions.explicit: `permissions` is missing")?
        .as_array()
        .ok_or("permissions.explicit.permissions: not a list")?;
    if list.is_empty() {
        return Err(
            "permissions.explicit.permissions: empty; a token needs at least one permission"
                .to_owned(),
        );
    }
    if list.len() > MAX_PERMISSIONS {
        return Err(format!(
            "permissions.explicit.permissions: {} permissions, over the limit of {MAX_PERMISSIONS} per token",
            list.len()
        ));
    }
    list.iter()
        .enumerate()
        .map(|(i, entry)| permission(entry, &format!("permissions.explicit.permissions[{i}]")))
        .collect()
}

fn object<'a>(value: &'a Value, field: &str) -> Result<&'a Map<String, Value>, String> {
    value
        .as_object()
        .ok_or_else(|| format!("{field}: not an object"))
}

/// Refuse keys other than `allowed`.
fn only(map: &Map<String, Value>, field: &str, allowed: &[&str]) -> Result<(), String> {
    match map.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(unknown) => Err(format!(
            "{field}: unknown field `{unknown}` (expected {})",
            allowed.join(", ")
        )),
        None => Ok(()),
    }
}

fn permission(entry: &Value, field: &str) -> Result<TokenPermission, String> {
    let entry = object(entry, field)?;
    let mut kinds = entry.iter();
    let (kind, body) = match (kinds.next(), kinds.next()) {
        (Some(one), None) => one,
        _ => {
            return Err(format!(
                "{field}: needs exactly one of cache_permissions, topic_permissions, function_permissions"
            ));
        }
    };
    let field = format!("{field}.{kind}");
    let body = object(body, &field)?;
    match kind.as_str() {
        "cache_permissions" => {
            only(
                body,
                &field,
                &[
                    "role",
                    "all_caches",
                    "cache_selector",
                    "all_items",
                    "item_selector",
                ],
            )?;
            let role = match role(body, &field)? {
                "CachePermitNone" => CacheRole::None,
                "CacheReadWrite" => CacheRole::ReadWrite,
                "CacheReadOnly" => CacheRole::ReadOnly,
                "CacheWriteOnly" => CacheRole::WriteOnly,
                other => {
                    return Err(unknown_role(
                        &field,
                        other,
                        "CacheReadWrite, CacheReadOnly, CacheWriteOnly, CachePermitNone",
                    ));
                }
            };
            Ok(TokenPermission::Cache {
                role,
                caches: caches(body, &field)?,
                items: items(body, &field)?,
            })
        }
        "topic_permissions" => {
            only(
                body,
                &field,
                &[
                    "role",
                    "all_caches",
                    "cache_selector",
                    "all_topics",
                    "topic_selector",
                ],
            )?;
            let role = match role(body, &field)? {
                "TopicPermitNone" => TopicRole::None,
                "TopicReadWrite" => TopicRole::ReadWrite,
                "TopicReadOnly" => TopicRole::ReadOnly,
                "TopicWriteOnly" => TopicRole::WriteOnly,
                other => {
                    return Err(unknown_role(
                        &field,
                        other,
                        "TopicReadWrite, TopicReadOnly, TopicWriteOnly, TopicPermitNone",
                    ));
                }
            };
            Ok(TokenPermission::Topic {
                role,
                caches: caches(body, &field)?,
                topics: names(body, &field, "all_topics", "topic_selector", "topic_name")?,
            })
        }
        "function_permissions" => {
            only(
                body,
                &field,
                &[
                    "role",
                    "all_caches",
                    "cache_selector",
                    "all_functions",
                    "function_selector",
                ],
            )?;
            let role = match role(body, &field)? {
                "FunctionPermitNone" => FunctionRole::None,
                "FunctionInvoke" => FunctionRole::Invoke,
                other => {
                    return Err(unknown_role(
                        &field,
                        other,
                        "FunctionInvoke, FunctionPermitNone",
                    ));
                }
            };
            Ok(TokenPermission::Function {
                role,
                caches: caches(body, &field)?,
                functions: names(
                    body,
                    &field,
                    "all_functions",
                    "function_selector",
                    "function_name",
                )?,
            })
        }
        other => Err(format!(
            "{field}: unknown permission kind `{other}` (expected cache_permissions, topic_permissions or function_permissions)"
        )),
    }
}

fn role<'a>(body: &'a Map<String, Value>, field: &str) -> Result<&'a str, String> {
    body.get("role")
        .ok_or_else(|| format!("{field}: `role` is missing"))?
        .as_str()
        .ok_or_else(|| format!("{field}.role: not a string"))
}

fn unknown_role(field: &str, role: &str, expected: &str) -> String {
    format!("{field}.role: unknown role `{role}` (expected {expected})")
}

/// `all` (present, `null` as the published SDK writes it) or `selector` (`Some`). The published builders
/// keep `all` when a selector is added (`read_only().with_cache("c")` sends both): the selector, the
/// narrower of the two, wins.
fn one_of<'a>(
    body: &'a Map<String, Value>,
    field: &str,
    all: &str,
    selector: &str,
) -> Result<Option<&'a Value>, String> {
    match (body.get(all), body.get(selector)) {
        (Some(value), _) if !value.is_null() => Err(format!(
            "{field}.{all}: must be null (its presence grants all)"
        )),
        (_, Some(selected)) => Ok(Some(selected)),
        (Some(_), None) => Ok(None),
        (None, None) => Err(format!("{field}: needs one of {all} and {selector}")),
    }
}

fn non_empty_string(value: &Value, field: &str) -> Result<String, String> {
    match value.as_str() {
        Some("") => Err(format!("{field}: must not be empty")),
        Some(text) => Ok(text.to_owned()),
        None => Err(format!("{field}: not a string")),
    }
}

fn caches(body: &Map<String, Value>, field: &str) -> Result<CacheScope, String> {
    let Some(selector) = one_of(body, field, "all_caches", "cache_selector")? else {
        return Ok(CacheScope::All);
    };
    let field = format!("{field}.cache_selector");
    let selector = object(selector, &field)?;
    only(selector, &field, &["cacheName"])?;
    let name = selector
        .get("cacheName")
        .ok_or_else(|| format!("{field}: `cacheName` is missing"))?;
    Ok(CacheScope::Named(non_empty_string(
        name,
        &format!("{field}.cacheName"),
    )?))
}

fn bytes(value: &Value, field: &str) -> Result<Vec<u8>, String> {
    let list = value
        .as_array()
        .ok_or_else(|| format!("{field}: not a list of bytes"))?;
    if list.is_empty() {
        return Err(format!("{field}: must not be empty"));
    }
    list.iter()
        .map(|b| {
            b.as_u64()
                .and_then(|b| u8::try_from(b).ok())
                .ok_or_else(|| format!("{field}: {b} is not a byte"))
        })
        .collect()
}

fn items(body: &Map<String, Value>, field: &str) -> Result<KeyScope, String> {
    let Some(selector) = one_of(body, field, "all_items", "item_selector")? else {
        return Ok(KeyScope::All);
    };
    let field = format!("{field}.item_selector");
    let selector = object(selector, &field)?;
    only(selector, &field, &["key", "key_prefix"])?;
    match (selector.get("key"), selector.get("key_prefix")) {
        (Some(key), None) => Ok(KeyScope::Key(bytes(key, &format!("{field}.key"))?)),
        (None, Some(prefix)) => Ok(KeyScope::Prefix(bytes(
            prefix,
            &format!("{field}.key_prefix"),
        )?)),
        _ => Err(format!("{field}: needs exactly one of key and key_prefix")),
    }
}

fn names(
    body: &Map<String, Value>,
    field: &str,
    all: &str,
    selector: &str,
    kind: &str,
) -> Result<NameScope, String> {
    let Some(chosen) = one_of(body, field, all, selector)? else {
        return Ok(NameScope::All);
    };
    let field = format!("{field}.{selector}");
    let chosen = object(chosen, &field)?;
    let prefix = format!("{kind}_prefix");
    only(chosen, &field, &[kind, &prefix])?;
    match (chosen.get(kind), chosen.get(&prefix)) {
        (Some(name), None) => Ok(NameScope::Named(non_empty_string(
            name,
            &format!("{field}.{kind}"),
        )?)),
        (None, Some(start)) => Ok(NameScope::Prefix(non_empty_string(
            start,
            &format!("{field}.{prefix}"),
        )?)),
        _ => Err(format!("{field}: needs exactly one of {kind} and {prefix}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the published SDK (0.27.0) sends for
    /// `Permissions::new().with_cache(CachePermissions::read_write()).with_topic(TopicPermissions::read_only()
    /// .with_cache("c").with_topic("t")).with_function(FunctionPermissions::invoke())` (field order as serde
    /// writes the published structs).
    const PUBLISHED: &str = r#"{"explicit":{"permissions":[
        {"cache_permissions":{"role":"CacheReadWrite","all_caches":null,"all_items":null}},
        {"topic_permissions":{"role":"TopicReadOnly","all_caches":null,"cache_selector":{"cacheName":"c"},"all_topics":null,"topic_selector":{"topic_name":"t"}}},
        {"function_permissions":{"role":"FunctionInvoke","all_caches":null,"all_functions":null}}
    ]}}"#;

    #[test]
    fn the_published_shape_parses() {
        // The published builders keep `all_caches` when `with_cache` adds a selector: the selector wins.
        let parsed = parse(PUBLISHED).expect("valid");
        assert_eq!(
            parsed,
            [
                TokenPermission::Cache {
                    role: CacheRole::ReadWrite,
                    caches: CacheScope::All,
                    items: KeyScope::All
                },
                TokenPermission::Topic {
                    role: TopicRole::ReadOnly,
                    caches: CacheScope::Named("c".into()),
                    topics: NameScope::Named("t".into())
                },
                TokenPermission::Function {
                    role: FunctionRole::Invoke,
                    caches: CacheScope::All,
                    functions: NameScope::All
                },
            ]
        );
        let keys = r#"{"explicit":{"permissions":[{"cache_permissions":{"role":"CacheWriteOnly","cache_selector":{"cacheName":"c"},"item_selector":{"key_prefix":[117,58]}}}]}}"#;
        assert_eq!(
            parse(keys).unwrap(),
            [TokenPermission::Cache {
                role: CacheRole::WriteOnly,
                caches: CacheScope::Named("c".into()),
                items: KeyScope::Prefix(b"u:".to_vec())
            }]
        );
    }

    #[test]
    fn errors_name_the_field() {
        let cases = [
            ("[]", "permissions: not an object"),
            ("{", "permissions: not JSON"),
            (
                r#"{"explicit":{"permissions":[]}}"#,
                "permissions.explicit.permissions: empty",
            ),
            (
                r#"{"explicit":{}}"#,
                "permissions.explicit: `permissions` is missing",
            ),
            (
                r#"{"explicit":{"permissions":[]},"x":1}"#,
                "permissions: unknown field `x`",
            ),
            (
                r#"{"explicit":{"permissions":[{}]}}"#,
                "permissions.explicit.permissions[0]: needs exactly one of",
            ),
            (
                r#"{"explicit":{"permissions":[{"cache_permissions":{"role":"CacheAdmin","all_caches":null,"all_items":null}}]}}"#,
                "permissions.explicit.permissions[0].cache_permissions.role: unknown role `CacheAdmin`",
            ),
            (
                r#"{"explicit":{"permissions":[{"cache_permissions":{"role":"CacheReadOnly","all_items":null}}]}}"#,
                "permissions.explicit.permissions[0].cache_permissions: needs one of all_caches and cache_selector",
            ),
            (
                r#"{"explicit":{"permissions":[{"cache_permissions":{"role":"CacheReadOnly","all_caches":true,"all_items":null}}]}}"#,
                "cache_permissions.all_caches: must be null",
            ),
            (
                r#"{"explicit":{"permissions":[{"cache_permissions":{"role":"CacheReadOnly","all_caches":null,"item_selector":{"key":[]}}}]}}"#,
                "cache_permissions.item_selector.key: must not be empty",
            ),
            (
                r#"{"explicit":{"permissions":[{"cache_permissions":{"role":"CacheReadOnly","all_caches":null,"item_selector":{"key":[300]}}}]}}"#,
                "item_selector.key: 300 is not a byte",
            ),
            (
                r#"{"explicit":{"permissions":[{"topic_permissions":{"role":"TopicReadOnly","cache_selector":{"cacheName":""},"all_topics":null}}]}}"#,
                "topic_permissions.cache_selector.cacheName: must not be empty",
            ),
            (
                r#"{"explicit":{"permissions":[{"topic_permissions":{"role":"TopicReadOnly","all_caches":null,"topic_selector":{"name":"t"}}}]}}"#,
                "topic_permissions.topic_selector: unknown field `name`",
            ),
            (
                r#"{"explicit":{"permissions":[{"vector_permissions":{}}]}}"#,
                "unknown permission kind `vector_permissions`",
            ),
        ];
        for (text, expected) in cases {
            let error = parse(text).expect_err(text);
            assert!(error.contains(expected), "{text}: {error}");
        }
        let eleven = format!(
            r#"{{"explicit":{{"permissions":[{}]}}}}"#,
            [r#"{"function_permissions":{"role":"FunctionInvoke","all_caches":null,"all_functions":null}}"#; 11].join(",")
        );
        assert!(
            parse(&eleven)
                .unwrap_err()
                .contains("11 permissions, over the limit of 10")
        );
        let huge = "x".repeat(MAX_PERMISSIONS_BYTES + 1);
        assert!(
            parse(&huge)
                .unwrap_err()
                .contains("over the 65536-byte limit")
        );
    }
}
