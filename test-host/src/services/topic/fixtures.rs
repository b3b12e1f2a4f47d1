//! The topics' fixtures section: `[topics]` limits and `[[topics.faults]]`, parsed and validated.

use serde::Deserialize;

use super::{TopicError, TopicLimits};
use crate::fixtures::{Check, FixtureError};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTopics {
    max_message_bytes: Option<usize>,
    subscriber_backlog: Option<usize>,
    #[serde(default)]
    faults: Vec<RawTopicFault>,
}

/// The error kinds a fixtures file can inject (the published `topic.error` variants).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ErrorKind {
    InvalidArgument,
    LimitExceeded,
    Timeout,
    PermissionDenied,
    FailedPrecondition,
    NotFound,
    RequestCancelled,
    Internal,
}

impl ErrorKind {
    pub(crate) fn topic_error(self, message: String) -> TopicError {
        match self {
            ErrorKind::InvalidArgument => TopicError::InvalidArgument(message),
            ErrorKind::LimitExceeded => TopicError::LimitExceeded(message),
            ErrorKind::Timeout => TopicError::Timeout(message),
            ErrorKind::PermissionDenied => TopicError::PermissionDenied(message),
            ErrorKind::FailedPrecondition => TopicError::FailedPrecondition(message),
            ErrorKind::NotFound => TopicError::NotFound(message),
            ErrorKind::RequestCancelled => TopicError::RequestCancelled(message),
            ErrorKind::Internal => TopicError::Internal(message),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTopicFault {
    error: ErrorKind,
    topic: Option<String>,
    message: Option<String>,
    times: Option<usize>,
}

/// A fault from a fixtures file: publishes to `topic` (any when `None`) fail with `error`, `times` times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TopicFaultFixture {
    pub(crate) topic: Option<String>,
    pub(crate) error: TopicError,
    pub(crate) times: Option<usize>,
}

/// The validated `[topics]` section.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TopicFixtures {
    pub(crate) limits: Option<TopicLimits>,
    pub(crate) faults: Vec<TopicFaultFixture>,
}

/// Validate `[topics]`.
pub(crate) fn validate(check: &Check<'_>, raw: RawTopics) -> Result<TopicFixtures, FixtureError> {
    let mut limits = None;
    if raw.max_message_bytes.is_some() || raw.subscriber_backlog.is_some() {
        let mut set = TopicLimits::default();
        if let Some(bytes) = raw.max_message_bytes {
            set = set.with_max_message_bytes(bytes);
        }
        if let Some(backlog) = raw.subscriber_backlog {
            if backlog == 0 {
                return Err(check.invalid("topics.subscriber_backlog", "must be at least 1"));
            }
            set = set.with_subscriber_backlog(backlog);
        }
        limits = Some(set);
    }
    let mut faults = Vec::new();
    for (i, fault) in raw.faults.into_iter().enumerate() {
        if fault.topic.as_deref() == Some("") {
            return Err(check.invalid(format!("topics.faults[{i}].topic"), "must not be empty"));
        }
        let message = fault
            .message
            .unwrap_or_else(|| "injected by the test host's fixtures".to_owned());
        faults.push(TopicFaultFixture {
            topic: fault.topic,
            error: fault.error.topic_error(message),
            times: fault.times,
        });
    }
    Ok(TopicFixtures { limits, faults })
}
