//! The public vocabulary of the mock cache: limits, errors, recorded calls, entries.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

/// Limits the mock cache enforces, with Momento-like defaults: key ≤ 64 KiB, value ≤ 1 MiB, TTL ≤ 24 h.
///
/// ```
/// use std::time::Duration;
/// use momento_functions_test_host::CacheLimits;
///
/// let limits = CacheLimits::default().with_max_value_bytes(1024).with_max_ttl(Duration::from_secs(60));
/// assert_eq!(limits.max_key_bytes, 64 << 10);
/// assert_eq!(limits.max_value_bytes, 1024);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheLimits {
    /// Longest key in bytes (default 64 KiB). Longer: `limit-exceeded`.
    pub max_key_bytes: usize,
    /// Largest value in bytes (default 1 MiB). Larger: `limit-exceeded`.
    pub max_value_bytes: usize,
    /// Longest TTL (default 24 hours). Longer: `limit-exceeded`.
    pub max_ttl: Duration,
}

impl Default for CacheLimits {
    fn default() -> Self {
        CacheLimits {
            max_key_bytes: 64 << 10,
            max_value_bytes: 1 << 20,
            max_ttl: Duration::from_secs(24 * 60 * 60),
        }
    }
}

impl CacheLimits {
    /// Set the longest key in bytes.
    pub fn with_max_key_bytes(mut self, bytes: usize) -> Self {
        self.max_key_bytes = bytes;
        self
    }

    /// Set the largest value in bytes.
    pub fn with_max_value_bytes(mut self, bytes: usize) -> Self {
        self.max_value_bytes = bytes;
        self
    }

    /// Set the longest TTL.
    pub fn with_max_ttl(mut self, ttl: Duration) -> Self {
        self.max_ttl = ttl;
        self
    }
}

/// An error the cache answers a call with: the host-side mirror of the function's `cache::Error`.
/// Tests inject them with [`CacheMock::fail_next`](crate::CacheMock::fail_next) and
/// [`CacheMock::fail_key`](crate::CacheMock::fail_key) and find them in recorded calls.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CacheError {
    /// An argument is not valid, e.g. an empty key or a zero TTL.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// A key, value or TTL is over the limits.
    #[error("limit exceeded: {0}")]
    LimitExceeded(String),
    /// The cache did not answer in time.
    #[error("timeout: {0}")]
    Timeout(String),
    /// The function may not do this.
    #[error("permission denied: {0}")]
    PermissionDenied(String),
    /// The item is not in the state the operation needs.
    #[error("failed precondition: {0}")]
    FailedPrecondition(String),
    /// The cache failed on its side.
    #[error("internal error: {0}")]
    Internal(String),
}

/// When a conditional set stores (host-side mirror of the function's `cache::SetCondition`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SetCondition {
    /// Only when the key has no item.
    Absent,
    /// Only when the key has an item.
    Present,
    /// Only when the current value is exactly these bytes.
    Equal(Vec<u8>),
}

/// One cache operation as the function asked for it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CacheOp {
    /// `get`.
    Get,
    /// `set`.
    Set {
        /// The value.
        value: Vec<u8>,
        /// The TTL asked for.
        ttl: Duration,
    },
    /// `set_if`.
    SetIf {
        /// The value.
        value: Vec<u8>,
        /// The TTL asked for.
        ttl: Duration,
        /// The condition.
        condition: SetCondition,
    },
    /// `delete`.
    Delete,
    /// `increment`.
    Increment {
        /// The amount added.
        amount: i64,
        /// The TTL for a new counter.
        ttl: Duration,
    },
}

impl CacheOp {
    /// The kind of operation, without its arguments.
    pub fn kind(&self) -> CacheOpKind {
        match self {
            CacheOp::Get => CacheOpKind::Get,
            CacheOp::Set { .. } => CacheOpKind::Set,
            CacheOp::SetIf { .. } => CacheOpKind::SetIf,
            CacheOp::Delete => CacheOpKind::Delete,
            CacheOp::Increment { .. } => CacheOpKind::Increment,
        }
    }

    /// The operation's name: `get`, `set`, `set_if`, `delete` or `increment`.
    pub fn name(&self) -> &'static str {
        self.kind().name()
    }
}

/// A kind of cache operation, e.g. to make every write fail with
/// [`CacheMock::fail_op`](crate::CacheMock::fail_op).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CacheOpKind {
    /// `get`.
    Get,
    /// `set`.
    Set,
    /// `set_if`.
    SetIf,
    /// `delete`.
    Delete,
    /// `increment`.
    Increment,
}

impl CacheOpKind {
    /// The operation's name: `get`, `set`, `set_if`, `delete` or `increment`.
    pub fn name(self) -> &'static str {
        match self {
            CacheOpKind::Get => "get",
            CacheOpKind::Set => "set",
            CacheOpKind::SetIf => "set_if",
            CacheOpKind::Delete => "delete",
            CacheOpKind::Increment => "increment",
        }
    }
}

/// What a successful cache call did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CacheOutcome {
    /// `get` found this value.
    Hit(Vec<u8>),
    /// `get` found nothing (or an expired item).
    Miss,
    /// `set` stored, or `set_if`'s condition held and it stored.
    Stored,
    /// `set_if`'s condition did not hold.
    NotStored,
    /// `delete` ran (whether or not there was an item).
    Deleted,
    /// `increment` produced this value.
    Incremented(i64),
}

/// One call the function made to the cache, in the order the cache executed them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheCall {
    /// The invocation that made the call (see `Response::invocation_id`).
    pub invocation_id: String,
    /// The key.
    pub key: Vec<u8>,
    /// The operation and its arguments.
    pub op: CacheOp,
    /// What the cache answered.
    pub result: Result<CacheOutcome, CacheError>,
}

impl CacheCall {
    /// The key as text (lossy UTF-8).
    pub fn key_str(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.key)
    }

    /// The operation's name: `get`, `set`, `set_if`, `delete` or `increment`.
    pub fn op_name(&self) -> &'static str {
        self.op.name()
    }

    /// Did the call fail?
    pub fn is_err(&self) -> bool {
        self.result.is_err()
    }
}

fn ttl(ttl: &Duration) -> String {
    format!("{ttl:?}")
}

/// One line, e.g. `get user:1 → hit (12 bytes)` or `set_if lock (2 bytes, ttl 10s, if absent) → not stored`.
impl fmt::Display for CacheCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.op_name(), self.key_str())?;
        match &self.op {
            CacheOp::Get | CacheOp::Delete => {}
            CacheOp::Set { value, ttl: t } => {
                write!(f, " ({} bytes, ttl {})", value.len(), ttl(t))?;
            }
            CacheOp::SetIf {
                value,
                ttl: t,
                condition,
            } => {
                let condition = match condition {
                    SetCondition::Absent => "if absent".to_owned(),
                    SetCondition::Present => "if present".to_owned(),
                    SetCondition::Equal(v) => format!("if equal to {}", String::from_utf8_lossy(v)),
                };
                write!(f, " ({} bytes, ttl {}, {condition})", value.len(), ttl(t))?;
            }
            CacheOp::Increment { amount, ttl: t } => write!(f, " by {amount} (ttl {})", ttl(t))?,
        }
        match &self.result {
            Ok(CacheOutcome::Hit(value)) => write!(f, " → hit ({} bytes)", value.len()),
            Ok(CacheOutcome::Miss) => write!(f, " → miss"),
            Ok(CacheOutcome::Stored) => write!(f, " → stored"),
            Ok(CacheOutcome::NotStored) => write!(f, " → not stored"),
            Ok(CacheOutcome::Deleted) => write!(f, " → deleted"),
            Ok(CacheOutcome::Incremented(n)) => write!(f, " → {n}"),
            Err(error) => write!(f, " → error: {error}"),
        }
    }
}

/// An item in the mock cache.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheEntry {
    /// The key.
    pub key: Vec<u8>,
    /// The value.
    pub value: Vec<u8>,
    /// Time left before it expires, by the host's clock (`None`: never, for items seeded without a TTL).
    pub ttl: Option<Duration>,
}

impl CacheEntry {
    /// The key as text (lossy UTF-8).
    pub fn key_str(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.key)
    }

    /// The value as text (lossy UTF-8).
    pub fn value_str(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.value)
    }
}
