//! A local wasmtime host for momento-functions, with mock host services.
//!
//! It runs the very same `.wasm` a function is deployed as, under `cargo test` and from the command
//! line (`mfn invoke|check|serve|bench|new`). Functions written with Momento's published SDK
//! (`momento-functions-guest-web` 0.27) run and test the same way. Load once, invoke many: a component is validated,
//! compiled (or loaded from the on-disk compile cache) and pre-linked once; every invocation gets a fresh
//! instance in microseconds, while host services keep their state across invocations.
//!
//! A function crate's dev-dependency needs the library only, without the default `cli` feature (the
//! command line, clap, the HTTP server). Not on crates.io yet: by path to a clone, or by git.
//!
//! ```toml
//! [dev-dependencies]
//! momento-functions-test-host = { path = "../momento-functions/test-host", default-features = false }
//! serde_json = "1"
//! ```
//!
//! | feature | default | adds |
//! |---|---|---|
//! | `cli` | yes | the command line (`mfn`, `momento-functions-test-host`); implies `serve` |
//! | `serve` | with `cli` | the `server` module: a function behind an HTTP/1.1 server |
//!
//! ```no_run
//! // tests/echo.rs of a function crate
//! use momento_functions_test_host::{Request, TestHost};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let host = TestHost::builder()
//!     .env("GREETING", "hi")
//!     .build_crate(env!("CARGO_MANIFEST_DIR"))?;
//! let response = host.invoke(Request::post("/").body("hello"))?;
//! assert_eq!(response.status(), 200);
//! assert_eq!(response.body(), b"hello");
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

pub mod aws;
mod bindings;
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod cli;
mod clock;
mod error;
pub mod fixtures;
pub mod guest_build;
mod harness;
mod limits;
mod logs;
mod runtime;
#[cfg(feature = "serve")]
pub mod server;
mod services;
mod state;
mod stdio;
pub mod stream;

pub use clock::Clock;
pub use error::{InvokeError, LoadError};
pub use fixtures::{FixtureError, Fixtures};
pub use guest_build::BuildError;
pub use harness::{AwsMock, LoggingMock, Request, Response, TestHost, TestHostBuilder};
pub use limits::Limits;
pub use logs::{Level, LogRecord, LogSource};
pub use runtime::policy::Handler;
pub use runtime::{CheckReport, ImportInfo, check_component};
pub use services::cache::{
    CacheCall, CacheEntry, CacheError, CacheLimits, CacheMock, CacheOp, CacheOpKind, CacheOutcome,
    ListEnd, ListErase, ListStart, ListTtl, MAX_LIST_BYTES, MAX_LIST_ELEMENTS, SetCondition,
    SetHashCondition, value_hash,
};
pub use services::http::{
    HttpAuthorization, HttpCall, HttpError, HttpMock, HttpOutcome, HttpRoute, MockResponse,
    RealHttpConfig, UnmetExpectations,
};
pub use services::log::{LineKind, LogConfiguration, LogDelivery, LogDestination, LoggingCall};
pub use services::spawn::runner::{
    DEFAULT_SPAWN_QUEUE, MAX_SPAWN_DEPTH, SpawnFault, SpawnMock, SpawnRecord, SpawnResult,
};
pub use services::token::{
    CacheRole, CacheScope, DEFAULT_TOKEN_ENDPOINT, FunctionRole, IssuedToken, KeyScope,
    MAX_TOKEN_ID_BYTES, MAX_TOKEN_VALIDITY, NameScope, TokenCall, TokenError, TokenPermission,
    TokensMock, TopicRole,
};
pub use services::topic::{
    MessageOrigin, TopicCall, TopicError, TopicLimits, TopicMessage, TopicSubscription, TopicValue,
    TopicsMock,
};
pub use services::valkey::cluster::{ValkeyCall, ValkeyFault, ValkeyMock, ValkeyReply};
pub use services::valkey::server::ValkeyServer;
pub use stream::{Frame, SseEvent, Stream, StreamKind, StreamPart};

/// Support for benchmarks: the bare-wasmtime floor. Not public API.
#[doc(hidden)]
pub mod bench_support {
    pub use crate::runtime::bare::{BareRunner, BareState};
}
