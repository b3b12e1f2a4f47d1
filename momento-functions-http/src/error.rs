//! The one error type of the HTTP client.

use momento_functions_host::wit::momento::functions::http as wit;

/// Why an outbound request failed.
///
/// A response with an error status (4xx, 5xx) is a [`Response`](crate::Response), not an error, until
/// you ask for one with [`Response::error_for_status`](crate::Response::error_for_status).
///
/// In a handler, `?` turns it into an error response with a fitting status (see `momento-functions`):
/// [`Connect`](Error::Connect), [`RequestFailed`](Error::RequestFailed), [`Status`](Error::Status) and
/// bad upstream bodies 502, [`Timeout`](Error::Timeout) 504, the function's own mistakes (invalid URL,
/// method or header, unserializable body) 500.
///
/// ```
/// use momento_functions_http::Error;
///
/// fn retryable(error: &Error) -> bool {
///     matches!(error, Error::Connect(_) | Error::Timeout(_))
///         || matches!(error, Error::Status { status, .. } if *status >= 500)
/// }
/// assert!(retryable(&Error::Timeout("no response within 2s".into())));
/// assert!(!retryable(&Error::InvalidUrl("relative URL".into())));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The URL is not an absolute `http` or `https` URL.
    #[error("invalid URL: {0}")]
    InvalidUrl(String),
    /// The method is not a valid HTTP method token.
    #[error("invalid HTTP method: {0}")]
    InvalidMethod(String),
    /// A header name or value is not valid.
    #[error("invalid header: {0}")]
    InvalidHeader(String),
    /// No connection could be made (refused, unknown host, TLS failure).
    #[error("cannot connect: {0}")]
    Connect(String),
    /// The request ran out of time.
    #[error("request timed out: {0}")]
    Timeout(String),
    /// The request failed after connecting (reset, protocol error, response too large).
    #[error("request failed: {0}")]
    RequestFailed(String),
    /// The response has an error status (from [`Response::error_for_status`](crate::Response::error_for_status)).
    #[error("{url} answered with status {status}{}", if .body.is_empty() { String::new() } else { format!(": {}", .body) })]
    Status {
        /// The status code (400..=599).
        status: u16,
        /// The URL requested.
        url: String,
        /// The start of the response body, as lossy UTF-8 (at most 256 characters).
        body: String,
    },
    /// [`Request::json`](crate::Request::json) could not serialize the body.
    #[error("cannot serialize the request body as JSON")]
    SerializeJson(#[source] serde_json::Error),
    /// [`Response::json`](crate::Response::json) found a body that is not JSON of the expected type.
    #[error("the response body is not JSON of the expected type")]
    DeserializeJson(#[source] serde_json::Error),
    /// [`Response::text`](crate::Response::text) found a body that is not UTF-8.
    #[error("the response body is not UTF-8 text")]
    Utf8(#[source] std::str::Utf8Error),
}

impl From<wit::Error> for Error {
    fn from(error: wit::Error) -> Self {
        match error {
            wit::Error::InvalidUrl(m) => Error::InvalidUrl(m),
            wit::Error::InvalidMethod(m) => Error::InvalidMethod(m),
            wit::Error::InvalidHeader(m) => Error::InvalidHeader(m),
            wit::Error::Connect(m) => Error::Connect(m),
            wit::Error::Timeout(m) => Error::Timeout(m),
            wit::Error::RequestFailed(m) => Error::RequestFailed(m),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wit_errors_keep_their_kind_and_message() {
        let error = Error::from(wit::Error::Connect("connection refused".into()));
        assert!(matches!(&error, Error::Connect(m) if m == "connection refused"));
        assert_eq!(error.to_string(), "cannot connect: connection refused");
        assert!(matches!(
            Error::from(wit::Error::InvalidHeader("x".into())),
            Error::InvalidHeader(_)
        ));
    }

    #[test]
    fn status_errors_show_url_status_and_body() {
        let error = Error::Status {
            status: 503,
            url: "https://api.example.com/x".into(),
            body: "try later".into(),
        };
        assert_eq!(
            error.to_string(),
            "https://api.example.com/x answered with status 503: try later"
        );
        let error = Error::Status {
            status: 404,
            url: "u".into(),
            body: String::new(),
        };
        assert_eq!(error.to_string(), "u answered with status 404");
    }
}
