//! The [`Handler`] traits: which plain functions can serve requests.

use crate::extract::{FromRequest, FromRequestParts};
use crate::{IntoResponse, WebRequest, WebResponse};

/// A function that can serve requests with a body (`post!`, and `route!` for methods other than GET).
///
/// Implemented for every `fn(T1, ..., Tn) -> R` with up to 8 parameters where `T1..Tn-1` implement
/// [`FromRequestParts`], `Tn` implements [`FromRequest`] (it may take the body) and `R` implements
/// [`IntoResponse`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a valid momento-functions handler",
    label = "expected a plain `fn` whose parameters are extractors and whose return type implements `IntoResponse`",
    note = "a handler is a non-async `fn` with 0 to 8 parameters, e.g. `fn handler(body: Vec<u8>) -> FunctionResult<Vec<u8>>`",
    note = "the last parameter may take the body (`Vec<u8>`, `String`, `Json<T>`, `WebRequest`); the others must be \
            `RequestContext`, `Query<T>`, `Method` or `Headers`"
)]
pub trait Handler<Args>: Sized {
    /// Extract the parameters from `request`, call the function and convert its result.
    fn call(self, request: WebRequest) -> WebResponse;
}

/// A function that can serve requests without reading the body (`get!`).
///
/// Implemented for every `fn(T1, ..., Tn) -> R` with up to 8 parameters that all implement
/// [`FromRequestParts`], where `R` implements [`IntoResponse`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a valid `get!` handler",
    label = "expected a plain `fn` whose parameters all read the request head",
    note = "`get!` handlers take no body: use `RequestContext`, `Query<T>`, `Method` or `Headers` parameters",
    note = "to read a body, serve the method with `post!` (or `route!(get: .., post: ..)`)"
)]
pub trait GetHandler<Args>: Sized {
    /// Extract the parameters from `request`, call the function and convert its result.
    fn call(self, request: WebRequest) -> WebResponse;
}

macro_rules! try_extract {
    ($e:expr) => {
        match $e {
            Ok(value) => value,
            Err(rejection) => return rejection.into_response(),
        }
    };
}

impl<F, R> Handler<()> for F
where
    F: FnOnce() -> R,
    R: IntoResponse,
{
    fn call(self, _request: WebRequest) -> WebResponse {
        self().into_response()
    }
}

impl<F, R> GetHandler<()> for F
where
    F: FnOnce() -> R,
    R: IntoResponse,
{
    fn call(self, _request: WebRequest) -> WebResponse {
        self().into_response()
    }
}

macro_rules! impl_handlers {
    ([$($part:ident),*], $last:ident) => {
        #[allow(non_snake_case, reason = "type parameters double as variable names")]
        impl<F, R, M, $($part,)* $last> Handler<(M, $($part,)* $last,)> for F
        where
            F: FnOnce($($part,)* $last) -> R,
            R: IntoResponse,
            $($part: FromRequestParts,)*
            $last: FromRequest<M>,
        {
            fn call(self, request: WebRequest) -> WebResponse {
                $(let $part = try_extract!($part::from_request_parts(&request.context));)*
                let $last = try_extract!($last::from_request(request));
                self($($part,)* $last).into_response()
            }
        }

        #[allow(non_snake_case, reason = "type parameters double as variable names")]
        impl<F, R, $($part,)* $last> GetHandler<($($part,)* $last,)> for F
        where
            F: FnOnce($($part,)* $last) -> R,
            R: IntoResponse,
            $($part: FromRequestParts,)*
            $last: FromRequestParts,
        {
            fn call(self, request: WebRequest) -> WebResponse {
                $(let $part = try_extract!($part::from_request_parts(&request.context));)*
                let $last = try_extract!($last::from_request_parts(&request.context));
                self($($part,)* $last).into_response()
            }
        }
    };
}

impl_handlers!([], T1);
impl_handlers!([T1], T2);
impl_handlers!([T1, T2], T3);
impl_handlers!([T1, T2, T3], T4);
impl_handlers!([T1, T2, T3, T4], T5);
impl_handlers!([T1, T2, T3, T4, T5], T6);
impl_handlers!([T1, T2, T3, T4, T5, T6], T7);
impl_handlers!([T1, T2, T3, T4, T5, T6, T7], T8);
