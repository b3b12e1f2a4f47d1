//! The one error type of the cache client.

use std::fmt::Write as _;

use momento_functions_host::wit::momento::functions::cache as wit;

/// Why a cache call failed. A missing item is not an error: reads return `Ok(None)`.
///
/// In a handler, `?` turns it into an error response with a fitting status (see `momento-functions`):
/// invalid argument 400, limit exceeded 413, permission denied 403, failed precondition 409,
/// timeout 504, the others 500.
///
/// ```
/// use momento_functions_cache::Error;
///
/// fn describe(error: &Error) -> &'static str {
///     match error {
///         Error::Timeout(_) => "try again",
///         Error::LimitExceeded(_) => "too big",
///         _ => "failed",
///     }
/// }
/// assert_eq!(describe(&Error::Timeout("cache timed out".into())), "try again");
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
    #[error("cache timeout: {0}")]
    Timeout(String),
    /// The function is not allowed to do this.
    #[error("cache permission denied: {0}")]
    PermissionDenied(String),
    /// The item is not in the state the operation needs, e.g. incrementing a value that is not an integer.
    #[error("cache precondition failed: {0}")]
    FailedPrecondition(String),
    /// The cache failed on its side.
    #[error("internal cache error: {0}")]
    Internal(String),
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
}

impl From<wit::Error> for Error {
    fn from(error: wit::Error) -> Self {
        match error {
            wit::Error::InvalidArgument(m) => Error::InvalidArgument(m),
            wit::Error::LimitExceeded(m) => Error::LimitExceeded(m),
            wit::Error::Timeout(m) => Error::Timeout(m),
            wit::Error::PermissionDenied(m) => Error::PermissionDenied(m),
            wit::Error::FailedPrecondition(m) => Error::FailedPrecondition(m),
            wit::Error::Internal(m) => Error::Internal(m),
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
    }
}
