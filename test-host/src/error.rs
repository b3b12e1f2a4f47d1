//! Typed errors of loading and invoking a function.

use std::path::PathBuf;
use std::time::Duration;

/// Why a component could not be loaded (as an upload would be rejected).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// Reading the file failed.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The bytes are not WebAssembly at all (no `\0asm` header). WAT text is not accepted either.
    #[error("not a WebAssembly component: {reason}")]
    NotWasm {
        /// What the bytes look like instead.
        reason: String,
    },
    /// A core WebAssembly module, not a component.
    #[error(
        "this is a core WebAssembly module, not a component: build the function with \
         `cargo build --target wasm32-wasip2 --release` (wasm32-unknown-unknown and wasip1 produce core modules)"
    )]
    NotComponent,
    /// The component is larger than the upload limit.
    #[error("component is {size} bytes, over the {limit}-byte upload limit")]
    TooLarge {
        /// Size of the component.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Modules and components are nested deeper than `Limits::nesting_depth` (found by the scan before
    /// compiling: validating deep nesting costs time and memory with the square of the depth).
    #[error("modules and components are nested deeper than {limit} levels in the component")]
    NestingTooDeep {
        /// The limit.
        limit: usize,
    },
    /// The function bodies of the component's modules add up to more than `Limits::code_bytes`.
    #[error(
        "the component has {size} bytes of code (function bodies), over the {limit}-byte code limit"
    )]
    CodeTooLarge {
        /// Bytes of code found so far (the scan stops at the limit).
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// One function body is larger than `Limits::function_bytes`: compiling it would take long.
    #[error(
        "function {index} of a module in the component is {size} bytes of code, over the {limit}-byte limit for one function"
    )]
    FunctionTooLarge {
        /// Index of the function body in its module's code section.
        index: usize,
        /// Its size in bytes.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The component is malformed or fails validation.
    #[error("invalid component: {message}")]
    Invalid {
        /// What the validator or compiler said.
        message: String,
    },
    /// The component imports interfaces the host does not provide.
    #[error("component imports {} not provided by the host: {}", if .imports.len() == 1 { "an interface" } else { "interfaces" }, .imports.join(", "))]
    UnsupportedImports {
        /// Each offending import, e.g. `wasi:sockets/tcp@0.2.6`, with the reason when one is known.
        imports: Vec<String>,
    },
    /// A supported interface is imported with a signature the host does not match.
    #[error("component does not link against the host: {message}")]
    Link {
        /// The linker's message, naming the import.
        message: String,
    },
    /// The component does not export a handler (checked on its export names before compiling).
    #[error(
        "component does not export a handler (`momento:web-function/guest-function-web@1.0.0`, or \
         `momento:spawn-function/guest-function-spawn@1.0.0`): does the crate call one of \
         `momento_functions::post!`, `get!` or `route!` (one per crate: `route!(get: a, post: b)` serves \
         several methods), and is it a `cdylib`? exports found: [{}]",
        .found.join(", ")
    )]
    MissingHandler {
        /// The exports the component has.
        found: Vec<String>,
    },
    /// Building a function crate to wasm failed.
    #[error(transparent)]
    Build(#[from] crate::guest_build::BuildError),
    /// The component validates and links, but an instance of it cannot be created within the limits
    /// (e.g. its initial memory is larger than the memory limit, or its start code traps).
    #[error("the component cannot be instantiated: {message}")]
    Instantiation {
        /// Why, as the runtime reported it.
        message: String,
    },
    /// A fixtures file, or the services' seed data, is not valid.
    #[error(transparent)]
    Fixtures(std::sync::Arc<crate::fixtures::FixtureError>),
    /// Setting up the engine failed.
    #[error("cannot create the wasm engine: {message}")]
    Engine {
        /// The engine's message.
        message: String,
    },
    /// A spawn function registered by name (`TestHostBuilder::function`, fixtures `[[spawn.functions]]`)
    /// cannot be loaded, or is not a spawn function.
    #[error("spawn function `{name}`: {message}")]
    SpawnFunction {
        /// The name it was registered under.
        name: String,
        /// Why it cannot be used.
        message: String,
    },
}

impl From<crate::fixtures::FixtureError> for LoadError {
    fn from(error: crate::fixtures::FixtureError) -> Self {
        LoadError::Fixtures(std::sync::Arc::new(error))
    }
}

/// Why an invocation failed. The host keeps serving: the next invocation starts from a fresh instance.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvokeError {
    /// The request body is over the request limit (checked before instantiation).
    #[error("request is {size} bytes, over the {limit}-byte request limit")]
    RequestTooLarge {
        /// Size of the request body.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The response body is over the response limit.
    #[error("response is {size} bytes, over the {limit}-byte response limit")]
    ResponseTooLarge {
        /// Size of the response body.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The invocation ran past its wall-clock deadline and was interrupted.
    #[error("invocation exceeded its {deadline:?} deadline and was stopped")]
    Timeout {
        /// The deadline.
        deadline: Duration,
    },
    /// The guest tried to grow its memory past the per-instance limit.
    #[error("memory limit exceeded: the function tried to grow its memory past {limit} bytes")]
    MemoryLimitExceeded {
        /// The limit in bytes.
        limit: usize,
    },
    /// The guest overflowed its stack (e.g. runaway recursion): the wasm stack, or Rust's data stack in
    /// linear memory (1 MiB by default), which is recognized by a memory access just below address 0.
    #[error(
        "stack overflow in the function: the recursion is too deep (wasm stack limit {limit} bytes; \
         Rust's stack in linear memory is 1 MiB unless the function is linked with `-z stack-size=...`)"
    )]
    StackOverflow {
        /// The wasm stack limit in bytes.
        limit: usize,
    },
    /// The guest panicked.
    #[error("the function panicked: {}", .message.as_deref().unwrap_or("(no message)"))]
    GuestPanic {
        /// The panic message, when the guest printed one.
        message: Option<String>,
    },
    /// The function used a WASI interface that production links but does not support (the filesystem,
    /// stdin, `exit`). See `test-host/WASI.md`.
    #[error(
        "the function called {interface} ({function}), which Momento Functions does not support: {hint}"
    )]
    UnsupportedWasi {
        /// The interface, e.g. `wasi:filesystem`.
        interface: String,
        /// The function the guest called, e.g. `get-directories`.
        function: String,
        /// What to do instead.
        hint: String,
    },
    /// The guest trapped for another reason.
    #[error("the function trapped: {message}")]
    Trap {
        /// The trap and its wasm backtrace.
        message: String,
    },
    /// The guest called a host function in a way the host refuses (a harness error, e.g. an unmatched mock).
    #[error("host call failed: {message}")]
    HostCall {
        /// What went wrong.
        message: String,
    },
    /// The function made more host calls than the per-invocation budget allows.
    #[error("host call limit exceeded: more than {limit} host calls in one invocation")]
    HostCallLimitExceeded {
        /// The budget.
        limit: u32,
    },
    /// Too many invocations at once: every instance slot of the pool is in use.
    #[error("host is busy: all {limit} instance slots are in use; retry later")]
    Busy {
        /// The number of concurrent instances the pool holds.
        limit: usize,
    },
    /// A host-side failure that is not the function's fault.
    #[error("internal host error: {message}")]
    Internal {
        /// What went wrong.
        message: String,
    },
    /// The invocation was stopped early: the client of `serve` went away (closed its connection), or
    /// the server is being stopped. Nobody receives the response.
    #[error("the invocation was cancelled: the client went away or the server is stopping")]
    Cancelled,
    /// `serve`: the request body made no progress (no byte arrived) for `idle`; the connection is closed.
    #[error("the request body made no progress for {idle:?}")]
    RequestTimeout {
        /// How long the body was idle.
        idle: Duration,
    },
    /// `serve`: the bodies being received already hold the server's memory budget for request bodies.
    #[error("the server is holding {budget} bytes of request bodies, its limit; retry later")]
    BodyMemoryExhausted {
        /// The budget in bytes (`serve --body-memory`).
        budget: usize,
    },
}

impl InvokeError {
    /// The HTTP status `serve` answers this error with: 413 for a request over the limit, 408 for a
    /// stalled request body, 503 when busy (instances or body memory), 504 on timeout, 499 when the
    /// client went away (nginx's "client closed request": it is only logged), 500 otherwise.
    pub fn status(&self) -> u16 {
        match self {
            InvokeError::RequestTooLarge { .. } => 413,
            InvokeError::RequestTimeout { .. } => 408,
            InvokeError::Busy { .. } | InvokeError::BodyMemoryExhausted { .. } => 503,
            InvokeError::Timeout { .. } => 504,
            InvokeError::Cancelled => 499,
            _ => 500,
        }
    }

    /// A stable machine-readable code for the error class.
    pub fn code(&self) -> &'static str {
        match self {
            InvokeError::RequestTooLarge { .. } => "request_too_large",
            InvokeError::ResponseTooLarge { .. } => "response_too_large",
            InvokeError::Timeout { .. } => "timeout",
            InvokeError::MemoryLimitExceeded { .. } => "memory_limit_exceeded",
            InvokeError::StackOverflow { .. } => "stack_overflow",
            InvokeError::GuestPanic { .. } => "guest_panic",
            InvokeError::UnsupportedWasi { .. } => "unsupported_wasi",
            InvokeError::Trap { .. } => "trap",
            InvokeError::HostCall { .. } => "host_call_failed",
            InvokeError::HostCallLimitExceeded { .. } => "host_call_limit_exceeded",
            InvokeError::Busy { .. } => "busy",
            InvokeError::Internal { .. } => "internal",
            InvokeError::Cancelled => "cancelled",
            InvokeError::RequestTimeout { .. } => "request_timeout",
            InvokeError::BodyMemoryExhausted { .. } => "body_memory_exhausted",
        }
    }
}
