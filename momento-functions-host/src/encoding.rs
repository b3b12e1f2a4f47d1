//! Encodings shared by the SDK crates.

/// A JSON value of type `T`.
///
/// As a handler parameter it deserializes the request body (a bad body is answered with 400 and a message
/// naming the line, column and field); as a return value it serializes `T` with `content-type: application/json`.
///
/// ```
/// use momento_functions_host::encoding::Json;
///
/// #[derive(serde::Serialize)]
/// struct Greeting { message: String }
///
/// let Json(inner) = Json(Greeting { message: "hi".into() });
/// assert_eq!(inner.message, "hi");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    /// Unwrap the inner value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> From<T> for Json<T> {
    fn from(value: T) -> Self {
        Json(value)
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::DerefMut for Json<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}
