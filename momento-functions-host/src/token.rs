//! Disposable tokens (Momento's `momento:token`): short-lived API keys with narrowed permissions, e.g.
//! for a browser to read one cache key or subscribe to one topic directly.
//!
//! ```no_run
//! use std::time::Duration;
//! use momento_functions_host::token::{self, CachePermission, Permissions, TopicPermission};
//!
//! # fn f() -> Result<(), token::Error> {
//! let permissions = Permissions::new()
//!     .cache(CachePermission::read_only().in_cache("profiles").key_prefix("user:7:"))
//!     .topic(TopicPermission::subscribe_only().in_cache("profiles").topic("user-7-updates"));
//! let token = token::generate_disposable_token(&permissions, Duration::from_secs(15 * 60))?;
//! println!("{} (valid until {}) for {}", token.api_key, token.valid_until, token.endpoint);
//! # Ok(()) }
//! ```
//!
//! Momento caps a token's life at one hour and a token at 10 permissions. The permissions travel to the
//! platform as JSON in the shape Momento's published SDK gives them.

use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::wit::momento::token::token as wit;

/// Why no token was made.
///
/// In a `momento-functions` handler, `?` turns it into an error response: invalid argument 400,
/// permission denied 403, limit exceeded 429, internal 500.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The permissions, the validity or the token id are not valid (the message names the field).
    #[error("invalid disposable token request: {0}")]
    InvalidArgument(String),
    /// The function may not make such a token.
    #[error("disposable token permission denied: {0}")]
    PermissionDenied(String),
    /// Too many tokens, or a limit of the platform.
    #[error("disposable token limit exceeded: {0}")]
    LimitExceeded(String),
    /// The platform failed on its side.
    #[error("internal error making a disposable token")]
    Internal,
}

impl From<wit::TokenError> for Error {
    fn from(error: wit::TokenError) -> Self {
        match error {
            wit::TokenError::InvalidArgument(m) => Error::InvalidArgument(m),
            wit::TokenError::PermissionDenied(m) => Error::PermissionDenied(m),
            wit::TokenError::LimitExceeded(m) => Error::LimitExceeded(m),
            wit::TokenError::InternalError => Error::Internal,
        }
    }
}

/// A token the platform made.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DisposableToken {
    /// The API key to hand out.
    pub api_key: String,
    /// The Momento endpoint to use it with.
    pub endpoint: String,
    /// When it stops working, in seconds since the Unix epoch.
    pub valid_until: u64,
}

/// What a token allows on caches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CacheRole {
    /// Read and write.
    ReadWrite,
    /// Read only.
    ReadOnly,
    /// Write only (no conditional writes).
    WriteOnly,
}

/// What a token allows on topics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TopicRole {
    /// Publish and subscribe.
    PublishSubscribe,
    /// Subscribe only.
    SubscribeOnly,
    /// Publish only.
    PublishOnly,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Names {
    All,
    Exact(String),
    Prefix(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Keys {
    All,
    Exact(Vec<u8>),
    Prefix(Vec<u8>),
}

/// Access to caches (all of them, or one) and their items (all, one key, or a key prefix).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CachePermission {
    role: CacheRole,
    cache: Option<String>,
    items: Keys,
}

impl CachePermission {
    /// `role` on every item of every cache (narrow it with the other methods).
    pub fn new(role: CacheRole) -> Self {
        CachePermission {
            role,
            cache: None,
            items: Keys::All,
        }
    }

    /// Read and write every item of every cache.
    pub fn read_write() -> Self {
        Self::new(CacheRole::ReadWrite)
    }

    /// Read every item of every cache.
    pub fn read_only() -> Self {
        Self::new(CacheRole::ReadOnly)
    }

    /// Write every item of every cache.
    pub fn write_only() -> Self {
        Self::new(CacheRole::WriteOnly)
    }

    /// Only in the cache `name`.
    pub fn in_cache(mut self, name: impl Into<String>) -> Self {
        self.cache = Some(name.into());
        self
    }

    /// Only the item `key`.
    pub fn key(mut self, key: impl AsRef<[u8]>) -> Self {
        self.items = Keys::Exact(key.as_ref().to_vec());
        self
    }

    /// Only the items whose keys start with `prefix`.
    pub fn key_prefix(mut self, prefix: impl AsRef<[u8]>) -> Self {
        self.items = Keys::Prefix(prefix.as_ref().to_vec());
        self
    }

    fn to_json(&self) -> Value {
        let role = match self.role {
            CacheRole::ReadWrite => "CacheReadWrite",
            CacheRole::ReadOnly => "CacheReadOnly",
            CacheRole::WriteOnly => "CacheWriteOnly",
        };
        let mut fields = Map::new();
        fields.insert("role".into(), json!(role));
        caches_json(&mut fields, self.cache.as_deref());
        match &self.items {
            Keys::All => {
                fields.insert("all_items".into(), Value::Null);
            }
            Keys::Exact(key) => {
                fields.insert("item_selector".into(), json!({ "key": key }));
            }
            Keys::Prefix(prefix) => {
                fields.insert("item_selector".into(), json!({ "key_prefix": prefix }));
            }
        }
        json!({ "cache_permissions": fields })
    }
}

/// Access to topics (all, one, or a name prefix) in caches (all of them, or one).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TopicPermission {
    role: TopicRole,
    cache: Option<String>,
    topics: Names,
}

impl TopicPermission {
    /// `role` on every topic of every cache (narrow it with the other methods).
    pub fn new(role: TopicRole) -> Self {
        TopicPermission {
            role,
            cache: None,
            topics: Names::All,
        }
    }

    /// Publish and subscribe to every topic.
    pub fn publish_subscribe() -> Self {
        Self::new(TopicRole::PublishSubscribe)
    }

    /// Subscribe to every topic.
    pub fn subscribe_only() -> Self {
        Self::new(TopicRole::SubscribeOnly)
    }

    /// Publish to every topic.
    pub fn publish_only() -> Self {
        Self::new(TopicRole::PublishOnly)
    }

    /// Only topics of the cache `name`.
    pub fn in_cache(mut self, name: impl Into<String>) -> Self {
        self.cache = Some(name.into());
        self
    }

    /// Only the topic `name`.
    pub fn topic(mut self, name: impl Into<String>) -> Self {
        self.topics = Names::Exact(name.into());
        self
    }

    /// Only topics whose names start with `prefix`.
    pub fn topic_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.topics = Names::Prefix(prefix.into());
        self
    }

    fn to_json(&self) -> Value {
        let role = match self.role {
            TopicRole::PublishSubscribe => "TopicReadWrite",
            TopicRole::SubscribeOnly => "TopicReadOnly",
            TopicRole::PublishOnly => "TopicWriteOnly",
        };
        let mut fields = Map::new();
        fields.insert("role".into(), json!(role));
        caches_json(&mut fields, self.cache.as_deref());
        names_json(
            &mut fields,
            &self.topics,
            "all_topics",
            "topic_selector",
            "topic_name",
        );
        json!({ "topic_permissions": fields })
    }
}

/// Permission to invoke functions (all, one, or a name prefix) of caches (all of them, or one).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FunctionPermission {
    cache: Option<String>,
    functions: Names,
}

impl FunctionPermission {
    /// Invoke every function of every cache (narrow it with the other methods).
    pub fn invoke() -> Self {
        FunctionPermission {
            cache: None,
            functions: Names::All,
        }
    }

    /// Only functions of the cache `name`.
    pub fn in_cache(mut self, name: impl Into<String>) -> Self {
        self.cache = Some(name.into());
        self
    }

    /// Only the function `name`.
    pub fn function(mut self, name: impl Into<String>) -> Self {
        self.functions = Names::Exact(name.into());
        self
    }

    /// Only functions whose names start with `prefix`.
    pub fn function_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.functions = Names::Prefix(prefix.into());
        self
    }

    fn to_json(&self) -> Value {
        let mut fields = Map::new();
        fields.insert("role".into(), json!("FunctionInvoke"));
        caches_json(&mut fields, self.cache.as_deref());
        names_json(
            &mut fields,
            &self.functions,
            "all_functions",
            "function_selector",
            "function_name",
        );
        json!({ "function_permissions": fields })
    }
}

/// `all_caches` (present, `null`) or `cache_selector`.
fn caches_json(fields: &mut Map<String, Value>, cache: Option<&str>) {
    match cache {
        None => fields.insert("all_caches".into(), Value::Null),
        Some(name) => fields.insert("cache_selector".into(), json!({ "cacheName": name })),
    };
}

fn names_json(
    fields: &mut Map<String, Value>,
    names: &Names,
    all: &str,
    selector: &str,
    kind: &str,
) {
    match names {
        Names::All => fields.insert(all.into(), Value::Null),
        Names::Exact(name) => fields.insert(selector.into(), json!({ kind: name })),
        Names::Prefix(prefix) => {
            fields.insert(selector.into(), json!({ format!("{kind}_prefix"): prefix }))
        }
    };
}

/// The permissions of a token: a list of cache, topic and function permissions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Permissions {
    entries: Vec<Value>,
}

impl Permissions {
    /// No permissions yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a cache permission.
    pub fn cache(mut self, permission: CachePermission) -> Self {
        self.entries.push(permission.to_json());
        self
    }

    /// Add a topic permission.
    pub fn topic(mut self, permission: TopicPermission) -> Self {
        self.entries.push(permission.to_json());
        self
    }

    /// Add a function permission.
    pub fn function(mut self, permission: FunctionPermission) -> Self {
        self.entries.push(permission.to_json());
        self
    }

    /// The JSON text the platform receives.
    ///
    /// ```
    /// use momento_functions_host::token::{CachePermission, Permissions};
    ///
    /// let json = Permissions::new().cache(CachePermission::read_only().in_cache("c").key("k")).to_json();
    /// assert!(json.starts_with(r#"{"explicit":{"permissions":[{"cache_permissions":{"#));
    /// assert!(json.contains(r#""role":"CacheReadOnly""#));
    /// assert!(json.contains(r#""cache_selector":{"cacheName":"c"}"#));
    /// assert!(json.contains(r#""item_selector":{"key":[107]}"#));
    /// ```
    pub fn to_json(&self) -> String {
        json!({ "explicit": { "permissions": self.entries } }).to_string()
    }
}

/// Whole seconds, rounding a fraction up (a non-zero validity never becomes zero).
fn whole_seconds(valid_for: Duration) -> Result<u32, Error> {
    let seconds = valid_for
        .as_secs()
        .saturating_add(u64::from(valid_for.subsec_nanos() > 0));
    u32::try_from(seconds).map_err(|_| {
        Error::InvalidArgument(format!(
            "expires.valid_for_seconds: {seconds} does not fit in 32 bits"
        ))
    })
}

/// Make a token with `permissions`, valid for `valid_for` (whole seconds, rounded up; Momento allows up
/// to one hour).
///
/// # Errors
/// [`Error::InvalidArgument`] for a validity of zero or over the platform's maximum, or permissions it
/// does not accept; another [`Error`] when the platform refuses.
pub fn generate_disposable_token(
    permissions: &Permissions,
    valid_for: Duration,
) -> Result<DisposableToken, Error> {
    generate(permissions, valid_for, None)
}

/// [`generate_disposable_token`] with a `token_id` carried inside the token (Momento shows it, e.g., on
/// the messages published with the token).
///
/// # Errors
/// As for [`generate_disposable_token`]; also an id the platform does not accept.
pub fn generate_disposable_token_with_id(
    permissions: &Permissions,
    valid_for: Duration,
    token_id: &str,
) -> Result<DisposableToken, Error> {
    generate(permissions, valid_for, Some(token_id))
}

fn generate(
    permissions: &Permissions,
    valid_for: Duration,
    token_id: Option<&str>,
) -> Result<DisposableToken, Error> {
    let expires = wit::Expires {
        valid_for_seconds: whole_seconds(valid_for)?,
    };
    let response = wit::generate_disposable_token(expires, &permissions.to_json(), token_id)?;
    Ok(DisposableToken {
        api_key: response.api_key,
        endpoint: response.endpoint,
        valid_until: response.valid_until,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(permissions: &Permissions) -> Value {
        serde_json::from_str(&permissions.to_json()).expect("JSON")
    }

    #[test]
    fn permissions_serialize_as_the_published_sdk_does() {
        let permissions = Permissions::new()
            .cache(CachePermission::read_write())
            .topic(
                TopicPermission::subscribe_only()
                    .in_cache("c")
                    .topic_prefix("room-"),
            )
            .function(FunctionPermission::invoke().function("f"));
        assert_eq!(
            parsed(&permissions),
            json!({"explicit": {"permissions": [
                {"cache_permissions": {"role": "CacheReadWrite", "all_caches": null, "all_items": null}},
                {"topic_permissions": {"role": "TopicReadOnly", "cache_selector": {"cacheName": "c"},
                    "topic_selector": {"topic_name_prefix": "room-"}}},
                {"function_permissions": {"role": "FunctionInvoke", "all_caches": null,
                    "function_selector": {"function_name": "f"}}},
            ]}})
        );
        let keys = Permissions::new().cache(CachePermission::write_only().key_prefix([1u8, 2]));
        assert_eq!(
            parsed(&keys)["explicit"]["permissions"][0]["cache_permissions"]["item_selector"],
            json!({"key_prefix": [1, 2]})
        );
        assert_eq!(
            Permissions::new().to_json(),
            r#"{"explicit":{"permissions":[]}}"#
        );
    }

    #[test]
    fn validity_rounds_up_to_whole_seconds() {
        assert_eq!(whole_seconds(Duration::from_secs(60)), Ok(60));
        assert_eq!(whole_seconds(Duration::from_millis(1500)), Ok(2));
        assert_eq!(whole_seconds(Duration::ZERO), Ok(0));
        assert!(matches!(
            whole_seconds(Duration::from_secs(u64::from(u32::MAX) + 1)),
            Err(Error::InvalidArgument(m)) if m.contains("valid_for_seconds")
        ));
    }

    #[test]
    fn wit_errors_keep_their_kind() {
        assert_eq!(
            Error::from(wit::TokenError::InvalidArgument("x".into())),
            Error::InvalidArgument("x".into())
        );
        assert_eq!(Error::from(wit::TokenError::InternalError), Error::Internal);
        assert_eq!(
            Error::from(wit::TokenError::LimitExceeded("x".into())),
            Error::LimitExceeded("x".into())
        );
        assert_eq!(
            Error::from(wit::TokenError::PermissionDenied("x".into())),
            Error::PermissionDenied("x".into())
        );
    }
}
