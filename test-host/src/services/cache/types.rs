//! The public vocabulary of the mock cache: limits, errors, recorded calls, entries.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

/// Limits the mock cache enforces, with Momento-like defaults: key ≤ 64 KiB, value ≤ 1 MiB, TTL ≤ 24 h; and
/// the size of the whole cache (256 MiB of keys and values, a million items), past which the least recently
/// used items are evicted, as a full Momento cache evicts.
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
    /// Bytes of keys and values the whole cache holds (default 256 MiB). A write that would go over evicts
    /// the least recently used items first; an item larger than this is `limit-exceeded`.
    pub max_total_bytes: usize,
    /// Items the whole cache holds (default 1,000,000); past it, the least recently used are evicted.
    pub max_items: usize,
}

impl Default for CacheLimits {
    fn default() -> Self {
        CacheLimits {
            max_key_bytes: 64 << 10,
            max_value_bytes: 1 << 20,
            max_ttl: Duration::from_secs(24 * 60 * 60),
            max_total_bytes: 256 << 20,
            max_items: 1_000_000,
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

    /// Set the bytes the whole cache holds before it evicts.
    pub fn with_max_total_bytes(mut self, bytes: usize) -> Self {
        self.max_total_bytes = bytes;
        self
    }

    /// Set the number of items the whole cache holds before it evicts.
    pub fn with_max_items(mut self, items: usize) -> Self {
        self.max_items = items.max(1);
        self
    }
}

/// An error the cache answers a call with: the host-side mirror of the published `cache-scalar.error`
/// (and `cache-list.error`). Tests inject them with [`CacheMock::fail_next`](crate::CacheMock::fail_next)
/// and [`CacheMock::fail_key`](crate::CacheMock::fail_key) and find them in recorded calls. The message of
/// [`Timeout`](CacheError::Timeout), [`Internal`](CacheError::Internal) and
/// [`RequestCancelled`](CacheError::RequestCancelled) stays in the host (their published variants carry none).
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
    /// The cache (or the item) does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The request was cancelled.
    #[error("request cancelled: {0}")]
    RequestCancelled(String),
    /// The cache failed on its side.
    #[error("internal error: {0}")]
    Internal(String),
}

/// When `set-if` stores (host-side mirror of the published `set-if-condition`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SetCondition {
    /// The key has an item.
    Present,
    /// The key has an item whose value differs from this one.
    PresentAndNotEqual(Vec<u8>),
    /// The key has no item.
    Absent,
    /// The key's value is exactly these bytes.
    Equal(Vec<u8>),
    /// The key has no item, or its value is exactly these bytes.
    AbsentOrEqual(Vec<u8>),
    /// The key has no item, or its value differs from these bytes.
    NotEqual(Vec<u8>),
}

impl SetCondition {
    /// Does the condition hold for the key's current value (`None`: no item)?
    pub(crate) fn holds(&self, current: Option<&[u8]>) -> bool {
        match self {
            SetCondition::Present => current.is_some(),
            SetCondition::PresentAndNotEqual(other) => {
                current.is_some_and(|c| c != other.as_slice())
            }
            SetCondition::Absent => current.is_none(),
            SetCondition::Equal(other) => current == Some(other.as_slice()),
            SetCondition::AbsentOrEqual(other) => current.is_none_or(|c| c == other.as_slice()),
            SetCondition::NotEqual(other) => current != Some(other.as_slice()),
        }
    }
}

impl fmt::Display for SetCondition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = |v: &[u8]| String::from_utf8_lossy(v).into_owned();
        match self {
            SetCondition::Present => write!(f, "if present"),
            SetCondition::PresentAndNotEqual(v) => write!(f, "if present and not {}", text(v)),
            SetCondition::Absent => write!(f, "if absent"),
            SetCondition::Equal(v) => write!(f, "if equal to {}", text(v)),
            SetCondition::AbsentOrEqual(v) => write!(f, "if absent or equal to {}", text(v)),
            SetCondition::NotEqual(v) => write!(f, "if not equal to {}", text(v)),
        }
    }
}

/// When `set-if-hash` stores, judged by the hash of the current value (mirror of `set-if-hash-condition`).
/// Hashes are opaque to the function; the test host's are the SHA-256 of the value (see [`value_hash`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SetHashCondition {
    /// The key has an item whose hash differs from this one.
    PresentAndNotHashEqual(Vec<u8>),
    /// The key has an item with exactly this hash.
    PresentAndHashEqual(Vec<u8>),
    /// The key has no item, or one with exactly this hash.
    AbsentOrHashEqual(Vec<u8>),
    /// The key has no item, or one whose hash differs from this one.
    AbsentOrNotHashEqual(Vec<u8>),
    /// Always.
    Unconditional,
}

impl SetHashCondition {
    /// Does the condition hold for the hash of the key's current value (`None`: no item)?
    pub(crate) fn holds(&self, current: Option<&[u8]>) -> bool {
        match self {
            SetHashCondition::PresentAndNotHashEqual(h) => {
                current.is_some_and(|c| c != h.as_slice())
            }
            SetHashCondition::PresentAndHashEqual(h) => current == Some(h.as_slice()),
            SetHashCondition::AbsentOrHashEqual(h) => current.is_none_or(|c| c == h.as_slice()),
            SetHashCondition::AbsentOrNotHashEqual(h) => current != Some(h.as_slice()),
            SetHashCondition::Unconditional => true,
        }
    }
}

impl fmt::Display for SetHashCondition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hex = |v: &[u8]| {
            v.iter()
                .take(4)
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
                + "…"
        };
        match self {
            SetHashCondition::PresentAndNotHashEqual(h) => {
                write!(f, "if present and hash not {}", hex(h))
            }
            SetHashCondition::PresentAndHashEqual(h) => write!(f, "if hash is {}", hex(h)),
            SetHashCondition::AbsentOrHashEqual(h) => write!(f, "if absent or hash is {}", hex(h)),
            SetHashCondition::AbsentOrNotHashEqual(h) => {
                write!(f, "if absent or hash not {}", hex(h))
            }
            SetHashCondition::Unconditional => write!(f, "unconditionally"),
        }
    }
}

/// The hash `get-with-hash` reports and `set-if-hash` compares: SHA-256 of the value. (Momento's hashes are
/// opaque; a function must only compare them, never compute them.)
pub fn value_hash(value: &[u8]) -> Vec<u8> {
    use sha2::Digest as _;
    sha2::Sha256::digest(value).to_vec()
}

/// Where a list slice starts (`list-fetch`, `list-retain`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ListStart {
    /// The front (`unbounded`).
    Front,
    /// This index, inclusive; negative counts from the back (`inclusive`).
    At(i32),
}

/// Where a list slice ends (`list-fetch`, `list-retain`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ListEnd {
    /// The back (`unbounded`).
    Back,
    /// Before this index; negative counts from the back (`exclusive`).
    Before(i32),
}

/// Which elements `list-erase` removes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ListErase {
    /// Every element (the list goes).
    All,
    /// `(begin, count)` ranges, positions before the erase.
    Ranges(Vec<(u32, u32)>),
}

/// A write's TTL and whether it renews the TTL of an existing list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ListTtl {
    /// The TTL asked for (a new list's; an existing one's when `refresh`).
    pub ttl: Duration,
    /// Renew an existing list's TTL.
    pub refresh: bool,
}

/// One cache operation as the function asked for it (scalar operations, then list operations).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CacheOp {
    /// `get`.
    Get,
    /// `get-with-hash`.
    GetWithHash,
    /// `set`.
    Set {
        /// The value.
        value: Vec<u8>,
        /// The TTL asked for.
        ttl: Duration,
    },
    /// `set-if`.
    SetIf {
        /// The value.
        value: Vec<u8>,
        /// The TTL asked for.
        ttl: Duration,
        /// The condition.
        condition: SetCondition,
    },
    /// `set-if-hash`.
    SetIfHash {
        /// The value.
        value: Vec<u8>,
        /// The TTL asked for.
        ttl: Duration,
        /// The condition.
        condition: SetHashCondition,
    },
    /// `delete`.
    Delete,
    /// `list-push-front`.
    ListPushFront {
        /// The element.
        value: Vec<u8>,
        /// TTL and refresh.
        ttl: ListTtl,
        /// Drop elements from the back down to this many afterwards (`None`: no cap).
        truncate_to: Option<u32>,
    },
    /// `list-push-back`.
    ListPushBack {
        /// The element.
        value: Vec<u8>,
        /// TTL and refresh.
        ttl: ListTtl,
        /// Drop elements from the front down to this many afterwards (`None`: no cap).
        truncate_to: Option<u32>,
    },
    /// `list-concatenate-front`.
    ListConcatenateFront {
        /// The elements, in order.
        values: Vec<Vec<u8>>,
        /// TTL and refresh.
        ttl: ListTtl,
        /// Drop elements from the back down to this many afterwards (`None`: no cap).
        truncate_to: Option<u32>,
    },
    /// `list-concatenate-back`.
    ListConcatenateBack {
        /// The elements, in order.
        values: Vec<Vec<u8>>,
        /// TTL and refresh.
        ttl: ListTtl,
        /// Drop elements from the front down to this many afterwards (`None`: no cap).
        truncate_to: Option<u32>,
    },
    /// `list-pop-front`.
    ListPopFront,
    /// `list-pop-back`.
    ListPopBack,
    /// `list-erase`.
    ListErase {
        /// What to erase.
        range: ListErase,
    },
    /// `list-remove`: every element equal to `value`.
    ListRemove {
        /// The value.
        value: Vec<u8>,
    },
    /// `list-fetch`.
    ListFetch {
        /// Start of the slice.
        start: ListStart,
        /// End of the slice.
        end: ListEnd,
    },
    /// `list-length`.
    ListLength,
    /// `list-retain`.
    ListRetain {
        /// Start of the slice kept.
        start: ListStart,
        /// End of the slice kept.
        end: ListEnd,
        /// TTL and refresh.
        ttl: ListTtl,
    },
}

impl CacheOp {
    /// The kind of operation, without its arguments.
    pub fn kind(&self) -> CacheOpKind {
        match self {
            CacheOp::Get => CacheOpKind::Get,
            CacheOp::GetWithHash => CacheOpKind::GetWithHash,
            CacheOp::Set { .. } => CacheOpKind::Set,
            CacheOp::SetIf { .. } => CacheOpKind::SetIf,
            CacheOp::SetIfHash { .. } => CacheOpKind::SetIfHash,
            CacheOp::Delete => CacheOpKind::Delete,
            CacheOp::ListPushFront { .. } => CacheOpKind::ListPushFront,
            CacheOp::ListPushBack { .. } => CacheOpKind::ListPushBack,
            CacheOp::ListConcatenateFront { .. } => CacheOpKind::ListConcatenateFront,
            CacheOp::ListConcatenateBack { .. } => CacheOpKind::ListConcatenateBack,
            CacheOp::ListPopFront => CacheOpKind::ListPopFront,
            CacheOp::ListPopBack => CacheOpKind::ListPopBack,
            CacheOp::ListErase { .. } => CacheOpKind::ListErase,
            CacheOp::ListRemove { .. } => CacheOpKind::ListRemove,
            CacheOp::ListFetch { .. } => CacheOpKind::ListFetch,
            CacheOp::ListLength => CacheOpKind::ListLength,
            CacheOp::ListRetain { .. } => CacheOpKind::ListRetain,
        }
    }

    /// The operation's name (see [`CacheOpKind::name`]).
    pub fn name(&self) -> &'static str {
        self.kind().name()
    }

    /// Is it a list operation?
    pub fn is_list(&self) -> bool {
        self.kind().is_list()
    }
}

/// A kind of cache operation, e.g. to make every write fail with
/// [`CacheMock::fail_op`](crate::CacheMock::fail_op).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CacheOpKind {
    /// `get`.
    Get,
    /// `get-with-hash`.
    GetWithHash,
    /// `set`.
    Set,
    /// `set-if`.
    SetIf,
    /// `set-if-hash`.
    SetIfHash,
    /// `delete`.
    Delete,
    /// `list-push-front`.
    ListPushFront,
    /// `list-push-back`.
    ListPushBack,
    /// `list-concatenate-front`.
    ListConcatenateFront,
    /// `list-concatenate-back`.
    ListConcatenateBack,
    /// `list-pop-front`.
    ListPopFront,
    /// `list-pop-back`.
    ListPopBack,
    /// `list-erase`.
    ListErase,
    /// `list-remove`.
    ListRemove,
    /// `list-fetch`.
    ListFetch,
    /// `list-length`.
    ListLength,
    /// `list-retain`.
    ListRetain,
}

impl CacheOpKind {
    /// The operation's name: `get`, `get_with_hash`, `set`, `set_if`, `set_if_hash`, `delete`, or a list
    /// operation's (`list_push_front`, `list_push_back`, `list_concatenate_front`,
    /// `list_concatenate_back`, `list_pop_front`, `list_pop_back`, `list_erase`, `list_remove`,
    /// `list_fetch`, `list_length`, `list_retain`).
    pub fn name(self) -> &'static str {
        match self {
            CacheOpKind::Get => "get",
            CacheOpKind::GetWithHash => "get_with_hash",
            CacheOpKind::Set => "set",
            CacheOpKind::SetIf => "set_if",
            CacheOpKind::SetIfHash => "set_if_hash",
            CacheOpKind::Delete => "delete",
            CacheOpKind::ListPushFront => "list_push_front",
            CacheOpKind::ListPushBack => "list_push_back",
            CacheOpKind::ListConcatenateFront => "list_concatenate_front",
            CacheOpKind::ListConcatenateBack => "list_concatenate_back",
            CacheOpKind::ListPopFront => "list_pop_front",
            CacheOpKind::ListPopBack => "list_pop_back",
            CacheOpKind::ListErase => "list_erase",
            CacheOpKind::ListRemove => "list_remove",
            CacheOpKind::ListFetch => "list_fetch",
            CacheOpKind::ListLength => "list_length",
            CacheOpKind::ListRetain => "list_retain",
        }
    }

    /// Is it a list operation?
    pub fn is_list(self) -> bool {
        !matches!(
            self,
            CacheOpKind::Get
                | CacheOpKind::GetWithHash
                | CacheOpKind::Set
                | CacheOpKind::SetIf
                | CacheOpKind::SetIfHash
                | CacheOpKind::Delete
        )
    }
}

/// What a successful cache call did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CacheOutcome {
    /// `get` found this value.
    Hit(Vec<u8>),
    /// `get-with-hash` found this value with this hash.
    HitWithHash {
        /// The value.
        value: Vec<u8>,
        /// Its hash.
        hash: Vec<u8>,
    },
    /// `get` or `get-with-hash` found nothing (or an expired item); a list operation found no list.
    Miss,
    /// `set` stored, or `set-if`'s condition held and it stored.
    Stored,
    /// `set-if-hash`'s condition held and it stored a value with this hash.
    StoredWithHash(Vec<u8>),
    /// A condition did not hold.
    NotStored,
    /// `delete` ran (whether or not there was an item).
    Deleted,
    /// A list operation left the list with this many elements (`list-length`: it has this many).
    ListLength(u32),
    /// `list-pop-*` took this element; the list has `list_length` left.
    Popped {
        /// The element.
        value: Vec<u8>,
        /// Elements left (0: the list is gone).
        list_length: u32,
    },
    /// `list-fetch` found these elements.
    Fetched(Vec<Vec<u8>>),
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

    /// The operation's name (see [`CacheOpKind::name`]).
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

fn list_ttl(ttl: &ListTtl) -> String {
    if ttl.refresh {
        format!("ttl {:?}, refresh", ttl.ttl)
    } else {
        format!("ttl {:?}", ttl.ttl)
    }
}

fn cap(truncate_to: Option<u32>) -> String {
    truncate_to.map_or_else(String::new, |n| format!(", keep {n}"))
}

impl fmt::Display for ListStart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ListStart::Front => Ok(()),
            ListStart::At(i) => write!(f, "{i}"),
        }
    }
}

impl fmt::Display for ListEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ListEnd::Back => Ok(()),
            ListEnd::Before(i) => write!(f, "{i}"),
        }
    }
}

/// One line, e.g. `get user:1 → hit (12 bytes)`, `set_if lock (2 bytes, ttl 10s, if absent) → not stored`
/// or `list_push_back feed (5 bytes, ttl 60s, refresh, keep 10) → length 3`.
impl fmt::Display for CacheCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.op_name(), self.key_str())?;
        match &self.op {
            CacheOp::Get
            | CacheOp::GetWithHash
            | CacheOp::Delete
            | CacheOp::ListPopFront
            | CacheOp::ListPopBack
            | CacheOp::ListLength => {}
            CacheOp::ListPushFront {
                value,
                ttl,
                truncate_to,
            }
            | CacheOp::ListPushBack {
                value,
                ttl,
                truncate_to,
            } => write!(
                f,
                " ({} bytes, {}{})",
                value.len(),
                list_ttl(ttl),
                cap(*truncate_to)
            )?,
            CacheOp::ListConcatenateFront {
                values,
                ttl,
                truncate_to,
            }
            | CacheOp::ListConcatenateBack {
                values,
                ttl,
                truncate_to,
            } => write!(
                f,
                " ({} values, {}{})",
                values.len(),
                list_ttl(ttl),
                cap(*truncate_to)
            )?,
            CacheOp::ListErase { range } => match range {
                ListErase::All => write!(f, " (all)")?,
                ListErase::Ranges(ranges) => {
                    let ranges: Vec<String> = ranges
                        .iter()
                        .map(|(begin, count)| format!("{begin}+{count}"))
                        .collect();
                    write!(f, " ({})", ranges.join(", "))?;
                }
            },
            CacheOp::ListRemove { value } => write!(f, " ({} bytes)", value.len())?,
            CacheOp::ListFetch { start, end } => write!(f, " [{start}..{end}]")?,
            CacheOp::ListRetain { start, end, ttl } => {
                write!(f, " [{start}..{end}] ({})", list_ttl(ttl))?;
            }
            CacheOp::Set { value, ttl: t } => {
                write!(f, " ({} bytes, ttl {})", value.len(), ttl(t))?;
            }
            CacheOp::SetIf {
                value,
                ttl: t,
                condition,
            } => write!(f, " ({} bytes, ttl {}, {condition})", value.len(), ttl(t))?,
            CacheOp::SetIfHash {
                value,
                ttl: t,
                condition,
            } => write!(f, " ({} bytes, ttl {}, {condition})", value.len(), ttl(t))?,
        }
        match &self.result {
            Ok(CacheOutcome::Hit(value) | CacheOutcome::HitWithHash { value, .. }) => {
                write!(f, " → hit ({} bytes)", value.len())
            }
            Ok(CacheOutcome::Miss) => write!(f, " → miss"),
            Ok(CacheOutcome::Stored | CacheOutcome::StoredWithHash(_)) => write!(f, " → stored"),
            Ok(CacheOutcome::NotStored) => write!(f, " → not stored"),
            Ok(CacheOutcome::Deleted) => write!(f, " → deleted"),
            Ok(CacheOutcome::ListLength(length)) => write!(f, " → length {length}"),
            Ok(CacheOutcome::Popped { value, list_length }) => {
                write!(f, " → popped ({} bytes), {list_length} left", value.len())
            }
            Ok(CacheOutcome::Fetched(values)) => write!(f, " → {} elements", values.len()),
            Err(error) => write!(f, " → error: {error}"),
        }
    }
}

/// An item in the mock cache: a value, or a list.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheEntry {
    /// The key.
    pub key: Vec<u8>,
    /// The value (empty for a list).
    pub value: Vec<u8>,
    /// The elements, for a list (`None` for a value).
    pub list: Option<Vec<Vec<u8>>>,
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
