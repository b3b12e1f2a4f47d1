//! [`Request`]: the outbound request builder, and how the host signs it ([`Authorization`]).

use std::time::Duration;

use momento_functions_host::aws::auth::{AwsCredentialsProvider, Credentials};
use momento_functions_host::wit::data_into_wit;
use momento_functions_host::wit::momento::http1_1_0::http as wit;
use momento_functions_host::{Data, Method};

use crate::{Error, Response};

/// How the host signs a request.
///
/// The host adds AWS SigV4 signing (for AWS APIs, API Gateway with IAM auth, ...): with keys, or with
/// credentials of a role it assumes. The function never sees a signature.
///
/// ```
/// use momento_functions_host::aws::auth::Credentials;
/// use momento_functions_http::Authorization;
///
/// let keys = Authorization::aws_sigv4(Credentials::new("AKIAEXAMPLE", "secret"), "us-east-1", "execute-api");
/// let role = Authorization::federated("arn:aws:iam::123456789012:role/caller", "lambda");
/// assert_eq!(Authorization::default(), Authorization::None);
/// # let _ = (keys, role);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Authorization {
    /// Not at all (an `authorization` header of the request's own is sent as it is).
    #[default]
    None,
    /// SigV4 with these keys, for `service` (e.g. `"execute-api"`) in `region`.
    AwsSigV4 {
        /// The keys (`Debug` never shows the secret).
        credentials: Credentials,
        /// The region, e.g. `"us-east-1"`.
        region: String,
        /// The SigV4 service name, e.g. `"execute-api"`, `"s3"`, `"dynamodb"`.
        service: String,
    },
    /// SigV4 with credentials of the role `role_arn`, which the host assumes, for `service`.
    Federated {
        /// The role's ARN (`arn:aws:iam::<account>:role/<name>`).
        role_arn: String,
        /// The SigV4 service name.
        service: String,
    },
}

impl Authorization {
    /// SigV4 with `credentials` for `service` in `region`.
    pub fn aws_sigv4(
        credentials: Credentials,
        region: impl Into<String>,
        service: impl Into<String>,
    ) -> Self {
        Authorization::AwsSigV4 {
            credentials,
            region: region.into(),
            service: service.into(),
        }
    }

    /// SigV4 with credentials of the role `role_arn`, which the host assumes, for `service`.
    pub fn federated(role_arn: impl Into<String>, service: impl Into<String>) -> Self {
        Authorization::Federated {
            role_arn: role_arn.into(),
            service: service.into(),
        }
    }

    /// Sign like `provider` (its keys or role; its region) for `service`.
    pub fn from_provider(provider: &AwsCredentialsProvider, service: impl Into<String>) -> Self {
        let authorization = provider.authorization();
        match (authorization.credentials(), authorization.role_arn()) {
            (Some(credentials), _) => {
                Authorization::aws_sigv4(credentials.clone(), provider.region(), service)
            }
            (None, Some(role_arn)) => Authorization::federated(role_arn, service),
            // A provider is only ever made from keys or a role.
            (None, None) => Authorization::None,
        }
    }

    fn into_wit(self) -> wit::Authorization {
        match self {
            Authorization::None => wit::Authorization::None,
            Authorization::AwsSigV4 {
                credentials,
                region,
                service,
            } => wit::Authorization::AwsSigv4Secret(wit::AwsSigv4Secret {
                access_key_id: credentials.access_key_id().to_owned(),
                secret_access_key: credentials.secret_access_key().to_owned(),
                region,
                service,
            }),
            Authorization::Federated { role_arn, service } => {
                wit::Authorization::Federated(wit::IamRole { role_arn, service })
            }
        }
    }
}

/// An outbound HTTP request: method, URL, headers, body, timeout and how the host signs it.
///
/// The method is a [`Method`], so it cannot be swapped with the URL by mistake; build requests with the
/// named constructors ([`Request::get`], [`Request::post`], ...) or [`Request::new`]. The builder methods
/// never fail; a problem (such as a body that cannot be serialized) is reported by
/// [`send`](Request::send). The host validates the URL and headers.
///
/// ```
/// use std::time::Duration;
/// use momento_functions_http::{Method, Request};
///
/// let request = Request::new(Method::Patch, "https://api.example.com/items/7")
///     .header("x-request-id", "abc")
///     .body(r#"{"name":"tea"}"#)
///     .timeout(Duration::from_millis(1500));
/// assert_eq!(request.method(), &Method::Patch);
/// assert_eq!(request.header_value("X-Request-Id"), Some("abc"));
/// assert_eq!(request.body_data(), r#"{"name":"tea"}"#);
/// ```
#[derive(Debug)]
pub struct Request {
    method: Method,
    url: String,
    headers: Vec<(String, String)>,
    body: Data,
    timeout: Option<Duration>,
    authorization: Authorization,
    json_error: Option<serde_json::Error>,
}

impl Request {
    /// A request with any method (e.g. `Method::Get`, `Method::from("PROPFIND")`) to an absolute
    /// `http`/`https` URL.
    pub fn new(method: Method, url: impl Into<String>) -> Self {
        Request {
            method,
            url: url.into(),
            headers: Vec::new(),
            body: Data::new(),
            timeout: None,
            authorization: Authorization::None,
            json_error: None,
        }
    }

    /// A `GET` request.
    pub fn get(url: impl Into<String>) -> Self {
        Request::new(Method::Get, url)
    }

    /// A `POST` request.
    pub fn post(url: impl Into<String>) -> Self {
        Request::new(Method::Post, url)
    }

    /// A `PUT` request.
    pub fn put(url: impl Into<String>) -> Self {
        Request::new(Method::Put, url)
    }

    /// A `PATCH` request.
    pub fn patch(url: impl Into<String>) -> Self {
        Request::new(Method::Patch, url)
    }

    /// A `DELETE` request.
    pub fn delete(url: impl Into<String>) -> Self {
        Request::new(Method::Delete, url)
    }

    /// A `HEAD` request.
    pub fn head(url: impl Into<String>) -> Self {
        Request::new(Method::Head, url)
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

    /// Set the body: bytes, text, or a [`Data`] the function received (e.g. the request body, or another
    /// response's body), which is handed to the host without being copied into the function's memory.
    pub fn body(mut self, body: impl Into<Data>) -> Self {
        self.body = body.into();
        self
    }

    /// Serialize `value` as the JSON body and set `content-type: application/json`.
    ///
    /// A value that cannot be serialized makes [`send`](Request::send) fail with [`Error::SerializeJson`].
    pub fn json<T: serde::Serialize + ?Sized>(mut self, value: &T) -> Self {
        match serde_json::to_vec(value) {
            Ok(body) => self.body = Data::from(body),
            Err(error) => self.json_error = Some(error),
        }
        self.set_header("content-type", "application/json")
    }

    /// Limit the whole request (connect, send, wait, read) to `timeout`: the request goes through the
    /// host's `invoke-with-timeout`. Whole milliseconds; a fraction rounds up. The host never waits past
    /// the invocation's deadline, whatever the timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Have the host sign the request (AWS SigV4). The default is [`Authorization::None`].
    pub fn authorization(mut self, authorization: Authorization) -> Self {
        self.authorization = authorization;
        self
    }

    /// Have the host sign the request for `service` with `provider`'s keys or role and region:
    /// shorthand for [`authorization`](Request::authorization)`(`[`Authorization::from_provider`]`)`.
    ///
    /// ```no_run
    /// use momento_functions_host::aws::auth::{Authorization, AwsCredentialsProvider};
    /// use momento_functions_http::Request;
    ///
    /// # fn f() -> Result<(), Box<dyn std::error::Error>> {
    /// let provider = AwsCredentialsProvider::new(
    ///     "us-east-1",
    ///     Authorization::federated("arn:aws:iam::123456789012:role/reports"),
    /// )?;
    /// let response = Request::get("https://abc123.execute-api.us-east-1.amazonaws.com/prod/reports")
    ///     .sign_aws(&provider, "execute-api")
    ///     .send()?;
    /// # let _ = response;
    /// # Ok(()) }
    /// ```
    pub fn sign_aws(self, provider: &AwsCredentialsProvider, service: impl Into<String>) -> Self {
        self.authorization(Authorization::from_provider(provider, service))
    }

    /// The method.
    pub fn method(&self) -> &Method {
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
    pub fn body_data(&self) -> &Data {
        &self.body
    }

    /// The timeout, if one is set.
    pub fn timeout_value(&self) -> Option<Duration> {
        self.timeout
    }

    /// How the host signs the request.
    pub fn authorization_value(&self) -> &Authorization {
        &self.authorization
    }

    /// Send the request through the host and wait for the response (its body stays on the host until
    /// read).
    ///
    /// # Errors
    /// [`Error::SerializeJson`] for a [`json`](Request::json) body that failed to serialize;
    /// [`Error::InvalidMethod`] for a method that is not an HTTP token; [`Error::InvalidUrl`],
    /// [`Error::InvalidHeaderName`] or [`Error::InvalidHeaderValue`] for a request the host refuses; the
    /// other variants when no response arrives.
    pub fn send(self) -> Result<Response, Error> {
        if let Some(error) = self.json_error {
            return Err(Error::SerializeJson(error));
        }
        if !self.method.is_valid() {
            return Err(Error::InvalidMethod(format!("{:?}", self.method.as_str())));
        }
        let url = self.url.clone();
        let request = wit::Request {
            url: self.url,
            verb: self.method.as_str().to_owned(),
            headers: self.headers,
            body: data_into_wit(self.body),
            authorization: self.authorization.into_wit(),
        };
        let response = match self.timeout {
            Some(timeout) => wit::invoke_with_timeout(request, timeout_millis(timeout))?,
            None => wit::invoke(request)?,
        };
        Ok(Response::from_wit(url, response))
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
        assert_eq!(request.body_data(), br#"{"a":1}"#);
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
    fn invalid_methods_are_reported_by_send_without_a_host_call() {
        let error = Request::new(Method::from("GE T"), "http://x/")
            .send()
            .unwrap_err();
        assert!(
            matches!(&error, Error::InvalidMethod(m) if m == "\"GE T\""),
            "{error:?}"
        );
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

    #[test]
    fn authorizations_become_their_wit_variants() {
        let request = Request::get("https://x/").authorization(Authorization::aws_sigv4(
            Credentials::new("AKID", "secret"),
            "eu-west-1",
            "execute-api",
        ));
        match request.authorization_value().clone().into_wit() {
            wit::Authorization::AwsSigv4Secret(s) => {
                assert_eq!(
                    (
                        s.access_key_id.as_str(),
                        s.secret_access_key.as_str(),
                        s.region.as_str(),
                        s.service.as_str()
                    ),
                    ("AKID", "secret", "eu-west-1", "execute-api")
                );
            }
            other => panic!("expected SigV4 keys, got {other:?}"),
        }
        assert!(!format!("{request:?}").contains("secret\""));
        match Authorization::federated("arn:role", "lambda").into_wit() {
            wit::Authorization::Federated(r) => {
                assert_eq!(
                    (r.role_arn.as_str(), r.service.as_str()),
                    ("arn:role", "lambda")
                );
            }
            other => panic!("expected a role, got {other:?}"),
        }
        assert!(matches!(
            Authorization::None.into_wit(),
            wit::Authorization::None
        ));
    }
}
