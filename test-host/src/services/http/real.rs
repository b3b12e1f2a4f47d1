//! Real mode: one pooled `ureq` agent per host, created at build time and shared by every invocation.

use std::io;
use std::time::{Duration, Instant};

use ureq::http;

use super::types::{HttpError, RealHttpConfig};

/// A validated outbound request.
pub(crate) struct Outbound {
    pub(crate) method: http::Method,
    pub(crate) uri: http::Uri,
    pub(crate) headers: http::HeaderMap,
    pub(crate) body: bytes::Bytes,
    /// The timeout the function asked for.
    pub(crate) timeout: Option<Duration>,
}

/// A response from the network.
pub(crate) struct Inbound {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

/// The shared outbound client. `ureq::Agent` is a handle to one connection pool: clones share it.
pub(crate) struct RealClient {
    agent: ureq::Agent,
    config: RealHttpConfig,
}

impl RealClient {
    pub(crate) fn new(config: RealHttpConfig) -> RealClient {
        let agent_config = ureq::Agent::config_builder()
            // Every status is a response for the function to look at.
            .http_status_as_error(false)
            // Redirects are the function's business: a 3xx is returned as is.
            .max_redirects(0)
            .allow_non_standard_methods(true)
            .user_agent(concat!(
                "momento-functions-test-host/",
                env!("CARGO_PKG_VERSION")
            ))
            .max_idle_connections_per_host(config.max_idle_connections_per_host)
            .max_idle_connections(config.max_idle_connections_per_host.saturating_mul(8))
            .max_idle_age(Duration::from_secs(60))
            .timeout_connect(Some(config.connect_timeout))
            .timeout_global(Some(config.timeout))
            .build();
        RealClient {
            agent: ureq::Agent::new_with_config(agent_config),
            config,
        }
    }

    /// Send `request`, waiting no longer than its timeout (or the default), the connect timeout, and
    /// what is left of the invocation's `deadline`.
    pub(crate) fn send(
        &self,
        request: Outbound,
        deadline: Option<Instant>,
    ) -> Result<Inbound, HttpError> {
        let asked = request.timeout.unwrap_or(self.config.timeout);
        let remaining = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        let (budget, by_deadline) = match remaining {
            Some(remaining) if remaining < asked => (remaining, true),
            _ => (asked, false),
        };
        if budget.is_zero() {
            return Err(HttpError::Timeout(
                "the invocation's deadline has passed; the request was not sent".to_owned(),
            ));
        }
        let connect = self.config.connect_timeout.min(budget);
        let limit = self.config.max_response_bytes;

        let has_body = !request.body.is_empty()
            || !matches!(
                request.method,
                http::Method::GET
                    | http::Method::HEAD
                    | http::Method::DELETE
                    | http::Method::OPTIONS
                    | http::Method::TRACE
            );
        let mut builder = http::Request::builder()
            .method(request.method)
            .uri(request.uri);
        if let Some(headers) = builder.headers_mut() {
            *headers = request.headers;
        }
        let result = if has_body {
            builder
                .body(request.body.as_ref())
                .map_err(|e| HttpError::RequestError(e.to_string()))
                .and_then(|r| self.run(r, budget, connect, limit))
        } else {
            builder
                .body(())
                .map_err(|e| HttpError::RequestError(e.to_string()))
                .and_then(|r| self.run(r, budget, connect, limit))
        };
        result.map_err(|error| match error {
            HttpError::Timeout(message) if by_deadline => HttpError::Timeout(format!(
                "{message} (cut to the invocation's remaining {budget:?})"
            )),
            other => other,
        })
    }

    fn run<B: ureq::AsSendBody>(
        &self,
        request: http::Request<B>,
        budget: Duration,
        connect: Duration,
        limit: usize,
    ) -> Result<Inbound, HttpError> {
        let request = self
            .agent
            .configure_request(request)
            .timeout_global(Some(budget))
            .timeout_connect(Some(connect))
            .build();
        let mut response = self
            .agent
            .run(request)
            .map_err(|e| classify(e, budget, connect, limit))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = response
            .body_mut()
            .with_config()
            .limit(u64::try_from(limit).unwrap_or(u64::MAX))
            .read_to_vec()
            .map_err(|e| classify(e, budget, connect, limit))?;
        Ok(Inbound {
            status,
            headers,
            body,
        })
    }
}

fn is_connect_error(kind: io::ErrorKind) -> bool {
    matches!(
        kind,
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::AddrNotAvailable
            | io::ErrorKind::AddrInUse
            | io::ErrorKind::NetworkUnreachable
            | io::ErrorKind::HostUnreachable
            | io::ErrorKind::NetworkDown
            | io::ErrorKind::PermissionDenied
    )
}

/// Sort a ureq error into the contract's error cases.
fn classify(error: ureq::Error, budget: Duration, connect: Duration, limit: usize) -> HttpError {
    match error {
        ureq::Error::Timeout(ureq::Timeout::Connect) => HttpError::ConnectTimeout(format!(
            "no connection within the {connect:?} connect timeout"
        )),
        ureq::Error::Timeout(which) => HttpError::Timeout(format!(
            "no complete response within {budget:?} ({which} timeout)"
        )),
        ureq::Error::Io(e)
            if matches!(
                e.kind(),
                io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
            ) =>
        {
            HttpError::Timeout(format!("no complete response within {budget:?}: {e}"))
        }
        ureq::Error::Io(e) if is_connect_error(e.kind()) => {
            HttpError::ConnectionFailed(e.to_string())
        }
        ureq::Error::Io(e) => HttpError::ConnectionInterrupted(e.to_string()),
        ureq::Error::HostNotFound => {
            HttpError::ConnectionFailed("the host name does not resolve".to_owned())
        }
        ureq::Error::ConnectionFailed => {
            HttpError::ConnectionFailed("the connection failed".to_owned())
        }
        error @ (ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::Pem(_)) => {
            HttpError::TlsError(error.to_string())
        }
        ureq::Error::TooManyRedirects => {
            HttpError::TooManyRedirects("the response redirected too many times".to_owned())
        }
        ureq::Error::BodyExceedsLimit(_) => HttpError::MalformedResponse(format!(
            "the response body is over the {limit}-byte limit"
        )),
        ureq::Error::BadUri(message) => HttpError::InvalidUrl {
            url: String::new(),
            error: message,
        },
        ureq::Error::Http(e) => HttpError::RequestError(e.to_string()),
        other => HttpError::RequestError(other.to_string()),
    }
}
