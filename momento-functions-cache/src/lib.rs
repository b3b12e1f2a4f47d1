//! The cache client of momento-functions: the function's cache (Momento's `momento:cache-scalar`), a
//! key-value store shared by every invocation, each item with a time-to-live.
//!
//! Keys are bytes: anything that is `AsRef<[u8]>` (`&str`, `String`, `&[u8]`, `Vec<u8>`). Values go in
//! as anything that converts into [`Data`] (bytes, text, or a `Data` the function received, such as the
//! request body, which is handed to the cache without being copied into the function's memory) and come
//! out as bytes ([`get`]), text ([`get_string`]), JSON ([`get_json`]) or [`Data`] ([`get_data`], still on
//! the host). A missing or expired item reads as `Ok(None)`. Every failure is one [`Error`].
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
//! // Optimistic concurrency with the value's hash.
//! if let Some(current) = cache::get_with_hash("config")? {
//!     let updated = [current.value.as_slice(), b";v2"].concat();
//!     let stored = cache::set_if_hash(
//!         "config",
//!         updated,
//!         Duration::from_secs(600),
//!         cache::HashCondition::PresentAndHashEqual(current.hash),
//!     )?;
//! #   let _ = stored;
//! }
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
//! Lists (push, pop, fetch slices, trim, …) are in [`list`]; a key holds either a value or a list.
//!
//! Host calls only work inside a function running on a host; the test host
//! (`momento-functions-test-host`) provides an in-memory cache for `cargo test`.
#![deny(missing_docs)]

mod error;
pub mod list;

use std::fmt;
use std::time::Duration;

use momento_functions_host::wit::momento::cache_scalar::cache_scalar as wit;
use momento_functions_host::wit::{data_from_wit, data_into_wit};

pub use error::Error;
use error::display_key;
pub use momento_functions_host::Data;

/// How many read-then-write rounds [`increment`] tries before giving up with [`Error::Contention`].
pub const INCREMENT_ATTEMPTS: u32 = 32;

/// When [`set_if`] stores the value, compared with the item under the key (if any).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SetCondition {
    /// The key has an item (e.g. to refresh without resurrecting).
    Present,
    /// The key has an item whose value differs from these bytes.
    PresentAndNotEqual(Vec<u8>),
    /// The key has no item (e.g. to take a lock or claim an id).
    Absent,
    /// The key has an item whose value is exactly these bytes (compare-and-swap).
    Equal(Vec<u8>),
    /// The key has no item, or one whose value is exactly these bytes.
    AbsentOrEqual(Vec<u8>),
    /// The key has no item, or one whose value differs from these bytes.
    NotEqual(Vec<u8>),
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

    /// [`SetCondition::NotEqual`] from anything byte-like.
    pub fn not_equal(value: impl AsRef<[u8]>) -> Self {
        SetCondition::NotEqual(value.as_ref().to_vec())
    }

    /// [`SetCondition::PresentAndNotEqual`] from anything byte-like.
    pub fn present_and_not_equal(value: impl AsRef<[u8]>) -> Self {
        SetCondition::PresentAndNotEqual(value.as_ref().to_vec())
    }

    /// [`SetCondition::AbsentOrEqual`] from anything byte-like.
    pub fn absent_or_equal(value: impl AsRef<[u8]>) -> Self {
        SetCondition::AbsentOrEqual(value.as_ref().to_vec())
    }

    fn into_wit(self) -> wit::SetIfCondition {
        let data = |bytes: Vec<u8>| data_into_wit(Data::from(bytes));
        match self {
            SetCondition::Present => wit::SetIfCondition::Present,
            SetCondition::PresentAndNotEqual(v) => wit::SetIfCondition::PresentAndNotEqual(data(v)),
            SetCondition::Absent => wit::SetIfCondition::Absent,
            SetCondition::Equal(v) => wit::SetIfCondition::Equal(data(v)),
            SetCondition::AbsentOrEqual(v) => wit::SetIfCondition::AbsentOrEqual(data(v)),
            SetCondition::NotEqual(v) => wit::SetIfCondition::NotEqual(data(v)),
        }
    }
}

/// The hash the cache keeps of an item's value: opaque bytes, only good for comparing with another
/// [`ValueHash`] of the same cache ([`get_with_hash`], [`set_if_hash`]).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ValueHash(Vec<u8>);

impl ValueHash {
    /// A hash from its bytes (e.g. kept from an earlier invocation).
    pub fn from_bytes(bytes: impl Into<Vec<u8>>) -> Self {
        ValueHash(bytes.into())
    }

    /// The hash's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    fn into_wit(self) -> wit::Data {
        data_into_wit(Data::from(self.0))
    }
}

impl fmt::Debug for ValueHash {
    /// Hex.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ValueHash(")?;
        for b in &self.0 {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

/// When [`set_if_hash`] stores the value, judged by the hash of the item's current value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HashCondition {
    /// The key has an item whose value has this hash (compare-and-swap on what [`get_with_hash`] read).
    PresentAndHashEqual(ValueHash),
    /// The key has an item whose value has another hash.
    PresentAndNotHashEqual(ValueHash),
    /// The key has no item, or one whose value has this hash.
    AbsentOrHashEqual(ValueHash),
    /// The key has no item, or one whose value has another hash.
    AbsentOrNotHashEqual(ValueHash),
    /// Always (a plain set that returns the new hash).
    Unconditional,
}

impl HashCondition {
    fn into_wit(self) -> wit::SetIfHashCondition {
        use wit::SetIfHashCondition as W;
        match self {
            HashCondition::PresentAndHashEqual(h) => W::PresentAndHashEqual(h.into_wit()),
            HashCondition::PresentAndNotHashEqual(h) => W::PresentAndNotHashEqual(h.into_wit()),
            HashCondition::AbsentOrHashEqual(h) => W::AbsentOrHashEqual(h.into_wit()),
            HashCondition::AbsentOrNotHashEqual(h) => W::AbsentOrNotHashEqual(h.into_wit()),
            HashCondition::Unconditional => W::Unconditional,
        }
    }
}

/// A value read with [`get_with_hash`], and its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HashedValue {
    /// The value.
    pub value: Vec<u8>,
    /// The hash of the value.
    pub hash: ValueHash,
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

fn key_data(key: &[u8]) -> wit::Data {
    data_into_wit(Data::from(key))
}

/// Read a value the host handed over.
fn read_value(key: &[u8], value: wit::Data) -> Result<Vec<u8>, Error> {
    data_from_wit(value)
        .try_into_bytes()
        .map_err(|source| Error::ValueRead {
            key: display_key(key),
            source,
        })
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
    let key = key.as_ref();
    wit::get(key_data(key))?
        .map(|value| read_value(key, value))
        .transpose()
}

/// The value stored under `key` as [`Data`] (still on the host if the host handed it over as a buffer),
/// or `None`. Return it as a response body or pass it on without reading it.
///
/// ```no_run
/// # fn main() -> Result<(), momento_functions_cache::Error> {
/// if let Some(page) = momento_functions_cache::get_data("page:/index.html")? {
///     // e.g. answer with it: a `Data` is a response body in `momento-functions`.
/// #   let _ = page;
/// }
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`Error`] when the cache call fails (never for a missing item).
pub fn get_data(key: impl AsRef<[u8]>) -> Result<Option<Data>, Error> {
    Ok(wit::get(key_data(key.as_ref()))?.map(data_from_wit))
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

/// The value stored under `key` with its hash, or `None`.
///
/// # Errors
/// [`Error`] when the cache call fails (never for a missing item).
pub fn get_with_hash(key: impl AsRef<[u8]>) -> Result<Option<HashedValue>, Error> {
    let key = key.as_ref();
    match wit::get_with_hash(key_data(key))? {
        wit::GetWithHashResult::Found(found) => Ok(Some(HashedValue {
            value: read_value(key, found.value)?,
            hash: ValueHash(read_value(key, found.hash)?),
        })),
        wit::GetWithHashResult::Missing => Ok(None),
    }
}

/// Store `value` under `key` for `ttl`, replacing any item.
///
/// # Errors
/// [`Error::InvalidArgument`] for an empty key or a zero TTL, [`Error::LimitExceeded`] for a key, value
/// or TTL over the limits, or another [`Error`] from the cache call.
pub fn set(key: impl AsRef<[u8]>, value: impl Into<Data>, ttl: Duration) -> Result<(), Error> {
    Ok(wit::set(
        key_data(key.as_ref()),
        data_into_wit(value.into()),
        ttl_millis(ttl),
    )?)
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
    value: impl Into<Data>,
    ttl: Duration,
    condition: SetCondition,
) -> Result<bool, Error> {
    let result = wit::set_if(
        key_data(key.as_ref()),
        data_into_wit(value.into()),
        ttl_millis(ttl),
        condition.into_wit(),
    )?;
    Ok(matches!(result, wit::SetIfResult::Stored))
}

/// Store `value` under `key` for `ttl` only if `condition` holds for the hash of the current value,
/// atomically. Returns the hash of the value now stored, or `None` when the condition did not hold.
///
/// # Errors
/// As for [`set`]; a condition that does not hold is `Ok(None)`, not an error.
pub fn set_if_hash(
    key: impl AsRef<[u8]>,
    value: impl Into<Data>,
    ttl: Duration,
    condition: HashCondition,
) -> Result<Option<ValueHash>, Error> {
    let key = key.as_ref();
    match wit::set_if_hash(
        key_data(key),
        data_into_wit(value.into()),
        ttl_millis(ttl),
        condition.into_wit(),
    )? {
        wit::SetIfHashResult::Stored(hash) => Ok(Some(ValueHash(read_value(key, hash)?))),
        wit::SetIfHashResult::NotStored => Ok(None),
    }
}

/// Remove the item under `key`. Removing a missing key succeeds.
///
/// # Errors
/// [`Error`] when the cache call fails.
pub fn delete(key: impl AsRef<[u8]>) -> Result<(), Error> {
    Ok(wit::delete(key_data(key.as_ref()))?)
}

/// Add `amount` (may be negative) to the integer stored under `key` and return the new value.
///
/// The value is stored as decimal text (so [`get_string`] reads it back). A missing key counts as 0.
/// Every increment stores the new value with `ttl`, so the item expires `ttl` after the last increment.
///
/// The platform's cache has no increment: this reads the value and writes the sum with
/// [`set_if`] (`Equal` to what was read, or `Absent`), and starts again when another invocation wrote in
/// between, at most [`INCREMENT_ATTEMPTS`] times. Concurrent increments are never lost.
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
/// [`Error::NotAnInteger`] when the stored value is not a decimal `i64`, [`Error::Overflow`] when the sum
/// leaves `i64`, [`Error::Contention`] when the value kept changing, or an [`Error`] as for [`set`].
pub fn increment(key: impl AsRef<[u8]>, amount: i64, ttl: Duration) -> Result<i64, Error> {
    let key = key.as_ref();
    compare_and_add(
        key,
        amount,
        || get(key),
        |sum, condition| set_if(key, sum.to_string(), ttl, condition),
    )
}

/// The loop of [`increment`] over a read and a conditional write.
fn compare_and_add(
    key: &[u8],
    amount: i64,
    mut read: impl FnMut() -> Result<Option<Vec<u8>>, Error>,
    mut write_if: impl FnMut(i64, SetCondition) -> Result<bool, Error>,
) -> Result<i64, Error> {
    for _ in 0..INCREMENT_ATTEMPTS {
        let (sum, condition) = match read()? {
            None => (amount, SetCondition::Absent),
            Some(bytes) => {
                let value = parse_integer(&bytes).ok_or_else(|| Error::NotAnInteger {
                    key: display_key(key),
                })?;
                let sum = value.checked_add(amount).ok_or_else(|| Error::Overflow {
                    key: display_key(key),
                    amount,
                })?;
                (sum, SetCondition::Equal(bytes))
            }
        };
        if write_if(sum, condition)? {
            return Ok(sum);
        }
    }
    Err(Error::Contention {
        key: display_key(key),
        attempts: INCREMENT_ATTEMPTS,
    })
}

/// A stored counter: decimal text of an `i64`.
fn parse_integer(bytes: &[u8]) -> Option<i64> {
    std::str::from_utf8(bytes).ok()?.parse().ok()
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

    #[test]
    fn counters_are_decimal_integers() {
        assert_eq!(parse_integer(b"42"), Some(42));
        assert_eq!(parse_integer(b"-7"), Some(-7));
        assert_eq!(parse_integer(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_integer(b"9223372036854775808"), None);
        assert_eq!(parse_integer(b"4.5"), None);
        assert_eq!(parse_integer(b"ten"), None);
        assert_eq!(parse_integer(b""), None);
        assert_eq!(parse_integer(&[0xff]), None);
    }

    /// A one-key store for the increment loop, with `interfere` writes by "another invocation" slipped
    /// in between each read and write.
    fn run_increment(
        stored: &mut Option<Vec<u8>>,
        amount: i64,
        mut interfere: impl FnMut(&mut Option<Vec<u8>>),
    ) -> Result<i64, Error> {
        let cell = std::cell::RefCell::new(stored.take());
        let result = compare_and_add(
            b"k",
            amount,
            || {
                let value = cell.borrow().clone();
                interfere(&mut cell.borrow_mut());
                Ok(value)
            },
            |sum, condition| {
                let mut current = cell.borrow_mut();
                let holds = match &condition {
                    SetCondition::Absent => current.is_none(),
                    SetCondition::Equal(v) => current.as_ref() == Some(v),
                    other => panic!("increment does not use {other:?}"),
                };
                if holds {
                    *current = Some(sum.to_string().into_bytes());
                }
                Ok(holds)
            },
        );
        *stored = cell.into_inner();
        result
    }

    #[test]
    fn increments_create_add_and_retry_after_a_lost_race() {
        let mut stored = None;
        assert_eq!(run_increment(&mut stored, 5, |_| {}).unwrap(), 5);
        assert_eq!(run_increment(&mut stored, -7, |_| {}).unwrap(), -2);
        assert_eq!(stored.as_deref(), Some(&b"-2"[..]));
        // Another invocation adds 10 between the first read and write: the first write fails, the
        // second round sees 8 and stores 9.
        let mut raced = false;
        let result = run_increment(&mut stored, 1, |current| {
            if !raced {
                raced = true;
                *current = Some(b"8".to_vec());
            }
        });
        assert_eq!(result.unwrap(), 9);
        assert_eq!(stored.as_deref(), Some(&b"9"[..]));
    }

    #[test]
    fn increments_report_bad_values_overflow_and_contention() {
        let mut stored = Some(b"ten".to_vec());
        assert!(matches!(
            run_increment(&mut stored, 1, |_| {}),
            Err(Error::NotAnInteger { key }) if key == "`k`"
        ));
        let mut stored = Some(i64::MAX.to_string().into_bytes());
        assert!(matches!(
            run_increment(&mut stored, 1, |_| {}),
            Err(Error::Overflow { amount: 1, .. })
        ));
        let mut stored = Some(b"1".to_vec());
        let mut n = 0u64;
        let result = run_increment(&mut stored, 1, |current| {
            n += 1;
            *current = Some(format!("{}", 100 + n).into_bytes());
        });
        match result {
            Err(error @ Error::Contention { attempts, .. }) => {
                assert_eq!(attempts, INCREMENT_ATTEMPTS);
                assert_eq!(
                    error.to_string(),
                    format!(
                        "cache key `k` kept changing: gave up after {INCREMENT_ATTEMPTS} attempts"
                    )
                );
            }
            other => panic!("expected contention, got {other:?}"),
        }
        assert_eq!(n, u64::from(INCREMENT_ATTEMPTS));
    }

    #[test]
    fn conditions_become_their_wit_variants() {
        let value = |data: wit::Data| match data {
            wit::Data::Value(bytes) => bytes,
            wit::Data::Buffer(_) => panic!("bytes stay bytes"),
        };
        assert!(matches!(
            SetCondition::Present.into_wit(),
            wit::SetIfCondition::Present
        ));
        assert!(matches!(
            SetCondition::Absent.into_wit(),
            wit::SetIfCondition::Absent
        ));
        for (condition, expected) in [
            (SetCondition::equal("a"), "equal"),
            (SetCondition::not_equal("a"), "not-equal"),
            (
                SetCondition::present_and_not_equal("a"),
                "present-and-not-equal",
            ),
            (SetCondition::absent_or_equal("a"), "absent-or-equal"),
        ] {
            let (name, data) = match condition.into_wit() {
                wit::SetIfCondition::Equal(d) => ("equal", d),
                wit::SetIfCondition::NotEqual(d) => ("not-equal", d),
                wit::SetIfCondition::PresentAndNotEqual(d) => ("present-and-not-equal", d),
                wit::SetIfCondition::AbsentOrEqual(d) => ("absent-or-equal", d),
                other => panic!("unexpected {other:?}"),
            };
            assert_eq!((name, value(data)), (expected, b"a".to_vec()));
        }
        let hash = ValueHash::from_bytes([1u8, 0xab]);
        assert_eq!(format!("{hash:?}"), "ValueHash(01ab)");
        assert!(matches!(
            HashCondition::PresentAndHashEqual(hash.clone()).into_wit(),
            wit::SetIfHashCondition::PresentAndHashEqual(wit::Data::Value(v)) if v == [1, 0xab]
        ));
        assert!(matches!(
            HashCondition::AbsentOrNotHashEqual(hash).into_wit(),
            wit::SetIfHashCondition::AbsentOrNotHashEqual(_)
        ));
        assert!(matches!(
            HashCondition::Unconditional.into_wit(),
            wit::SetIfHashCondition::Unconditional
        ));
    }
}
