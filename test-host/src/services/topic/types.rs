//! The public vocabulary of topics: limits, errors, messages, recorded publishes.

use std::borrow::Cow;
use std::fmt;
use std::time::SystemTime;

/// Limits the topics of the test host enforce.
///
/// ```
/// use momento_functions_test_host::TopicLimits;
///
/// let limits = TopicLimits::default().with_subscriber_backlog(16);
/// assert_eq!(limits.max_message_bytes, 4096);
/// assert_eq!(limits.subscriber_backlog, 16);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TopicLimits {
    /// Largest message in bytes (default 4 KiB, Momento's documented payload limit). Larger:
    /// `limit-exceeded`.
    pub max_message_bytes: usize,
    /// Longest topic name in bytes (default 64 KiB, a bound of the test host; Momento documents none).
    /// Longer: `limit-exceeded`.
    pub max_name_bytes: usize,
    /// Messages a subscriber may have waiting (default 10,000). When a subscriber falls further behind,
    /// its oldest waiting message is dropped and counted ([`TopicSubscription::dropped`]).
    ///
    /// [`TopicSubscription::dropped`]: crate::TopicSubscription::dropped
    pub subscriber_backlog: usize,
}

impl Default for TopicLimits {
    fn default() -> Self {
        TopicLimits {
            max_message_bytes: 4096,
            max_name_bytes: 64 << 10,
            subscriber_backlog: 10_000,
        }
    }
}

impl TopicLimits {
    /// Set the largest message in bytes.
    pub fn with_max_message_bytes(mut self, bytes: usize) -> Self {
        self.max_message_bytes = bytes;
        self
    }

    /// Set the longest topic name in bytes.
    pub fn with_max_name_bytes(mut self, bytes: usize) -> Self {
        self.max_name_bytes = bytes;
        self
    }

    /// Set how many messages a subscriber may have waiting (at least 1).
    pub fn with_subscriber_backlog(mut self, messages: usize) -> Self {
        self.subscriber_backlog = messages.max(1);
        self
    }
}

/// An error a publish is answered with: the host-side mirror of the published `topic.error`. Tests
/// inject them with [`TopicsMock::fail_next`](crate::TopicsMock::fail_next) and
/// [`TopicsMock::fail_topic`](crate::TopicsMock::fail_topic). The message of
/// [`Timeout`](TopicError::Timeout), [`Internal`](TopicError::Internal) and
/// [`RequestCancelled`](TopicError::RequestCancelled) stays in the host (their published variants carry
/// none).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TopicError {
    /// An argument is not valid, e.g. an empty topic name.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// A message or name is over the limits.
    #[error("limit exceeded: {0}")]
    LimitExceeded(String),
    /// The topic did not answer in time.
    #[error("timeout: {0}")]
    Timeout(String),
    /// The function may not publish there.
    #[error("permission denied: {0}")]
    PermissionDenied(String),
    /// Not in the state the operation needs.
    #[error("failed precondition: {0}")]
    FailedPrecondition(String),
    /// The cache of the topic does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The request was cancelled.
    #[error("request cancelled: {0}")]
    RequestCancelled(String),
    /// The service failed on its side.
    #[error("internal error: {0}")]
    Internal(String),
}

/// What a message carries: text (`publish`) or bytes (`publish-bytes`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TopicValue {
    /// Published with `publish`.
    Text(String),
    /// Published with `publish-bytes`.
    Binary(Vec<u8>),
}

impl TopicValue {
    /// The message's bytes (text as UTF-8).
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            TopicValue::Text(text) => text.as_bytes(),
            TopicValue::Binary(bytes) => bytes,
        }
    }

    /// The text of a text message.
    pub fn text(&self) -> Option<&str> {
        match self {
            TopicValue::Text(text) => Some(text),
            TopicValue::Binary(_) => None,
        }
    }

    /// The message as text: a text message as it is, bytes as lossy UTF-8.
    pub fn to_text(&self) -> Cow<'_, str> {
        match self {
            TopicValue::Text(text) => Cow::Borrowed(text),
            TopicValue::Binary(bytes) => String::from_utf8_lossy(bytes),
        }
    }

    /// Size in bytes.
    pub fn len(&self) -> usize {
        self.as_bytes().len()
    }

    /// Is the message empty?
    pub fn is_empty(&self) -> bool {
        self.as_bytes().is_empty()
    }
}

/// Who put a message on a topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MessageOrigin {
    /// The function published it (`publish`, `publish-bytes`).
    Publish,
    /// A log line of the function, sent to a topic destination of `configure-logging`.
    FunctionLog,
    /// A system log line about the invocation (stdout, stderr, host notes), sent to a topic
    /// destination of `configure-logging`.
    SystemLog,
}

/// One message as a subscriber receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TopicMessage {
    /// The topic.
    pub topic: String,
    /// What it carries.
    pub value: TopicValue,
    /// Who put it there.
    pub origin: MessageOrigin,
    /// The invocation that published it.
    pub invocation_id: String,
    /// Its place in the host's order of messages (1, 2, …, across all topics).
    pub sequence: u64,
    /// When it was published, by the host's clock.
    pub published_at: SystemTime,
}

impl TopicMessage {
    /// The message as text (lossy UTF-8 for bytes).
    pub fn text(&self) -> Cow<'_, str> {
        self.value.to_text()
    }
}

/// One publish the function made, in order, with what it was answered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TopicCall {
    /// The invocation that made the call.
    pub invocation_id: String,
    /// The topic.
    pub topic: String,
    /// The message.
    pub value: TopicValue,
    /// What the topic answered.
    pub result: Result<(), TopicError>,
}

/// One line, e.g. `publish chat (text, 5 bytes) → ok` or `publish_bytes big (5000 bytes) → error: ...`.
impl fmt::Display for TopicCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            TopicValue::Text(text) => {
                write!(f, "publish {} (text, {} bytes)", self.topic, text.len())?
            }
            TopicValue::Binary(bytes) => {
                write!(f, "publish_bytes {} ({} bytes)", self.topic, bytes.len())?;
            }
        }
        match &self.result {
            Ok(()) => write!(f, " → ok"),
            Err(error) => write!(f, " → error: {error}"),
        }
    }
}
