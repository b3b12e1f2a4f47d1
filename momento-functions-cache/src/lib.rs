//! The cache client of momento-functions: a key-value store shared by every invocation of a function,
//! each item with a time-to-live.
//!
//! Keys and values are bytes; anything that is `AsRef<[u8]>` (`&str`, `String`, `&[u8]`, `Vec<u8>`) can be
//! passed. A missing or expired item reads as `Ok(None)`. Every failure is one [`Error`].
//!
//! ```no_run
//! use std::time::Duration;
//! use momento_functions_cache as cache;
//!
//! # fn main() -> Result<(), cache::Error> {
//! cache::set("greeting", "hello", Duration::from_secs(60))?;
//! assert_eq!(cache::get_string("greeting")?.as_deref(), Some("hello"));
//!
//! // Typed values as JSON.
//! #[derive(serde::Serialize, serde::Deserialize)]
//! struct Profile { name: String }
//! cache::set_json("profile:7", &Profile { name: "Ada".into() }, Duration::from_secs(300))?;
//! let profile: Option<Profile> = cache::get_json("profile:7")?;
//!
//! // Only the first writer wins.
//! let won = cache::set_if("lock:job", "worker-1", Duration::from_secs(10), cache::SetCondition::Absent)?;
//!
//! // Counters.
//! let hits = cache::increment("hits", 1, Duration::from_secs(3600))?;
//! cache::delete("greeting")?;
//! # let _ = (profile, won, hits);
//! # Ok(()) }
//! ```
//!
//! TTLs are whole milliseconds (a fraction rounds up); a zero TTL is an invalid argument, and the host
//! caps it (the test host: 24 hours by default).
//!
//! Host calls only work inside a function running on a host; the test host
//! (`momento-functions-test-host`) provides an in-memory cache for `cargo test`.
#![deny(missing_docs)]

mod error;

use std::time::Duration;

use momento_functions_host::wit::momento::functions::cache as wit;

pub use error::Error;
use error::display_key;

/// When [`set_if`] stores the value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SetCondition {
    /// Only when the key has no item (e.g. to take a lock or claim an id).
    Absent,
    /// Only when the key already has an item (e.g. to refresh without resurrecting).
    Present,
    /// Only when the current value is exactly these bytes (compare-and-swap).
    Equal(Vec<u8>),
}

impl SetCondition {
    /// [`SetCondition::Equal`] from anything byte-like.
    ///
    /// ```
    /// use momento_functions_cache::SetCondition;
    /// assert_eq!(SetCondition::equal("v1"), SetCondition::Equal(b"v1".to_vec()));
    /// ```
    pub fn equal(value: impl AsRef<[u8]>) -> Self {
        SetCondition::Equal(value.as_ref().to_vec())
    }
}

/// A TTL in whole milliseconds, rounding a fraction up (so a non-zero TTL never becomes zero).
fn ttl_millis(ttl: Duration) -> u64 {
    let millis = ttl.as_millis();
    let millis = if ttl.subsec_nanos().is_multiple_of(1_000_000) {
        millis
    } else {
        millis + 1
    };
    u64::try_from(millis).unwrap_or(u64::MAX)
}

/// The value stored under `key`, or `None` when there is none or it expired.
///
/// ```no_run
/// # fn main() -> Result<(), momento_functions_cache::Error> {
/// if let Some(bytes) = momento_functions_cache::get("avatar:7")? {
///     println!("{} bytes", bytes.len());
/// }
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`Error`] when the cache call fails (never for a missing item).
pub fn get(key: impl AsRef<[u8]>) -> Result<Option<Vec<u8>>, Error> {
    Ok(wit::get(key.as_ref())?)
}

/// The value stored under `key` as UTF-8 text, or `None`.
///
/// # Errors
/// [`Error::Utf8`] when the value is not UTF-8, or an [`Error`] from the cache call.
pub fn get_string(key: impl AsRef<[u8]>) -> Result<Option<String>, Error> {
    let key = key.as_ref();
    get(key)?
        .map(|bytes| {
            String::from_utf8(bytes).map_err(|source| Error::Utf8 {
                key: display_key(key),
                source,
            })
        })
        .transpose()
}

/// The value stored under `key`, deserialized from JSON, or `None`.
///
/// ```no_run
/// #[derive(serde::Deserialize)]
/// struct Session { user: String }
///
/// # fn main() -> Result<(), momento_functions_cache::Error> {
/// let session: Option<Session> = momento_functions_cache::get_json("session:abc")?;
/// # let _ = session;
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`Error::DeserializeJson`] when the value is not JSON of type `T`, or an [`Error`] from the cache call.
pub fn get_json<T: serde::de::DeserializeOwned>(key: impl AsRef<[u8]>) -> Result<Option<T>, Error> {
    let key = key.as_ref();
    get(key)?
        .map(|bytes| {
            serde_json::from_slice(&bytes).map_err(|source| Error::DeserializeJson {
                key: display_key(key),
                source,
            })
        })
        .transpose()
}

/// Store `value` under `key` for `ttl`, replacing any item.
///
/// # Errors
/// [`Error::InvalidArgument`] for an empty key or a zero TTL, [`Error::LimitExceeded`] for a key, value
/// or TTL over the limits, or another [`Error`] from the cache call.
pub fn set(key: impl AsRef<[u8]>, value: impl AsRef<[u8]>, ttl: Duration) -> Result<(), Error> {
    Ok(wit::set(key.as_ref(), value.as_ref(), ttl_millis(ttl))?)
}

/// Store `value` serialized as JSON under `key` for `ttl`.
///
/// ```no_run
/// use std::time::Duration;
///
/// #[derive(serde::Serialize)]
/// struct Session { user: String }
///
/// # fn main() -> Result<(), momento_functions_cache::Error> {
/// let session = Session { user: "ada".into() };
/// momento_functions_cache::set_json("session:abc", &session, Duration::from_secs(900))?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`Error::SerializeJson`] when `value` cannot be serialized, or an [`Error`] as for [`set`].
pub fn set_json<T: serde::Serialize + ?Sized>(
    key: impl AsRef<[u8]>,
    value: &T,
    ttl: Duration,
) -> Result<(), Error> {
    let key = key.as_ref();
    let bytes = serde_json::to_vec(value).map_err(|source| Error::SerializeJson {
        key: display_key(key),
        source,
    })?;
    set(key, bytes, ttl)
}

/// Store `value` under `key` for `ttl` only if `condition` holds, atomically. Returns whether it stored.
///
/// ```no_run
/// use std::time::Duration;
/// use momento_functions_cache::{self as cache, SetCondition};
///
/// # fn main() -> Result<(), cache::Error> {
/// // Compare-and-swap: move a job from "queued" to "running" exactly once.
/// let moved = cache::set_if("job:9", "running", Duration::from_secs(600), SetCondition::equal("queued"))?;
/// if !moved {
///     // someone else got there first
/// }
/// # Ok(()) }
/// ```
///
/// # Errors
/// As for [`set`]; a condition that does not hold is `Ok(false)`, not an error.
pub fn set_if(
    key: impl AsRef<[u8]>,
    value: impl AsRef<[u8]>,
    ttl: Duration,
    condition: SetCondition,
) -> Result<bool, Error> {
    let condition = match condition {
        SetCondition::Absent => wit::SetCondition::Absent,
        SetCondition::Present => wit::SetCondition::Present,
        SetCondition::Equal(expected) => wit::SetCondition::Equal(expected),
    };
    Ok(wit::set_if(
        key.as_ref(),
        value.as_ref(),
        ttl_millis(ttl),
        &condition,
    )?)
}

/// Remove the item under `key`. Removing a missing key succeeds.
///
/// # Errors
/// [`Error`] when the cache call fails.
pub fn delete(key: impl AsRef<[u8]>) -> Result<(), Error> {
    Ok(wit::delete(key.as_ref())?)
}

/// Add `amount` (may be negative) to the integer stored under `key` and return the new value.
///
/// The value is stored as decimal text (so [`get_string`] reads it back). A missing key counts as 0 and
/// is created with `ttl`; an existing item keeps its expiry, so a counter with a TTL counts per window.
///
/// ```no_run
/// use std::time::Duration;
///
/// # fn main() -> Result<(), momento_functions_cache::Error> {
/// let calls = momento_functions_cache::increment("rate:client-7", 1, Duration::from_secs(60))?;
/// if calls > 100 {
///     // over the limit for this minute
/// }
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`Error::FailedPrecondition`] when the stored value is not an integer or the sum overflows `i64`, or
/// an [`Error`] as for [`set`].
pub fn increment(key: impl AsRef<[u8]>, amount: i64, ttl: Duration) -> Result<i64, Error> {
    Ok(wit::increment(key.as_ref(), amount, ttl_millis(ttl))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_rounds_fractions_up_and_saturates() {
        assert_eq!(ttl_millis(Duration::ZERO), 0);
        assert_eq!(ttl_millis(Duration::from_nanos(1)), 1);
        assert_eq!(ttl_millis(Duration::from_millis(1500)), 1500);
        assert_eq!(ttl_millis(Duration::from_micros(1500)), 2);
        assert_eq!(ttl_millis(Duration::from_secs(60)), 60_000);
        assert_eq!(ttl_millis(Duration::MAX), u64::MAX);
    }
}
