//! [`CacheMock`]: the in-memory cache shared by every invocation of a host, its faults and its call log.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use super::list_ops;
use super::types::{
    CacheCall, CacheEntry, CacheError, CacheLimits, CacheOp, CacheOpKind, CacheOutcome, value_hash,
};
use crate::clock::Clock;
use crate::services::record::{CallLog, FaultQueue, Matcher};

/// Writes between sweeps of expired items (which are otherwise dropped when next touched).
const SWEEP_EVERY_WRITES: u32 = 1024;

/// The host's in-memory cache: what the function's `cache::*` calls read and write.
///
/// One cache serves every invocation of a host (and every clone of it), so state survives from one
/// invocation to the next while the function's own globals do not. Items expire by the host's
/// [`Clock`]. Each operation is atomic: concurrent invocations see every key change in one order, and
/// no conditional update is lost.
///
/// From a test: seed items, read them back, list the calls the function made, and make calls fail.
///
/// ```
/// use std::time::Duration;
/// use momento_functions_test_host::{CacheError, CacheMock};
///
/// let cache = CacheMock::default();
/// cache.insert_with_ttl("user:1", r#"{"name":"Ada"}"#, Duration::from_secs(60));
/// assert_eq!(cache.get_string("user:1").as_deref(), Some(r#"{"name":"Ada"}"#));
/// let ttl = cache.entry("user:1").and_then(|entry| entry.ttl).expect("a TTL");
/// assert!(ttl <= Duration::from_secs(60)); // real time: a test clock makes it exact
///
/// cache.fail_next(2, CacheError::Timeout("injected".into()));
/// cache.fail_key("user:9", CacheError::PermissionDenied("not yours".into()));
/// assert!(cache.calls().is_empty());
/// ```
#[derive(Clone)]
pub struct CacheMock {
    inner: Arc<Inner>,
}

struct Inner {
    clock: Clock,
    limits: CacheLimits,
    store: Mutex<Store>,
}

/// Which calls an injected cache fault answers. `fail_next` faults come first, then key faults, then
/// operation faults.
#[derive(Debug, Clone, PartialEq, Eq)]
enum FaultOn {
    Next,
    Key(Vec<u8>),
    Op(CacheOpKind),
}

impl Matcher<(&[u8], CacheOpKind)> for FaultOn {
    fn matches(&self, (key, op): &(&[u8], CacheOpKind)) -> bool {
        match self {
            FaultOn::Next => true,
            FaultOn::Key(k) => k.as_slice() == *key,
            FaultOn::Op(o) => o == op,
        }
    }

    fn rank(&self) -> u8 {
        match self {
            FaultOn::Next => 0,
            FaultOn::Key(_) => 1,
            FaultOn::Op(_) => 2,
        }
    }
}

/// Everything behind the one lock: items, faults and the call log change together, so the log's order
/// is the order operations took effect in.
pub(super) struct Store {
    pub(super) items: HashMap<Vec<u8>, Item>,
    /// Recency for eviction: each item's last use (a tick) → its key; the first entry is the least
    /// recently used item.
    recency: BTreeMap<u64, Vec<u8>>,
    tick: u64,
    /// Bytes of keys and values stored (what `CacheLimits::max_total_bytes` bounds).
    bytes: usize,
    /// Items evicted to make room, ever.
    evictions: u64,
    calls: CallLog<CacheCall>,
    faults: FaultQueue<FaultOn, CacheError>,
    writes_since_sweep: u32,
}

/// What a key holds: a value, or a list (`list_ops`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Stored {
    Scalar(Vec<u8>),
    /// Never empty: a list whose last element goes is removed.
    List(VecDeque<Vec<u8>>),
}

impl Stored {
    /// Bytes of the value (a list: the sum of its elements).
    pub(super) fn size_bytes(&self) -> usize {
        match self {
            Stored::Scalar(value) => value.len(),
            Stored::List(elements) => elements.iter().map(Vec::len).sum(),
        }
    }
}

pub(super) struct Item {
    pub(super) value: Stored,
    /// `Clock::elapsed` at which it expires; `None`: never (seeded without a TTL).
    pub(super) expires_at: Option<Duration>,
    /// Its last use, as a key of `Store::recency`.
    used: u64,
}

impl Item {
    fn is_live(&self, now: Duration) -> bool {
        self.expires_at.is_none_or(|at| now < at)
    }

    /// The value, or `failed-precondition` for a list under `key`.
    fn scalar(&self, key: &[u8]) -> Result<&[u8], CacheError> {
        match &self.value {
            Stored::Scalar(value) => Ok(value),
            Stored::List(_) => Err(CacheError::FailedPrecondition(format!(
                "the key `{}` holds a list, not a value: use the list operations (or delete it)",
                String::from_utf8_lossy(key)
            ))),
        }
    }

    fn entry(&self, key: &[u8], now: Duration) -> CacheEntry {
        let (value, list) = match &self.value {
            Stored::Scalar(value) => (value.clone(), None),
            Stored::List(elements) => (Vec::new(), Some(elements.iter().cloned().collect())),
        };
        CacheEntry {
            key: key.to_vec(),
            value,
            list,
            ttl: self.expires_at.map(|at| at.saturating_sub(now)),
        }
    }
}

/// The bytes an item counts against `max_total_bytes`: its key and its value (a list: its elements).
pub(super) fn footprint(key: &[u8], value: &Stored) -> usize {
    key.len() + value.size_bytes()
}

impl Store {
    /// The live item under `key`, dropping it if it expired. Not a use: inspection does not change
    /// recency (see [`Store::touch`]).
    pub(super) fn live(&mut self, key: &[u8], now: Duration) -> Option<&mut Item> {
        if self.items.get(key).is_some_and(|item| !item.is_live(now)) {
            self.remove(key);
        }
        self.items.get_mut(key)
    }

    /// The function used the item under `key`: it becomes the most recently used.
    pub(super) fn touch(&mut self, key: &[u8]) {
        self.tick += 1;
        let tick = self.tick;
        if let Some(item) = self.items.get_mut(key) {
            let previous = std::mem::replace(&mut item.used, tick);
            if let Some(key) = self.recency.remove(&previous) {
                self.recency.insert(tick, key);
            }
        }
    }

    pub(super) fn remove(&mut self, key: &[u8]) -> Option<Item> {
        let item = self.items.remove(key)?;
        self.recency.remove(&item.used);
        self.bytes -= footprint(key, &item.value);
        Some(item)
    }

    /// Store `value` under `key` as the most recently used item, evicting the least recently used ones
    /// until it fits within `limits` (Momento's caches evict least-recently-used items when full). An item
    /// larger than the whole cache is refused.
    pub(super) fn put(
        &mut self,
        key: &[u8],
        value: Stored,
        expires_at: Option<Duration>,
        limits: &CacheLimits,
    ) -> Result<(), CacheError> {
        let size = footprint(key, &value);
        if size > limits.max_total_bytes {
            return Err(CacheError::LimitExceeded(format!(
                "the item is {size} bytes, more than the whole cache holds ({} bytes)",
                limits.max_total_bytes
            )));
        }
        self.remove(key);
        while self.bytes + size > limits.max_total_bytes || self.items.len() >= limits.max_items {
            let Some((_, oldest)) = self.recency.pop_first() else {
                break;
            };
            if let Some(item) = self.items.remove(&oldest) {
                self.bytes -= footprint(&oldest, &item.value);
                self.evictions += 1;
            }
        }
        self.tick += 1;
        self.recency.insert(self.tick, key.to_vec());
        self.bytes += size;
        self.items.insert(
            key.to_vec(),
            Item {
                value,
                expires_at,
                used: self.tick,
            },
        );
        Ok(())
    }

    fn clear(&mut self) {
        self.items.clear();
        self.recency.clear();
        self.bytes = 0;
    }

    pub(super) fn wrote(&mut self, now: Duration) {
        self.writes_since_sweep += 1;
        if self.writes_since_sweep >= SWEEP_EVERY_WRITES {
            self.writes_since_sweep = 0;
            let expired: Vec<Vec<u8>> = self
                .items
                .iter()
                .filter(|(_, item)| !item.is_live(now))
                .map(|(key, _)| key.clone())
                .collect();
            for key in expired {
                self.remove(&key);
            }
        }
    }

    fn take_fault(&mut self, key: &[u8], op: CacheOpKind) -> Option<CacheError> {
        self.faults.take(&(key, op))
    }
}

impl Default for CacheMock {
    fn default() -> Self {
        CacheMock::new(Clock::system(), CacheLimits::default(), true)
    }
}

impl std::fmt::Debug for CacheMock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let store = self.store();
        f.debug_struct("CacheMock")
            .field("items", &store.items.len())
            .field("calls", &store.calls.snapshot().len())
            .field("limits", &self.inner.limits)
            .field("clock", &self.inner.clock)
            .finish_non_exhaustive()
    }
}

fn too_long(what: &str, size: usize, limit: usize) -> CacheError {
    CacheError::LimitExceeded(format!(
        "{what} is {size} bytes, over the {limit}-byte limit"
    ))
}

impl CacheMock {
    /// An empty cache on `clock` with `limits`; `record_calls: false` keeps no call log (for long runs).
    pub(crate) fn new(clock: Clock, limits: CacheLimits, record_calls: bool) -> CacheMock {
        CacheMock {
            inner: Arc::new(Inner {
                clock,
                limits,
                store: Mutex::new(Store {
                    items: HashMap::new(),
                    recency: BTreeMap::new(),
                    tick: 0,
                    bytes: 0,
                    evictions: 0,
                    calls: CallLog::new(record_calls),
                    faults: FaultQueue::default(),
                    writes_since_sweep: 0,
                }),
            }),
        }
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        // Nothing panics while holding the lock; recover from poisoning anyway rather than cascade.
        self.inner
            .store
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn now(&self) -> Duration {
        self.inner.clock.elapsed()
    }

    /// The limits enforced on the function's calls.
    pub fn limits(&self) -> &CacheLimits {
        &self.inner.limits
    }

    // ---- the function's calls --------------------------------------------------------------------

    /// Run one call of the function (`invocation_id` made it): faults, validation, the operation and the
    /// record, atomically.
    pub(crate) fn execute(
        &self,
        invocation_id: &str,
        key: Vec<u8>,
        op: CacheOp,
    ) -> Result<CacheOutcome, CacheError> {
        let now = self.now();
        let mut store = self.store();
        let result = match store.take_fault(&key, op.kind()) {
            Some(error) => Err(error),
            None => self
                .validate(&key, &op)
                .and_then(|()| Self::apply(&mut store, &key, &op, now, &self.inner.limits)),
        };
        let recorded = result.clone();
        store.calls.record(|| CacheCall {
            invocation_id: invocation_id.to_owned(),
            key,
            op,
            result: recorded,
        });
        result
    }

    fn validate(&self, key: &[u8], op: &CacheOp) -> Result<(), CacheError> {
        let limits = &self.inner.limits;
        if key.is_empty() {
            return Err(CacheError::InvalidArgument("the key is empty".to_owned()));
        }
        if key.len() > limits.max_key_bytes {
            return Err(too_long("the key", key.len(), limits.max_key_bytes));
        }
        let (value, ttl) = match op {
            CacheOp::Get | CacheOp::GetWithHash | CacheOp::Delete => return Ok(()),
            CacheOp::Set { value, ttl }
            | CacheOp::SetIf { value, ttl, .. }
            | CacheOp::SetIfHash { value, ttl, .. } => (value, ttl),
            list => return list_ops::validate(limits, list),
        };
        if value.len() > limits.max_value_bytes {
            return Err(too_long("the value", value.len(), limits.max_value_bytes));
        }
        validate_ttl(limits, ttl)
    }

    fn apply(
        store: &mut Store,
        key: &[u8],
        op: &CacheOp,
        now: Duration,
        limits: &CacheLimits,
    ) -> Result<CacheOutcome, CacheError> {
        if op.is_list() {
            return list_ops::apply(store, key, op, now, limits);
        }
        let expires = |ttl: &Duration| Some(now.saturating_add(*ttl));
        let stored = |store: &mut Store, value: &[u8], ttl: &Duration| {
            store.put(key, Stored::Scalar(value.to_vec()), expires(ttl), limits)?;
            store.wrote(now);
            Ok::<_, CacheError>(())
        };
        match op {
            CacheOp::Get => {
                store.touch(key);
                Ok(match store.live(key, now) {
                    Some(item) => CacheOutcome::Hit(item.scalar(key)?.to_vec()),
                    None => CacheOutcome::Miss,
                })
            }
            CacheOp::GetWithHash => {
                store.touch(key);
                Ok(match store.live(key, now) {
                    Some(item) => {
                        let value = item.scalar(key)?;
                        CacheOutcome::HitWithHash {
                            hash: value_hash(value),
                            value: value.to_vec(),
                        }
                    }
                    None => CacheOutcome::Miss,
                })
            }
            CacheOp::Set { value, ttl } => {
                if let Some(item) = store.live(key, now) {
                    item.scalar(key)?;
                }
                stored(store, value, ttl)?;
                Ok(CacheOutcome::Stored)
            }
            CacheOp::SetIf {
                value,
                ttl,
                condition,
            } => {
                store.touch(key);
                let current = match store.live(key, now) {
                    Some(item) => Some(item.scalar(key)?),
                    None => None,
                };
                if !condition.holds(current) {
                    return Ok(CacheOutcome::NotStored);
                }
                stored(store, value, ttl)?;
                Ok(CacheOutcome::Stored)
            }
            CacheOp::SetIfHash {
                value,
                ttl,
                condition,
            } => {
                store.touch(key);
                let current = match store.live(key, now) {
                    Some(item) => Some(value_hash(item.scalar(key)?)),
                    None => None,
                };
                if !condition.holds(current.as_deref()) {
                    return Ok(CacheOutcome::NotStored);
                }
                stored(store, value, ttl)?;
                Ok(CacheOutcome::StoredWithHash(value_hash(value)))
            }
            CacheOp::Delete => {
                store.remove(key);
                Ok(CacheOutcome::Deleted)
            }
            other => Err(CacheError::Internal(format!(
                "test host bug: {} is not a value operation",
                other.name()
            ))),
        }
    }

    // ---- seeding and inspection ------------------------------------------------------------------

    /// Store an item that never expires. The key and value limits are not checked (seed what the test
    /// needs); the total size bound is: older items are evicted to make room, and an item larger than the
    /// whole cache is not stored (the return value says whether it was).
    pub fn insert(&self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> bool {
        let limits = &self.inner.limits;
        self.store()
            .put(
                key.as_ref(),
                Stored::Scalar(value.as_ref().to_vec()),
                None,
                limits,
            )
            .is_ok()
    }

    /// Store an item that expires after `ttl` by the host's clock (see [`insert`](Self::insert)).
    pub fn insert_with_ttl(
        &self,
        key: impl AsRef<[u8]>,
        value: impl AsRef<[u8]>,
        ttl: Duration,
    ) -> bool {
        let expires_at = Some(self.now().saturating_add(ttl));
        let limits = &self.inner.limits;
        self.store()
            .put(
                key.as_ref(),
                Stored::Scalar(value.as_ref().to_vec()),
                expires_at,
                limits,
            )
            .is_ok()
    }

    /// Store a list that never expires, replacing any item (see [`insert`](Self::insert) for the size
    /// bound; an empty `elements` removes the key: Momento has no empty lists).
    pub fn insert_list<V: AsRef<[u8]>>(
        &self,
        key: impl AsRef<[u8]>,
        elements: impl IntoIterator<Item = V>,
    ) -> bool {
        self.insert_list_with_ttl_option(key.as_ref(), elements, None)
    }

    /// Store a list that expires after `ttl` by the host's clock.
    pub fn insert_list_with_ttl<V: AsRef<[u8]>>(
        &self,
        key: impl AsRef<[u8]>,
        elements: impl IntoIterator<Item = V>,
        ttl: Duration,
    ) -> bool {
        self.insert_list_with_ttl_option(key.as_ref(), elements, Some(ttl))
    }

    pub(crate) fn insert_list_with_ttl_option<V: AsRef<[u8]>>(
        &self,
        key: &[u8],
        elements: impl IntoIterator<Item = V>,
        ttl: Option<Duration>,
    ) -> bool {
        let elements: VecDeque<Vec<u8>> =
            elements.into_iter().map(|e| e.as_ref().to_vec()).collect();
        let expires_at = ttl.map(|ttl| self.now().saturating_add(ttl));
        let mut store = self.store();
        if elements.is_empty() {
            store.remove(key);
            return true;
        }
        store
            .put(key, Stored::List(elements), expires_at, &self.inner.limits)
            .is_ok()
    }

    /// The elements of the live list under `key` (`None`: no list there).
    pub fn list(&self, key: impl AsRef<[u8]>) -> Option<Vec<Vec<u8>>> {
        self.entry(key).and_then(|entry| entry.list)
    }

    /// The elements of the live list under `key` as text (lossy UTF-8).
    pub fn list_strings(&self, key: impl AsRef<[u8]>) -> Option<Vec<String>> {
        self.list(key).map(|elements| {
            elements
                .iter()
                .map(|e| String::from_utf8_lossy(e).into_owned())
                .collect()
        })
    }

    /// Store `value` as JSON, never expiring.
    ///
    /// # Errors
    /// When `value` cannot be serialized.
    pub fn insert_json<T: serde::Serialize + ?Sized>(
        &self,
        key: impl AsRef<[u8]>,
        value: &T,
    ) -> Result<(), serde_json::Error> {
        self.insert(key, serde_json::to_vec(value)?);
        Ok(())
    }

    /// The live item (a value or a list) under `key`, with its remaining TTL.
    pub fn entry(&self, key: impl AsRef<[u8]>) -> Option<CacheEntry> {
        let key = key.as_ref();
        let now = self.now();
        let mut store = self.store();
        store.live(key, now).map(|item| item.entry(key, now))
    }

    /// The live value under `key` (reading it is not a recorded call; `None` for a list too).
    pub fn get(&self, key: impl AsRef<[u8]>) -> Option<Vec<u8>> {
        self.entry(key)
            .filter(|entry| entry.list.is_none())
            .map(|entry| entry.value)
    }

    /// The live value under `key` as text (lossy UTF-8).
    pub fn get_string(&self, key: impl AsRef<[u8]>) -> Option<String> {
        self.get(key)
            .map(|value| String::from_utf8_lossy(&value).into_owned())
    }

    /// The live value under `key` deserialized from JSON.
    ///
    /// # Errors
    /// When the value is not JSON of type `T`.
    pub fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        key: impl AsRef<[u8]>,
    ) -> Result<Option<T>, serde_json::Error> {
        self.get(key)
            .map(|value| serde_json::from_slice(&value))
            .transpose()
    }

    /// Is there a live item (a value or a list) under `key`?
    pub fn contains_key(&self, key: impl AsRef<[u8]>) -> bool {
        self.entry(key).is_some()
    }

    /// Every live item, sorted by key.
    pub fn entries(&self) -> Vec<CacheEntry> {
        let now = self.now();
        let mut entries: Vec<CacheEntry> = self
            .store()
            .items
            .iter()
            .filter(|(_, item)| item.is_live(now))
            .map(|(key, item)| item.entry(key, now))
            .collect();
        entries.sort_by(|a, b| a.key.cmp(&b.key));
        entries
    }

    /// Number of live items.
    pub fn len(&self) -> usize {
        let now = self.now();
        self.store()
            .items
            .values()
            .filter(|item| item.is_live(now))
            .count()
    }

    /// Is the cache empty (no live items)?
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Remove the item under `key`; returns whether there was a live one.
    pub fn remove(&self, key: impl AsRef<[u8]>) -> bool {
        let now = self.now();
        self.store()
            .remove(key.as_ref())
            .is_some_and(|item| item.is_live(now))
    }

    /// Remove every item (calls and faults stay).
    pub fn clear(&self) {
        self.store().clear();
    }

    /// Bytes of keys and values the cache holds now (expired items not yet dropped included), the measure
    /// [`CacheLimits::max_total_bytes`] bounds.
    pub fn total_bytes(&self) -> usize {
        self.store().bytes
    }

    /// Items evicted so far to make room (least recently used first).
    pub fn evictions(&self) -> u64 {
        self.store().evictions
    }

    // ---- calls and faults ------------------------------------------------------------------------

    /// Every call the function made, in the order the cache executed them (also failed ones).
    pub fn calls(&self) -> Vec<CacheCall> {
        self.store().calls.snapshot()
    }

    /// Forget the recorded calls.
    pub fn clear_calls(&self) {
        self.store().calls.clear();
    }

    /// Make the next `calls` calls of the function (any operation, any key) fail with `error`, without
    /// touching the cache. Queued after earlier `fail_next` faults that are not used up yet.
    pub fn fail_next(&self, calls: usize, error: CacheError) {
        self.store().faults.push(FaultOn::Next, error, Some(calls));
    }

    /// Make every call on `key` fail with `error` until [`clear_faults`](CacheMock::clear_faults).
    pub fn fail_key(&self, key: impl AsRef<[u8]>, error: CacheError) {
        let key = key.as_ref().to_vec();
        let mut store = self.store();
        store.faults.retain(|on| *on != FaultOn::Key(key.clone()));
        store.faults.push(FaultOn::Key(key), error, None);
    }

    /// Make every call of one kind of operation (e.g. every `set`) fail with `error` until
    /// [`clear_faults`](CacheMock::clear_faults).
    pub fn fail_op(&self, op: CacheOpKind, error: CacheError) {
        let mut store = self.store();
        store.faults.retain(|on| *on != FaultOn::Op(op));
        store.faults.push(FaultOn::Op(op), error, None);
    }

    /// Remove every injected fault.
    pub fn clear_faults(&self) {
        self.store().faults.clear();
    }
}

/// A TTL of a write: at least 1 ms, at most the limit.
pub(super) fn validate_ttl(limits: &CacheLimits, ttl: &Duration) -> Result<(), CacheError> {
    if ttl.is_zero() {
        return Err(CacheError::InvalidArgument(
            "the TTL is zero; it must be at least 1 ms".to_owned(),
        ));
    }
    if *ttl > limits.max_ttl {
        return Err(CacheError::LimitExceeded(format!(
            "the TTL {ttl:?} is over the {:?} limit",
            limits.max_ttl
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use super::*;
    use crate::services::cache::{SetCondition, SetHashCondition};

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

    fn set(value: &str, ttl_ms: u64) -> CacheOp {
        CacheOp::Set {
            value: value.into(),
            ttl: Duration::from_millis(ttl_ms),
        }
    }

    fn set_if(value: &str, condition: SetCondition) -> CacheOp {
        CacheOp::SetIf {
            value: value.into(),
            ttl: Duration::from_secs(60),
            condition,
        }
    }

    fn set_if_hash(value: &str, condition: SetHashCondition) -> CacheOp {
        CacheOp::SetIfHash {
            value: value.into(),
            ttl: Duration::from_secs(60),
            condition,
        }
    }

    #[test]
    fn set_get_delete() {
        let (cache, _) = cache();
        assert_eq!(run(&cache, "k", CacheOp::Get), Ok(CacheOutcome::Miss));
        assert_eq!(run(&cache, "k", set("v", 1000)), Ok(CacheOutcome::Stored));
        assert_eq!(
            run(&cache, "k", CacheOp::Get),
            Ok(CacheOutcome::Hit(b"v".to_vec()))
        );
        assert_eq!(run(&cache, "k", CacheOp::Delete), Ok(CacheOutcome::Deleted));
        assert_eq!(run(&cache, "k", CacheOp::Delete), Ok(CacheOutcome::Deleted));
        assert_eq!(run(&cache, "k", CacheOp::Get), Ok(CacheOutcome::Miss));
        assert_eq!(cache.calls().len(), 6);
    }

    #[test]
    fn ttl_boundary_is_exact_to_the_millisecond() {
        let (cache, clock) = cache();
        run(&cache, "k", set("v", 1000)).unwrap();
        clock.advance(Duration::from_millis(999));
        assert_eq!(
            cache.entry("k").map(|e| e.ttl),
            Some(Some(Duration::from_millis(1)))
        );
        assert!(matches!(
            run(&cache, "k", CacheOp::Get),
            Ok(CacheOutcome::Hit(_))
        ));
        clock.advance(Duration::from_millis(1));
        assert_eq!(run(&cache, "k", CacheOp::Get), Ok(CacheOutcome::Miss));
        assert!(cache.is_empty());
    }

    #[test]
    fn ttl_limits() {
        let (cache, _) = cache();
        assert!(matches!(
            run(&cache, "k", set("v", 0)),
            Err(CacheError::InvalidArgument(m)) if m.contains("zero")
        ));
        assert_eq!(run(&cache, "k", set("v", 1)), Ok(CacheOutcome::Stored));
        let day = 24 * 60 * 60 * 1000;
        assert_eq!(run(&cache, "k", set("v", day)), Ok(CacheOutcome::Stored));
        assert!(matches!(
            run(&cache, "k", set("v", day + 1)),
            Err(CacheError::LimitExceeded(m)) if m.contains("TTL")
        ));
        assert!(matches!(
            run(&cache, "k", set("v", u64::MAX)),
            Err(CacheError::LimitExceeded(_))
        ));
    }

    #[test]
    fn key_and_value_limits_at_the_boundary() {
        let (cache, _) = cache();
        let limits = CacheLimits::default();
        let key_ok = "k".repeat(limits.max_key_bytes);
        let key_over = "k".repeat(limits.max_key_bytes + 1);
        assert_eq!(run(&cache, &key_ok, CacheOp::Get), Ok(CacheOutcome::Miss));
        assert!(matches!(
            run(&cache, &key_over, CacheOp::Get),
            Err(CacheError::LimitExceeded(m)) if m.contains("key is 65537 bytes")
        ));
        let value_ok = "v".repeat(limits.max_value_bytes);
        let value_over = "v".repeat(limits.max_value_bytes + 1);
        assert_eq!(
            run(&cache, "k", set(&value_ok, 10)),
            Ok(CacheOutcome::Stored)
        );
        assert!(matches!(
            run(&cache, "k", set(&value_over, 10)),
            Err(CacheError::LimitExceeded(m)) if m.contains("value is 1048577 bytes")
        ));
        assert!(matches!(
            run(&cache, "", CacheOp::Get),
            Err(CacheError::InvalidArgument(m)) if m.contains("empty")
        ));
    }

    #[test]
    fn conditional_sets() {
        let (cache, clock) = cache();
        assert_eq!(
            run(&cache, "k", set_if("a", SetCondition::Present)),
            Ok(CacheOutcome::NotStored)
        );
        assert_eq!(
            run(&cache, "k", set_if("a", SetCondition::Absent)),
            Ok(CacheOutcome::Stored)
        );
        assert_eq!(
            run(&cache, "k", set_if("b", SetCondition::Absent)),
            Ok(CacheOutcome::NotStored)
        );
        assert_eq!(
            run(&cache, "k", set_if("c", SetCondition::Equal(b"x".to_vec()))),
            Ok(CacheOutcome::NotStored)
        );
        assert_eq!(
            run(&cache, "k", set_if("c", SetCondition::Equal(b"a".to_vec()))),
            Ok(CacheOutcome::Stored)
        );
        assert_eq!(
            run(&cache, "k", set_if("d", SetCondition::Present)),
            Ok(CacheOutcome::Stored)
        );
        assert_eq!(cache.get_string("k").as_deref(), Some("d"));
        // An expired item is absent.
        clock.advance(Duration::from_secs(60));
        assert_eq!(
            run(&cache, "k", set_if("e", SetCondition::Present)),
            Ok(CacheOutcome::NotStored)
        );
        assert_eq!(
            run(&cache, "k", set_if("e", SetCondition::Absent)),
            Ok(CacheOutcome::Stored)
        );
    }

    #[test]
    fn every_set_if_condition_against_absent_equal_and_different_values() {
        use SetCondition as C;
        let a = || b"a".to_vec();
        // (condition, stores when absent, stores when the value is "a", stores when it is "b")
        let table = [
            (C::Present, false, true, true),
            (C::PresentAndNotEqual(a()), false, false, true),
            (C::Absent, true, false, false),
            (C::Equal(a()), false, true, false),
            (C::AbsentOrEqual(a()), true, true, false),
            (C::NotEqual(a()), true, false, true),
        ];
        for (condition, absent, equal, different) in table {
            for (current, expected) in [(None, absent), (Some("a"), equal), (Some("b"), different)]
            {
                let (cache, _) = cache();
                if let Some(current) = current {
                    cache.insert("k", current);
                }
                let outcome = run(&cache, "k", set_if("new", condition.clone())).unwrap();
                let stored = outcome == CacheOutcome::Stored;
                assert_eq!(stored, expected, "{condition} with {current:?}");
                let now = cache.get_string("k");
                let want = if stored { Some("new") } else { current };
                assert_eq!(now.as_deref(), want, "{condition} with {current:?}");
            }
        }
    }

    #[test]
    fn hashes_are_opaque_sha256_and_guard_set_if_hash() {
        let (cache, _) = cache();
        assert_eq!(
            run(&cache, "k", CacheOp::GetWithHash),
            Ok(CacheOutcome::Miss)
        );
        cache.insert("k", "v1");
        let Ok(CacheOutcome::HitWithHash { value, hash }) = run(&cache, "k", CacheOp::GetWithHash)
        else {
            panic!("a hit with a hash");
        };
        assert_eq!(value, b"v1");
        assert_eq!(hash, value_hash(b"v1"));
        assert_eq!(hash.len(), 32);
        let stale = value_hash(b"v0");
        use SetHashCondition as H;
        assert_eq!(
            run(
                &cache,
                "k",
                set_if_hash("v2", H::PresentAndHashEqual(stale.clone()))
            ),
            Ok(CacheOutcome::NotStored)
        );
        assert_eq!(
            run(
                &cache,
                "k",
                set_if_hash("v2", H::PresentAndHashEqual(hash.clone()))
            ),
            Ok(CacheOutcome::StoredWithHash(value_hash(b"v2")))
        );
        assert_eq!(
            run(
                &cache,
                "k",
                set_if_hash("v3", H::PresentAndNotHashEqual(value_hash(b"v2")))
            ),
            Ok(CacheOutcome::NotStored)
        );
        assert_eq!(
            run(
                &cache,
                "k",
                set_if_hash("v3", H::AbsentOrNotHashEqual(stale.clone()))
            ),
            Ok(CacheOutcome::StoredWithHash(value_hash(b"v3")))
        );
        assert_eq!(
            run(
                &cache,
                "fresh",
                set_if_hash("x", H::AbsentOrHashEqual(stale))
            ),
            Ok(CacheOutcome::StoredWithHash(value_hash(b"x")))
        );
        assert_eq!(
            run(&cache, "k", set_if_hash("v4", H::Unconditional)),
            Ok(CacheOutcome::StoredWithHash(value_hash(b"v4")))
        );
        assert_eq!(cache.get_string("k").as_deref(), Some("v4"));
    }

    #[test]
    fn injected_faults_fail_calls_without_touching_items() {
        let (cache, _) = cache();
        cache.fail_next(2, CacheError::Timeout("t".into()));
        cache.fail_next(1, CacheError::Internal("i".into()));
        assert_eq!(
            run(&cache, "a", set("v", 10)),
            Err(CacheError::Timeout("t".into()))
        );
        assert_eq!(
            run(&cache, "b", CacheOp::Get),
            Err(CacheError::Timeout("t".into()))
        );
        assert_eq!(
            run(&cache, "c", CacheOp::Get),
            Err(CacheError::Internal("i".into()))
        );
        assert_eq!(run(&cache, "a", CacheOp::Get), Ok(CacheOutcome::Miss));

        cache.fail_key("secret", CacheError::PermissionDenied("no".into()));
        for _ in 0..3 {
            assert!(matches!(
                run(&cache, "secret", set("v", 10)),
                Err(CacheError::PermissionDenied(_))
            ));
        }
        assert_eq!(run(&cache, "other", set("v", 10)), Ok(CacheOutcome::Stored));
        assert!(!cache.contains_key("secret"));
        cache.clear_faults();
        assert_eq!(
            run(&cache, "secret", set("v", 10)),
            Ok(CacheOutcome::Stored)
        );
        let failed = cache.calls().iter().filter(|c| c.is_err()).count();
        assert_eq!(failed, 6);

        cache.fail_op(CacheOpKind::Set, CacheError::Internal("read-only".into()));
        assert!(matches!(
            run(&cache, "w", set("v", 10)),
            Err(CacheError::Internal(_))
        ));
        assert!(run(&cache, "w", set_if("v", SetCondition::Absent)).is_ok());
        assert_eq!(
            run(&cache, "secret", CacheOp::Get),
            Ok(CacheOutcome::Hit(b"v".to_vec()))
        );
        cache.clear_faults();
        assert_eq!(run(&cache, "w2", set("v", 10)), Ok(CacheOutcome::Stored));
    }

    #[test]
    fn calls_read_as_one_line_each() {
        let (cache, _) = cache();
        run(&cache, "user:1", CacheOp::Get).unwrap();
        run(&cache, "user:1", set("hello", 60_000)).unwrap();
        run(&cache, "lock", set_if("me", SetCondition::Absent)).unwrap();
        run(
            &cache,
            "lock",
            set_if_hash("x", SetHashCondition::Unconditional),
        )
        .unwrap();
        let lines: Vec<String> = cache.calls().iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "get user:1 → miss",
                "set user:1 (5 bytes, ttl 60s) → stored",
                "set_if lock (2 bytes, ttl 60s, if absent) → stored",
                "set_if_hash lock (1 bytes, ttl 60s, unconditionally) → stored",
            ]
        );
    }

    #[test]
    fn unrecorded_cache_keeps_no_log() {
        let cache = CacheMock::new(Clock::system(), CacheLimits::default(), false);
        cache.execute("x", b"k".to_vec(), CacheOp::Get).unwrap();
        assert!(cache.calls().is_empty());
    }

    #[test]
    fn a_full_cache_evicts_the_least_recently_used_items() {
        let clock = Clock::manual(UNIX_EPOCH);
        let limits = CacheLimits::default().with_max_total_bytes(40);
        let cache = CacheMock::new(clock, limits, true);
        // Keys of 1 byte and values of 9: 10 bytes an item, 4 fit.
        for key in ["a", "b", "c", "d"] {
            assert_eq!(
                run(&cache, key, set("123456789", 60_000)),
                Ok(CacheOutcome::Stored)
            );
        }
        assert_eq!(cache.total_bytes(), 40);
        // Reading `a` makes it the most recently used: `b` goes first.
        assert!(matches!(
            run(&cache, "a", CacheOp::Get),
            Ok(CacheOutcome::Hit(_))
        ));
        assert_eq!(
            run(&cache, "e", set("123456789", 60_000)),
            Ok(CacheOutcome::Stored)
        );
        assert!(!cache.contains_key("b"));
        assert!(cache.contains_key("a") && cache.contains_key("e"));
        assert_eq!(cache.evictions(), 1);
        // A bigger value evicts as many as it needs, and never the key being written.
        assert_eq!(
            run(&cache, "c", set(&"x".repeat(29), 60_000)),
            Ok(CacheOutcome::Stored)
        );
        assert_eq!(cache.total_bytes(), 40);
        assert!(cache.contains_key("c") && cache.contains_key("e"));
        assert_eq!(cache.len(), 2);
        // Inspection is not a use: reading `e` from the test does not save it from eviction.
        let _ = cache.get("e");
        assert_eq!(
            run(&cache, "f", set("123456789", 60_000)),
            Ok(CacheOutcome::Stored)
        );
        assert!(!cache.contains_key("e"));
        // An item larger than the whole cache is refused, and changes nothing.
        assert!(matches!(
            run(&cache, "g", set(&"x".repeat(40), 60_000)),
            Err(CacheError::LimitExceeded(m)) if m.contains("more than the whole cache")
        ));
        assert!(cache.contains_key("c") && cache.contains_key("f"));
        // Deletes and expiry give the bytes back.
        run(&cache, "c", CacheOp::Delete).unwrap();
        assert_eq!(cache.total_bytes(), 10);
    }

    #[test]
    fn the_item_count_is_bounded_too() {
        let limits = CacheLimits::default().with_max_items(3);
        let cache = CacheMock::new(Clock::system(), limits, false);
        for i in 0..10 {
            assert!(cache.insert(format!("k{i}"), "v"));
        }
        assert_eq!(cache.len(), 3);
        let keys: Vec<String> = cache
            .entries()
            .iter()
            .map(|e| e.key_str().into_owned())
            .collect();
        assert_eq!(keys, ["k7", "k8", "k9"]);
        assert_eq!(cache.evictions(), 7);
    }

    #[test]
    fn seeding_and_inspection() {
        let (cache, clock) = cache();
        cache.insert("b", "forever");
        cache.insert_with_ttl("a", "brief", Duration::from_secs(1));
        cache
            .insert_json("c", &serde_json::json!({"n": 1}))
            .unwrap();
        let keys: Vec<String> = cache
            .entries()
            .iter()
            .map(|e| e.key_str().into_owned())
            .collect();
        assert_eq!(keys, ["a", "b", "c"]);
        assert_eq!(cache.len(), 3);
        assert_eq!(
            cache.get_json::<serde_json::Value>("c").unwrap(),
            Some(serde_json::json!({"n": 1}))
        );
        assert!(cache.get_json::<u32>("b").is_err());
        clock.advance(Duration::from_secs(1));
        assert_eq!(cache.len(), 2);
        assert!(!cache.remove("a"));
        assert!(cache.remove("b"));
        cache.clear();
        assert!(cache.is_empty());
    }

    #[test]
    fn concurrent_conditional_updates_are_never_lost() {
        let cache = CacheMock::new(Clock::system(), CacheLimits::default(), false);
        cache.insert("counter", "0");
        let threads = 8;
        let per_thread = 500;
        let attempts: u64 = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    let cache = cache.clone();
                    scope.spawn(move || {
                        let (mut won, mut attempts) = (0, 0);
                        while won < per_thread {
                            attempts += 1;
                            // Read-modify-write with compare-and-swap, retried until it wins.
                            let current = cache.get_string("counter").unwrap_or_default();
                            let next = (current.parse::<u64>().unwrap_or(0) + 1).to_string();
                            let op = CacheOp::SetIf {
                                value: next.into_bytes(),
                                ttl: Duration::from_secs(60),
                                condition: SetCondition::Equal(current.into_bytes()),
                            };
                            if cache.execute("t", b"counter".to_vec(), op)
                                == Ok(CacheOutcome::Stored)
                            {
                                won += 1;
                            }
                        }
                        attempts
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().unwrap()).sum()
        });
        let expected = threads * per_thread;
        assert_eq!(cache.get_string("counter"), Some(expected.to_string()));
        assert!(
            attempts >= expected,
            "{attempts} attempts for {expected} wins"
        );
    }
}
