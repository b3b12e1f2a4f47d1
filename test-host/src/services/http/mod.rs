//! Outbound HTTP: `momento:http@1.1.0`, `momento:http@1.0.0` and the older generation's `momento:host/http`.
//! Requests are validated as a real client would, recorded, and answered by a mock route, by the in-memory
//! AWS services (requests to DynamoDB or S3 endpoints no route matches), or in real mode by the network
//! through the host's shared pooled client, signed with SigV4 when the request asks for it.

pub(crate) mod fixtures;
mod mock;
mod real;
mod types;

use std::time::Duration;

use bytes::Bytes;
use ureq::http;
use wasmtime::component::Linker;

pub use mock::HttpMock;
pub use types::{
    HttpAuthorization, HttpCall, HttpError, HttpOutcome, HttpRoute, MockResponse, RealHttpConfig,
    UnmetExpectations,
};

use super::bytes::{buffer_data, take_data};
use super::{HostCallError, Interface, Service, View, ViewOf, view};
use crate::bindings::http_1_0_0 as v1_0;
use crate::bindings::momento::host::http as older;
use crate::bindings::momento::http1_1_0::http as current;
use crate::state::{HostState, Services};
use mock::{MockRequest, Routed};
use real::Outbound;

pub(crate) const SERVICE: Service = Service {
    interfaces: &[
        Interface::implemented("momento:http/http@1.1.0"),
        Interface::implemented("momento:http/http@1.0.0"),
        Interface::implemented("momento:host/http@1.0.0"),
    ],
    link,
};

fn link(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    current::add_to_linker::<HostState, ViewOf<Services>>(linker, |s| view(s, |s| s))?;
    v1_0::add_to_linker::<HostState, ViewOf<Services>>(linker, |s| view(s, |s| s))?;
    older::add_to_linker::<HostState, ViewOf<Services>>(linker, |s| view(s, |s| s))
}

/// How the function asked the host to sign a request, with the secret (never recorded).
#[derive(Debug, Clone, Default)]
pub(crate) enum Signing {
    #[default]
    None,
    Keys {
        access_key_id: String,
        secret_access_key: String,
        region: String,
        service: String,
    },
    Role {
        role_arn: String,
        service: String,
    },
}

impl Signing {
    fn recorded(&self) -> HttpAuthorization {
        match self {
            Signing::None => HttpAuthorization::None,
            Signing::Keys {
                access_key_id,
                region,
                service,
                ..
            } => HttpAuthorization::SigV4 {
                access_key_id: access_key_id.clone(),
                region: region.clone(),
                service: service.clone(),
            },
            Signing::Role { role_arn, service } => HttpAuthorization::Federated {
                role_arn: role_arn.clone(),
                service: service.clone(),
            },
        }
    }
}

/// One outbound request, generation-neutral.
pub(crate) struct Outgoing {
    pub(crate) method: String,
    pub(crate) url: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Bytes,
    pub(crate) signing: Signing,
    pub(crate) timeout: Option<Duration>,
}

/// A response, generation-neutral.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Bytes,
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
        HttpError::RequestError(format!("{:?} is not an HTTP method token", call.method))
    })?;
    let invalid_url = |error: String| HttpError::InvalidUrl {
        url: call.url.clone(),
        error,
    };
    let uri: http::Uri = call.url.parse().map_err(|e| invalid_url(format!("{e}")))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        Some(other) => {
            return Err(invalid_url(format!(
                "the scheme is {other}; only http and https are supported"
            )));
        }
        None => {
            return Err(invalid_url(
                "not an absolute URL (e.g. https://example.com/path)".to_owned(),
            ));
        }
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(invalid_url("the URL has no host".to_owned()));
    }
    let mut headers = http::HeaderMap::with_capacity(call.headers.len());
    for (name, value) in &call.headers {
        let header_name = http::HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            HttpError::InvalidHeaderName {
                header: name.clone(),
                error: "not a valid header name".to_owned(),
            }
        })?;
        let header_value = http::HeaderValue::from_bytes(value.as_bytes()).map_err(|_| {
            HttpError::InvalidHeaderValue {
                value: value.clone(),
                error: format!("the value of {name} has CR, LF or other control characters"),
            }
        })?;
        if header_name == http::header::TRANSFER_ENCODING {
            return Err(HttpError::InvalidHeaderName {
                header: name.clone(),
                error: "transfer-encoding is chosen by the host; send the whole body".to_owned(),
            });
        }
        if header_name == http::header::CONTENT_LENGTH
            && value.trim() != call.body.len().to_string()
        {
            return Err(HttpError::InvalidHeaderValue {
                value: value.clone(),
                error: format!(
                    "content-length is {value:?} but the body is {} bytes (leave it out: the host sets it)",
                    call.body.len()
                ),
            });
        }
        headers.append(header_name, header_value);
    }
    Ok(Checked {
        method,
        uri,
        headers,
    })
}

impl View<'_, Services> {
    /// Answer one request: `Ok(Ok(reply))`, `Ok(Err(error))` for the function, or a trap for a request no
    /// mock route (nor the in-memory AWS) answers in mock mode. Records the call either way.
    fn send(&mut self, request: Outgoing) -> wasmtime::Result<Result<Reply, HttpError>> {
        let mock = self.service.http.clone();
        let mut call = HttpCall {
            invocation_id: self.inv.id.clone(),
            method: request.method,
            url: request.url,
            headers: request.headers,
            body: request.body,
            authorization: request.signing.recorded(),
            timeout: request.timeout,
            route: None,
            outcome: HttpOutcome::Unmatched,
        };
        let checked = match check(&call) {
            Ok(checked) => checked,
            Err(error) => {
                call.outcome = HttpOutcome::Error(error.clone());
                mock.record(call);
                return Ok(Err(error));
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
                response.result.map(|reply| Reply {
                    status: reply.status,
                    headers: reply.headers,
                    body: Bytes::from(reply.body),
                })
            }
            unmatched => {
                if let Some(answer) = crate::services::aws::via_http::answer(
                    &self.service.aws,
                    &call,
                    &request.signing,
                    &self.inv.id,
                ) {
                    call.outcome = match &answer {
                        Ok(reply) => HttpOutcome::Aws {
                            status: reply.status,
                        },
                        Err(error) => HttpOutcome::Error(error.clone()),
                    };
                    mock.record(call);
                    return Ok(answer);
                }
                match unmatched {
                    Routed::Network => {
                        let Some(client) = mock.real() else {
                            return Err(wasmtime::Error::new(HostCallError(
                                "test host bug: real HTTP without a client".to_owned(),
                            )));
                        };
                        let mut headers = checked.headers;
                        match crate::services::aws::sign_outbound(
                            &self.service.aws,
                            &request.signing,
                            &checked.method,
                            &checked.uri,
                            &mut headers,
                            &call.body,
                        ) {
                            Ok(()) => client
                                .send(
                                    Outbound {
                                        method: checked.method,
                                        uri: checked.uri,
                                        headers,
                                        body: call.body.clone(),
                                        timeout: call.timeout,
                                    },
                                    self.inv.deadline(),
                                )
                                .map(|inbound| Reply {
                                    status: inbound.status,
                                    headers: inbound.headers,
                                    body: Bytes::from(inbound.body),
                                }),
                            Err(error) => Err(error),
                        }
                    }
                    Routed::Unmatched(report) => {
                        mock.record(call);
                        return Err(wasmtime::Error::new(HostCallError(report)));
                    }
                    Routed::Answered(..) => unreachable!("handled above"),
                }
            }
        };
        call.outcome = match &result {
            Ok(reply) => HttpOutcome::Response {
                status: reply.status,
            },
            Err(error) => HttpOutcome::Error(error.clone()),
        };
        mock.record(call);
        Ok(result)
    }
}

// ---- momento:http@1.1.0 --------------------------------------------------------------------------------

fn signing_current(authorization: current::Authorization) -> Signing {
    match authorization {
        current::Authorization::None => Signing::None,
        current::Authorization::AwsSigv4Secret(keys) => Signing::Keys {
            access_key_id: keys.access_key_id,
            secret_access_key: keys.secret_access_key,
            region: keys.region,
            service: keys.service,
        },
        current::Authorization::Federated(role) => Signing::Role {
            role_arn: role.role_arn,
            service: role.service,
        },
    }
}

impl From<HttpError> for current::Error {
    fn from(error: HttpError) -> Self {
        use current::Error as E;
        match error {
            HttpError::InternalError(_) => E::InternalError,
            HttpError::RequestError(m) => E::RequestError(m),
            HttpError::InvalidUrl { url, error } => {
                E::InvalidUrl(current::InvalidUrl { url, error })
            }
            HttpError::InvalidHeaderName { header, error } => {
                E::InvalidHeaderName(current::InvalidHeaderName { header, error })
            }
            HttpError::InvalidHeaderValue { value, error } => {
                E::InvalidHeaderValue(current::InvalidHeaderValue { value, error })
            }
            HttpError::Timeout(m) => E::Timeout(m),
            HttpError::ConnectTimeout(m) => E::ConnectTimeout(m),
            HttpError::ConnectionFailed(m) => E::ConnectionFailed(m),
            HttpError::ConnectionInterrupted(m) => E::ConnectionInterrupted(m),
            HttpError::TlsError(m) => E::TlsError(m),
            HttpError::TooManyRedirects(m) => E::TooManyRedirects(m),
            HttpError::MalformedResponse(m) => E::MalformedResponse(m),
        }
    }
}

impl View<'_, Services> {
    fn invoke_current(
        &mut self,
        request: current::Request,
        timeout: Option<Duration>,
    ) -> wasmtime::Result<Result<current::Response, current::Error>> {
        self.inv.host_call("momento:http")?;
        let body = take_data(self.inv, request.body)?;
        let outgoing = Outgoing {
            method: request.verb,
            url: request.url,
            headers: request.headers,
            body,
            signing: signing_current(request.authorization),
            timeout,
        };
        Ok(match self.send(outgoing)? {
            Ok(reply) => Ok(current::Response {
                status: reply.status,
                headers: reply.headers,
                body: buffer_data(self.inv, reply.body)?,
            }),
            Err(error) => Err(error.into()),
        })
    }
}

impl current::Host for View<'_, Services> {
    fn invoke(
        &mut self,
        request: current::Request,
    ) -> wasmtime::Result<Result<current::Response, current::Error>> {
        self.invoke_current(request, None)
    }

    fn invoke_with_timeout(
        &mut self,
        request: current::Request,
        timeout_milliseconds: u64,
    ) -> wasmtime::Result<Result<current::Response, current::Error>> {
        self.invoke_current(request, Some(Duration::from_millis(timeout_milliseconds)))
    }
}

// ---- momento:http@1.0.0 and the older generation: fewer error cases ---------------------------------------

/// An error as the 1.0.0-era `error` variant can say it: the newer cases become `request-error`.
macro_rules! narrow_error {
    ($wit:ident) => {
        impl From<HttpError> for $wit::Error {
            fn from(error: HttpError) -> Self {
                use $wit::Error as E;
                match error {
                    HttpError::InternalError(_) => E::InternalError,
                    HttpError::RequestError(m) => E::RequestError(m),
                    HttpError::InvalidUrl { url, error } => {
                        E::InvalidUrl($wit::InvalidUrl { url, error })
                    }
                    HttpError::InvalidHeaderName { header, error } => {
                        E::InvalidHeaderName($wit::InvalidHeaderName { header, error })
                    }
                    HttpError::InvalidHeaderValue { value, error } => {
                        E::InvalidHeaderValue($wit::InvalidHeaderValue { value, error })
                    }
                    other => E::RequestError(other.to_string()),
                }
            }
        }

        fn signing(authorization: $wit::Authorization) -> Signing {
            match authorization {
                $wit::Authorization::None => Signing::None,
                $wit::Authorization::AwsSigv4Secret(keys) => Signing::Keys {
                    access_key_id: keys.access_key_id,
                    secret_access_key: keys.secret_access_key,
                    region: keys.region,
                    service: keys.service,
                },
                $wit::Authorization::Federated(role) => Signing::Role {
                    role_arn: role.role_arn,
                    service: role.service,
                },
            }
        }
    };
}

mod v1_0_generation {
    use super::*;
    narrow_error!(v1_0);

    impl View<'_, Services> {
        fn invoke_1_0(
            &mut self,
            request: v1_0::Request,
            timeout: Option<Duration>,
        ) -> wasmtime::Result<Result<v1_0::Response, v1_0::Error>> {
            self.inv.host_call("momento:http")?;
            let body = take_data(self.inv, request.body)?;
            let outgoing = Outgoing {
                method: request.verb,
                url: request.url,
                headers: request.headers,
                body,
                signing: signing(request.authorization),
                timeout,
            };
            Ok(match self.send(outgoing)? {
                Ok(reply) => Ok(v1_0::Response {
                    status: reply.status,
                    headers: reply.headers,
                    body: buffer_data(self.inv, reply.body)?,
                }),
                Err(error) => Err(error.into()),
            })
        }
    }

    impl v1_0::Host for View<'_, Services> {
        fn invoke(
            &mut self,
            request: v1_0::Request,
        ) -> wasmtime::Result<Result<v1_0::Response, v1_0::Error>> {
            self.invoke_1_0(request, None)
        }

        fn invoke_with_timeout(
            &mut self,
            request: v1_0::Request,
            timeout_milliseconds: u64,
        ) -> wasmtime::Result<Result<v1_0::Response, v1_0::Error>> {
            self.invoke_1_0(request, Some(Duration::from_millis(timeout_milliseconds)))
        }
    }
}

mod older_generation {
    use super::*;
    narrow_error!(older);

    type Answer = wasmtime::Result<Result<older::Response, older::Error>>;

    impl View<'_, Services> {
        fn invoke_older(&mut self, method: &str, request: older::Request) -> Answer {
            self.inv.host_call("momento:host/http")?;
            let outgoing = Outgoing {
                method: method.to_owned(),
                url: request.url,
                headers: request.headers,
                body: Bytes::from(request.body),
                signing: signing(request.authorization),
                timeout: None,
            };
            Ok(match self.send(outgoing)? {
                Ok(reply) => Ok(older::Response {
                    status: reply.status,
                    headers: reply.headers,
                    body: reply.body.to_vec(),
                }),
                Err(error) => Err(error.into()),
            })
        }
    }

    impl older::Host for View<'_, Services> {
        fn get(&mut self, request: older::Request) -> Answer {
            self.invoke_older("GET", request)
        }
        fn put(&mut self, request: older::Request) -> Answer {
            self.invoke_older("PUT", request)
        }
        fn post(&mut self, request: older::Request) -> Answer {
            self.invoke_older("POST", request)
        }
        fn delete(&mut self, request: older::Request) -> Answer {
            self.invoke_older("DELETE", request)
        }
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
            body: Bytes::copy_from_slice(body.as_bytes()),
            authorization: HttpAuthorization::None,
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
                matches!(error("GET", url, &[], ""), HttpError::InvalidUrl { url: u, .. } if u == url),
                "{url:?}"
            );
        }
        assert!(
            matches!(error("GET", "ftp://x/", &[], ""), HttpError::InvalidUrl { error, .. } if error.contains("only http and https"))
        );
    }

    #[test]
    fn invalid_methods() {
        for method in ["", "GE T", "GET\n", "(GET)"] {
            assert!(
                matches!(
                    error(method, "http://x/", &[], ""),
                    HttpError::RequestError(_)
                ),
                "{method:?}"
            );
        }
    }

    #[test]
    fn invalid_headers() {
        assert!(
            matches!(error("GET", "http://x/", &[("bad name", "v")], ""), HttpError::InvalidHeaderName { header, .. } if header == "bad name")
        );
        assert!(matches!(
            error("GET", "http://x/", &[("", "v")], ""),
            HttpError::InvalidHeaderName { .. }
        ));
        assert!(
            matches!(error("GET", "http://x/", &[("x", "a\r\nb: c")], ""), HttpError::InvalidHeaderValue { error, .. } if error.contains("value of x"))
        );
        assert!(matches!(
            error("GET", "http://x/", &[("x", "nul\0")], ""),
            HttpError::InvalidHeaderValue { .. }
        ));
        assert!(
            matches!(error("POST", "http://x/", &[("Content-Length", "9")], "abc"), HttpError::InvalidHeaderValue { error, .. } if error.contains("3 bytes"))
        );
        assert!(matches!(
            error(
                "POST",
                "http://x/",
                &[("transfer-encoding", "chunked")],
                "abc"
            ),
            HttpError::InvalidHeaderName { .. }
        ));
    }
}
