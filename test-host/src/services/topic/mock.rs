//! [`TopicsMock`]: the topics of a host, their subscribers, faults and the publish log.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant};

use super::types::{MessageOrigin, TopicCall, TopicError, TopicLimits, TopicMessage, TopicValue};
use crate::clock::Clock;
use crate::services::record::{CallLog, FaultQueue, Matcher};

/// The topics of the function's cache: what `publish` and `publish-bytes` send to, and what tests (and
/// `serve`'s topic streams) subscribe to.
///
/// A subscriber receives every message published after it subscribed, in publish order, until it is
/// dropped; nothing is kept for topics nobody subscribes to (as on Momento). Each subscriber holds at
/// most [`TopicLimits::subscriber_backlog`] waiting messages; past that its oldest is dropped and
/// counted.
///
/// ```
/// use std::time::Duration;
/// use momento_functions_test_host::{TopicError, TopicsMock};
///
/// let topics = TopicsMock::default();
/// let chat = topics.subscribe("chat");
/// assert!(chat.try_recv().is_none());
/// assert!(chat.recv_timeout(Duration::from_millis(1)).is_none());
/// topics.fail_next(1, TopicError::Timeout("injected".into()));
/// assert_eq!(topics.subscriber_count("chat"), 1);
/// ```
#[derive(Clone)]
pub struct TopicsMock {
    inner: Arc<Inner>,
}

struct Inner {
    clock: Clock,
    limits: TopicLimits,
    state: Mutex<State>,
}

/// Which publishes an injected fault answers: `fail_next` faults first, then topic faults.
#[derive(Debug, Clone, PartialEq, Eq)]
enum FaultOn {
    Next,
    Topic(String),
}

impl Matcher<str> for FaultOn {
    fn matches(&self, topic: &str) -> bool {
        match self {
            FaultOn::Next => true,
            FaultOn::Topic(t) => t == topic,
        }
    }

    fn rank(&self) -> u8 {
        match self {
            FaultOn::Next => 0,
            FaultOn::Topic(_) => 1,
        }
    }
}

/// Everything behind one lock, so that fault → delivery → record is atomic per publish and every
/// subscriber sees messages in the one order of `sequence`.
struct State {
    subscribers: HashMap<String, Vec<Weak<Queue>>>,
    calls: CallLog<TopicCall>,
    faults: FaultQueue<FaultOn, TopicError>,
    sequence: u64,
}

/// One subscriber's waiting messages.
pub(crate) struct Queue {
    state: Mutex<QueueState>,
    ready: Condvar,
    /// Wakes an async reader (`serve`'s topic stream).
    notify: tokio::sync::Notify,
    capacity: usize,
}

#[derive(Default)]
struct QueueState {
    messages: VecDeque<TopicMessage>,
    dropped: u64,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Nothing panics while holding these locks; recover from poisoning anyway rather than cascade.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Queue {
    fn push(&self, message: TopicMessage) {
        let mut state = lock(&self.state);
        if state.messages.len() >= self.capacity {
            state.messages.pop_front();
            state.dropped += 1;
        }
        state.messages.push_back(message);
        drop(state);
        self.ready.notify_all();
        self.notify.notify_one();
    }
}

/// A subscription to one topic ([`TopicsMock::subscribe`]): an ordered receiver of the messages
/// published after it was made. Dropping it unsubscribes.
///
/// ```
/// use std::time::Duration;
/// use momento_functions_test_host::TopicsMock;
///
/// let topics = TopicsMock::default();
/// let updates = topics.subscribe("updates");
/// // ... invoke a function that publishes ...
/// for message in updates.drain() {
///     println!("#{} {}", message.sequence, message.text());
/// }
/// assert_eq!(updates.dropped(), 0);
/// ```
pub struct TopicSubscription {
    topic: String,
    queue: Arc<Queue>,
}

impl std::fmt::Debug for TopicSubscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TopicSubscription")
            .field("topic", &self.topic)
            .field("waiting", &self.len())
            .field("dropped", &self.dropped())
            .finish()
    }
}

impl TopicSubscription {
    /// The topic.
    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// The next waiting message, if there is one (never waits).
    pub fn try_recv(&self) -> Option<TopicMessage> {
        lock(&self.queue.state).messages.pop_front()
    }

    /// The next message, waiting up to `timeout` for one to be published.
    pub fn recv_timeout(&self, timeout: Duration) -> Option<TopicMessage> {
        let deadline = Instant::now().checked_add(timeout);
        let mut state = lock(&self.queue.state);
        loop {
            if let Some(message) = state.messages.pop_front() {
                return Some(message);
            }
            let left = match deadline {
                Some(deadline) => deadline.checked_duration_since(Instant::now())?,
                None => Duration::from_secs(3600),
            };
            state = self
                .queue
                .ready
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Every waiting message, oldest first (never waits).
    pub fn drain(&self) -> Vec<TopicMessage> {
        lock(&self.queue.state).messages.drain(..).collect()
    }

    /// How many messages are waiting.
    pub fn len(&self) -> usize {
        lock(&self.queue.state).messages.len()
    }

    /// Are no messages waiting?
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Messages this subscriber missed because its backlog was full
    /// ([`TopicLimits::subscriber_backlog`]).
    pub fn dropped(&self) -> u64 {
        lock(&self.queue.state).dropped
    }

    /// The next message, waiting as long as it takes (for async readers: `serve`'s topic streams).
    /// Also answers with the count of messages dropped since the last call.
    #[cfg(feature = "serve")]
    pub(crate) async fn recv_async(&self) -> (TopicMessage, u64) {
        loop {
            // A publish while nobody waits leaves a permit, so none is missed between the check and
            // the wait.
            let notified = self.queue.notify.notified();
            {
                let mut state = lock(&self.queue.state);
                if let Some(message) = state.messages.pop_front() {
                    return (message, std::mem::take(&mut state.dropped));
                }
            }
            notified.await;
        }
    }
}

impl Default for TopicsMock {
    fn default() -> Self {
        TopicsMock::new(Clock::system(), TopicLimits::default(), true)
    }
}

impl std::fmt::Debug for TopicsMock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.state();
        f.debug_struct("TopicsMock")
            .field("topics with subscribers", &state.subscribers.len())
            .field("limits", &self.inner.limits)
            .finish_non_exhaustive()
    }
}

impl TopicsMock {
    /// Topics on `clock` with `limits`; `record_calls: false` keeps no publish log (for long runs).
    pub(crate) fn new(clock: Clock, limits: TopicLimits, record_calls: bool) -> TopicsMock {
        TopicsMock {
            inner: Arc::new(Inner {
                clock,
                limits,
                state: Mutex::new(State {
                    subscribers: HashMap::new(),
                    calls: CallLog::new(record_calls),
                    faults: FaultQueue::default(),
                    sequence: 0,
                }),
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.inner.state)
    }

    /// The limits publishes are held to.
    pub fn limits(&self) -> &TopicLimits {
        &self.inner.limits
    }

    // ---- the function's calls --------------------------------------------------------------------

    /// One publish of the function: fault, validation, delivery and record, atomically.
    pub(crate) fn publish(
        &self,
        invocation_id: &str,
        topic: String,
        value: TopicValue,
    ) -> Result<(), TopicError> {
        let now = self.inner.clock.now();
        let mut state = self.state();
        let result = match state.faults.take(topic.as_str()) {
            Some(error) => Err(error),
            None => self.validate(&topic, &value).map(|()| {
                Self::deliver(
                    &mut state,
                    &topic,
                    &value,
                    MessageOrigin::Publish,
                    invocation_id,
                    now,
                );
            }),
        };
        let recorded = result.clone();
        state.calls.record(|| TopicCall {
            invocation_id: invocation_id.to_owned(),
            topic,
            value,
            result: recorded,
        });
        result
    }

    /// A log line sent to a topic destination: delivered to subscribers, never failed or recorded as a
    /// publish (the function did not call `publish`).
    pub(crate) fn deliver_log_line(
        &self,
        invocation_id: &str,
        topic: &str,
        line: &str,
        origin: MessageOrigin,
    ) {
        let now = self.inner.clock.now();
        let mut state = self.state();
        Self::deliver(
            &mut state,
            topic,
            &TopicValue::Text(line.to_owned()),
            origin,
            invocation_id,
            now,
        );
    }

    fn validate(&self, topic: &str, value: &TopicValue) -> Result<(), TopicError> {
        let limits = &self.inner.limits;
        if topic.is_empty() {
            return Err(TopicError::InvalidArgument(
                "the topic name is empty".to_owned(),
            ));
        }
        if topic.len() > limits.max_name_bytes {
            return Err(TopicError::LimitExceeded(format!(
                "the topic name is {} bytes, over the {}-byte limit",
                topic.len(),
                limits.max_name_bytes
            )));
        }
        if value.len() > limits.max_message_bytes {
            return Err(TopicError::LimitExceeded(format!(
                "the message is {} bytes, over the {}-byte limit",
                value.len(),
                limits.max_message_bytes
            )));
        }
        Ok(())
    }

    fn deliver(
        state: &mut State,
        topic: &str,
        value: &TopicValue,
        origin: MessageOrigin,
        invocation_id: &str,
        now: std::time::SystemTime,
    ) {
        state.sequence += 1;
        let sequence = state.sequence;
        let Some(subscribers) = state.subscribers.get_mut(topic) else {
            return;
        };
        subscribers.retain(|weak| weak.strong_count() > 0);
        if subscribers.is_empty() {
            state.subscribers.remove(topic);
            return;
        }
        for subscriber in subscribers.iter().filter_map(Weak::upgrade) {
            subscriber.push(TopicMessage {
                topic: topic.to_owned(),
                value: value.clone(),
                origin,
                invocation_id: invocation_id.to_owned(),
                sequence,
                published_at: now,
            });
        }
    }

    // ---- subscribers -----------------------------------------------------------------------------

    /// Subscribe to `topic`: the returned subscription receives every message published to it from
    /// now on, in order, until dropped.
    pub fn subscribe(&self, topic: impl Into<String>) -> TopicSubscription {
        let topic = topic.into();
        let queue = Arc::new(Queue {
            state: Mutex::new(QueueState::default()),
            ready: Condvar::new(),
            notify: tokio::sync::Notify::new(),
            capacity: self.inner.limits.subscriber_backlog.max(1),
        });
        let mut state = self.state();
        let subscribers = state.subscribers.entry(topic.clone()).or_default();
        subscribers.retain(|weak| weak.strong_count() > 0);
        subscribers.push(Arc::downgrade(&queue));
        TopicSubscription { topic, queue }
    }

    /// How many live subscriptions `topic` has.
    pub fn subscriber_count(&self, topic: &str) -> usize {
        self.state()
            .subscribers
            .get(topic)
            .map_or(0, |subscribers| {
                subscribers.iter().filter(|w| w.strong_count() > 0).count()
            })
    }

    // ---- calls and faults ------------------------------------------------------------------------

    /// Every publish the function made, in order (also failed ones).
    pub fn calls(&self) -> Vec<TopicCall> {
        self.state().calls.snapshot()
    }

    /// The messages the function published to `topic` successfully, in order.
    pub fn published(&self, topic: &str) -> Vec<TopicValue> {
        self.state()
            .calls
            .snapshot()
            .into_iter()
            .filter(|call| call.topic == topic && call.result.is_ok())
            .map(|call| call.value)
            .collect()
    }

    /// Forget the recorded publishes.
    pub fn clear_calls(&self) {
        self.state().calls.clear();
    }

    /// Make the next `calls` publishes (any topic) fail with `error`, delivering nothing. Queued after
    /// earlier `fail_next` faults that are not used up yet.
    pub fn fail_next(&self, calls: usize, error: TopicError) {
        self.state().faults.push(FaultOn::Next, error, Some(calls));
    }

    /// Make every publish to `topic` fail with `error` until [`clear_faults`](TopicsMock::clear_faults).
    pub fn fail_topic(&self, topic: impl Into<String>, error: TopicError) {
        let topic = topic.into();
        let mut state = self.state();
        state
            .faults
            .retain(|on| *on != FaultOn::Topic(topic.clone()));
        state.faults.push(FaultOn::Topic(topic), error, None);
    }

    /// Answer matching publishes with `error`, `times` times (`None`: always), from fixtures.
    pub(crate) fn add_fault(&self, topic: Option<String>, error: TopicError, times: Option<usize>) {
        let on = topic.map_or(FaultOn::Next, FaultOn::Topic);
        self.state().faults.push(on, error, times);
    }

    /// Remove every injected fault.
    pub fn clear_faults(&self) {
        self.state().faults.clear();
    }
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use super::*;

    fn topics(backlog: usize) -> TopicsMock {
        TopicsMock::new(
            Clock::manual(UNIX_EPOCH),
            TopicLimits::default().with_subscriber_backlog(backlog),
            true,
        )
    }

    fn text(s: &str) -> TopicValue {
        TopicValue::Text(s.to_owned())
    }

    #[test]
    fn subscribers_receive_later_publishes_in_order() {
        let topics = topics(100);
        topics.publish("i0", "chat".into(), text("before")).unwrap();
        let a = topics.subscribe("chat");
        let b = topics.subscribe("chat");
        let other = topics.subscribe("other");
        for n in 0..5 {
            topics
                .publish("i1", "chat".into(), text(&n.to_string()))
                .unwrap();
        }
        topics
            .publish("i1", "chat".into(), TopicValue::Binary(vec![0, 1]))
            .unwrap();
        let received: Vec<String> = a.drain().iter().map(|m| m.text().into_owned()).collect();
        assert_eq!(received, ["0", "1", "2", "3", "4", "\u{0}\u{1}"]);
        let sequences: Vec<u64> = b.drain().iter().map(|m| m.sequence).collect();
        assert_eq!(sequences, [2, 3, 4, 5, 6, 7]);
        assert!(other.is_empty());
        assert_eq!(topics.calls().len(), 7);
        assert_eq!(topics.published("chat").len(), 7);
    }

    #[test]
    fn a_dropped_subscription_unsubscribes() {
        let topics = topics(100);
        let a = topics.subscribe("t");
        assert_eq!(topics.subscriber_count("t"), 1);
        drop(a);
        assert_eq!(topics.subscriber_count("t"), 0);
        topics.publish("i", "t".into(), text("x")).unwrap();
        assert!(topics.state().subscribers.is_empty(), "cleaned up");
    }

    #[test]
    fn a_full_backlog_drops_the_oldest_and_counts() {
        let topics = topics(3);
        let slow = topics.subscribe("t");
        for n in 0..5 {
            topics
                .publish("i", "t".into(), text(&n.to_string()))
                .unwrap();
        }
        assert_eq!(slow.dropped(), 2);
        let kept: Vec<String> = slow.drain().iter().map(|m| m.text().into_owned()).collect();
        assert_eq!(kept, ["2", "3", "4"]);
    }

    #[test]
    fn limits_and_faults_answer_errors_and_deliver_nothing() {
        let topics = topics(100);
        let sub = topics.subscribe("t");
        assert!(matches!(
            topics.publish("i", String::new(), text("x")),
            Err(TopicError::InvalidArgument(m)) if m.contains("empty")
        ));
        let big = "x".repeat(4097);
        assert!(matches!(
            topics.publish("i", "t".into(), text(&big)),
            Err(TopicError::LimitExceeded(m)) if m.contains("4097 bytes")
        ));
        assert!(
            topics
                .publish("i", "t".into(), text(&"x".repeat(4096)))
                .is_ok()
        );
        topics.fail_next(1, TopicError::Timeout("t".into()));
        topics.fail_topic("t", TopicError::PermissionDenied("no".into()));
        assert_eq!(
            topics.publish("i", "u".into(), text("a")),
            Err(TopicError::Timeout("t".into()))
        );
        assert!(matches!(
            topics.publish("i", "t".into(), text("a")),
            Err(TopicError::PermissionDenied(_))
        ));
        assert!(topics.publish("i", "u".into(), text("a")).is_ok());
        topics.clear_faults();
        assert!(topics.publish("i", "t".into(), text("a")).is_ok());
        assert_eq!(sub.drain().len(), 2);
        let lines: Vec<String> = topics.calls().iter().map(ToString::to_string).collect();
        assert_eq!(
            lines[0],
            "publish  (text, 1 bytes) → error: invalid argument: the topic name is empty"
        );
        assert_eq!(topics.published("t").len(), 2);
    }

    #[test]
    fn recv_timeout_waits_for_a_publish_from_another_thread() {
        let topics = topics(100);
        let sub = topics.subscribe("t");
        let publisher = topics.clone();
        let thread = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            publisher.publish("i", "t".into(), text("late")).unwrap();
        });
        let message = sub
            .recv_timeout(Duration::from_secs(10))
            .expect("a message");
        assert_eq!(message.text(), "late");
        thread.join().unwrap();
    }

    #[test]
    fn log_lines_reach_subscribers_without_a_publish_record() {
        let topics = topics(100);
        let sub = topics.subscribe("logs");
        topics.deliver_log_line("i", "logs", "hello", MessageOrigin::FunctionLog);
        let message = sub.try_recv().expect("delivered");
        assert_eq!(message.origin, MessageOrigin::FunctionLog);
        assert!(topics.calls().is_empty());
    }
}
