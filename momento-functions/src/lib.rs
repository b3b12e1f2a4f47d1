//! Write small Rust functions that compile to WebAssembly components and run on Momento Functions.
//!
//! ```no_run
//! use momento_functions::FunctionResult;
//!
//! momento_functions::post!(echo_handler);
//! fn echo_handler(payload: Vec<u8>) -> FunctionResult<Vec<u8>> {
//!     Ok(payload)
//! }
//! ```
//!
//! Build it with `cargo build --target wasm32-wasip2 --release` and run or test it locally with
//! `momento-functions-test-host`. The component speaks Momento's published contract: it exports
//! `momento:web-function/guest-function-web.invoke` and imports only the Momento interfaces it uses
//! (plus WASI).
//!
//! # Depending on it
//!
//! This crate is not on crates.io yet; the crates.io package named `momento-functions` is Momento's own
//! SDK (whose `post!` differs). Depend on a clone of the repository by path, or on the repository by git:
//!
//! ```toml
//! [lib]
//! crate-type = ["cdylib"]
//!
//! [dependencies]
//! momento-functions = { path = "../momento-functions/momento-functions" }
//! serde = { version = "1", features = ["derive"] } # for typed JSON
//!
//! [dev-dependencies]
//! momento-functions-test-host = { path = "../momento-functions/test-host", default-features = false }
//! serde_json = "1" # for the tests' JSON bodies
//! ```
//!
//! `mfn new <dir>` (the test host's command line) writes a crate like this, with tests.
//!
//! # Typed JSON
//!
//! `post!(handler, Request, Response)` deserializes the body into `Request` (answering 400 with a JSON
//! body that names line, column and field when it does not fit) and serializes the `Response`:
//!
//! ```no_run
//! use momento_functions::FunctionResult;
//!
//! #[derive(serde::Deserialize)]
//! struct Request { name: String }
//! #[derive(serde::Serialize)]
//! struct Response { message: String }
//!
//! momento_functions::post!(greet, Request, Response);
//! fn greet(request: Request) -> FunctionResult<Response> {
//!     Ok(Response { message: format!("Hello, {}!", request.name) })
//! }
//! ```
//!
//! # Bodies that stay on the host
//!
//! A request body arrives as a buffer the host holds. Take it as [`Data`] to pass it on (to the cache,
//! an HTTP request, S3 or the response) without copying it into the function's memory; take `Vec<u8>`,
//! `String` or [`Json<T>`] to read it:
//!
//! ```no_run
//! use std::time::Duration;
//! use momento_functions::{cache, Data, FunctionResult};
//!
//! momento_functions::post!(store);
//! fn store(body: Data) -> FunctionResult<&'static str> {
//!     cache::set("upload", body, Duration::from_secs(60))?; // the bytes never enter the function
//!     Ok("stored")
//! }
//! ```
//!
//! # The request, from anywhere
//!
//! [`RequestContext`] is a handler parameter, and [`RequestContext::current`] gives the same from
//! anywhere (the counterpart of `WebEnvironment::load()` in Momento's SDK): method, path, query,
//! headers (case-insensitive names, unlike Momento's SDK), token metadata, invocation id, function and
//! cache names. Each part is asked of the host once, when first used.
//!
//! # Errors
//!
//! Handlers return [`FunctionResult<T>`]. `Err(FunctionError)` answers with its status and a JSON body
//! `{"status", "error", "message"}`; `?` converts any error (500 unless the SDK knows better).
//!
//! # Logging
//!
//! `log::info!` and friends go to the host's `momento:log` interface. On Momento, **nothing is logged
//! until the function calls [`logging::configure_logging`]** (a topic or a CloudWatch log group, with
//! levels); the test host shows every record either way. See [`logging`].
//!
//! # Host services
//!
//! The [`cache`] (with [`cache::list`]) and [`http`] clients are re-exported here (they are the crates
//! `momento-functions-cache` and `momento-functions-http`), as are [`topics`], [`token`] and [`aws`], so
//! one dependency is enough; `?` on their errors picks a fitting status (see [`FunctionError`]):
//!
//! ```no_run
//! use std::time::Duration;
//! use momento_functions::{cache, http, FunctionResult};
//!
//! momento_functions::get!(weather);
//! fn weather() -> FunctionResult<Vec<u8>> {
//!     if let Some(cached) = cache::get("weather")? {
//!         return Ok(cached);
//!     }
//!     let body = http::get("https://weather.example.com/today")?.error_for_status()?.into_bytes()?;
//!     cache::set("weather", &body, Duration::from_secs(300))?;
//!     Ok(body)
//! }
//! ```
#![deny(missing_docs)]

mod error;
pub mod extract;
mod handler;
mod invocation;
mod request;
mod response;
pub mod spawn;
mod status;
pub mod stream;
pub mod valkey;

pub use error::{FunctionError, FunctionResult};
pub use extract::{FromRequest, FromRequestParts, Query, Rejection};
pub use handler::{ExtractArgs, ExtractHeadArgs, GetHandler, Handler, HandlerFn};
/// AWS credentials and the DynamoDB, S3, Secrets Manager and Lambda clients (from
/// `momento-functions-host`).
pub use momento_functions_host::aws;
pub use momento_functions_host::build_environment_aws_credentials;
pub use momento_functions_host::encoding::Json;
/// The [`log`] facade routed to the host, and [`configure_logging`](logging::configure_logging) (from
/// `momento-functions-host`).
pub use momento_functions_host::logging;
/// Disposable tokens with narrowed permissions (from `momento-functions-host`).
pub use momento_functions_host::token;
/// Publishing to topics (from `momento-functions-host`).
pub use momento_functions_host::topics;
pub use momento_functions_host::{Data, Method};
pub use momento_functions_macros::{get, post, route};
pub use request::{Headers, RequestContext, WebRequest};
pub use response::{IntoResponse, WebResponse};
pub use status::StatusCode;

/// The `log` facade: `momento_functions::log::info!(...)` works without a separate dependency.
#[doc(no_inline)]
pub use log;
/// The cache client: the crate [`momento_functions_cache`], re-exported.
pub use momento_functions_cache as cache;
/// The outbound HTTP client: the crate [`momento_functions_http`], re-exported.
pub use momento_functions_http as http;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

/// Export `handler` as the function's spawn handler: the function is then a spawn function, run in the
/// background by name (see [`spawn`](mod@spawn)).
///
/// The handler is a plain `fn` taking the payload — [`Data`], `Vec<u8>`, `String` or [`Json<T>`] — and
/// returning anything that implements [`IntoSpawnOutcome`](spawn::IntoSpawnOutcome): `()`, a note
/// (`String`), a [`SpawnOutcome`](spawn::SpawnOutcome), or a `Result` of those (an `Err` is a failure whose
/// note is the error's message). A payload that does not fit the parameter fails the spawn with a note
/// saying why, without calling the handler.
///
/// ```no_run
/// momento_functions::spawn!(audit);
/// fn audit(payload: String) -> Result<(), std::io::Error> {
///     momento_functions::log::info!("audited: {payload}");
///     Ok(())
/// }
/// ```
#[macro_export]
macro_rules! spawn {
    ($handler:expr $(,)?) => {
        #[allow(unsafe_code, reason = "the generated component export")]
        const _: () = {
            struct __MomentoSpawnFunction;

            impl $crate::__private::SpawnGuest for __MomentoSpawnFunction {
                fn spawned(
                    payload: $crate::__private::WitData,
                ) -> ::core::result::Result<
                    $crate::__private::SpawnSuccess,
                    $crate::__private::SpawnFailure,
                > {
                    $crate::__private::call_spawn($handler, payload)
                }
            }

            // As for the web handlers: the export exists only in the wasm build.
            #[cfg(target_arch = "wasm32")]
            $crate::__private::export_spawn_function!(
                __MomentoSpawnFunction with_types_in $crate::__private::spawn_wit
            );
            #[cfg(not(target_arch = "wasm32"))]
            const _: fn(
                $crate::__private::WitData,
            ) -> ::core::result::Result<
                $crate::__private::SpawnSuccess,
                $crate::__private::SpawnFailure,
            > = <__MomentoSpawnFunction as $crate::__private::SpawnGuest>::spawned;
        };
    };
}
