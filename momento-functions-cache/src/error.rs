//! The one error type of the cache client.

use std::fmt::Write as _;

use momento_functions_host::wit::momento::cache_scalar::cache_scalar as wit;

/// Why a cache call failed. A missing item is not an error: reads return `Ok(None)`.
///
/// The first eight variants are the platform's (the `error` of `momento:cache-scalar` and of
/// `momento:cache-list`, which are alike); the others are the client's own.
///
/// In a handler, `?` turns it into an error response with a fitting status (see `momento-functions`):
/// invalid argument 400, limit exceeded 413, permission denied 403, failed precondition, not an
/// integer and overflow 409, contention 503, timeout 504, the others 500.
///
/// ```
/// use momento_functions_cache::Error;
///
/// fn describe(error: &Error) -> &'static str {
///     match error {
///         Error::Timeout | Error::Contention { .. } => "try again",
///         Error::LimitExceeded(_) => "too big",
///         _ => "failed",
///     }
/// }
/// assert_eq!(describe(&Error::Timeout), "try again");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An argument is not valid, e.g. an empty key or a zero TTL.
    #[error("invalid cache argument: {0}")]
    InvalidArgument(String),
    /// A key, value or TTL is over the cache's limits.
    #[error("cache limit exceeded: {0}")]
    LimitExceeded(String),
    /// The cache did not answer in time.
    #[error("the cache did not answer in time")]
    Timeout,
    /// The function is not allowed to do this.
    #[error("cache permission denied: {0}")]
    PermissionDenied(String),
    /// The cache is not in the state the operation needs, e.g. a list operation on a key that holds a
    /// plain value, or the other way round.
    #[error("cache precondition failed: {0}")]
    FailedPrecondition(String),
    /// Something the operation needs does not exist (e.g. the cache itself).
    #[error("cache not found: {0}")]
    NotFound(String),
    /// The platform cancelled the request.
    #[error("the cache request was cancelled")]
    RequestCancelled,
    /// The cache failed on its side.
    #[error("internal cache error")]
    Internal,
    /// A value the host handed over as a buffer stopped arriving partway.
    #[error("reading the value of cache key {key} failed")]
    ValueRead {
        /// The key, for display (lossy UTF-8, shortened).
        key: String,
        /// Why: [`std::io::ErrorKind::TimedOut`] when the invocation ran out of time.
        #[source]
        source: std::io::Error,
    },
    /// [`set_json`](crate::set_json) could not serialize the value.
    #[error("cannot serialize the value for cache key {key} as JSON")]
    SerializeJson {
        /// The key, for display (lossy UTF-8, shortened).
        key: String,
        /// What serde_json said.
        #[source]
        source: serde_json::Error,
    },
    /// [`get_json`](crate::get_json) found a value that is not JSON of the expected type.
    #[error("the value of cache key {key} is not JSON of the expected type")]
    DeserializeJson {
        /// The key, for display (lossy UTF-8, shortened).
        key: String,
        /// What serde_json said (with line and column).
        #[source]
        source: serde_json::Error,
    },
    /// [`get_string`](crate::get_string) found a value that is not UTF-8.
    #[error("the value of cache key {key} is not UTF-8 text")]
    Utf8 {
        /// The key, for display (lossy UTF-8, shortened).
        key: String,
        /// Where the bytes stop being UTF-8.
        #[source]
        source: std::string::FromUtf8Error,
    },
    /// [`increment`](crate::increment) found a value that is not a decimal integer.
    #[error("the value of cache key {key} is not an integer")]
    NotAnInteger {
        /// The key, for display (lossy UTF-8, shortened).
        key: String,
    },
    /// [`increment`](crate::increment) would leave the range of `i64`.
    #[error("incrementing cache key {key} by {amount} overflows")]
    Overflow {
        /// The key, for display (lossy UTF-8, shortened).
        key: String,
        /// The amount that did not fit.
        amount: i64,
    },
    /// [`increment`](crate::increment) lost every compare-and-set race: other invocations kept changing
    /// the value between its read and its write.
    #[error("cache key {key} kept changing: gave up after {attempts} attempts")]
    Contention {
        /// The key, for display (lossy UTF-8, shortened).
        key: String,
        /// How many read-then-write rounds were tried.
        attempts: u32,
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

/// Longest key shown in error messages, in characters.
const KEY_DISPLAY_CHARS: usize = 64;

/// A key as shown in messages: quoted, lossy UTF-8, shortened.
pub(crate) fn display_key(key: &[u8]) -> String {
    let text = String::from_utf8_lossy(key);
    let mut shown = String::with_capacity(KEY_DISPLAY_CHARS + 8);
    shown.push('`');
    for (i, c) in text.chars().enumerate() {
        if i == KEY_DISPLAY_CHARS {
            shown.push('…');
            break;
        }
        if c.is_control() {
            let _ = write!(shown, "{}", c.escape_default());
        } else {
            shown.push(c);
        }
    }
    shown.push('`');
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_quoted_escaped_and_shortened() {
        assert_eq!(display_key(b"user:1"), "`user:1`");
        assert_eq!(display_key(b"a\nb"), "`a\\nb`");
        let long = "k".repeat(100);
        let shown = display_key(long.as_bytes());
        assert!(shown.ends_with("…`"), "{shown}");
        assert_eq!(
            shown.chars().filter(|c| *c == 'k').count(),
            KEY_DISPLAY_CHARS
        );
    }

    #[test]
    fn wit_errors_keep_their_kind_and_message() {
        let error = Error::from(wit::Error::LimitExceeded("value is 2 MiB".into()));
        assert!(matches!(&error, Error::LimitExceeded(m) if m == "value is 2 MiB"));
        assert_eq!(error.to_string(), "cache limit exceeded: value is 2 MiB");
        assert!(matches!(
            Error::from(wit::Error::FailedPrecondition("x".into())),
            Error::FailedPrecondition(_)
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
            Error::from(wit::Error::NotFound("no cache".into())),
            Error::NotFound(m) if m == "no cache"
        ));
        assert!(matches!(
            Error::from(wit::Error::InvalidArgument("k".into())),
            Error::InvalidArgument(_)
        ));
        assert!(matches!(
            Error::from(wit::Error::PermissionDenied("k".into())),
            Error::PermissionDenied(_)
        ));
    }
}
