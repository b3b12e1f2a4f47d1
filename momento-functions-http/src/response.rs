//! [`Response`]: what an outbound request got back.

use momento_functions_host::Data;
use momento_functions_host::wit::data_from_wit;
use momento_functions_host::wit::momento::http1_1_0::http as wit;

use crate::Error;
use crate::error::body_read;

/// Characters of the body kept in [`Error::Status`].
const STATUS_BODY_CHARS: usize = 256;

/// The response to an outbound request: status, headers and the body.
///
/// The body stays on the host until the function reads it: pass it on as it is ([`into_body`], e.g. as
/// the function's own response body or a cache value), or read it ([`bytes`], [`text`], [`json`],
/// [`into_bytes`]; the first read copies it into the function's memory, later reads reuse that copy).
///
/// [`into_body`]: Response::into_body
/// [`bytes`]: Response::bytes
/// [`text`]: Response::text
/// [`json`]: Response::json
/// [`into_bytes`]: Response::into_bytes
#[derive(Debug)]
pub struct Response {
    url: String,
    status: u16,
    headers: Vec<(String, String)>,
    body: Data,
}

impl Response {
    /// A response, e.g. to test code that handles responses outside a host.
    pub fn new(
        url: impl Into<String>,
        status: u16,
        headers: Vec<(String, String)>,
        body: impl Into<Data>,
    ) -> Self {
        Response {
            url: url.into(),
            status,
            headers,
            body: body.into(),
        }
    }

    pub(crate) fn from_wit(url: String, response: wit::Response) -> Self {
        Response {
            url,
            status: response.status,
            headers: response.headers,
            body: data_from_wit(response.body),
        }
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Is the status 2xx?
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The URL that was requested.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// All headers in order.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as it is (on the host until read).
    pub fn body(&self) -> &Data {
        &self.body
    }

    /// The body's bytes, read into the function's memory on the first call.
    ///
    /// # Errors
    /// [`Error::Timeout`] or [`Error::ConnectionInterrupted`] when the body stops arriving.
    pub fn bytes(&mut self) -> Result<&[u8], Error> {
        self.body.load().map_err(body_read)
    }

    /// The body as UTF-8 text.
    ///
    /// # Errors
    /// [`Error::Utf8`] when the body is not UTF-8; as [`bytes`](Response::bytes) when it cannot be read.
    pub fn text(&mut self) -> Result<&str, Error> {
        std::str::from_utf8(self.bytes()?).map_err(Error::Utf8)
    }

    /// The body deserialized from JSON.
    ///
    /// # Errors
    /// [`Error::DeserializeJson`] when the body is not JSON of type `T`; as [`bytes`](Response::bytes)
    /// when it cannot be read.
    pub fn json<T: serde::de::DeserializeOwned>(&mut self) -> Result<T, Error> {
        serde_json::from_slice(self.bytes()?).map_err(Error::DeserializeJson)
    }

    /// The body as server-sent events, read as they are taken (see [`sse`](crate::sse)). The status is
    /// not checked: call [`error_for_status`](Response::error_for_status) first.
    pub fn events(self) -> crate::sse::Events {
        crate::sse::Events::new(self.body)
    }

    /// Take the body as it is (a host buffer is not read).
    pub fn into_body(self) -> Data {
        self.body
    }

    /// Take the body's bytes.
    ///
    /// # Errors
    /// As [`bytes`](Response::bytes).
    pub fn into_bytes(self) -> Result<Vec<u8>, Error> {
        self.body.try_into_bytes().map_err(body_read)
    }

    /// Take status, headers and body.
    pub fn into_parts(self) -> (u16, Vec<(String, String)>, Data) {
        (self.status, self.headers, self.body)
    }

    /// `Ok(self)` for a status below 400, [`Error::Status`] (with the start of the body) otherwise.
    ///
    /// # Errors
    /// [`Error::Status`] for a 4xx or 5xx status.
    pub fn error_for_status(mut self) -> Result<Self, Error> {
        if self.status < 400 {
            return Ok(self);
        }
        let start = match self.bytes() {
            Ok(bytes) => String::from_utf8_lossy(bytes)
                .chars()
                .take(STATUS_BODY_CHARS)
                .collect(),
            Err(_) => String::new(),
        };
        Err(Error::Status {
            status: self.status,
            url: self.url,
            body: start,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str) -> Response {
        Response::new(
            "http://up/",
            status,
            vec![("Content-Type".into(), "application/json".into())],
            body,
        )
    }

    #[test]
    fn reads_headers_text_and_json() {
        let mut r = response(200, r#"{"n":3}"#);
        assert!(r.is_success());
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.text().unwrap(), r#"{"n":3}"#);
        let value: serde_json::Value = r.json().unwrap();
        assert_eq!(value["n"], 3);
        assert_eq!(r.body(), br#"{"n":3}"#);
        assert_eq!(r.into_bytes().unwrap(), br#"{"n":3}"#);
    }

    #[test]
    fn bad_bodies_are_typed_errors() {
        let mut r = response(200, "not json");
        assert!(matches!(
            r.json::<serde_json::Value>(),
            Err(Error::DeserializeJson(_))
        ));
        let mut r = Response::new("u", 200, vec![], vec![0xff, 0xfe]);
        assert!(matches!(r.text(), Err(Error::Utf8(_))));
    }

    #[test]
    fn error_for_status_keeps_success_and_redirects() {
        assert!(response(204, "").error_for_status().is_ok());
        assert!(response(304, "").error_for_status().is_ok());
        match response(500, &"x".repeat(1000)).error_for_status() {
            Err(Error::Status { status, url, body }) => {
                assert_eq!(status, 500);
                assert_eq!(url, "http://up/");
                assert_eq!(body.len(), STATUS_BODY_CHARS);
            }
            other => panic!("expected a status error, got {other:?}"),
        }
    }

    #[test]
    fn parts_keep_the_body_as_data() {
        let (status, headers, body) = response(201, "made").into_parts();
        assert_eq!((status, headers.len()), (201, 1));
        assert_eq!(body, "made");
    }
}
