//! Responses: the [`WebResponse`] builder and the [`IntoResponse`] conversions handlers return.

use crate::{Data, Headers, Json, StatusCode};

/// An HTTP response: status, headers and body.
///
/// The body is [`Data`]: bytes, or a buffer the host holds (a request body, an HTTP response body, a
/// cached value or an S3 object the function received), which goes back to the host without being
/// copied into the function's memory.
///
/// ```
/// use momento_functions::{StatusCode, WebResponse};
/// let response = WebResponse::new()
///     .with_status(StatusCode::CREATED)
///     .with_header("location", "/items/7")
///     .with_body("created");
/// assert_eq!(response.status(), StatusCode::CREATED);
/// assert_eq!(response.headers().get("Location"), Some("/items/7"));
/// assert_eq!(response.body(), b"created");
/// ```
#[derive(Debug)]
pub struct WebResponse {
    status: StatusCode,
    headers: Headers,
    body: Data,
}

impl Default for WebResponse {
    fn default() -> Self {
        WebResponse::new()
    }
}

impl WebResponse {
    /// `200 OK`, no headers, empty body.
    pub fn new() -> Self {
        WebResponse {
            status: StatusCode::OK,
            headers: Headers::new(),
            body: Data::new(),
        }
    }

    /// Set the status.
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// Add a header (keeps other values of the same name).
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.append(name, value);
        self
    }

    /// Set the body: bytes, text or a [`Data`] the function received.
    pub fn with_body(mut self, body: impl Into<Data>) -> Self {
        self.body = body.into();
        self
    }

    /// Serialize `value` as the JSON body and set `content-type: application/json`.
    ///
    /// # Errors
    /// When `value` cannot be serialized (e.g. a map with non-string keys).
    pub fn with_json<T: serde::Serialize>(mut self, value: &T) -> Result<Self, serde_json::Error> {
        self.body = Data::from(serde_json::to_vec(value)?);
        self.headers.insert("content-type", "application/json");
        Ok(self)
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &Headers {
        &self.headers
    }

    /// Mutable access to the headers.
    pub fn headers_mut(&mut self) -> &mut Headers {
        &mut self.headers
    }

    /// The body. It compares equal to bytes or text when it holds them in the function's memory.
    pub fn body(&self) -> &Data {
        &self.body
    }

    /// Mutable access to the body (e.g. to read a host buffer into memory with [`Data::load`]).
    pub fn body_mut(&mut self) -> &mut Data {
        &mut self.body
    }

    /// Split into status, headers and body.
    pub fn into_parts(self) -> (StatusCode, Headers, Data) {
        (self.status, self.headers, self.body)
    }

    fn typed(status: StatusCode, content_type: &'static str, body: impl Into<Data>) -> Self {
        let mut headers = Headers::new();
        headers.append("content-type", content_type);
        WebResponse {
            status,
            headers,
            body: body.into(),
        }
    }
}

/// Something a handler can return.
///
/// | type | response |
/// |---|---|
/// | `()` | 204, empty body |
/// | `String`, `&'static str` | 200, `text/plain; charset=utf-8` |
/// | `Vec<u8>`, `&'static [u8]`, [`Data`] | 200, `application/octet-stream` (a `Data` still on the host goes back unread) |
/// | [`Json<T>`] | 200, `application/json` (500 if `T` fails to serialize) |
/// | `(StatusCode, T)` | `T`'s response with the status replaced |
/// | [`WebResponse`] | as built |
/// | `Result<T, E>` | `T`'s response, or `E`'s (e.g. a [`FunctionError`](crate::FunctionError)) |
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a momento-functions handler",
    label = "this return type does not implement `IntoResponse`",
    note = "return `FunctionResult<T>` where `T` is `()`, `String`, `Vec<u8>`, `Data`, `Json<_>`, `(StatusCode, _)` or `WebResponse`",
    note = "handlers are plain `fn`s: an `async fn` returns a future, which cannot be a response; remove `async`"
)]
pub trait IntoResponse {
    /// Convert into a response.
    fn into_response(self) -> WebResponse;
}

impl IntoResponse for WebResponse {
    fn into_response(self) -> WebResponse {
        self
    }
}

impl IntoResponse for () {
    fn into_response(self) -> WebResponse {
        WebResponse::new().with_status(StatusCode::NO_CONTENT)
    }
}

impl IntoResponse for String {
    fn into_response(self) -> WebResponse {
        WebResponse::typed(
            StatusCode::OK,
            "text/plain; charset=utf-8",
            self.into_bytes(),
        )
    }
}

impl IntoResponse for &'static str {
    fn into_response(self) -> WebResponse {
        self.to_owned().into_response()
    }
}

impl IntoResponse for Vec<u8> {
    fn into_response(self) -> WebResponse {
        WebResponse::typed(StatusCode::OK, "application/octet-stream", self)
    }
}

impl IntoResponse for &'static [u8] {
    fn into_response(self) -> WebResponse {
        self.to_vec().into_response()
    }
}

impl IntoResponse for Data {
    fn into_response(self) -> WebResponse {
        WebResponse::typed(StatusCode::OK, "application/octet-stream", self)
    }
}

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> WebResponse {
        match serde_json::to_vec(&self.0) {
            Ok(body) => WebResponse::typed(StatusCode::OK, "application/json", body),
            Err(e) => crate::FunctionError::internal(format!(
                "failed to serialize the response as JSON: {e}"
            ))
            .into_response(),
        }
    }
}

impl<T: IntoResponse> IntoResponse for (StatusCode, T) {
    fn into_response(self) -> WebResponse {
        let mut response = self.1.into_response();
        response.status = self.0;
        response
    }
}

impl<T: IntoResponse, E: IntoResponse> IntoResponse for Result<T, E> {
    fn into_response(self) -> WebResponse {
        match self {
            Ok(value) => value.into_response(),
            Err(error) => error.into_response(),
        }
    }
}
