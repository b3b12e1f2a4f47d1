//! The eleven list operations of `cache-list` on the cache's one store: a key holds a value or a list
//! ([`Stored`]), lists expire by the same clock and share the cache's limits, faults and call log.
//!
//! Semantics (Momento's where documented, the test host's choice — marked — where not):
//! - A list exists while it has elements: a push creates it with the TTL; popping, erasing, removing or
//!   retaining its last element deletes it; an operation on a key without a list answers `missing`
//!   (pushes and concatenations create one; concatenating no values creates none and answers 0).
//! - TTL: a new list gets the write's TTL; an existing one gets it again only when `refresh-ttl` is set.
//!   Pops, erases, removals and reads leave it. Zero is `invalid-argument`, over the cache's maximum
//!   `limit-exceeded`, as for values.
//! - `truncate-*-to-size` (non-zero) drops elements from the other end after the push, down to that size.
//! - Slices: indices count from the front, or from the back when negative; the start is inclusive, the
//!   end exclusive, both clamped to the list. A start after the end when both count from the same end
//!   is `invalid-argument` (as Momento's SDKs check); otherwise an inverted slice is empty.
//! - `list-erase` ranges are positions before the erase; parts past the end are ignored.
//! - Each element is at most the cache's `max_value_bytes` (Momento documents 128 KB per collection
//!   element); a list holds at most [`MAX_LIST_ELEMENTS`] elements and [`MAX_LIST_BYTES`] bytes (the test
//!   host's bounds): a write that would go past them is `limit-exceeded` and changes nothing.
//! - A list operation on a key that holds a value, and a value operation (except `delete`) on a key
//!   that holds a list, answer `failed-precondition` naming the key (the test host's choice: Momento's
//!   documentation says nothing).

use std::collections::VecDeque;
use std::time::Duration;

use super::mock::{Item, Store, Stored, validate_ttl};
use super::types::{CacheError, CacheLimits, CacheOp, CacheOutcome, ListEnd, ListErase, ListStart};

/// Most elements a list may hold in the test host.
pub const MAX_LIST_ELEMENTS: usize = 1 << 16;
/// Most bytes (the sum of its elements) a list may hold in the test host.
pub const MAX_LIST_BYTES: usize = 64 << 20;

fn too_long(what: &str, size: usize, limit: usize) -> CacheError {
    CacheError::LimitExceeded(format!(
        "{what} is {size} bytes, over the {limit}-byte limit"
    ))
}

fn element(limits: &CacheLimits, value: &[u8]) -> Result<(), CacheError> {
    if value.len() > limits.max_value_bytes {
        return Err(too_long(
            "a list element",
            value.len(),
            limits.max_value_bytes,
        ));
    }
    Ok(())
}

/// A start after an end counting from the same end of the list.
fn slice(start: ListStart, end: ListEnd) -> Result<(), CacheError> {
    if let (ListStart::At(s), ListEnd::Before(e)) = (start, end)
        && (s >= 0) == (e >= 0)
        && s > e
    {
        return Err(CacheError::InvalidArgument(format!(
            "the start index {s} is after the end index {e}"
        )));
    }
    Ok(())
}

/// Check a list operation's arguments (the key is checked by the caller).
pub(super) fn validate(limits: &CacheLimits, op: &CacheOp) -> Result<(), CacheError> {
    match op {
        CacheOp::ListPushFront { value, ttl, .. } | CacheOp::ListPushBack { value, ttl, .. } => {
            element(limits, value)?;
            validate_ttl(limits, &ttl.ttl)
        }
        CacheOp::ListConcatenateFront { values, ttl, .. }
        | CacheOp::ListConcatenateBack { values, ttl, .. } => {
            if values.len() > MAX_LIST_ELEMENTS {
                return Err(CacheError::LimitExceeded(format!(
                    "{} values, over the {MAX_LIST_ELEMENTS}-element limit of a list",
                    values.len()
                )));
            }
            for value in values {
                element(limits, value)?;
            }
            validate_ttl(limits, &ttl.ttl)
        }
        CacheOp::ListRemove { value } => element(limits, value),
        CacheOp::ListFetch { start, end } => slice(*start, *end),
        CacheOp::ListRetain { start, end, ttl } => {
            slice(*start, *end)?;
            validate_ttl(limits, &ttl.ttl)
        }
        _ => Ok(()),
    }
}

fn not_a_list(key: &[u8]) -> CacheError {
    CacheError::FailedPrecondition(format!(
        "the key `{}` holds a value, not a list: use get/set (or delete it)",
        String::from_utf8_lossy(key)
    ))
}

/// The resolved `start..end` of a slice of a list of `len` elements (empty when inverted).
fn resolve(len: usize, start: ListStart, end: ListEnd) -> std::ops::Range<usize> {
    let index = |i: i32| {
        if i >= 0 {
            (i as usize).min(len)
        } else {
            len.saturating_sub(i.unsigned_abs() as usize)
        }
    };
    let s = match start {
        ListStart::Front => 0,
        ListStart::At(i) => index(i),
    };
    let e = match end {
        ListEnd::Back => len,
        ListEnd::Before(i) => index(i),
    };
    s..e.max(s)
}

fn length(list: &VecDeque<Vec<u8>>) -> u32 {
    u32::try_from(list.len()).unwrap_or(u32::MAX)
}

fn bytes(list: &VecDeque<Vec<u8>>) -> usize {
    list.iter().map(Vec::len).sum()
}

/// Would a list of `len` elements and `size` bytes under `key` be over the bounds (the test host's, and
/// the whole cache's size)?
fn check_size(key: &[u8], len: usize, size: usize, limits: &CacheLimits) -> Result<(), CacheError> {
    if len > MAX_LIST_ELEMENTS {
        return Err(CacheError::LimitExceeded(format!(
            "the list would have {len} elements, over the {MAX_LIST_ELEMENTS}-element limit"
        )));
    }
    if size > MAX_LIST_BYTES {
        return Err(too_long("the list would be", size, MAX_LIST_BYTES));
    }
    let item = key.len() + size;
    if item > limits.max_total_bytes {
        return Err(CacheError::LimitExceeded(format!(
            "the list would be {item} bytes, more than the whole cache holds ({} bytes)",
            limits.max_total_bytes
        )));
    }
    Ok(())
}

/// The list under `key` and its expiry: `Ok(None)` when there is no item, `failed-precondition` for a
/// value.
type ListRef<'a> = (&'a mut VecDeque<Vec<u8>>, &'a mut Option<Duration>);

fn list_of<'a>(
    store: &'a mut Store,
    key: &[u8],
    now: Duration,
) -> Result<Option<ListRef<'a>>, CacheError> {
    match store.live(key, now) {
        None => Ok(None),
        Some(Item {
            value: Stored::List(list),
            expires_at,
            ..
        }) => Ok(Some((list, expires_at))),
        Some(Item {
            value: Stored::Scalar(_),
            ..
        }) => Err(not_a_list(key)),
    }
}

enum End {
    Front,
    Back,
}

/// Add `values` at one end (keeping their order), cap the length from the other end, and store the
/// result (or change nothing if it would be over the bounds).
#[allow(
    clippy::too_many_arguments,
    reason = "one call per list write, all of it needed"
)]
fn add(
    store: &mut Store,
    key: &[u8],
    now: Duration,
    end: End,
    values: &[Vec<u8>],
    ttl: super::types::ListTtl,
    truncate_to: Option<u32>,
    limits: &CacheLimits,
) -> Result<CacheOutcome, CacheError> {
    let existing = list_of(store, key, now)?;
    if values.is_empty() {
        return Ok(CacheOutcome::ListLength(
            existing.map_or(0, |(list, _)| length(list)),
        ));
    }
    // The outcome first, without changing anything: length and bytes after adding and capping.
    let empty = VecDeque::new();
    let (old, kept_expiry) = match &existing {
        Some((list, expires_at)) => (&**list, Some(**expires_at)),
        None => (&empty, None),
    };
    let total = old.len() + values.len();
    // A cap of zero means none (the published contract's "non-zero").
    let keep = match truncate_to.filter(|&cap| cap > 0) {
        Some(cap) => total.min(cap as usize),
        None => total,
    };
    let dropped: usize = match end {
        End::Back => old
            .iter()
            .chain(values)
            .take(total - keep)
            .map(Vec::len)
            .sum(),
        End::Front => old
            .iter()
            .rev()
            .chain(values.iter().rev())
            .take(total - keep)
            .map(Vec::len)
            .sum(),
    };
    let added: usize = values.iter().map(Vec::len).sum();
    check_size(key, keep, bytes(old) + added - dropped, limits)?;

    let mut list = match store.remove(key) {
        Some(Item {
            value: Stored::List(list),
            ..
        }) => list,
        _ => VecDeque::new(),
    };
    match end {
        End::Front => {
            for value in values.iter().rev() {
                list.push_front(value.clone());
            }
            list.truncate(keep);
        }
        End::Back => {
            list.extend(values.iter().cloned());
            list.drain(..list.len() - keep);
        }
    }
    let expires_at = match kept_expiry {
        Some(expires_at) if !ttl.refresh => expires_at,
        _ => Some(now.saturating_add(ttl.ttl)),
    };
    let answer = CacheOutcome::ListLength(length(&list));
    store.put(key, Stored::List(list), expires_at, limits)?;
    store.wrote(now);
    Ok(answer)
}

/// A list taken out of the store, with its expiry.
type Taken = (VecDeque<Vec<u8>>, Option<Duration>);

/// Take the list under `key` out of the store (to change it and put it back with [`put_back`]).
fn take_list(store: &mut Store, key: &[u8], now: Duration) -> Result<Option<Taken>, CacheError> {
    if list_of(store, key, now)?.is_none() {
        return Ok(None);
    }
    Ok(match store.remove(key) {
        Some(Item {
            value: Stored::List(list),
            expires_at,
            ..
        }) => Some((list, expires_at)),
        _ => None,
    })
}

/// Put a list taken with [`take_list`] back, unless it is empty (a list without elements is gone).
fn put_back(
    store: &mut Store,
    key: &[u8],
    list: VecDeque<Vec<u8>>,
    expires_at: Option<Duration>,
    limits: &CacheLimits,
) -> Result<(), CacheError> {
    if list.is_empty() {
        return Ok(());
    }
    // Never larger than it was: it fits.
    store.put(key, Stored::List(list), expires_at, limits)
}

/// Run one list operation on the store (after validation and faults).
pub(super) fn apply(
    store: &mut Store,
    key: &[u8],
    op: &CacheOp,
    now: Duration,
    limits: &CacheLimits,
) -> Result<CacheOutcome, CacheError> {
    match op {
        CacheOp::ListPushFront {
            value,
            ttl,
            truncate_to,
        } => add(
            store,
            key,
            now,
            End::Front,
            std::slice::from_ref(value),
            *ttl,
            *truncate_to,
            limits,
        ),
        CacheOp::ListPushBack {
            value,
            ttl,
            truncate_to,
        } => add(
            store,
            key,
            now,
            End::Back,
            std::slice::from_ref(value),
            *ttl,
            *truncate_to,
            limits,
        ),
        CacheOp::ListConcatenateFront {
            values,
            ttl,
            truncate_to,
        } => add(
            store,
            key,
            now,
            End::Front,
            values,
            *ttl,
            *truncate_to,
            limits,
        ),
        CacheOp::ListConcatenateBack {
            values,
            ttl,
            truncate_to,
        } => add(
            store,
            key,
            now,
            End::Back,
            values,
            *ttl,
            *truncate_to,
            limits,
        ),
        CacheOp::ListPopFront | CacheOp::ListPopBack => {
            let Some((mut list, expires_at)) = take_list(store, key, now)? else {
                return Ok(CacheOutcome::Miss);
            };
            let value = if matches!(op, CacheOp::ListPopFront) {
                list.pop_front()
            } else {
                list.pop_back()
            };
            let list_length = length(&list);
            put_back(store, key, list, expires_at, limits)?;
            Ok(match value {
                Some(value) => CacheOutcome::Popped { value, list_length },
                None => CacheOutcome::Miss,
            })
        }
        CacheOp::ListErase { range } => {
            let Some((mut list, expires_at)) = take_list(store, key, now)? else {
                return Ok(CacheOutcome::Miss);
            };
            match range {
                ListErase::All => list.clear(),
                ListErase::Ranges(ranges) => {
                    let len = list.len();
                    let mut erase = vec![false; len];
                    for &(begin, count) in ranges {
                        let begin = (begin as usize).min(len);
                        let end = begin.saturating_add(count as usize).min(len);
                        erase[begin..end].fill(true);
                    }
                    let mut position = 0;
                    list.retain(|_| {
                        let keep = !erase[position];
                        position += 1;
                        keep
                    });
                }
            }
            let answer = CacheOutcome::ListLength(length(&list));
            put_back(store, key, list, expires_at, limits)?;
            Ok(answer)
        }
        CacheOp::ListRemove { value } => {
            let Some((mut list, expires_at)) = take_list(store, key, now)? else {
                return Ok(CacheOutcome::Miss);
            };
            list.retain(|element| element != value);
            let answer = CacheOutcome::ListLength(length(&list));
            put_back(store, key, list, expires_at, limits)?;
            Ok(answer)
        }
        CacheOp::ListFetch { start, end } => {
            store.touch(key);
            let Some((list, _)) = list_of(store, key, now)? else {
                return Ok(CacheOutcome::Miss);
            };
            let range = resolve(list.len(), *start, *end);
            Ok(CacheOutcome::Fetched(list.range(range).cloned().collect()))
        }
        CacheOp::ListLength => {
            store.touch(key);
            Ok(match list_of(store, key, now)? {
                Some((list, _)) => CacheOutcome::ListLength(length(list)),
                None => CacheOutcome::Miss,
            })
        }
        CacheOp::ListRetain { start, end, ttl } => {
            let Some((mut list, mut expires_at)) = take_list(store, key, now)? else {
                return Ok(CacheOutcome::Miss);
            };
            if ttl.refresh {
                expires_at = Some(now.saturating_add(ttl.ttl));
            }
            let range = resolve(list.len(), *start, *end);
            list.truncate(range.end);
            list.drain(..range.start);
            let answer = CacheOutcome::ListLength(length(&list));
            put_back(store, key, list, expires_at, limits)?;
            store.wrote(now);
            Ok(answer)
        }
        other => Err(CacheError::Internal(format!(
            "test host bug: {} is not a list operation",
            other.name()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use super::*;
    use crate::clock::Clock;
    use crate::services::cache::types::ListTtl;
    use crate::services::cache::{CacheMock, CacheOpKind};

    fn cache() -> (CacheMock, Clock) {
        let clock = Clock::manual(UNIX_EPOCH);
        (
            CacheMock::new(clock.clone(), CacheLimits::default(), true),
            clock,
        )
    }

    fn run(cache: &CacheMock, key: &str, op: CacheOp) -> Result<CacheOutcome, CacheError> {
        cache.execute("test", key.as_bytes().to_vec(), op)
    }

    fn ttl(secs: u64, refresh: bool) -> ListTtl {
        ListTtl {
            ttl: Duration::from_secs(secs),
            refresh,
        }
    }

    fn push_back(value: &str, truncate_to: Option<u32>) -> CacheOp {
        CacheOp::ListPushBack {
            value: value.into(),
            ttl: ttl(60, true),
            truncate_to,
        }
    }

    fn push_front(value: &str, truncate_to: Option<u32>) -> CacheOp {
        CacheOp::ListPushFront {
            value: value.into(),
            ttl: ttl(60, true),
            truncate_to,
        }
    }

    fn concat_back(values: &[&str]) -> CacheOp {
        CacheOp::ListConcatenateBack {
            values: values.iter().map(|v| v.as_bytes().to_vec()).collect(),
            ttl: ttl(60, true),
            truncate_to: None,
        }
    }

    fn fetch(start: ListStart, end: ListEnd) -> CacheOp {
        CacheOp::ListFetch { start, end }
    }

    fn fetched(cache: &CacheMock, key: &str, start: ListStart, end: ListEnd) -> Vec<String> {
        match run(cache, key, fetch(start, end)) {
            Ok(CacheOutcome::Fetched(values)) => values
                .iter()
                .map(|v| String::from_utf8_lossy(v).into_owned())
                .collect(),
            other => panic!("expected elements, got {other:?}"),
        }
    }

    fn len(n: u32) -> Result<CacheOutcome, CacheError> {
        Ok(CacheOutcome::ListLength(n))
    }

    #[test]
    fn pushes_pops_and_missing_lists() {
        let (cache, _) = cache();
        assert_eq!(
            run(&cache, "l", CacheOp::ListLength),
            Ok(CacheOutcome::Miss)
        );
        assert_eq!(
            run(&cache, "l", CacheOp::ListPopFront),
            Ok(CacheOutcome::Miss)
        );
        assert_eq!(run(&cache, "l", push_back("b", None)), len(1));
        assert_eq!(run(&cache, "l", push_back("c", None)), len(2));
        assert_eq!(run(&cache, "l", push_front("a", None)), len(3));
        assert_eq!(cache.list_strings("l").unwrap(), ["a", "b", "c"]);
        assert_eq!(
            run(&cache, "l", CacheOp::ListPopBack),
            Ok(CacheOutcome::Popped {
                value: b"c".to_vec(),
                list_length: 2
            })
        );
        run(&cache, "l", CacheOp::ListPopFront).unwrap();
        assert_eq!(
            run(&cache, "l", CacheOp::ListPopFront),
            Ok(CacheOutcome::Popped {
                value: b"b".to_vec(),
                list_length: 0
            })
        );
        // The emptied list is gone.
        assert!(!cache.contains_key("l"));
        assert_eq!(
            run(&cache, "l", CacheOp::ListLength),
            Ok(CacheOutcome::Miss)
        );
        assert_eq!(run(&cache, "l", concat_back(&[])), len(0));
        assert!(
            !cache.contains_key("l"),
            "concatenating nothing creates no list"
        );
    }

    #[test]
    fn truncation_keeps_the_newest_at_the_pushed_end() {
        let (cache, _) = cache();
        for n in 0..5 {
            run(&cache, "recent", push_back(&n.to_string(), Some(3))).unwrap();
        }
        assert_eq!(cache.list_strings("recent").unwrap(), ["2", "3", "4"]);
        assert_eq!(run(&cache, "recent", push_front("x", Some(2))), len(2));
        assert_eq!(cache.list_strings("recent").unwrap(), ["x", "2"]);
        let op = CacheOp::ListConcatenateFront {
            values: vec![b"a".to_vec(), b"b".to_vec(), b"c".to_vec()],
            ttl: ttl(60, true),
            truncate_to: Some(4),
        };
        assert_eq!(run(&cache, "recent", op), len(4));
        assert_eq!(cache.list_strings("recent").unwrap(), ["a", "b", "c", "x"]);
        assert_eq!(run(&cache, "recent", concat_back(&["y", "z"])), len(6));
        assert_eq!(
            cache.list_strings("recent").unwrap(),
            ["a", "b", "c", "x", "y", "z"]
        );
    }

    #[test]
    fn slices_with_negative_and_unbounded_indices() {
        let (cache, _) = cache();
        cache.insert_list("l", ["0", "1", "2", "3", "4"]);
        use ListEnd::{Back, Before};
        use ListStart::{At, Front};
        assert_eq!(fetched(&cache, "l", Front, Back), ["0", "1", "2", "3", "4"]);
        assert_eq!(fetched(&cache, "l", At(1), Before(3)), ["1", "2"]);
        assert_eq!(fetched(&cache, "l", At(-2), Back), ["3", "4"]);
        assert_eq!(
            fetched(&cache, "l", Front, Before(-1)),
            ["0", "1", "2", "3"]
        );
        assert_eq!(fetched(&cache, "l", At(-10), Before(2)), ["0", "1"]);
        assert_eq!(fetched(&cache, "l", At(3), Before(100)), ["3", "4"]);
        assert_eq!(fetched(&cache, "l", At(7), Back), Vec::<String>::new());
        // Mixed signs resolve against the length: 3..-3 is 3..2, empty.
        assert_eq!(
            fetched(&cache, "l", At(3), Before(-3)),
            Vec::<String>::new()
        );
        assert!(matches!(
            run(&cache, "l", fetch(At(3), Before(1))),
            Err(CacheError::InvalidArgument(m)) if m.contains("start index 3 is after the end index 1")
        ));
        assert!(matches!(
            run(&cache, "l", fetch(At(-1), Before(-3))),
            Err(CacheError::InvalidArgument(_))
        ));
        assert_eq!(
            run(&cache, "none", fetch(Front, Back)),
            Ok(CacheOutcome::Miss)
        );
    }

    #[test]
    fn erase_remove_and_retain() {
        let (cache, _) = cache();
        cache.insert_list("l", ["a", "b", "a", "c", "d", "e"]);
        let erase = |ranges: Vec<(u32, u32)>| CacheOp::ListErase {
            range: ListErase::Ranges(ranges),
        };
        // Overlapping and out-of-range ranges, positions before the erase.
        assert_eq!(
            run(&cache, "l", erase(vec![(1, 1), (4, 100), (1, 0)])),
            len(3)
        );
        assert_eq!(cache.list_strings("l").unwrap(), ["a", "a", "c"]);
        assert_eq!(run(&cache, "l", erase(vec![(50, 2)])), len(3));
        assert_eq!(
            run(
                &cache,
                "l",
                CacheOp::ListRemove {
                    value: b"a".to_vec()
                }
            ),
            len(1)
        );
        assert_eq!(
            run(
                &cache,
                "l",
                CacheOp::ListRemove {
                    value: b"zz".to_vec()
                }
            ),
            len(1)
        );
        assert_eq!(
            run(
                &cache,
                "l",
                CacheOp::ListRemove {
                    value: b"c".to_vec()
                }
            ),
            len(0)
        );
        assert!(!cache.contains_key("l"));
        assert_eq!(
            run(
                &cache,
                "l",
                CacheOp::ListRemove {
                    value: b"c".to_vec()
                }
            ),
            Ok(CacheOutcome::Miss)
        );

        cache.insert_list("r", ["0", "1", "2", "3", "4"]);
        let retain = |start, end| CacheOp::ListRetain {
            start,
            end,
            ttl: ttl(60, false),
        };
        assert_eq!(
            run(&cache, "r", retain(ListStart::At(1), ListEnd::Before(-1))),
            len(3)
        );
        assert_eq!(cache.list_strings("r").unwrap(), ["1", "2", "3"]);
        assert_eq!(
            run(&cache, "r", retain(ListStart::At(5), ListEnd::Back)),
            len(0)
        );
        assert!(!cache.contains_key("r"));
        cache.insert_list("all", ["x"]);
        assert_eq!(
            run(
                &cache,
                "all",
                CacheOp::ListErase {
                    range: ListErase::All
                }
            ),
            len(0)
        );
        assert_eq!(
            run(
                &cache,
                "all",
                CacheOp::ListErase {
                    range: ListErase::All
                }
            ),
            Ok(CacheOutcome::Miss)
        );
    }

    #[test]
    fn ttls_are_set_on_creation_and_renewed_only_when_asked() {
        let (cache, clock) = cache();
        run(&cache, "l", push_back("a", None)).unwrap(); // 60 s, refresh
        clock.advance(Duration::from_secs(30));
        let keep = CacheOp::ListPushBack {
            value: b"b".to_vec(),
            ttl: ttl(600, false),
            truncate_to: None,
        };
        run(&cache, "l", keep).unwrap();
        assert_eq!(
            cache.entry("l").and_then(|e| e.ttl),
            Some(Duration::from_secs(30)),
            "not refreshed"
        );
        run(&cache, "l", push_back("c", None)).unwrap();
        assert_eq!(
            cache.entry("l").and_then(|e| e.ttl),
            Some(Duration::from_secs(60)),
            "refreshed"
        );
        run(&cache, "l", CacheOp::ListPopFront).unwrap();
        assert_eq!(
            cache.entry("l").and_then(|e| e.ttl),
            Some(Duration::from_secs(60))
        );
        clock.advance(Duration::from_secs(60));
        assert_eq!(
            run(&cache, "l", CacheOp::ListLength),
            Ok(CacheOutcome::Miss)
        );
        // A non-refreshing write to a missing list still sets the TTL it gives.
        run(
            &cache,
            "n",
            CacheOp::ListPushFront {
                value: b"a".to_vec(),
                ttl: ttl(5, false),
                truncate_to: None,
            },
        )
        .unwrap();
        assert_eq!(
            cache.entry("n").and_then(|e| e.ttl),
            Some(Duration::from_secs(5))
        );
        let zero = CacheOp::ListPushBack {
            value: b"a".to_vec(),
            ttl: ttl(0, true),
            truncate_to: None,
        };
        assert!(matches!(
            run(&cache, "n", zero),
            Err(CacheError::InvalidArgument(m)) if m.contains("TTL is zero")
        ));
        let long = CacheOp::ListPushBack {
            value: b"a".to_vec(),
            ttl: ttl(25 * 3600, true),
            truncate_to: None,
        };
        assert!(matches!(
            run(&cache, "n", long),
            Err(CacheError::LimitExceeded(_))
        ));
    }

    #[test]
    fn values_and_lists_do_not_mix() {
        let (cache, _) = cache();
        cache.insert("v", "value");
        cache.insert_list("l", ["x"]);
        for op in [
            push_back("a", None),
            CacheOp::ListLength,
            CacheOp::ListPopBack,
        ] {
            assert!(matches!(
                run(&cache, "v", op),
                Err(CacheError::FailedPrecondition(m)) if m.contains("`v` holds a value, not a list")
            ));
        }
        for op in [
            CacheOp::Get,
            CacheOp::GetWithHash,
            CacheOp::Set {
                value: b"x".to_vec(),
                ttl: Duration::from_secs(1),
            },
        ] {
            assert!(matches!(
                run(&cache, "l", op),
                Err(CacheError::FailedPrecondition(m)) if m.contains("`l` holds a list, not a value")
            ));
        }
        assert_eq!(cache.get("l"), None);
        assert_eq!(cache.list("v"), None);
        assert_eq!(run(&cache, "l", CacheOp::Delete), Ok(CacheOutcome::Deleted));
        assert!(!cache.contains_key("l"));
        assert_eq!(run(&cache, "l", push_back("a", None)), len(1));
    }

    #[test]
    fn element_and_list_bounds() {
        let (cache, _) = cache();
        let limit = CacheLimits::default().max_value_bytes;
        assert!(run(&cache, "l", push_back(&"x".repeat(limit), None)).is_ok());
        assert!(matches!(
            run(&cache, "l", push_back(&"x".repeat(limit + 1), None)),
            Err(CacheError::LimitExceeded(m)) if m.contains("a list element is 1048577 bytes")
        ));
        let many: Vec<Vec<u8>> = vec![b"e".to_vec(); MAX_LIST_ELEMENTS];
        let op = CacheOp::ListConcatenateBack {
            values: many,
            ttl: ttl(60, true),
            truncate_to: None,
        };
        assert!(matches!(
            run(&cache, "l", op),
            Err(CacheError::LimitExceeded(m)) if m.contains("65537 elements")
        ));
        assert_eq!(cache.list("l").map(|l| l.len()), Some(1), "unchanged");
        let capped = CacheOp::ListConcatenateBack {
            values: vec![b"e".to_vec(); MAX_LIST_ELEMENTS],
            ttl: ttl(60, true),
            truncate_to: Some(10),
        };
        assert_eq!(run(&cache, "l", capped), len(10));
        let too_many = CacheOp::ListConcatenateBack {
            values: vec![Vec::new(); MAX_LIST_ELEMENTS + 1],
            ttl: ttl(60, true),
            truncate_to: Some(1),
        };
        assert!(matches!(
            run(&cache, "l", too_many),
            Err(CacheError::LimitExceeded(_))
        ));
    }

    #[test]
    fn lists_count_against_the_cache_size_and_are_evicted_like_values() {
        let limits = CacheLimits::default().with_max_total_bytes(100);
        let cache = CacheMock::new(Clock::manual(UNIX_EPOCH), limits, true);
        cache.insert("old", "0123456789"); // 13 bytes
        let values = vec![vec![b'x'; 20]; 3];
        let op = CacheOp::ListConcatenateBack {
            values,
            ttl: ttl(60, true),
            truncate_to: None,
        };
        assert_eq!(run(&cache, "l", op), len(3));
        assert_eq!(cache.total_bytes(), 13 + 61);
        // Another 30 bytes do not fit beside both: the least recently used item (the value) goes.
        assert_eq!(run(&cache, "l", push_back(&"y".repeat(30), None)), len(4));
        assert!(!cache.contains_key("old"));
        assert_eq!(cache.evictions(), 1);
        assert_eq!(cache.total_bytes(), 1 + 90);
        run(&cache, "l", CacheOp::ListPopFront).unwrap();
        assert_eq!(cache.total_bytes(), 1 + 70);
        // A list larger than the whole cache is refused and leaves the list as it was.
        assert!(matches!(
            run(&cache, "l", push_back(&"z".repeat(40), None)),
            Err(CacheError::LimitExceeded(m)) if m.contains("more than the whole cache holds")
        ));
        assert_eq!(cache.list("l").map(|l| l.len()), Some(3));
        run(
            &cache,
            "l",
            CacheOp::ListErase {
                range: ListErase::All,
            },
        )
        .unwrap();
        assert_eq!(cache.total_bytes(), 0);
    }

    #[test]
    fn list_calls_share_the_log_and_faults() {
        let (cache, _) = cache();
        cache.fail_op(
            CacheOpKind::ListPushBack,
            CacheError::Timeout("slow".into()),
        );
        assert_eq!(
            run(&cache, "l", push_back("a", None)),
            Err(CacheError::Timeout("slow".into()))
        );
        assert_eq!(run(&cache, "l", push_front("a", None)), len(1));
        run(&cache, "s", CacheOp::Get).unwrap();
        run(&cache, "l", fetch(ListStart::At(-5), ListEnd::Back)).unwrap();
        let lines: Vec<String> = cache.calls().iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "list_push_back l (1 bytes, ttl 60s, refresh) → error: timeout: slow",
                "list_push_front l (1 bytes, ttl 60s, refresh) → length 1",
                "get s → miss",
                "list_fetch l [-5..] → 1 elements",
            ]
        );
    }
}
