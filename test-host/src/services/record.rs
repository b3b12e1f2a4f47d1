//! The one call log and the one fault queue every service uses.
//!
//! Both are plain values that a service keeps behind its own lock, next to the state its calls change, so
//! that "fault → operation → record" is atomic per call and the log is in the order calls took effect.

/// The calls a service recorded, in order. Built off ([`CallLog::new(false)`](CallLog::new)) for long runs:
/// the history grows with every call.
#[derive(Debug, Clone)]
pub(crate) struct CallLog<C> {
    enabled: bool,
    calls: Vec<C>,
}

impl<C> Default for CallLog<C> {
    fn default() -> Self {
        CallLog::new(true)
    }
}

impl<C> CallLog<C> {
    pub(crate) fn new(enabled: bool) -> Self {
        CallLog {
            enabled,
            calls: Vec::new(),
        }
    }
}

impl<C: Clone> CallLog<C> {
    /// Record one call (unless recording is off). Building the call is deferred so that an unrecorded call
    /// costs nothing.
    pub(crate) fn record(&mut self, call: impl FnOnce() -> C) {
        if self.enabled {
            self.calls.push(call());
        }
    }

    /// A copy of the calls so far.
    pub(crate) fn snapshot(&self) -> Vec<C> {
        self.calls.clone()
    }

    pub(crate) fn clear(&mut self) {
        self.calls.clear();
    }
}

/// Which calls a fault answers, and which of several matching faults answers first (lowest rank, then the
/// earliest added).
pub(crate) trait Matcher<C: ?Sized> {
    fn matches(&self, call: &C) -> bool;
    fn rank(&self) -> u8 {
        0
    }
}

#[derive(Debug, Clone)]
struct Fault<M, E> {
    matcher: M,
    error: E,
    /// Calls left to answer; `None`: every matching call.
    remaining: Option<usize>,
}

/// Injected faults: each answers matching calls with its error, a number of times or for good.
#[derive(Debug, Clone)]
pub(crate) struct FaultQueue<M, E> {
    faults: Vec<Fault<M, E>>,
}

impl<M, E> Default for FaultQueue<M, E> {
    fn default() -> Self {
        FaultQueue { faults: Vec::new() }
    }
}

impl<M, E: Clone> FaultQueue<M, E> {
    /// Answer matching calls with `error`, `times` times (`None`: always). A fault for zero calls never
    /// fires.
    pub(crate) fn push(&mut self, matcher: M, error: E, times: Option<usize>) {
        if times != Some(0) {
            self.faults.push(Fault {
                matcher,
                error,
                remaining: times,
            });
        }
    }

    /// The error of the first matching fault (by rank, then age), used up by one.
    pub(crate) fn take<C: ?Sized>(&mut self, call: &C) -> Option<E>
    where
        M: Matcher<C>,
    {
        let index = self
            .faults
            .iter()
            .enumerate()
            .filter(|(_, fault)| fault.matcher.matches(call))
            .min_by_key(|(index, fault)| (fault.matcher.rank(), *index))
            .map(|(index, _)| index)?;
        let fault = &mut self.faults[index];
        let error = fault.error.clone();
        if let Some(remaining) = &mut fault.remaining {
            *remaining -= 1;
            if *remaining == 0 {
                self.faults.remove(index);
            }
        }
        Some(error)
    }

    /// Drop the faults whose matcher `remove` selects.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&M) -> bool) {
        self.faults.retain(|fault| keep(&fault.matcher));
    }

    pub(crate) fn clear(&mut self) {
        self.faults.clear();
    }

    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.faults.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone)]
    enum M {
        Any,
        Is(u32),
    }

    impl Matcher<u32> for M {
        fn matches(&self, call: &u32) -> bool {
            match self {
                M::Any => true,
                M::Is(n) => n == call,
            }
        }
        fn rank(&self) -> u8 {
            match self {
                M::Any => 0,
                M::Is(_) => 1,
            }
        }
    }

    #[test]
    fn faults_fire_by_rank_then_age_and_run_out() {
        let mut faults = FaultQueue::default();
        faults.push(M::Is(7), "seven", None);
        faults.push(M::Any, "any", Some(2));
        faults.push(M::Any, "never", Some(0));
        assert_eq!(faults.take(&7), Some("any"));
        assert_eq!(faults.take(&1), Some("any"));
        assert_eq!(faults.take(&7), Some("seven"));
        assert_eq!(faults.take(&7), Some("seven"));
        assert_eq!(faults.take(&1), None);
        faults.retain(|m| !matches!(m, M::Is(7)));
        assert!(faults.is_empty());
    }

    #[test]
    fn a_disabled_log_keeps_nothing_and_builds_nothing() {
        let mut log = CallLog::new(false);
        log.record(|| -> u32 { unreachable!("not built when off") });
        assert!(log.snapshot().is_empty());
        let mut log = CallLog::new(true);
        log.record(|| 1);
        log.record(|| 2);
        assert_eq!(log.snapshot(), [1, 2]);
        log.clear();
        assert!(log.snapshot().is_empty());
    }
}
