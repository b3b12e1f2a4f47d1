//! The `http` interface: requests are validated, recorded, answered by a mock route or (in real mode)
//! sent through the host's shared pooled client.

mod mock;
mod real;
mod types;

use std::time::Duration;

use ureq::http;

pub use mock::HttpMock;
pub use types::{
    HttpCall, HttpError, HttpOutcome, HttpRoute, MockResponse, RealHttpConfig, UnmetExpectations,
};

use crate::bindings::host::http::{self as wit, Host};
use crate::services::HostCallError;
use crate::state::HostState;
use mock::{MockRequest, Routed};
use real::Outbound;

impl From<HttpError> for wit::Error {
    fn from(error: HttpError) -> Self {
        match error {
            HttpError::InvalidUrl(m) => wit::Error::InvalidUrl(m),
            HttpError::InvalidMethod(m) => wit::Error::InvalidMethod(m),
            HttpError::InvalidHeader(m) => wit::Error::InvalidHeader(m),
            HttpError::Connect(m) => wit::Error::Connect(m),
            HttpError::Timeout(m) => wit::Error::Timeout(m),
            HttpError::RequestFailed(m) => wit::Error::RequestFailed(m),
        }
    }
}

/// The parts of a request real mode needs, checked as a real client would (in both modes, so a mock
/// test fails where production would).
struct Checked {
    method: http::Method,
    uri: http::Uri,
    headers: http::HeaderMap,
}

fn check(call: &HttpCall) -> Result<Checked, HttpError> {
    let method = http::Method::from_bytes(call.method.as_bytes()).map_err(|_| {
        HttpError::InvalidMethod(format!("{:?} is not an HTTP method token", call.method))
    })?;
    let uri: http::Uri = call
        .url
        .parse()
        .map_err(|e| HttpError::InvalidUrl(format!("{:?}: {e}", call.url)))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        Some(other) => {
            return Err(HttpError::InvalidUrl(format!(
                "{:?}: the scheme is {other}; only http and https are supported",
                call.url
            )));
        }
        None => {
            return Err(HttpError::InvalidUrl(format!(
                "{:?} is not an absolute URL (e.g. https://example.com/path)",
                call.url
            )));
        }
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(HttpError::InvalidUrl(format!("{:?} has no host", call.url)));
    }
    let mut headers = http::HeaderMap::with_capacity(call.headers.len());
    for (name, value) in &call.headers {
        let header_name = http::HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            HttpError::InvalidHeader(format!("{name:?} is not a valid header name"))
        })?;
        let header_value = http::HeaderValue::from_bytes(value.as_bytes()).map_err(|_| {
            HttpError::InvalidHeader(format!(
                "the value of {name} is not valid (no CR, LF or other control characters)"
            ))
        })?;
        if header_name == http::header::TRANSFER_ENCODING {
            return Err(HttpError::InvalidHeader(
                "transfer-encoding is chosen by the host; send the whole body".to_owned(),
            ));
        }
        if header_name == http::header::CONTENT_LENGTH
            && value.trim() != call.body.len().to_string()
        {
            return Err(HttpError::InvalidHeader(format!(
                "content-length is {value:?} but the body is {} bytes (leave it out: the host sets it)",
                call.body.len()
            )));
        }
        headers.append(header_name, header_value);
    }
    Ok(Checked {
        method,
        uri,
        headers,
    })
}

impl HostState {
    /// Answer `call`: `Ok(Ok(response))`, `Ok(Err(error))` for the function, or a trap for an
    /// unmatched request in mock mode. Records the call either way.
    fn http_send(
        &mut self,
        mut call: HttpCall,
    ) -> wasmtime::Result<Result<wit::Response, wit::Error>> {
        let mock = self.services.http.clone();
        let checked = match check(&call) {
            Ok(checked) => checked,
            Err(error) => {
                call.outcome = HttpOutcome::Error(error.clone());
                mock.record(call);
                return Ok(Err(error.into()));
            }
        };
        let routed = mock.route(&MockRequest {
            method: &call.method,
            url: &call.url,
            headers: &call.headers,
            body: &call.body,
        });
        let result = match routed {
            Routed::Answered(index, response) => {
                call.route = Some(index);
                response
                    .result
                    .map(|reply| (reply.status, reply.headers, reply.body))
            }
            Routed::Network => {
                let Some(client) = mock.real() else {
                    return Err(wasmtime::Error::new(HostCallError(
                        "test host bug: real HTTP without a client".to_owned(),
                    )));
                };
                let outbound = Outbound {
                    method: checked.method,
                    uri: checked.uri,
                    headers: checked.headers,
                    body: call.body.clone(),
                    timeout: call.timeout,
                };
                client
                    .send(outbound, self.deadline())
                    .map(|inbound| (inbound.status, inbound.headers, inbound.body))
            }
            Routed::Unmatched(report) => {
                mock.record(call);
                return Err(wasmtime::Error::new(HostCallError(report)));
            }
        };
        call.outcome = match &result {
            Ok((status, _, _)) => HttpOutcome::Response { status: *status },
            Err(error) => HttpOutcome::Error(error.clone()),
        };
        mock.record(call);
        Ok(result
            .map(|(status, headers, body)| wit::Response {
                status,
                headers: headers
                    .into_iter()
                    .map(|(name, value)| wit::Header { name, value })
                    .collect(),
                body,
            })
            .map_err(wit::Error::from))
    }
}

impl Host for HostState {
    fn send(
        &mut self,
        request: wit::Request,
    ) -> wasmtime::Result<Result<wit::Response, wit::Error>> {
        self.host_call("http")?;
        let call = HttpCall {
            invocation_id: self.invocation_id.clone(),
            method: request.method,
            url: request.url,
            headers: request
                .headers
                .into_iter()
                .map(|h| (h.name, h.value))
                .collect(),
            body: request.body,
            timeout: request.timeout_ms.map(Duration::from_millis),
            route: None,
            outcome: HttpOutcome::Unmatched,
        };
        self.http_send(call)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(method: &str, url: &str, headers: &[(&str, &str)], body: &str) -> HttpCall {
        HttpCall {
            invocation_id: String::new(),
            method: method.into(),
            url: url.into(),
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            body: body.into(),
            timeout: None,
            route: None,
            outcome: HttpOutcome::Unmatched,
        }
    }

    fn error(method: &str, url: &str, headers: &[(&str, &str)], body: &str) -> HttpError {
        match check(&call(method, url, headers, body)) {
            Ok(_) => panic!("{method} {url} {headers:?} should be rejected"),
            Err(error) => error,
        }
    }

    #[test]
    fn valid_requests_pass() {
        for (method, url) in [
            ("GET", "https://example.com"),
            ("PROPFIND", "http://127.0.0.1:8080/a/b?c=d&e"),
            ("post", "http://[::1]/"),
        ] {
            let checked = check(&call(method, url, &[("x-a", "1"), ("X-A", "ü")], ""));
            assert!(checked.is_ok(), "{method} {url}");
        }
        assert!(
            check(&call(
                "POST",
                "http://x/",
                &[("content-length", "3")],
                "abc"
            ))
            .is_ok()
        );
    }

    #[test]
    fn invalid_urls() {
        for url in [
            "",
            "/relative",
            "example.com/x",
            "http://",
            "http://exa mple.com/",
            "ftp://example.com/",
        ] {
            assert!(
                matches!(error("GET", url, &[], ""), HttpError::InvalidUrl(m) if m.contains(&format!("{url:?}"))),
                "{url:?}"
            );
        }
        assert!(
            matches!(error("GET", "ftp://x/", &[], ""), HttpError::InvalidUrl(m) if m.contains("only http and https"))
        );
    }

    #[test]
    fn invalid_methods() {
        for method in ["", "GE T", "GET\n", "(GET)"] {
            assert!(
                matches!(
                    error(method, "http://x/", &[], ""),
                    HttpError::InvalidMethod(_)
                ),
                "{method:?}"
            );
        }
    }

    #[test]
    fn invalid_headers() {
        assert!(
            matches!(error("GET", "http://x/", &[("bad name", "v")], ""), HttpError::InvalidHeader(m) if m.contains("\"bad name\""))
        );
        assert!(matches!(
            error("GET", "http://x/", &[("", "v")], ""),
            HttpError::InvalidHeader(_)
        ));
        assert!(
            matches!(error("GET", "http://x/", &[("x", "a\r\nb: c")], ""), HttpError::InvalidHeader(m) if m.contains("value of x"))
        );
        assert!(matches!(
            error("GET", "http://x/", &[("x", "nul\0")], ""),
            HttpError::InvalidHeader(_)
        ));
        assert!(
            matches!(error("POST", "http://x/", &[("Content-Length", "9")], "abc"), HttpError::InvalidHeader(m) if m.contains("3 bytes"))
        );
        assert!(matches!(
            error(
                "POST",
                "http://x/",
                &[("transfer-encoding", "chunked")],
                "abc"
            ),
            HttpError::InvalidHeader(_)
        ));
    }
}
