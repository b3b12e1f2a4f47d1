//! Publishing to topics of the function's cache (Momento's `momento:topic`): text, bytes or JSON.
//!
//! Every subscriber of a topic (a browser, a service, another function's client) receives what is
//! published after it subscribed; nothing is kept for topics nobody listens to. Messages are small
//! (Momento accepts up to 4 KB per message).
//!
//! ```no_run
//! use momento_functions_host::topics;
//!
//! # fn f() -> Result<(), topics::Error> {
//! topics::publish("orders", "order 42 shipped")?;
//! topics::publish_bytes("frames", vec![0u8, 1, 2])?;
//!
//! #[derive(serde::Serialize)]
//! struct Shipped { order: u32 }
//! topics::publish_json("orders", &Shipped { order: 42 })?;
//! # Ok(()) }
//! ```
//!
//! The test host delivers publishes to `TestHost::topics().subscribe(..)` in tests and streams them to
//! browsers from `serve` (`GET /_momento/topics/{name}`).

use crate::Data;
use crate::wit::momento::topic::topic as wit;

/// Why a publish failed.
///
/// The first eight variants are the platform's (`momento:topic`'s `error`); the last is the client's own.
/// In a `momento-functions` handler, `?` turns it into an error response: invalid argument and JSON
/// serialization 400, limit exceeded 413, permission denied 403, not found 404, timeout 504, the others
/// 500.
///
/// ```
/// use momento_functions_host::topics::Error;
///
/// let error = Error::LimitExceeded("the message is 5000 bytes".into());
/// assert_eq!(error.to_string(), "topic limit exceeded: the message is 5000 bytes");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An argument is not valid, e.g. an empty topic name.
    #[error("invalid topic argument: {0}")]
    InvalidArgument(String),
    /// The message (or the name) is over the platform's limits.
    #[error("topic limit exceeded: {0}")]
    LimitExceeded(String),
    /// The platform did not answer in time.
    #[error("the topic did not answer in time")]
    Timeout,
    /// The function may not publish there.
    #[error("topic permission denied: {0}")]
    PermissionDenied(String),
    /// Not in the state the publish needs.
    #[error("topic precondition failed: {0}")]
    FailedPrecondition(String),
    /// Something the publish needs does not exist (e.g. the cache).
    #[error("topic not found: {0}")]
    NotFound(String),
    /// The platform cancelled the request.
    #[error("the publish was cancelled")]
    RequestCancelled,
    /// The platform failed on its side.
    #[error("internal topic error")]
    Internal,
    /// [`publish_json`] could not serialize the message.
    #[error("cannot serialize the message for topic {topic} as JSON")]
    SerializeJson {
        /// The topic.
        topic: String,
        /// What serde_json said.
        #[source]
        source: serde_json::Error,
    },
}

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

/// Publish a text message to `topic`.
///
/// # Errors
/// [`Error`] when the platform refuses the message (empty topic name, message too large, …).
pub fn publish(topic: &str, message: &str) -> Result<(), Error> {
    Ok(wit::publish(topic, message)?)
}

/// Publish a binary message to `topic`. A [`Data`] the function received (e.g. a request body) is
/// handed over without being copied into the function's memory.
///
/// # Errors
/// As for [`publish`].
pub fn publish_bytes(topic: &str, message: impl Into<Data>) -> Result<(), Error> {
    Ok(wit::publish_bytes(
        topic,
        crate::wit::data_into_wit(message.into()),
    )?)
}

/// Publish `message` serialized as JSON text to `topic`.
///
/// # Errors
/// [`Error::SerializeJson`] when `message` cannot be serialized, or an [`Error`] as for [`publish`].
pub fn publish_json<T: serde::Serialize + ?Sized>(topic: &str, message: &T) -> Result<(), Error> {
    let text = serde_json::to_string(message).map_err(|source| Error::SerializeJson {
        topic: topic.to_owned(),
        source,
    })?;
    publish(topic, &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wit_errors_keep_their_kind_and_message() {
        assert!(matches!(
            Error::from(wit::Error::LimitExceeded("big".into())),
            Error::LimitExceeded(m) if m == "big"
        ));
        assert!(matches!(Error::from(wit::Error::Timeout), Error::Timeout));
        assert!(matches!(
            Error::from(wit::Error::InternalError),
            Error::Internal
        ));
        assert!(matches!(
            Error::from(wit::Error::RequestCancelled),
            Error::RequestCancelled
        ));
        assert!(matches!(
            Error::from(wit::Error::NotFound("c".into())),
            Error::NotFound(_)
        ));
        assert!(matches!(
            Error::from(wit::Error::PermissionDenied("p".into())),
            Error::PermissionDenied(_)
        ));
        assert!(matches!(
            Error::from(wit::Error::FailedPrecondition("f".into())),
            Error::FailedPrecondition(_)
        ));
        assert!(matches!(
            Error::from(wit::Error::InvalidArgument("i".into())),
            Error::InvalidArgument(_)
        ));
    }
}
