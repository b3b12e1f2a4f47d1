//! The outbound HTTP client of momento-functions, on Momento's `momento:http` interface.
//!
//! Requests go through the host's pooled client, so connections stay warm across invocations. Build a
//! [`Request`], [`send`](Request::send) it, and read the [`Response`]; every failure is one [`Error`].
//! Bodies are [`Data`] both ways: a request body the function received, or an upstream's response
//! body, passes through without being copied into the function's memory. The host can sign requests
//! with AWS SigV4 ([`Authorization`]).
//!
//! ```no_run
//! use std::time::Duration;
//! use momento_functions_http::{Error, Request};
//!
//! #[derive(serde::Serialize)]
//! struct NewOrder { item: String, quantity: u32 }
//! #[derive(serde::Deserialize)]
//! struct Order { id: u64 }
//!
//! # fn main() -> Result<(), Error> {
//! let order: Order = Request::post("https://orders.example.com/v1/orders")
//!     .header("authorization", "Bearer secret")
//!     .json(&NewOrder { item: "tea".into(), quantity: 2 })
//!     .timeout(Duration::from_secs(2))
//!     .send()?
//!     .error_for_status()?
//!     .json()?;
//!
//! let page = momento_functions_http::get("https://example.com/")?.into_bytes()?;
//! println!("{} bytes, order {}", page.len(), order.id);
//! # Ok(()) }
//! ```
//!
//! Every status is a response: check [`Response::status`] or call [`Response::error_for_status`].
//! With a [`timeout`](Request::timeout) the request goes through the host's `invoke-with-timeout`;
//! without one the host's default applies (the test host: 2 s to connect, 10 s in all), and the host
//! never waits past the invocation's own deadline. Whether redirects are followed is the host's choice
//! (the test host returns a 3xx as is; Momento reports endless ones as [`Error::TooManyRedirects`]).
//!
//! Host calls only work inside a function running on a host; the test host
//! (`momento-functions-test-host`) mocks them for `cargo test` or sends them for real.
#![deny(missing_docs)]

mod error;
mod request;
mod response;
pub mod sse;

pub use error::Error;
pub use momento_functions_host::{Data, Method};
pub use request::{Authorization, Request};
pub use response::Response;

/// `GET url`: shorthand for `Request::get(url).send()`.
///
/// ```no_run
/// # fn main() -> Result<(), momento_functions_http::Error> {
/// let response = momento_functions_http::get("https://example.com/health")?;
/// assert!(response.is_success());
/// # Ok(()) }
/// ```
///
/// # Errors
/// An [`Error`] when no response arrives.
pub fn get(url: impl Into<String>) -> Result<Response, Error> {
    Request::get(url).send()
}
