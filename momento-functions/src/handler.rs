//! Which plain functions can serve requests.
//!
//! A handler is a non-async `fn` with 0 to 8 parameters whose types are extractors and whose return type
//! implements [`IntoResponse`]. The checks are split in three so that a mistake gets a precise message:
//! [`HandlerFn`] (is it a function of at most 8 parameters?), [`ExtractArgs`] / [`ExtractHeadArgs`] (is each
//! parameter an extractor, and only the last one reading the body?) and [`IntoResponse`] (can the return value
//! become a response?).

use crate::extract::{FromRequest, FromRequestParts};
use crate::{IntoResponse, WebRequest, WebResponse};

/// A function of 0 to 8 parameters, called with its parameters as a tuple.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a handler function",
    label = "expected a plain `fn` with 0 to 8 parameters",
    note = "a handler is a non-async `fn`, e.g. `fn handler(body: Vec<u8>) -> FunctionResult<Vec<u8>>`; \
            with more than 8 values to extract, take `WebRequest` or a `Json<T>` struct instead"
)]
pub trait HandlerFn<Args> {
    /// The return type.
    type Output;
    /// Call with the extracted parameters.
    fn call_with(self, args: Args) -> Self::Output;
}

/// The parameter tuple of a handler that may read the body: every element but the last implements
/// [`FromRequestParts`], the last [`FromRequest`].
pub trait ExtractArgs<M>: Sized {
    /// Extract every parameter, or the response of the first rejection.
    ///
    /// # Errors
    /// The rejection's response.
    fn extract(request: WebRequest) -> Result<Self, WebResponse>;
}

/// The parameter tuple of a handler that reads only the request head (`get!`): every element implements
/// [`FromRequestParts`].
pub trait ExtractHeadArgs: Sized {
    /// Extract every parameter, or the response of the first rejection.
    ///
    /// # Errors
    /// The rejection's response.
    fn extract(request: &WebRequest) -> Result<Self, WebResponse>;
}

/// A function that can serve requests with a body (`post!`, and `route!` for methods other than GET).
///
/// Implemented for every `fn(T1, ..., Tn) -> R` with up to 8 parameters where `T1..Tn-1` implement
/// [`FromRequestParts`], `Tn` implements [`FromRequest`] (it may take the body) and `R` implements
/// [`IntoResponse`].
pub trait Handler<Args>: Sized {
    /// Extract the parameters from `request`, call the function and convert its result.
    fn call(self, request: WebRequest) -> WebResponse;
}

/// A function that can serve requests without reading the body (`get!`).
///
/// Implemented for every `fn(T1, ..., Tn) -> R` with up to 8 parameters that all implement
/// [`FromRequestParts`], where `R` implements [`IntoResponse`].
pub trait GetHandler<Args>: Sized {
    /// Extract the parameters from `request`, call the function and convert its result.
    fn call(self, request: WebRequest) -> WebResponse;
}

impl<F, A, M> Handler<(M, A)> for F
where
    F: HandlerFn<A>,
    A: ExtractArgs<M>,
    F::Output: IntoResponse,
{
    fn call(self, request: WebRequest) -> WebResponse {
        match A::extract(request) {
            Ok(args) => self.call_with(args).into_response(),
            Err(rejection) => rejection,
        }
    }
}

impl<F, A> GetHandler<A> for F
where
    F: HandlerFn<A>,
    A: ExtractHeadArgs,
    F::Output: IntoResponse,
{
    fn call(self, request: WebRequest) -> WebResponse {
        match A::extract(&request) {
            Ok(args) => self.call_with(args).into_response(),
            Err(rejection) => rejection,
        }
    }
}

impl<F, R> HandlerFn<()> for F
where
    F: FnOnce() -> R,
{
    type Output = R;
    fn call_with(self, (): ()) -> R {
        self()
    }
}

impl ExtractArgs<()> for () {
    fn extract(_request: WebRequest) -> Result<Self, WebResponse> {
        Ok(())
    }
}

impl ExtractHeadArgs for () {
    fn extract(_request: &WebRequest) -> Result<Self, WebResponse> {
        Ok(())
    }
}

macro_rules! try_extract {
    ($e:expr) => {
        match $e {
            Ok(value) => value,
            Err(rejection) => return Err(rejection.into_response()),
        }
    };
}

macro_rules! impl_handlers {
    ([$($part:ident),*], $last:ident) => {
        impl<F, R, $($part,)* $last> HandlerFn<($($part,)* $last,)> for F
        where
            F: FnOnce($($part,)* $last) -> R,
        {
            type Output = R;
            #[allow(non_snake_case, reason = "type parameters double as variable names")]
            fn call_with(self, ($($part,)* $last,): ($($part,)* $last,)) -> R {
                self($($part,)* $last)
            }
        }

        impl<M, $($part,)* $last> ExtractArgs<M> for ($($part,)* $last,)
        where
            $($part: FromRequestParts,)*
            $last: FromRequest<M>,
        {
            #[allow(non_snake_case, reason = "type parameters double as variable names")]
            fn extract(request: WebRequest) -> Result<Self, WebResponse> {
                $(let $part = try_extract!($part::from_request_parts(&request.context));)*
                let $last = try_extract!($last::from_request(request));
                Ok(($($part,)* $last,))
            }
        }

        impl<$($part,)* $last> ExtractHeadArgs for ($($part,)* $last,)
        where
            $($part: FromRequestParts,)*
            $last: FromRequestParts,
        {
            #[allow(non_snake_case, reason = "type parameters double as variable names")]
            fn extract(request: &WebRequest) -> Result<Self, WebResponse> {
                $(let $part = try_extract!($part::from_request_parts(&request.context));)*
                let $last = try_extract!($last::from_request_parts(&request.context));
                Ok(($($part,)* $last,))
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
