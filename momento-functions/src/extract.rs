//! Extractors: how handler parameters are taken from the request.
//!
//! Every parameter but the last implements [`FromRequestParts`] (it reads the request head: method, path,
//! query, headers, invocation metadata); the last may instead implement [`FromRequest`] and take the body.
//!
//! | parameter | from | rejection |
//! |---|---|---|
//! | [`Data`] | the body as it is: on a host, a buffer the host holds, passed on unread to HTTP, the cache, S3 or the response | none |
//! | `Vec<u8>` | the body, read into memory | 400 (408 when it stopped arriving in time) |
//! | `String` | the body | as `Vec<u8>`, and 400 when not UTF-8 |
//! | [`Json<T>`] | the body, as JSON | as `Vec<u8>`, and 400 naming line, column and field |
//! | [`WebRequest`] | the whole request | none |
//! | [`Query<T>`] | the query string | 400 when it does not deserialize into `T` |
//! | [`RequestContext`] | method, path, query, headers, invocation id, function name, token metadata | none |
//! | [`Method`], [`Headers`] | the request head | none |

use std::fmt;

use serde::de::DeserializeOwned;

use crate::{
    Data, Headers, IntoResponse, Json, Method, RequestContext, StatusCode, WebRequest, WebResponse,
};

/// Extract a value from the request head (anything but the body).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be extracted from the request head",
    label = "not a request-head extractor",
    note = "parameters before the last one, and every parameter of a `get!` handler, must be one of: \
            `RequestContext`, `Query<T>`, `Method`, `Headers`",
    note = "the request body (`Data`, `Vec<u8>`, `String`, `Json<T>`, `WebRequest`) can only be taken by the last parameter of a `post!` handler"
)]
pub trait FromRequestParts: Sized {
    /// What the request gets back when extraction fails.
    type Rejection: IntoResponse;

    /// Extract from the request head.
    ///
    /// # Errors
    /// A rejection that becomes the response (e.g. 400) instead of calling the handler.
    fn from_request_parts(context: &RequestContext) -> Result<Self, Self::Rejection>;
}

#[doc(hidden)]
pub mod via {
    /// Marker: extracted by consuming the whole request.
    #[derive(Debug)]
    pub enum ViaRequest {}
    /// Marker: extracted from the request head.
    #[derive(Debug)]
    pub enum ViaParts {}
}

/// Extract a value from the whole request, body included. Only the last handler parameter may do this.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be extracted from a request",
    label = "not a handler parameter type",
    note = "handler parameters must be one of: `Data`, `Vec<u8>`, `String`, `Json<T>`, `WebRequest` (body, last parameter only), \
            or `RequestContext`, `Query<T>`, `Method`, `Headers`",
    note = "for a typed JSON body use `Json<MyType>` where `MyType: serde::Deserialize`, or `post!(handler, Request, Response)`"
)]
pub trait FromRequest<M = via::ViaRequest>: Sized {
    /// What the request gets back when extraction fails.
    type Rejection: IntoResponse;

    /// Extract from the request.
    ///
    /// # Errors
    /// A rejection that becomes the response (e.g. 400) instead of calling the handler.
    fn from_request(request: WebRequest) -> Result<Self, Self::Rejection>;
}

#[diagnostic::do_not_recommend]
impl<T: FromRequestParts> FromRequest<via::ViaParts> for T {
    type Rejection = T::Rejection;
    fn from_request(request: WebRequest) -> Result<Self, Self::Rejection> {
        T::from_request_parts(&request.context)
    }
}

/// Why a request could not be extracted. Answered with its status (400, or 408 for a body that did not
/// arrive in time) and a JSON body:
/// `{"status": 400, "error": "Bad Request", "message": "...", "details": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    kind: RejectionKind,
    message: String,
}

/// What kind of [`Rejection`] happened.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RejectionKind {
    /// The body stopped arriving before its end.
    BodyRead {
        /// Because the invocation ran out of time (answered 408).
        timed_out: bool,
    },
    /// A `String` body that is not UTF-8.
    InvalidUtf8 {
        /// Byte offset of the first invalid byte.
        valid_up_to: usize,
    },
    /// A `Json<T>` body that is not valid JSON or does not fit `T`.
    InvalidJson {
        /// 1-based line of the error (0 when unknown).
        line: usize,
        /// 1-based column of the error (0 when unknown).
        column: usize,
        /// Path of the offending field, e.g. `items[2].name` (`None` at the top level).
        field: Option<String>,
    },
    /// A query string that does not deserialize into `Query<T>`.
    InvalidQuery,
}

impl Rejection {
    /// The kind of rejection.
    pub fn kind(&self) -> &RejectionKind {
        &self.kind
    }

    /// The human-readable message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The status the request is answered with.
    pub fn status(&self) -> StatusCode {
        match self.kind {
            RejectionKind::BodyRead { timed_out: true } => StatusCode::REQUEST_TIMEOUT,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    fn details(&self) -> serde_json::Value {
        match &self.kind {
            RejectionKind::BodyRead { timed_out } => {
                serde_json::json!({ "kind": "body_read", "timed_out": timed_out })
            }
            RejectionKind::InvalidUtf8 { valid_up_to } => {
                serde_json::json!({ "kind": "invalid_utf8", "valid_up_to": valid_up_to })
            }
            RejectionKind::InvalidJson {
                line,
                column,
                field,
            } => {
                serde_json::json!({ "kind": "invalid_json", "line": line, "column": column, "field": field })
            }
            RejectionKind::InvalidQuery => serde_json::json!({ "kind": "invalid_query" }),
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rejection {}

impl IntoResponse for Rejection {
    fn into_response(self) -> WebResponse {
        let status = self.status();
        let body = serde_json::json!({
            "status": status.as_u16(),
            "error": status.canonical_reason(),
            "message": self.message,
            "details": self.details(),
        });
        WebResponse::new()
            .with_status(status)
            .with_header("content-type", "application/json")
            .with_body(body.to_string())
    }
}

/// Parse JSON into `T`, naming line, column and field on failure.
pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, Rejection> {
    let json_rejection = |inner: serde_json::Error, field: Option<String>| {
        let message = match &field {
            Some(field) => format!("invalid JSON {what} at field `{field}`: {inner}"),
            None => format!("invalid JSON {what}: {inner}"),
        };
        Rejection {
            kind: RejectionKind::InvalidJson {
                line: inner.line(),
                column: inner.column(),
                field,
            },
            message,
        }
    };
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let field = (path != "." && !path.is_empty()).then_some(path);
        json_rejection(error.into_inner(), field)
    })?;
    deserializer.end().map_err(|e| json_rejection(e, None))?;
    Ok(value)
}

/// Read the whole body into memory.
pub(crate) fn read_body(body: Data) -> Result<Vec<u8>, Rejection> {
    body.try_into_bytes().map_err(|e| Rejection {
        kind: RejectionKind::BodyRead {
            timed_out: e.kind() == std::io::ErrorKind::TimedOut,
        },
        message: format!("the request body could not be read: {e}"),
    })
}

impl FromRequest for Data {
    type Rejection = std::convert::Infallible;
    fn from_request(request: WebRequest) -> Result<Self, Self::Rejection> {
        Ok(request.body)
    }
}

impl FromRequest for Vec<u8> {
    type Rejection = Rejection;
    fn from_request(request: WebRequest) -> Result<Self, Self::Rejection> {
        read_body(request.body)
    }
}

impl FromRequest for String {
    type Rejection = Rejection;
    fn from_request(request: WebRequest) -> Result<Self, Self::Rejection> {
        String::from_utf8(read_body(request.body)?).map_err(|e| {
            let valid_up_to = e.utf8_error().valid_up_to();
            Rejection {
                kind: RejectionKind::InvalidUtf8 { valid_up_to },
                message: format!("request body is not valid UTF-8: {}", e.utf8_error()),
            }
        })
    }
}

impl<T: DeserializeOwned> FromRequest for Json<T> {
    type Rejection = Rejection;
    fn from_request(request: WebRequest) -> Result<Self, Self::Rejection> {
        parse_json(&read_body(request.body)?, "request body").map(Json)
    }
}

impl FromRequest for WebRequest {
    type Rejection = std::convert::Infallible;
    fn from_request(request: WebRequest) -> Result<Self, Self::Rejection> {
        Ok(request)
    }
}

impl IntoResponse for std::convert::Infallible {
    fn into_response(self) -> WebResponse {
        match self {}
    }
}

impl FromRequestParts for RequestContext {
    type Rejection = std::convert::Infallible;
    fn from_request_parts(context: &RequestContext) -> Result<Self, Self::Rejection> {
        Ok(context.clone())
    }
}

impl FromRequestParts for Method {
    type Rejection = std::convert::Infallible;
    fn from_request_parts(context: &RequestContext) -> Result<Self, Self::Rejection> {
        Ok(context.method().clone())
    }
}

impl FromRequestParts for Headers {
    type Rejection = std::convert::Infallible;
    fn from_request_parts(context: &RequestContext) -> Result<Self, Self::Rejection> {
        Ok(context.headers().clone())
    }
}

/// Query parameters deserialized into `T` (repeated keys fill `Vec` fields).
///
/// ```no_run
/// use momento_functions::{FunctionResult, Query};
///
/// #[derive(serde::Deserialize)]
/// struct Search { q: String, #[serde(default)] tag: Vec<String>, limit: Option<u32> }
///
/// momento_functions::get!(search);
/// fn search(Query(search): Query<Search>) -> FunctionResult<String> {
///     Ok(format!("{} {:?} {:?}", search.q, search.tag, search.limit))
/// }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned> FromRequestParts for Query<T> {
    type Rejection = Rejection;
    fn from_request_parts(context: &RequestContext) -> Result<Self, Self::Rejection> {
        serde_html_form::from_str(context.query_string())
            .map(Query)
            .map_err(|e| Rejection {
                kind: RejectionKind::InvalidQuery,
                message: format!("invalid query string: {e}"),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_read_failures_are_400_or_408() {
        let timed_out = Rejection {
            kind: RejectionKind::BodyRead { timed_out: true },
            message: "m".into(),
        };
        assert_eq!(timed_out.status(), StatusCode::REQUEST_TIMEOUT);
        assert_eq!(timed_out.details()["kind"], "body_read");
        let broken = Rejection {
            kind: RejectionKind::BodyRead { timed_out: false },
            message: "m".into(),
        };
        assert_eq!(broken.status(), StatusCode::BAD_REQUEST);
        assert_eq!(read_body(Data::from("abc")).unwrap(), b"abc");
    }
}
