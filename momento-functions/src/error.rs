//! [`FunctionError`] and [`FunctionResult`]: errors that become HTTP error responses.

use std::fmt;

use crate::{IntoResponse, StatusCode, WebResponse};

/// The result type of handlers: `Ok` becomes the response, `Err` an error response.
pub type FunctionResult<T> = Result<T, FunctionError>;

/// An error that answers the request with a status and a JSON body.
///
/// The body is `{"status": <code>, "error": "<reason>", "message": "<message>"}`.
///
/// `?` converts any [`std::error::Error`] into a `FunctionError` (500, with the error's message); the
/// SDK's client errors and rejections choose a more precise status:
///
/// | error | status |
/// |---|---|
/// | [`cache::Error`](crate::cache::Error) | `InvalidArgument` 400, `LimitExceeded` 413, `PermissionDenied` 403, `FailedPrecondition`, `NotAnInteger`, `Overflow` 409, `Contention` 503, `Timeout` 504, others 500 |
/// | [`http::Error`](crate::http::Error) | `RequestFailed`, `ConnectionFailed`, `ConnectionInterrupted`, `Tls`, `TooManyRedirects`, `MalformedResponse`, `Status`, `DeserializeJson`, `Utf8` 502 (the upstream failed); `Timeout`, `ConnectTimeout` 504; others 500 (the function built a bad request, or the host failed) |
/// | AWS errors ([`aws::auth`](crate::aws::auth), [`aws::ddb`](crate::aws::ddb), [`aws::s3`](crate::aws::s3), [`aws::secrets`](crate::aws::secrets), [`aws::lambda`](crate::aws::lambda)) | `NotFound` 404, `ConditionFailed` 409, `Unauthorized` 403, `Malformed` 400, `Throttled` 429, `Other` 502, DynamoDB item conversion 500; Lambda: `FunctionFailed` 502, `SerializeJson` 500, `DeserializeJson` 502 |
/// | [`topics::Error`](crate::topics::Error) | `InvalidArgument`, `SerializeJson` 400, `LimitExceeded` 413, `PermissionDenied` 403, `NotFound` 404, `Timeout` 504, others 500 |
/// | [`token::Error`](crate::token::Error) | `InvalidArgument` 400, `PermissionDenied` 403, `LimitExceeded` 429, `Internal` 500 |
/// | [`logging::Error`](crate::logging::Error) | 500 |
///
/// Error bodies are JSON, unlike Momento's own SDK, whose error responses are plain text.
///
/// Build one yourself to pick the status:
///
/// ```
/// use momento_functions::{FunctionError, FunctionResult, StatusCode};
///
/// fn find(id: u32) -> FunctionResult<String> {
///     if id == 0 {
///         return Err(FunctionError::bad_request("id must be positive"));
///     }
///     let parsed: u32 = "12".parse()?; // a ParseIntError becomes a 500
///     Err(FunctionError::not_found(format!("no item {id} (looked at {parsed})")))
/// }
/// assert_eq!(find(0).unwrap_err().status(), StatusCode::BAD_REQUEST);
/// assert_eq!(find(3).unwrap_err().status(), StatusCode::NOT_FOUND);
/// ```
///
/// `FunctionError` deliberately does not implement [`std::error::Error`] (like `anyhow::Error`), which is
/// what lets `?` accept every error type.
pub struct FunctionError {
    status: StatusCode,
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl FunctionError {
    /// An error with any status and message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        FunctionError {
            status,
            message: message.into(),
            source: None,
        }
    }

    /// `400 Bad Request`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// `401 Unauthorized`.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }

    /// `403 Forbidden`.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    /// `404 Not Found`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// `409 Conflict`.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, message)
    }

    /// `429 Too Many Requests`.
    pub fn too_many_requests(message: impl Into<String>) -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, message)
    }

    /// `500 Internal Server Error`.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    /// `502 Bad Gateway` (an upstream service failed).
    pub fn bad_gateway(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_GATEWAY, message)
    }

    /// `503 Service Unavailable`.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, message)
    }

    /// `504 Gateway Timeout`.
    pub fn gateway_timeout(message: impl Into<String>) -> Self {
        Self::new(StatusCode::GATEWAY_TIMEOUT, message)
    }

    /// Replace the status, keeping message and source.
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// The status code of the error response.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The message of the error response.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The error this one was converted from, if any.
    pub fn source(&self) -> Option<&(dyn std::error::Error + Send + Sync + 'static)> {
        self.source.as_deref()
    }
}

/// The status an error converted by `?` gets: the SDK's own errors know theirs, anything else is a 500.
fn status_of(error: &(dyn std::error::Error + 'static)) -> StatusCode {
    if let Some(rejection) = error.downcast_ref::<crate::extract::Rejection>() {
        return rejection.status();
    }
    if let Some(error) = error.downcast_ref::<crate::cache::Error>() {
        return cache_status(error);
    }
    if let Some(error) = error.downcast_ref::<crate::http::Error>() {
        return http_status(error);
    }
    if let Some(status) = aws_status(error) {
        return status;
    }
    if let Some(error) = error.downcast_ref::<crate::topics::Error>() {
        return topic_status(error);
    }
    if let Some(error) = error.downcast_ref::<crate::token::Error>() {
        return token_status(error);
    }
    if let Some(error) = error.downcast_ref::<crate::valkey::Error>() {
        // No reply or an error reply: the cluster failed the function, 502; a reply of the wrong shape
        // is the function's own mistake (a command on the wrong key type is an error reply), 500.
        return match error {
            crate::valkey::Error::UnexpectedReply { .. } => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_GATEWAY,
        };
    }
    StatusCode::INTERNAL_SERVER_ERROR
}

/// Topic errors: the caller's message 400/413, a refusal 403, no cache 404, a slow platform 504.
fn topic_status(error: &crate::topics::Error) -> StatusCode {
    use crate::topics::Error;
    match error {
        Error::InvalidArgument(_) | Error::SerializeJson { .. } => StatusCode::BAD_REQUEST,
        Error::LimitExceeded(_) => StatusCode::PAYLOAD_TOO_LARGE,
        Error::PermissionDenied(_) => StatusCode::FORBIDDEN,
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        Error::Timeout => StatusCode::GATEWAY_TIMEOUT,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Token errors: a validity or id from the request 400, a refusal 403, too many tokens 429.
fn token_status(error: &crate::token::Error) -> StatusCode {
    use crate::token::Error;
    match error {
        Error::InvalidArgument(_) => StatusCode::BAD_REQUEST,
        Error::PermissionDenied(_) => StatusCode::FORBIDDEN,
        Error::LimitExceeded(_) => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Cache errors: the caller's input (a key or value from the request) 400/413, the cache's refusal 403,
/// a conflicting stored value 409, a value that kept changing 503, a slow cache 504; a bug or a broken
/// cache 500.
fn cache_status(error: &crate::cache::Error) -> StatusCode {
    use crate::cache::Error;
    match error {
        Error::InvalidArgument(_) => StatusCode::BAD_REQUEST,
        Error::LimitExceeded(_) => StatusCode::PAYLOAD_TOO_LARGE,
        Error::PermissionDenied(_) => StatusCode::FORBIDDEN,
        Error::FailedPrecondition(_) | Error::NotAnInteger { .. } | Error::Overflow { .. } => {
            StatusCode::CONFLICT
        }
        Error::Contention { .. } => StatusCode::SERVICE_UNAVAILABLE,
        Error::Timeout => StatusCode::GATEWAY_TIMEOUT,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// HTTP errors: the upstream failed 502, timed out 504; the function built a bad request, or the host
/// failed, 500.
fn http_status(error: &crate::http::Error) -> StatusCode {
    use crate::http::Error;
    match error {
        Error::RequestFailed(_)
        | Error::ConnectionFailed(_)
        | Error::ConnectionInterrupted(_)
        | Error::Tls(_)
        | Error::TooManyRedirects(_)
        | Error::MalformedResponse(_)
        | Error::Status { .. }
        | Error::DeserializeJson(_)
        | Error::Utf8(_) => StatusCode::BAD_GATEWAY,
        Error::Timeout(_) | Error::ConnectTimeout(_) => StatusCode::GATEWAY_TIMEOUT,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// AWS client errors: a missing table, bucket or secret 404, a failed condition 409, refused
/// credentials 403, a malformed request (often the caller's input, e.g. an empty key) 400, throttling 429,
/// anything else from AWS 502; an item that does not convert is the function's bug, 500.
fn aws_status(error: &(dyn std::error::Error + 'static)) -> Option<StatusCode> {
    use momento_functions_host::aws::{auth, ddb, lambda, s3, secrets};
    let status = if let Some(error) = error.downcast_ref::<auth::Error>() {
        match error {
            auth::Error::Unauthorized(_) => StatusCode::FORBIDDEN,
            auth::Error::Malformed(_) => StatusCode::BAD_REQUEST,
            auth::Error::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            _ => StatusCode::BAD_GATEWAY,
        }
    } else if let Some(error) = error.downcast_ref::<ddb::Error>() {
        match error {
            ddb::Error::NotFound(_) => StatusCode::NOT_FOUND,
            ddb::Error::ConditionFailed(_) => StatusCode::CONFLICT,
            ddb::Error::Unauthorized(_) => StatusCode::FORBIDDEN,
            ddb::Error::Malformed(_) => StatusCode::BAD_REQUEST,
            ddb::Error::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            ddb::Error::Deserialize(_) | ddb::Error::Serialize(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
            _ => StatusCode::BAD_GATEWAY,
        }
    } else if let Some(error) = error.downcast_ref::<s3::Error>() {
        match error {
            s3::Error::NotFound(_) => StatusCode::NOT_FOUND,
            s3::Error::Unauthorized(_) => StatusCode::FORBIDDEN,
            s3::Error::Malformed(_) => StatusCode::BAD_REQUEST,
            s3::Error::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            _ => StatusCode::BAD_GATEWAY,
        }
    } else if let Some(error) = error.downcast_ref::<lambda::Error>() {
        match error {
            lambda::Error::NotFound(_) => StatusCode::NOT_FOUND,
            lambda::Error::Unauthorized(_) => StatusCode::FORBIDDEN,
            lambda::Error::Malformed(_) => StatusCode::BAD_REQUEST,
            lambda::Error::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            lambda::Error::SerializeJson(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_GATEWAY,
        }
    } else if let Some(error) = error.downcast_ref::<secrets::Error>() {
        match error {
            secrets::Error::NotFound(_) => StatusCode::NOT_FOUND,
            secrets::Error::Unauthorized(_) => StatusCode::FORBIDDEN,
            secrets::Error::Malformed(_) => StatusCode::BAD_REQUEST,
            secrets::Error::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            _ => StatusCode::BAD_GATEWAY,
        }
    } else {
        return None;
    };
    Some(status)
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for FunctionError {
    fn from(error: E) -> Self {
        let status = status_of(&error);
        let mut message = error.to_string();
        let mut next = error.source();
        while let Some(cause) = next {
            let text = cause.to_string();
            if !message.contains(&text) {
                message.push_str(": ");
                message.push_str(&text);
            }
            next = cause.source();
        }
        FunctionError {
            status,
            message,
            source: Some(Box::new(error)),
        }
    }
}

impl fmt::Debug for FunctionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FunctionError")
            .field("status", &self.status.as_u16())
            .field("message", &self.message)
            .field("source", &self.source)
            .finish()
    }
}

impl fmt::Display for FunctionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.status, self.message)
    }
}

impl IntoResponse for FunctionError {
    fn into_response(self) -> WebResponse {
        let body = serde_json::json!({
            "status": self.status.as_u16(),
            "error": self.status.canonical_reason(),
            "message": self.message,
        });
        WebResponse::new()
            .with_status(self.status)
            .with_header("content-type", "application/json")
            .with_body(body.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{cache, http};

    fn status(error: impl std::error::Error + Send + Sync + 'static) -> u16 {
        FunctionError::from(error).status().as_u16()
    }

    #[test]
    fn cache_errors_map_to_statuses() {
        let m = || "m".to_owned();
        assert_eq!(status(cache::Error::InvalidArgument(m())), 400);
        assert_eq!(status(cache::Error::LimitExceeded(m())), 413);
        assert_eq!(status(cache::Error::PermissionDenied(m())), 403);
        assert_eq!(status(cache::Error::FailedPrecondition(m())), 409);
        assert_eq!(status(cache::Error::NotAnInteger { key: m() }), 409);
        assert_eq!(
            status(cache::Error::Overflow {
                key: m(),
                amount: 1
            }),
            409
        );
        assert_eq!(
            status(cache::Error::Contention {
                key: m(),
                attempts: 3
            }),
            503
        );
        assert_eq!(status(cache::Error::Timeout), 504);
        assert_eq!(status(cache::Error::Internal), 500);
        assert_eq!(status(cache::Error::RequestCancelled), 500);
        assert_eq!(status(cache::Error::NotFound(m())), 500);
        let json = serde_json::from_str::<u8>("x").unwrap_err();
        let error = cache::Error::DeserializeJson {
            key: "`k`".into(),
            source: json,
        };
        assert_eq!(status(error), 500);
    }

    #[test]
    fn http_errors_map_to_statuses() {
        let m = || "m".to_owned();
        for error in [
            http::Error::RequestFailed(m()),
            http::Error::ConnectionFailed(m()),
            http::Error::ConnectionInterrupted(m()),
            http::Error::Tls(m()),
            http::Error::TooManyRedirects(m()),
            http::Error::MalformedResponse(m()),
            http::Error::Status {
                status: 503,
                url: "u".into(),
                body: String::new(),
            },
            http::Error::DeserializeJson(serde_json::from_str::<u8>("x").unwrap_err()),
        ] {
            assert_eq!(status(error), 502);
        }
        assert_eq!(status(http::Error::Timeout(m())), 504);
        assert_eq!(status(http::Error::ConnectTimeout(m())), 504);
        assert_eq!(
            status(http::Error::InvalidUrl {
                url: m(),
                reason: m()
            }),
            500
        );
        assert_eq!(
            status(http::Error::InvalidHeaderName {
                name: m(),
                reason: m()
            }),
            500
        );
        assert_eq!(status(http::Error::InvalidMethod(m())), 500);
        assert_eq!(status(http::Error::Internal), 500);
    }

    #[test]
    fn topic_token_and_lambda_errors_map_to_statuses() {
        use crate::aws::lambda;
        use crate::{token, topics};
        let m = || "m".to_owned();
        assert_eq!(status(topics::Error::InvalidArgument(m())), 400);
        assert_eq!(status(topics::Error::LimitExceeded(m())), 413);
        assert_eq!(status(topics::Error::PermissionDenied(m())), 403);
        assert_eq!(status(topics::Error::NotFound(m())), 404);
        assert_eq!(status(topics::Error::Timeout), 504);
        assert_eq!(status(topics::Error::Internal), 500);
        assert_eq!(status(token::Error::InvalidArgument(m())), 400);
        assert_eq!(status(token::Error::PermissionDenied(m())), 403);
        assert_eq!(status(token::Error::LimitExceeded(m())), 429);
        assert_eq!(status(token::Error::Internal), 500);
        assert_eq!(status(lambda::Error::NotFound(m())), 404);
        assert_eq!(status(lambda::Error::Unauthorized(m())), 403);
        assert_eq!(status(lambda::Error::Malformed(m())), 400);
        assert_eq!(status(lambda::Error::Throttled(m())), 429);
        assert_eq!(status(lambda::Error::Other(m())), 502);
        assert_eq!(
            status(lambda::Error::FunctionFailed {
                error_type: m(),
                message: m()
            }),
            502
        );
    }

    #[test]
    fn the_message_names_the_cause() {
        let error = FunctionError::from(http::Error::Timeout("no answer in 1s".into()));
        assert_eq!(error.message(), "request timed out: no answer in 1s");
    }
}
