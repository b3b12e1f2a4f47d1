//! [`Clock`]: the host's notion of time — real, or a test clock that moves only when told to.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The clock of a host: cache expiry and the function's `SystemTime`/`Instant` read it.
///
/// - [`Clock::system`] (the default): real time.
/// - [`Clock::manual`] (or [`TestHostBuilder::test_clock`](crate::TestHostBuilder::test_clock)): a test
///   clock that stands still until [`advance`](Clock::advance)d, so a TTL can be expired without waiting.
///   The function sees it too: `SystemTime::now()` returns the clock's time and `Instant` measures the
///   clock's elapsed time (WASI `wall-clock` and `monotonic-clock`).
///
/// Cheap to clone; clones share the time.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use momento_functions_test_host::Clock;
///
/// let clock = Clock::manual(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
/// let start = clock.elapsed();
/// clock.advance(Duration::from_secs(90));
/// assert_eq!(clock.elapsed() - start, Duration::from_secs(90));
/// assert_eq!(clock.now(), UNIX_EPOCH + Duration::from_secs(1_700_000_090));
/// ```
#[derive(Clone)]
pub struct Clock {
    inner: Arc<Inner>,
}

enum Inner {
    System { origin: Instant },
    Manual(Mutex<Manual>),
}

#[derive(Debug, Clone, Copy)]
struct Manual {
    /// Wall-clock time since the Unix epoch.
    wall: Duration,
    /// Monotonic time since the clock was made.
    elapsed: Duration,
}

impl Clock {
    /// Real time.
    pub fn system() -> Clock {
        Clock {
            inner: Arc::new(Inner::System {
                origin: Instant::now(),
            }),
        }
    }

    /// A test clock standing at `start` until advanced. A `start` before the Unix epoch is taken as the epoch.
    pub fn manual(start: SystemTime) -> Clock {
        let wall = start.duration_since(UNIX_EPOCH).unwrap_or_default();
        Clock {
            inner: Arc::new(Inner::Manual(Mutex::new(Manual {
                wall,
                elapsed: Duration::ZERO,
            }))),
        }
    }

    /// Is this a test clock?
    pub fn is_manual(&self) -> bool {
        matches!(*self.inner, Inner::Manual(_))
    }

    fn manual_state(&self) -> Option<Manual> {
        match &*self.inner {
            Inner::System { .. } => None,
            Inner::Manual(state) => Some(*state.lock().unwrap_or_else(PoisonError::into_inner)),
        }
    }

    /// The current wall-clock time.
    pub fn now(&self) -> SystemTime {
        match self.manual_state() {
            None => SystemTime::now(),
            Some(state) => UNIX_EPOCH + state.wall,
        }
    }

    /// Monotonic time since the clock was made (for a test clock: the sum of all advances).
    pub fn elapsed(&self) -> Duration {
        match &*self.inner {
            Inner::System { origin } => origin.elapsed(),
            Inner::Manual(state) => state.lock().unwrap_or_else(PoisonError::into_inner).elapsed,
        }
    }

    /// Move a test clock forward by `by`: both its wall-clock time and its monotonic time.
    ///
    /// # Panics
    /// On the system clock, which cannot be moved: build the host with
    /// [`TestHostBuilder::test_clock`](crate::TestHostBuilder::test_clock) to get a test clock.
    pub fn advance(&self, by: Duration) {
        match &*self.inner {
            Inner::System { .. } => panic!(
                "Clock::advance on the system clock: build the host with `.test_clock()` (or \
                 `.clock(Clock::manual(..))`) to control time in tests"
            ),
            Inner::Manual(state) => {
                let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
                state.wall = state.wall.saturating_add(by);
                state.elapsed = state.elapsed.saturating_add(by);
            }
        }
    }

    /// The WASI clocks the function sees: `None` for the system clock (WASI's own defaults).
    pub(crate) fn wasi_clocks(&self) -> Option<(WasiWallClock, WasiMonotonicClock)> {
        self.is_manual().then(|| {
            (
                WasiWallClock(self.clone()),
                WasiMonotonicClock(self.clone()),
            )
        })
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.manual_state() {
            None => f.write_str("Clock::System"),
            Some(state) => f
                .debug_struct("Clock::Manual")
                .field("since_epoch", &state.wall)
                .field("elapsed", &state.elapsed)
                .finish(),
        }
    }
}

/// `wasi:clocks/wall-clock` backed by a test clock.
pub(crate) struct WasiWallClock(Clock);

impl wasmtime_wasi::HostWallClock for WasiWallClock {
    fn resolution(&self) -> Duration {
        Duration::from_nanos(1)
    }

    fn now(&self) -> Duration {
        self.0.now().duration_since(UNIX_EPOCH).unwrap_or_default()
    }
}

/// `wasi:clocks/monotonic-clock` backed by a test clock (nanoseconds since the clock was made).
pub(crate) struct WasiMonotonicClock(Clock);

impl wasmtime_wasi::HostMonotonicClock for WasiMonotonicClock {
    fn resolution(&self) -> u64 {
        1
    }

    fn now(&self) -> u64 {
        u64::try_from(self.0.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmtime_wasi::{HostMonotonicClock, HostWallClock};

    #[test]
    fn a_manual_clock_stands_still_until_advanced() {
        let clock = Clock::manual(UNIX_EPOCH + Duration::from_secs(100));
        assert!(clock.is_manual());
        assert_eq!(clock.now(), UNIX_EPOCH + Duration::from_secs(100));
        assert_eq!(clock.elapsed(), Duration::ZERO);
        let shared = clock.clone();
        shared.advance(Duration::from_millis(1500));
        assert_eq!(clock.elapsed(), Duration::from_millis(1500));
        assert_eq!(clock.now(), UNIX_EPOCH + Duration::from_millis(101_500));
    }

    #[test]
    fn wasi_views_follow_the_manual_clock() {
        let clock = Clock::manual(UNIX_EPOCH + Duration::from_secs(7));
        let (wall, mono) = clock.wasi_clocks().expect("a manual clock has WASI clocks");
        assert_eq!(wall.now(), Duration::from_secs(7));
        assert_eq!(mono.now(), 0);
        clock.advance(Duration::from_nanos(42));
        assert_eq!(mono.now(), 42);
        assert_eq!(wall.now(), Duration::from_nanos(7_000_000_042));
    }

    #[test]
    fn the_system_clock_uses_wasi_defaults() {
        let clock = Clock::system();
        assert!(!clock.is_manual());
        assert!(clock.wasi_clocks().is_none());
    }

    #[test]
    #[should_panic(expected = "build the host with `.test_clock()`")]
    fn the_system_clock_cannot_be_advanced() {
        Clock::system().advance(Duration::from_secs(1));
    }

    #[test]
    fn a_start_before_the_epoch_is_the_epoch() {
        let clock = Clock::manual(UNIX_EPOCH - Duration::from_secs(5));
        assert_eq!(clock.now(), UNIX_EPOCH);
    }
}
