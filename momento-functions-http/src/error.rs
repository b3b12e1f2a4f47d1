//! The one error type of the HTTP client.

use momento_functions_host::wit::momento::http1_1_0::http as wit;

/// Why an outbound request failed.
///
/// A response with an error status (4xx, 5xx) is a [`Response`](crate::Response), not an error, until
/// you ask for one with [`Response::error_for_status`](crate::Response::error_for_status).
///
/// Most variants are the platform's (`momento:http`'s `error`); [`InvalidMethod`](Error::InvalidMethod),
/// [`Status`](Error::Status) and the body conversions are the client's own.
///
/// In a handler, `?` turns it into an error response with a fitting status (see `momento-functions`):
/// the upstream failing (no connection, a broken connection, TLS, redirects, a malformed response, an
/// error [`Status`](Error::Status), a body that is not what was expected) 502, a timeout 504, the
/// function's own mistakes (invalid URL, method or header, unserializable body) and the host's failure
/// 500.
///
/// ```
/// use momento_functions_http::Error;
///
/// fn retryable(error: &Error) -> bool {
///     matches!(error, Error::ConnectionFailed(_) | Error::ConnectTimeout(_) | Error::Timeout(_))
///         || matches!(error, Error::Status { status, .. } if *status >= 500)
/// }
/// assert!(retryable(&Error::Timeout("no response within 2s".into())));
/// assert!(!retryable(&Error::InvalidMethod("GE T".into())));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The URL is not one the host can request.
    #[error("invalid URL {url}: {reason}")]
    InvalidUrl {
        /// The URL.
        url: String,
        /// Why the host refused it.
        reason: String,
    },
    /// The method is not a valid HTTP method token (checked before sending).
    #[error("invalid HTTP method: {0}")]
    InvalidMethod(String),
    /// A header name is not valid.
    #[error("invalid header name {name}: {reason}")]
    InvalidHeaderName {
        /// The name.
        name: String,
        /// Why the host refused it.
        reason: String,
    },
    /// A header value is not valid.
    #[error("invalid header value {value:?}: {reason}")]
    InvalidHeaderValue {
        /// The value.
        value: String,
        /// Why the host refused it.
        reason: String,
    },
    /// The host's HTTP client failed on its side.
    #[error("the host's HTTP client failed")]
    Internal,
    /// The request failed; the message says how.
    #[error("request failed: {0}")]
    RequestFailed(String),
    /// The whole request took longer than allowed.
    #[error("request timed out: {0}")]
    Timeout(String),
    /// No connection within the connect timeout.
    #[error("connect timed out: {0}")]
    ConnectTimeout(String),
    /// No connection at all (name resolution or TCP connect failed).
    #[error("cannot connect: {0}")]
    ConnectionFailed(String),
    /// The connection broke while the request was under way, or the response body stopped arriving.
    #[error("connection interrupted: {0}")]
    ConnectionInterrupted(String),
    /// TLS handshake or certificate validation failed.
    #[error("TLS failed: {0}")]
    Tls(String),
    /// Too many redirects.
    #[error("too many redirects: {0}")]
    TooManyRedirects(String),
    /// A response came but could not be decoded.
    #[error("malformed response: {0}")]
    MalformedResponse(String),
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
            wit::Error::InternalError => Error::Internal,
            wit::Error::RequestError(m) => Error::RequestFailed(m),
            wit::Error::InvalidUrl(e) => Error::InvalidUrl {
                url: e.url,
                reason: e.error,
            },
            wit::Error::InvalidHeaderName(e) => Error::InvalidHeaderName {
                name: e.header,
                reason: e.error,
            },
            wit::Error::InvalidHeaderValue(e) => Error::InvalidHeaderValue {
                value: e.value,
                reason: e.error,
            },
            wit::Error::Timeout(m) => Error::Timeout(m),
            wit::Error::ConnectTimeout(m) => Error::ConnectTimeout(m),
            wit::Error::ConnectionFailed(m) => Error::ConnectionFailed(m),
            wit::Error::ConnectionInterrupted(m) => Error::ConnectionInterrupted(m),
            wit::Error::TlsError(m) => Error::Tls(m),
            wit::Error::TooManyRedirects(m) => Error::TooManyRedirects(m),
            wit::Error::MalformedResponse(m) => Error::MalformedResponse(m),
        }
    }
}

/// A response body that stopped arriving.
pub(crate) fn body_read(error: std::io::Error) -> Error {
    if error.kind() == std::io::ErrorKind::TimedOut {
        Error::Timeout(format!("reading the response body: {error}"))
    } else {
        Error::ConnectionInterrupted(format!("reading the response body: {error}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wit_errors_keep_their_kind_and_message() {
        let error = Error::from(wit::Error::ConnectionFailed("connection refused".into()));
        assert!(matches!(&error, Error::ConnectionFailed(m) if m == "connection refused"));
        assert_eq!(error.to_string(), "cannot connect: connection refused");
        let error = Error::from(wit::Error::InvalidHeaderValue(wit::InvalidHeaderValue {
            value: "a\nb".into(),
            error: "newline".into(),
        }));
        assert_eq!(error.to_string(), r#"invalid header value "a\nb": newline"#);
        let error = Error::from(wit::Error::InvalidUrl(wit::InvalidUrl {
            url: "ftp://x".into(),
            error: "unsupported scheme".into(),
        }));
        assert_eq!(error.to_string(), "invalid URL ftp://x: unsupported scheme");
        for (wit, expected) in [
            (wit::Error::InternalError, "the host's HTTP client failed"),
            (wit::Error::RequestError("r".into()), "request failed: r"),
            (wit::Error::Timeout("t".into()), "request timed out: t"),
            (
                wit::Error::ConnectTimeout("c".into()),
                "connect timed out: c",
            ),
            (
                wit::Error::ConnectionInterrupted("i".into()),
                "connection interrupted: i",
            ),
            (wit::Error::TlsError("s".into()), "TLS failed: s"),
            (
                wit::Error::TooManyRedirects("10".into()),
                "too many redirects: 10",
            ),
            (
                wit::Error::MalformedResponse("m".into()),
                "malformed response: m",
            ),
            (
                wit::Error::InvalidHeaderName(wit::InvalidHeaderName {
                    header: "a b".into(),
                    error: "space".into(),
                }),
                "invalid header name a b: space",
            ),
        ] {
            assert_eq!(Error::from(wit).to_string(), expected);
        }
    }

    #[test]
    fn body_read_failures_are_timeouts_or_interruptions() {
        assert!(matches!(
            body_read(std::io::ErrorKind::TimedOut.into()),
            Error::Timeout(_)
        ));
        assert!(matches!(
            body_read(std::io::Error::other("reset")),
            Error::ConnectionInterrupted(m) if m == "reading the response body: reset"
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
