//! [`Response`]: what an outbound request got back.

use crate::Error;

/// Characters of the body kept in [`Error::Status`].
const STATUS_BODY_CHARS: usize = 256;

/// The response to an outbound request: status, headers and the whole body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    url: String,
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    pub(crate) fn new(
        url: String,
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> Self {
        Response {
            url,
            status,
            headers,
            body,
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

    /// The body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Take the body.
    pub fn into_body(self) -> Vec<u8> {
        self.body
    }

    /// Take status, headers and body.
    pub fn into_parts(self) -> (u16, Vec<(String, String)>, Vec<u8>) {
        (self.status, self.headers, self.body)
    }

    /// The body as UTF-8 text.
    ///
    /// # Errors
    /// [`Error::Utf8`] when the body is not UTF-8.
    pub fn text(&self) -> Result<&str, Error> {
        std::str::from_utf8(&self.body).map_err(Error::Utf8)
    }

    /// The body deserialized from JSON.
    ///
    /// # Errors
    /// [`Error::DeserializeJson`] when the body is not JSON of type `T`.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_slice(&self.body).map_err(Error::DeserializeJson)
    }

    /// `Ok(self)` for a status below 400, [`Error::Status`] (with the start of the body) otherwise.
    ///
    /// # Errors
    /// [`Error::Status`] for a 4xx or 5xx status.
    pub fn error_for_status(self) -> Result<Self, Error> {
        if self.status < 400 {
            return Ok(self);
        }
        let body: String = String::from_utf8_lossy(&self.body)
            .chars()
            .take(STATUS_BODY_CHARS)
            .collect();
        Err(Error::Status {
            status: self.status,
            url: self.url,
            body,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str) -> Response {
        Response::new(
            "http://up/".into(),
            status,
            vec![("Content-Type".into(), "application/json".into())],
            body.into(),
        )
    }

    #[test]
    fn reads_headers_text_and_json() {
        let r = response(200, r#"{"n":3}"#);
        assert!(r.is_success());
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.text().unwrap(), r#"{"n":3}"#);
        let value: serde_json::Value = r.json().unwrap();
        assert_eq!(value["n"], 3);
    }

    #[test]
    fn bad_bodies_are_typed_errors() {
        let r = response(200, "not json");
        assert!(matches!(
            r.json::<serde_json::Value>(),
            Err(Error::DeserializeJson(_))
        ));
        let r = Response::new("u".into(), 200, vec![], vec![0xff, 0xfe]);
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
}
