//! Lists in the function's cache (Momento's `momento:cache-list`): ordered values under one key, with
//! one time-to-live for the whole list.
//!
//! A list exists while it has elements: the first push creates it (with the TTL), and removing its
//! last element deletes it. Reads of a key with no list answer `None`. A key holds either a plain value
//! ([`crate::get`], [`crate::set`]) or a list; using one kind of call on the other kind of item is
//! [`Error::FailedPrecondition`](crate::Error::FailedPrecondition).
//!
//! ```no_run
//! use std::time::Duration;
//! use momento_functions_cache::list::{self, ListTtl};
//!
//! # fn main() -> Result<(), momento_functions_cache::Error> {
//! let ttl = ListTtl::refreshed(Duration::from_secs(3600));
//! // Keep the 100 most recent events: push at the back, drop from the front.
//! list::push_back_capped("events", "signed-in", ttl, 100)?;
//! let latest = list::fetch_strings("events", -10..)?.unwrap_or_default();
//! let count = list::length("events")?.unwrap_or(0);
//! if let Some(oldest) = list::pop_front("events")? {
//!     println!("{} bytes, {} left", oldest.value.len(), oldest.remaining);
//! }
//! # let _ = (latest, count);
//! # Ok(()) }
//! ```
//!
//! Indices count from the front (0 is the first element) or, when negative, from the back (-1 is the
//! last). Slices ([`fetch`], [`retain`]) take Rust ranges of `i32`: `..`, `2..5`, `-10..`, `..=-2`.

use std::ops::{Bound, RangeBounds};
use std::time::Duration;

use momento_functions_host::wit::momento::cache_list::cache_list as wit;
use momento_functions_host::wit::{data_from_wit, data_into_wit};

use crate::error::display_key;
use crate::{Data, Error, ttl_millis};

impl From<wit::Error> for Error {
    fn from(error: wit::Error) -> Self {
        match error {
            wit::Error::InvalidArgument(m) => Error::InvalidArgument(m),
            wit::Error::LimitExceeded(m) => Error::LimitExceeded(m),
            wit::Error::Timeout => Error::Timeout,
            wit::Error::PermissionDenied(m) => Error::PermissionDenied(m),
            wit::Error::FailedPrecondition(m) => Error::FailedPrecondition(m),
            wit::Error::NotFound(m) => Error::NotFound(m),
            wit::Error::RequestCancelled => Error::RequestCancelled,
            wit::Error::InternalError => Error::Internal,
        }
    }
}

/// The time-to-live of a list: set when a write creates it, and renewed by later writes or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ListTtl {
    ttl: Duration,
    refresh: bool,
}

impl ListTtl {
    /// Every write sets the list to expire `ttl` from now (a list in use stays).
    pub fn refreshed(ttl: Duration) -> Self {
        ListTtl { ttl, refresh: true }
    }

    /// The write that creates the list sets its expiry; later writes leave it (the list expires `ttl`
    /// after it was created, however busy).
    pub fn fixed(ttl: Duration) -> Self {
        ListTtl {
            ttl,
            refresh: false,
        }
    }

    /// The TTL.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Do writes renew it?
    pub fn is_refreshed(&self) -> bool {
        self.refresh
    }
}

/// An element taken off an end of a list, and how many are left.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Popped {
    /// The element.
    pub value: Vec<u8>,
    /// Elements left in the list (0: the list is gone).
    pub remaining: u32,
}

/// The host's signature of `list-concatenate-front` and `list-concatenate-back`.
type ConcatenateCall = fn(wit::Data, Vec<wit::Data>, u64, bool, u32) -> Result<u32, wit::Error>;

/// Add `values` at one end (`call`) of the list `name`.
fn concatenate<V: Into<Data>>(
    call: ConcatenateCall,
    name: &[u8],
    values: impl IntoIterator<Item = V>,
    ttl: ListTtl,
    max_len: u32,
) -> Result<u32, Error> {
    let values = values
        .into_iter()
        .map(|v| data_into_wit(v.into()))
        .collect();
    Ok(call(
        name_data(name),
        values,
        ttl_millis(ttl.ttl),
        ttl.refresh,
        max_len,
    )?)
}

fn name_data(name: &[u8]) -> wit::Data {
    data_into_wit(Data::from(name))
}

fn read(name: &[u8], data: wit::Data) -> Result<Vec<u8>, Error> {
    data_from_wit(data)
        .try_into_bytes()
        .map_err(|source| Error::ValueRead {
            key: display_key(name),
            source,
        })
}

fn start_index(range: &impl RangeBounds<i32>) -> wit::StartIndex {
    match range.start_bound() {
        Bound::Unbounded => wit::StartIndex::Unbounded,
        Bound::Included(&start) => wit::StartIndex::Inclusive(start),
        Bound::Excluded(&start) if start == -1 || start == i32::MAX => {
            // Past the last element: an empty slice.
            wit::StartIndex::Inclusive(i32::MAX)
        }
        Bound::Excluded(&start) => wit::StartIndex::Inclusive(start + 1),
    }
}

fn end_index(range: &impl RangeBounds<i32>) -> wit::EndIndex {
    match range.end_bound() {
        Bound::Unbounded => wit::EndIndex::Unbounded,
        Bound::Excluded(&end) => wit::EndIndex::Exclusive(end),
        // Up to and including the last element.
        Bound::Included(&end) if end == -1 || end == i32::MAX => wit::EndIndex::Unbounded,
        Bound::Included(&end) => wit::EndIndex::Exclusive(end + 1),
    }
}

/// Add `value` at the front of the list `name` (creating it); the new length.
///
/// # Errors
/// [`Error::InvalidArgument`] for an empty name or a zero TTL, [`Error::LimitExceeded`] for an element
/// or TTL over the limits, [`Error::FailedPrecondition`] when `name` holds a plain value.
pub fn push_front(
    name: impl AsRef<[u8]>,
    value: impl Into<Data>,
    ttl: ListTtl,
) -> Result<u32, Error> {
    push_front_capped(name, value, ttl, 0)
}

/// [`push_front`], then drop elements from the back so that at most `max_len` remain (`0`: no cap).
///
/// # Errors
/// As for [`push_front`].
pub fn push_front_capped(
    name: impl AsRef<[u8]>,
    value: impl Into<Data>,
    ttl: ListTtl,
    max_len: u32,
) -> Result<u32, Error> {
    Ok(wit::list_push_front(
        name_data(name.as_ref()),
        data_into_wit(value.into()),
        ttl_millis(ttl.ttl),
        ttl.refresh,
        max_len,
    )?)
}

/// Add `value` at the back of the list `name` (creating it); the new length.
///
/// # Errors
/// As for [`push_front`].
pub fn push_back(
    name: impl AsRef<[u8]>,
    value: impl Into<Data>,
    ttl: ListTtl,
) -> Result<u32, Error> {
    push_back_capped(name, value, ttl, 0)
}

/// [`push_back`], then drop elements from the front so that at most `max_len` remain (`0`: no cap) —
/// e.g. the `max_len` most recent events.
///
/// # Errors
/// As for [`push_front`].
pub fn push_back_capped(
    name: impl AsRef<[u8]>,
    value: impl Into<Data>,
    ttl: ListTtl,
    max_len: u32,
) -> Result<u32, Error> {
    Ok(wit::list_push_back(
        name_data(name.as_ref()),
        data_into_wit(value.into()),
        ttl_millis(ttl.ttl),
        ttl.refresh,
        max_len,
    )?)
}

/// Add `values` at the front of the list `name`, keeping their order; the new length. Adding none
/// changes nothing (and creates no list).
///
/// # Errors
/// As for [`push_front`].
pub fn concatenate_front<V: Into<Data>>(
    name: impl AsRef<[u8]>,
    values: impl IntoIterator<Item = V>,
    ttl: ListTtl,
) -> Result<u32, Error> {
    concatenate_front_capped(name, values, ttl, 0)
}

/// [`concatenate_front`], then drop elements from the back so that at most `max_len` remain.
///
/// # Errors
/// As for [`push_front`].
pub fn concatenate_front_capped<V: Into<Data>>(
    name: impl AsRef<[u8]>,
    values: impl IntoIterator<Item = V>,
    ttl: ListTtl,
    max_len: u32,
) -> Result<u32, Error> {
    concatenate(
        wit::list_concatenate_front,
        name.as_ref(),
        values,
        ttl,
        max_len,
    )
}

/// Add `values` at the back of the list `name`, keeping their order; the new length.
///
/// # Errors
/// As for [`push_front`].
pub fn concatenate_back<V: Into<Data>>(
    name: impl AsRef<[u8]>,
    values: impl IntoIterator<Item = V>,
    ttl: ListTtl,
) -> Result<u32, Error> {
    concatenate_back_capped(name, values, ttl, 0)
}

/// [`concatenate_back`], then drop elements from the front so that at most `max_len` remain.
///
/// # Errors
/// As for [`push_front`].
pub fn concatenate_back_capped<V: Into<Data>>(
    name: impl AsRef<[u8]>,
    values: impl IntoIterator<Item = V>,
    ttl: ListTtl,
    max_len: u32,
) -> Result<u32, Error> {
    concatenate(
        wit::list_concatenate_back,
        name.as_ref(),
        values,
        ttl,
        max_len,
    )
}

fn popped(name: &[u8], response: wit::PopResponse) -> Result<Option<Popped>, Error> {
    match response {
        wit::PopResponse::Found(found) => Ok(Some(Popped {
            value: read(name, found.value)?,
            remaining: found.list_length,
        })),
        wit::PopResponse::Missing => Ok(None),
    }
}

/// Take the first element of the list `name` (`None`: no list).
///
/// # Errors
/// [`Error`] when the cache call fails, e.g. [`Error::FailedPrecondition`] for a plain value.
pub fn pop_front(name: impl AsRef<[u8]>) -> Result<Option<Popped>, Error> {
    let name = name.as_ref();
    popped(name, wit::list_pop_front(name_data(name))?)
}

/// Take the last element of the list `name` (`None`: no list).
///
/// # Errors
/// As for [`pop_front`].
pub fn pop_back(name: impl AsRef<[u8]>) -> Result<Option<Popped>, Error> {
    let name = name.as_ref();
    popped(name, wit::list_pop_back(name_data(name))?)
}

/// The elements of a slice of the list `name` (`None`: no list; an empty slice of a list is
/// `Some(vec![])`).
///
/// ```no_run
/// use momento_functions_cache::list;
///
/// # fn main() -> Result<(), momento_functions_cache::Error> {
/// let all = list::fetch("queue", ..)?;
/// let first_three = list::fetch("queue", 0..3)?;
/// let last_two = list::fetch("queue", -2..)?;
/// let all_but_last = list::fetch("queue", ..-1)?;
/// # let _ = (all, first_three, last_two, all_but_last);
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`Error::InvalidArgument`] for a start after the end (both counted from the same end), or an
/// [`Error`] from the cache call.
pub fn fetch(
    name: impl AsRef<[u8]>,
    range: impl RangeBounds<i32>,
) -> Result<Option<Vec<Vec<u8>>>, Error> {
    let name = name.as_ref();
    match wit::list_fetch(name_data(name), start_index(&range), end_index(&range))? {
        wit::FetchResponse::Found(values) => values
            .into_iter()
            .map(|value| read(name, value))
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        wit::FetchResponse::Missing => Ok(None),
    }
}

/// [`fetch`], each element as UTF-8 text.
///
/// # Errors
/// [`Error::Utf8`] for an element that is not UTF-8, or an [`Error`] as for [`fetch`].
pub fn fetch_strings(
    name: impl AsRef<[u8]>,
    range: impl RangeBounds<i32>,
) -> Result<Option<Vec<String>>, Error> {
    let name = name.as_ref();
    fetch(name, range)?
        .map(|values| {
            values
                .into_iter()
                .map(|v| {
                    String::from_utf8(v).map_err(|source| Error::Utf8 {
                        key: display_key(name),
                        source,
                    })
                })
                .collect()
        })
        .transpose()
}

/// How many elements the list `name` has (`None`: no list).
///
/// # Errors
/// As for [`pop_front`].
pub fn length(name: impl AsRef<[u8]>) -> Result<Option<u32>, Error> {
    Ok(match wit::list_length(name_data(name.as_ref()))? {
        wit::LengthResponse::Found(length) => Some(length),
        wit::LengthResponse::Missing => None,
    })
}

/// Remove the elements at `ranges` (each `begin..begin + count`, positions before the removal; parts
/// past the end are ignored); the new length (`None`: no list).
///
/// # Errors
/// As for [`pop_front`].
pub fn erase(
    name: impl AsRef<[u8]>,
    ranges: impl IntoIterator<Item = std::ops::Range<u32>>,
) -> Result<Option<u32>, Error> {
    let ranges = ranges
        .into_iter()
        .map(|r| wit::ListRange {
            begin_index: r.start,
            count: r.end.saturating_sub(r.start),
        })
        .collect();
    let range = wit::EraseRange::Ranges(wit::ListRanges { ranges });
    Ok(erased(wit::list_erase(name_data(name.as_ref()), &range)?))
}

/// Delete every element (and so the list); `Some(0)` when there was a list.
///
/// # Errors
/// As for [`pop_front`].
pub fn erase_all(name: impl AsRef<[u8]>) -> Result<Option<u32>, Error> {
    Ok(erased(wit::list_erase(
        name_data(name.as_ref()),
        &wit::EraseRange::All,
    )?))
}

fn erased(response: wit::EraseResponse) -> Option<u32> {
    match response {
        wit::EraseResponse::Found(length) => Some(length),
        wit::EraseResponse::Missing => None,
    }
}

/// Remove every element equal to `value`; the new length (`None`: no list).
///
/// # Errors
/// As for [`pop_front`].
pub fn remove_value(name: impl AsRef<[u8]>, value: impl Into<Data>) -> Result<Option<u32>, Error> {
    let range = wit::RemoveRange::AllElementsWithValue(data_into_wit(value.into()));
    Ok(match wit::list_remove(name_data(name.as_ref()), range)? {
        wit::RemoveResponse::Found(length) => Some(length),
        wit::RemoveResponse::Missing => None,
    })
}

/// Keep only the slice `range` of the list `name` (see [`fetch`]); the new length (`None`: no list).
///
/// # Errors
/// As for [`fetch`].
pub fn retain(
    name: impl AsRef<[u8]>,
    range: impl RangeBounds<i32>,
    ttl: ListTtl,
) -> Result<Option<u32>, Error> {
    Ok(
        match wit::list_retain(
            name_data(name.as_ref()),
            start_index(&range),
            end_index(&range),
            ttl_millis(ttl.ttl),
            ttl.refresh,
        )? {
            wit::RetainResponse::Found(length) => Some(length),
            wit::RetainResponse::Missing => None,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice(range: impl RangeBounds<i32>) -> String {
        let start = match start_index(&range) {
            wit::StartIndex::Unbounded => "..".to_owned(),
            wit::StartIndex::Inclusive(i) => format!("[{i}"),
        };
        let end = match end_index(&range) {
            wit::EndIndex::Unbounded => "..".to_owned(),
            wit::EndIndex::Exclusive(i) => format!("{i})"),
        };
        format!("{start},{end}")
    }

    #[test]
    fn rust_ranges_become_start_and_end_indices() {
        assert_eq!(slice(..), "..,..");
        assert_eq!(slice(2..5), "[2,5)");
        assert_eq!(slice(-10..), "[-10,..");
        assert_eq!(slice(..-1), "..,-1)");
        assert_eq!(slice(..=-1), "..,..");
        assert_eq!(slice(..=-2), "..,-1)");
        assert_eq!(slice(1..=3), "[1,4)");
        assert_eq!(slice(..=i32::MAX), "..,..");
        assert_eq!(slice((Bound::Excluded(2), Bound::Unbounded)), "[3,..");
        assert_eq!(
            slice((Bound::Excluded(-1), Bound::Unbounded)),
            format!("[{},..", i32::MAX)
        );
    }

    #[test]
    fn list_ttls_say_whether_writes_renew_them() {
        let ttl = ListTtl::refreshed(Duration::from_secs(5));
        assert!(ttl.is_refreshed());
        assert_eq!(ttl.ttl(), Duration::from_secs(5));
        assert!(!ListTtl::fixed(Duration::from_secs(5)).is_refreshed());
    }

    #[test]
    fn list_errors_become_cache_errors() {
        assert!(matches!(
            Error::from(wit::Error::FailedPrecondition("scalar".into())),
            Error::FailedPrecondition(m) if m == "scalar"
        ));
        assert!(matches!(Error::from(wit::Error::Timeout), Error::Timeout));
    }
}
