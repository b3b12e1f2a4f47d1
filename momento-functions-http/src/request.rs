//! [`Request`]: the outbound request builder.

use std::time::Duration;

use momento_functions_host::wit::momento::functions::http as wit;

use crate::{Error, Response};

/// An outbound HTTP request: method, URL, headers, body and timeout.
///
/// The builder methods never fail; a problem (such as a body that cannot be serialized) is reported by
/// [`send`](Request::send). The host validates the URL, method and headers.
///
/// ```
/// use std::time::Duration;
/// use momento_functions_http::Request;
///
/// let request = Request::new("PATCH", "https://api.example.com/items/7")
///     .header("x-request-id", "abc")
///     .body(r#"{"name":"tea"}"#)
///     .timeout(Duration::from_millis(1500));
/// assert_eq!(request.method(), "PATCH");
/// assert_eq!(request.header_value("X-Request-Id"), Some("abc"));
/// assert_eq!(request.body_bytes(), br#"{"name":"tea"}"#);
/// ```
#[derive(Debug)]
pub struct Request {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    timeout: Option<Duration>,
    json_error: Option<serde_json::Error>,
}

impl Request {
    /// A request with any method (e.g. `"GET"`, `"PROPFIND"`) to an absolute `http`/`https` URL.
    pub fn new(method: impl Into<String>, url: impl Into<String>) -> Self {
        Request {
            method: method.into(),
            url: url.into(),
            headers: Vec::new(),
            body: Vec::new(),
            timeout: None,
            json_error: None,
        }
    }

    /// A `GET` request.
    pub fn get(url: impl Into<String>) -> Self {
        Request::new("GET", url)
    }

    /// A `POST` request.
    pub fn post(url: impl Into<String>) -> Self {
        Request::new("POST", url)
    }

    /// A `PUT` request.
    pub fn put(url: impl Into<String>) -> Self {
        Request::new("PUT", url)
    }

    /// A `PATCH` request.
    pub fn patch(url: impl Into<String>) -> Self {
        Request::new("PATCH", url)
    }

    /// A `DELETE` request.
    pub fn delete(url: impl Into<String>) -> Self {
        Request::new("DELETE", url)
    }

    /// A `HEAD` request.
    pub fn head(url: impl Into<String>) -> Self {
        Request::new("HEAD", url)
    }

    /// Add a header; repeated names are kept (use [`set_header`](Request::set_header) to replace).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Set a header, replacing every header of that name (case-insensitive).
    pub fn set_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
        self.headers.push((name, value.into()));
        self
    }

    /// Add several headers.
    pub fn headers<N: Into<String>, V: Into<String>>(
        mut self,
        headers: impl IntoIterator<Item = (N, V)>,
    ) -> Self {
        for (name, value) in headers {
            self = self.header(name, value);
        }
        self
    }

    /// Set the body.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// Serialize `value` as the JSON body and set `content-type: application/json`.
    ///
    /// A value that cannot be serialized makes [`send`](Request::send) fail with [`Error::SerializeJson`].
    pub fn json<T: serde::Serialize + ?Sized>(mut self, value: &T) -> Self {
        match serde_json::to_vec(value) {
            Ok(body) => self.body = body,
            Err(error) => self.json_error = Some(error),
        }
        self.set_header("content-type", "application/json")
    }

    /// Limit the whole request (connect, send, wait, read) to `timeout`. Whole milliseconds; a fraction
    /// rounds up. The host never waits past the invocation's deadline, whatever the timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The method.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// All headers in order.
    pub fn header_list(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body.
    pub fn body_bytes(&self) -> &[u8] {
        &self.body
    }

    /// The timeout, if one is set.
    pub fn timeout_value(&self) -> Option<Duration> {
        self.timeout
    }

    /// Send the request through the host and wait for the whole response.
    ///
    /// # Errors
    /// [`Error::SerializeJson`] for a [`json`](Request::json) body that failed to serialize;
    /// [`Error::InvalidUrl`], [`Error::InvalidMethod`] or [`Error::InvalidHeader`] for a malformed request;
    /// [`Error::Connect`], [`Error::Timeout`] or [`Error::RequestFailed`] when no response arrives.
    pub fn send(self) -> Result<Response, Error> {
        if let Some(error) = self.json_error {
            return Err(Error::SerializeJson(error));
        }
        let request = wit::Request {
            method: self.method,
            url: self.url,
            headers: self
                .headers
                .into_iter()
                .map(|(name, value)| wit::Header { name, value })
                .collect(),
            body: self.body,
            timeout_ms: self.timeout.map(timeout_millis),
        };
        let response = wit::send(&request)?;
        Ok(Response::new(
            request.url,
            response.status,
            response
                .headers
                .into_iter()
                .map(|h| (h.name, h.value))
                .collect(),
            response.body,
        ))
    }
}

/// A timeout in whole milliseconds, rounding a fraction up (so a non-zero timeout never becomes zero).
fn timeout_millis(timeout: Duration) -> u64 {
    let millis = timeout.as_millis();
    let millis = if timeout.subsec_nanos().is_multiple_of(1_000_000) {
        millis
    } else {
        millis + 1
    };
    u64::try_from(millis).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_sets_body_and_replaces_content_type() {
        let request = Request::post("http://x/")
            .header("Content-Type", "text/plain")
            .json(&serde_json::json!({"a": 1}));
        assert_eq!(request.body_bytes(), br#"{"a":1}"#);
        assert_eq!(
            request.header_list(),
            &[("content-type".to_owned(), "application/json".to_owned())]
        );
    }

    #[test]
    fn unserializable_json_is_reported_by_send_without_a_host_call() {
        let mut map = std::collections::HashMap::new();
        map.insert(vec![1u8], "non-string keys cannot be JSON object keys");
        let error = Request::post("http://x/").json(&map).send().unwrap_err();
        assert!(matches!(error, Error::SerializeJson(_)), "{error:?}");
    }

    #[test]
    fn headers_repeat_and_set_header_replaces() {
        let request = Request::get("http://x/")
            .headers([("accept", "a"), ("Accept", "b")])
            .header("x", "1");
        assert_eq!(request.header_list().len(), 3);
        let request = request.set_header("ACCEPT", "c");
        assert_eq!(request.header_value("accept"), Some("c"));
        assert_eq!(request.header_list().len(), 2);
    }

    #[test]
    fn timeouts_round_up_to_milliseconds() {
        assert_eq!(timeout_millis(Duration::from_micros(1)), 1);
        assert_eq!(timeout_millis(Duration::from_secs(2)), 2000);
        assert_eq!(timeout_millis(Duration::MAX), u64::MAX);
    }
}
