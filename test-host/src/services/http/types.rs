//! The public vocabulary of the HTTP service: routes, mock responses, recorded calls, errors, real-mode settings.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

/// An error an outbound request gets instead of a response: the host-side mirror of the published
/// `momento:http` `error` (1.1.0). Mock routes answer with one via [`MockResponse::error`]; recorded calls
/// carry them. Functions built against `momento:http@1.0.0` or the older generation, whose `error` has fewer
/// cases, receive the newer cases as `request-error` with the same text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HttpError {
    /// The host failed on its side (the message stays in the host: the published case carries none).
    #[error("internal error: {0}")]
    InternalError(String),
    /// The request failed in a way the other cases do not name (e.g. an invalid method).
    #[error("request error: {0}")]
    RequestError(String),
    /// The URL is not an absolute `http` or `https` URL with a host.
    #[error("invalid URL {url:?}: {error}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        error: String,
    },
    /// A header name is not valid.
    #[error("invalid header name {header:?}: {error}")]
    InvalidHeaderName {
        /// The name as given.
        header: String,
        /// What is wrong with it.
        error: String,
    },
    /// A header value is not valid.
    #[error("invalid header value {value:?}: {error}")]
    InvalidHeaderValue {
        /// The value as given.
        value: String,
        /// What is wrong with it.
        error: String,
    },
    /// The whole request took longer than allowed.
    #[error("timed out: {0}")]
    Timeout(String),
    /// No connection within the connect timeout.
    #[error("connect timeout: {0}")]
    ConnectTimeout(String),
    /// No connection at all (name resolution or TCP connect failed).
    #[error("connection failed: {0}")]
    ConnectionFailed(String),
    /// The connection broke while the request was under way.
    #[error("connection interrupted: {0}")]
    ConnectionInterrupted(String),
    /// TLS handshake or certificate validation failed.
    #[error("TLS error: {0}")]
    TlsError(String),
    /// Too many redirects.
    #[error("too many redirects: {0}")]
    TooManyRedirects(String),
    /// A response came but its body could not be read or decoded (e.g. over the size limit).
    #[error("malformed response: {0}")]
    MalformedResponse(String),
}

/// How the host signs an outbound request (the published `authorization`), as recorded. The secret key is
/// never recorded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum HttpAuthorization {
    /// Not signed.
    #[default]
    None,
    /// SigV4 with these keys.
    SigV4 {
        /// The access key id.
        access_key_id: String,
        /// The region signed for.
        region: String,
        /// The service signed for, e.g. `dynamodb`.
        service: String,
    },
    /// SigV4 with the credentials of a role the host assumes.
    Federated {
        /// The role.
        role_arn: String,
        /// The service signed for.
        service: String,
    },
}

/// How a route matches the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UrlMatch {
    Exact,
    Prefix,
}

/// How a route matches the body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum BodyMatch {
    Bytes(Vec<u8>),
    Json(serde_json::Value),
}

/// A mock HTTP route: which outbound requests it answers, and with what.
///
/// A route matches on method (any, if made with [`any`](HttpRoute::any)), URL (exactly, or as a
/// [`prefix`](HttpRoute::prefix)), and optionally on [headers](HttpRoute::header) and the
/// [body](HttpRoute::body). It answers with its [responses](HttpRoute::respond) in order, repeating the
/// last one (200 with an empty body if none is given). [`expect`](HttpRoute::expect) sets how many calls
/// [`HttpMock::verify`](crate::HttpMock::verify) requires.
///
/// ```
/// use momento_functions_test_host::{HttpRoute, MockResponse};
///
/// let route = HttpRoute::post("https://api.example.com/v1/")
///     .prefix()
///     .header("authorization", "Bearer test-token")
///     .json_body(serde_json::json!({"item": "tea"}))
///     .respond(MockResponse::new(503))
///     .respond(MockResponse::ok().json(serde_json::json!({"id": 7})))
///     .expect(2);
/// assert_eq!(route.to_string(), "POST https://api.example.com/v1/* [header authorization, JSON body] (expects 2 calls)");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct HttpRoute {
    pub(crate) method: Option<String>,
    pub(crate) url: String,
    url_match: UrlMatch,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Option<BodyMatch>,
    pub(crate) responses: Vec<MockResponse>,
    pub(crate) expected_calls: Option<usize>,
}

impl HttpRoute {
    /// A route for `method` (case-insensitive) and exactly `url`.
    pub fn new(method: impl Into<String>, url: impl Into<String>) -> Self {
        HttpRoute {
            method: Some(method.into().to_ascii_uppercase()),
            url: url.into(),
            url_match: UrlMatch::Exact,
            headers: Vec::new(),
            body: None,
            responses: Vec::new(),
            expected_calls: None,
        }
    }

    /// A route for any method and exactly `url`.
    pub fn any(url: impl Into<String>) -> Self {
        HttpRoute {
            method: None,
            ..HttpRoute::new("", url)
        }
    }

    /// `GET url`.
    pub fn get(url: impl Into<String>) -> Self {
        HttpRoute::new("GET", url)
    }

    /// `POST url`.
    pub fn post(url: impl Into<String>) -> Self {
        HttpRoute::new("POST", url)
    }

    /// `PUT url`.
    pub fn put(url: impl Into<String>) -> Self {
        HttpRoute::new("PUT", url)
    }

    /// `PATCH url`.
    pub fn patch(url: impl Into<String>) -> Self {
        HttpRoute::new("PATCH", url)
    }

    /// `DELETE url`.
    pub fn delete(url: impl Into<String>) -> Self {
        HttpRoute::new("DELETE", url)
    }

    /// Match every URL that starts with the route's URL (query strings included).
    pub fn prefix(mut self) -> Self {
        self.url_match = UrlMatch::Prefix;
        self
    }

    /// Require a header with this name (case-insensitive) and exactly this value.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Require exactly this body.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = Some(BodyMatch::Bytes(body.into()));
        self
    }

    /// Require a JSON body equal to `value` (whitespace and key order do not matter).
    pub fn json_body(mut self, value: serde_json::Value) -> Self {
        self.body = Some(BodyMatch::Json(value));
        self
    }

    /// Append a response to the route's sequence: the first call gets the first response, and so on; the
    /// last one repeats.
    pub fn respond(mut self, response: MockResponse) -> Self {
        self.responses.push(response);
        self
    }

    /// Require exactly `calls` calls to this route when [`HttpMock::verify`](crate::HttpMock::verify) runs.
    pub fn expect(mut self, calls: usize) -> Self {
        self.expected_calls = Some(calls);
        self
    }

    pub(crate) fn matches_url(&self, url: &str) -> bool {
        match self.url_match {
            UrlMatch::Exact => url == self.url,
            UrlMatch::Prefix => url.starts_with(&self.url),
        }
    }

    /// The response for the `hit`-th call (0-based).
    pub(crate) fn response_for(&self, hit: usize) -> MockResponse {
        self.responses
            .get(hit.min(self.responses.len().saturating_sub(1)))
            .cloned()
            .unwrap_or_else(MockResponse::ok)
    }
}

/// `METHOD url[*] [conditions] (expects N calls)`, as in mismatch reports.
impl fmt::Display for HttpRoute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let method = self.method.as_deref().unwrap_or("ANY");
        let star = if self.url_match == UrlMatch::Prefix {
            "*"
        } else {
            ""
        };
        write!(f, "{method} {}{star}", self.url)?;
        let mut conditions: Vec<String> = self
            .headers
            .iter()
            .map(|(name, _)| format!("header {name}"))
            .collect();
        match &self.body {
            Some(BodyMatch::Bytes(body)) => {
                conditions.push(format!("body of {} bytes", body.len()))
            }
            Some(BodyMatch::Json(_)) => conditions.push("JSON body".to_owned()),
            None => {}
        }
        if !conditions.is_empty() {
            write!(f, " [{}]", conditions.join(", "))?;
        }
        if let Some(calls) = self.expected_calls {
            write!(
                f,
                " (expects {calls} call{})",
                if calls == 1 { "" } else { "s" }
            )?;
        }
        Ok(())
    }
}

/// What a mock route answers: a response (status, headers, body) or an [`HttpError`].
///
/// ```
/// use momento_functions_test_host::{HttpError, MockResponse};
///
/// let ok = MockResponse::ok().header("etag", "\"v1\"").body("hello");
/// let created = MockResponse::new(201).json(serde_json::json!({"id": 7}));
/// let down = MockResponse::error(HttpError::ConnectionFailed("connection refused".into()));
/// let slow = MockResponse::timeout();
/// # let _ = (ok, created, down, slow);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockResponse {
    pub(crate) result: Result<MockReply, HttpError>,
}

/// A mock response's status, headers and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MockReply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl MockResponse {
    /// A response with `status` and no headers or body.
    pub fn new(status: u16) -> Self {
        MockResponse {
            result: Ok(MockReply {
                status,
                headers: Vec::new(),
                body: Vec::new(),
            }),
        }
    }

    /// `200 OK`.
    pub fn ok() -> Self {
        MockResponse::new(200)
    }

    /// Answer with `error` instead of a response (e.g. to test the function's error handling).
    pub fn error(error: HttpError) -> Self {
        MockResponse { result: Err(error) }
    }

    /// A timeout, as when the upstream does not answer in time.
    pub fn timeout() -> Self {
        MockResponse::error(HttpError::Timeout(
            "mock route answered with a timeout".to_owned(),
        ))
    }

    /// A connection failure, as when the upstream is down.
    pub fn connect_error() -> Self {
        MockResponse::error(HttpError::ConnectionFailed(
            "mock route answered with a connection failure".to_owned(),
        ))
    }

    /// Add a header (no effect on an error).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        if let Ok(reply) = &mut self.result {
            reply.headers.push((name.into(), value.into()));
        }
        self
    }

    /// Set the body (no effect on an error).
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        if let Ok(reply) = &mut self.result {
            reply.body = body.into();
        }
        self
    }

    /// Set a JSON body and `content-type: application/json` (no effect on an error).
    pub fn json(self, value: serde_json::Value) -> Self {
        self.header("content-type", "application/json")
            .body(value.to_string())
    }
}

/// What an outbound request got.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HttpOutcome {
    /// A response with this status (from a mock route or the network).
    Response {
        /// The status code.
        status: u16,
    },
    /// An error instead of a response.
    Error(HttpError),
    /// In mock mode, no route matched: the invocation failed.
    Unmatched,
    /// Answered by the test host's in-memory AWS service (an AWS endpoint URL no mock route matched).
    Aws {
        /// The status of the answer.
        status: u16,
    },
}

/// One outbound request the function made, as it made it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpCall {
    /// The invocation that made it.
    pub invocation_id: String,
    /// The method.
    pub method: String,
    /// The URL.
    pub url: String,
    /// The headers, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: bytes::Bytes,
    /// How the host was asked to sign it.
    pub authorization: HttpAuthorization,
    /// The timeout the function asked for (`invoke-with-timeout`), if any.
    pub timeout: Option<Duration>,
    /// Index of the mock route that answered (in the order routes were added), if one did.
    pub route: Option<usize>,
    /// What it got.
    pub outcome: HttpOutcome,
}

impl HttpCall {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text (lossy UTF-8).
    pub fn body_str(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// The body deserialized from JSON.
    ///
    /// # Errors
    /// When the body is not JSON of type `T`.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }

    /// The response status, if it got a response.
    pub fn status(&self) -> Option<u16> {
        match self.outcome {
            HttpOutcome::Response { status } | HttpOutcome::Aws { status } => Some(status),
            _ => None,
        }
    }
}

/// One line, e.g. `GET https://api.example.com/items/1 → 200`.
impl fmt::Display for HttpCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.url)?;
        match &self.outcome {
            HttpOutcome::Response { status } => write!(f, " → {status}"),
            HttpOutcome::Error(error) => write!(f, " → error: {error}"),
            HttpOutcome::Unmatched => write!(f, " → unmatched"),
            HttpOutcome::Aws { status } => write!(f, " → {status} (in-memory AWS)"),
        }
    }
}

/// Settings of the real outbound client ([`TestHostBuilder::real_http`](crate::TestHostBuilder::real_http)).
///
/// Every request is also bounded by the invocation's remaining deadline.
///
/// ```
/// use std::time::Duration;
/// use momento_functions_test_host::RealHttpConfig;
///
/// let config = RealHttpConfig::default().with_timeout(Duration::from_secs(3));
/// assert_eq!(config.connect_timeout, Duration::from_secs(2));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RealHttpConfig {
    /// Time to establish a connection, TLS included (default 2 s).
    pub connect_timeout: Duration,
    /// Time for a whole request when the function sets no timeout (default 10 s).
    pub timeout: Duration,
    /// Largest response body accepted (default 10 MiB); larger: `malformed-response`.
    pub max_response_bytes: usize,
    /// Idle keep-alive connections kept per host (default 16).
    pub max_idle_connections_per_host: usize,
}

impl Default for RealHttpConfig {
    fn default() -> Self {
        RealHttpConfig {
            connect_timeout: Duration::from_secs(2),
            timeout: Duration::from_secs(10),
            max_response_bytes: 10 << 20,
            max_idle_connections_per_host: 16,
        }
    }
}

impl RealHttpConfig {
    /// Set the connect timeout.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Set the default whole-request timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Set the largest response body accepted.
    pub fn with_max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }
}

/// Mock routes whose call count differs from what they [`expect`](HttpRoute::expect)ed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("HTTP mock expectations not met:\n{}", .failures.join("\n"))]
#[non_exhaustive]
pub struct UnmetExpectations {
    /// One line per route, e.g. `route [0] GET https://x/ (expects 2 calls): called 1 time`.
    pub failures: Vec<String>,
}
