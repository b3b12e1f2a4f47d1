//! [`Server`]: a function behind an HTTP/1.1 server, as `momento-functions-test-host serve` runs it.
//!
//! Every request is one invocation in a fresh instance: method, path, query, headers and body are passed
//! through; the function's status, headers and body are the response. An invocation that fails answers
//! with the error's status ([`InvokeError::status`]: 413, 503 when busy, 504 on timeout, 500 otherwise) and
//! a JSON body `{"error": code, "message": ..., "invocation_id": ...}`.
//!
//! Requests are served by a tokio runtime with one worker per core; an invocation runs on the worker that
//! read the request (no hand-off to another thread, which is what makes it fast), so each worker runs one
//! invocation at a time and a slow function occupies its worker for as long as it runs (at most the
//! deadline). Concurrent invocations beyond `Limits::concurrent_instances` are answered 503.
//!
//! ```no_run
//! use momento_functions_test_host::server::{ServeOptions, Server};
//! use momento_functions_test_host::TestHost;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let host = TestHost::for_crate("examples/echo")?;
//! let server = Server::start(host, ServeOptions::default().addr("127.0.0.1:0".parse()?))?;
//! println!("listening on http://{}", server.local_addr());
//! // ... send requests ...
//! server.shutdown()?;
//! # Ok(()) }
//! ```

use std::convert::Infallible;
use std::io::Write;
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue};
use hyper::{HeaderMap, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tokio::sync::{oneshot, watch};

use crate::error::InvokeError;
use crate::harness::TestHost;
use crate::runtime::Invocation;
use crate::runtime::Outcome;

/// How to serve: address, threads, access log, Ctrl-C.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    addr: SocketAddr,
    threads: usize,
    access_log: bool,
    ctrl_c: bool,
}

impl Default for ServeOptions {
    /// `127.0.0.1:8080`, one worker per core, access log on stderr, Ctrl-C not handled.
    fn default() -> Self {
        ServeOptions {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
            access_log: true,
            ctrl_c: false,
        }
    }
}

impl ServeOptions {
    /// Listen on `addr` (port 0: an ephemeral port, see [`Server::local_addr`]).
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Worker threads (default: one per core). Each runs one invocation at a time.
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = threads.max(1);
        self
    }

    /// Print one line per request to stderr — peer, method, path, status, response size, time in µs,
    /// the error code of a failed invocation — followed by the invocation's log records (default on).
    pub fn access_log(mut self, on: bool) -> Self {
        self.access_log = on;
        self
    }

    /// Shut down gracefully on Ctrl-C (SIGINT) (default off: the command line turns it on).
    pub fn shutdown_on_ctrl_c(mut self, on: bool) -> Self {
        self.ctrl_c = on;
        self
    }
}

/// State shared by the server's tasks and its handles.
struct Shared {
    host: RwLock<TestHost>,
    addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    stopped: AtomicBool,
    served: AtomicU64,
    access_log: Option<mpsc::Sender<String>>,
}

impl Shared {
    fn host(&self) -> TestHost {
        self.host
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    fn log(&self, line: String) {
        if let Some(log) = &self.access_log {
            let _ = log.send(line);
        }
    }
}

/// A handle on a running [`Server`]: cheap to clone, usable from any thread.
#[derive(Clone)]
pub struct ServerHandle {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for ServerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerHandle")
            .field("addr", &self.shared.addr)
            .finish_non_exhaustive()
    }
}

impl ServerHandle {
    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// Serve a new version of the function: requests that start from now on use `host`; requests in
    /// flight finish with the old one.
    pub fn reload(&self, host: TestHost) {
        *self
            .shared
            .host
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = host;
    }

    /// Requests answered so far.
    pub fn requests_served(&self) -> u64 {
        self.shared.served.load(Ordering::Relaxed)
    }

    /// Start a graceful shutdown: stop accepting connections, finish the requests in flight.
    pub fn shutdown(&self) {
        self.shared.shutdown.send_replace(true);
    }

    /// Has the server stopped (shut down, or failed)?
    pub fn is_stopped(&self) -> bool {
        self.shared.stopped.load(Ordering::Acquire)
    }
}

/// A function served over HTTP/1.1. Dropping it does not stop it: call [`Server::shutdown`] or
/// [`Server::wait`].
#[derive(Debug)]
pub struct Server {
    handle: ServerHandle,
    thread: JoinHandle<std::io::Result<()>>,
    logger: Option<JoinHandle<()>>,
}

impl Server {
    /// Bind `options.addr` and start serving `host` on background threads.
    ///
    /// # Errors
    /// When the address cannot be bound or the runtime cannot be started.
    pub fn start(host: TestHost, options: ServeOptions) -> std::io::Result<Server> {
        let listener = TcpListener::bind(options.addr)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        // The function runs on the serving threads: give them the wasm stack plus room for the host.
        let stack = host
            .limits()
            .wasm_stack_bytes
            .saturating_add(2 << 20)
            .max(4 << 20);
        let drain = host.limits().hard_deadline() + Duration::from_secs(2);
        let (log_tx, logger) = if options.access_log {
            let (tx, rx) = mpsc::channel::<String>();
            let logger = std::thread::Builder::new()
                .name("momento-serve-log".into())
                .spawn(move || write_log_lines(&rx))?;
            (Some(tx), Some(logger))
        } else {
            (None, None)
        };
        let (shutdown, shutdown_rx) = watch::channel(false);
        let shared = Arc::new(Shared {
            host: RwLock::new(host),
            addr,
            shutdown,
            stopped: AtomicBool::new(false),
            served: AtomicU64::new(0),
            access_log: log_tx,
        });
        let mut cores = Vec::with_capacity(options.threads);
        let mut connections = Vec::with_capacity(options.threads);
        for i in 0..options.threads {
            let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
            let shared = Arc::clone(&shared);
            let shutdown = shutdown_rx.clone();
            cores.push(
                std::thread::Builder::new()
                    .name(format!("momento-serve-{i}"))
                    .stack_size(stack)
                    .spawn(move || serve_core(&shared, rx, shutdown, drain))?,
            );
            connections.push(tx);
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()?;
        let accept_shared = Arc::clone(&shared);
        let ctrl_c = options.ctrl_c;
        let thread = std::thread::Builder::new()
            .name("momento-serve-accept".into())
            .spawn(move || {
                let result = runtime.block_on(async {
                    let listener = tokio::net::TcpListener::from_std(listener)?;
                    if ctrl_c {
                        let shared = Arc::clone(&accept_shared);
                        tokio::spawn(async move {
                            if tokio::signal::ctrl_c().await.is_ok() {
                                shared.shutdown.send_replace(true);
                            }
                        });
                    }
                    accept_loop(listener, &accept_shared, connections, shutdown_rx).await;
                    Ok(())
                });
                for core in cores {
                    let _ = core.join();
                }
                accept_shared.stopped.store(true, Ordering::Release);
                result
            })?;
        Ok(Server {
            handle: ServerHandle { shared },
            thread,
            logger,
        })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.handle.local_addr()
    }

    /// A handle to reload or stop the server from another thread.
    pub fn handle(&self) -> ServerHandle {
        self.handle.clone()
    }

    /// See [`ServerHandle::reload`].
    pub fn reload(&self, host: TestHost) {
        self.handle.reload(host);
    }

    /// Shut down gracefully (stop accepting, finish the requests in flight) and wait until stopped.
    ///
    /// # Errors
    /// The error that stopped the server, if any.
    pub fn shutdown(self) -> std::io::Result<()> {
        self.handle.shutdown();
        self.wait()
    }

    /// Wait until the server stops (Ctrl-C with [`ServeOptions::shutdown_on_ctrl_c`], or a
    /// [`ServerHandle::shutdown`]).
    ///
    /// # Errors
    /// The error that stopped the server, if any.
    pub fn wait(self) -> std::io::Result<()> {
        let Server {
            handle,
            thread,
            logger,
        } = self;
        let result = thread
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("the server thread panicked")));
        drop(handle);
        if let Some(logger) = logger {
            // The logger ends when the last sender (in `Shared`) is dropped; other handles may keep it
            // alive, so do not wait for it then.
            if logger.is_finished() {
                let _ = logger.join();
            }
        }
        result
    }
}

/// Accept connections until shutdown and deal them out to the serving threads in turn.
async fn accept_loop(
    listener: tokio::net::TcpListener,
    shared: &Shared,
    cores: Vec<UnboundedSender<(std::net::TcpStream, SocketAddr)>>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut next = 0;
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.wait_for(|stop| *stop) => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors and the like: wait a little instead of spinning.
                shared.log(format!("accept failed: {e}"));
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let Ok(stream) = stream.into_std() else {
            continue;
        };
        if let Some(core) = cores.get(next % cores.len()) {
            let _ = core.send((stream, peer));
        }
        next = next.wrapping_add(1);
    }
}

/// An invocation a connection task asks its serving thread to run.
struct Job {
    host: TestHost,
    request: Invocation,
    reply: oneshot::Sender<Outcome>,
}

/// What wakes a serving thread.
enum Event {
    Connection(std::net::TcpStream, SocketAddr),
    Job(Job),
    Shutdown,
    Drained,
}

/// One serving thread: a single-threaded tokio runtime drives its connections (reading requests, writing
/// responses) until one of them needs an invocation; the invocation then runs on this thread *outside*
/// the runtime — wasmtime-wasi's synchronous WASI (stdout, clocks) may block on tokio, which code inside
/// a runtime must not do — and its result goes back to the connection. No hand-off between threads on
/// the request path; a slow function holds up only the connections of its thread.
fn serve_core(
    shared: &Arc<Shared>,
    mut connections: UnboundedReceiver<(std::net::TcpStream, SocketAddr)>,
    mut shutdown: watch::Receiver<bool>,
    drain: Duration,
) {
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
    else {
        return;
    };
    let (jobs_tx, mut jobs) = tokio::sync::mpsc::unbounded_channel::<Job>();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(30))
        .keep_alive(true);
    let mut graceful = Some(GracefulShutdown::new());
    let (drained_tx, mut drained) = oneshot::channel::<()>();
    let mut drained_tx = Some(drained_tx);
    let mut draining = false;
    // The result of the last invocation: handed to its connection inside the next `block_on`, where
    // waking the connection's task is a local schedule rather than a cross-thread wake-up (a syscall).
    let mut reply: Option<(oneshot::Sender<Outcome>, Outcome)> = None;
    loop {
        let event = runtime.block_on(async {
            if let Some((sender, outcome)) = reply.take() {
                let _ = sender.send(outcome);
            }
            tokio::select! {
                biased;
                Some(job) = jobs.recv() => Event::Job(job),
                _ = &mut drained, if draining => Event::Drained,
                _ = shutdown.wait_for(|stop| *stop), if !draining => Event::Shutdown,
                connection = connections.recv(), if !draining => match connection {
                    Some((stream, peer)) => Event::Connection(stream, peer),
                    None => Event::Shutdown,
                },
            }
        });
        match event {
            Event::Job(job) => {
                let outcome = job.host.invoke_outcome(job.request);
                reply = Some((job.reply, outcome));
            }
            Event::Connection(stream, peer) => {
                let Some(graceful) = &graceful else {
                    continue;
                };
                let _entered = runtime.enter();
                let Ok(stream) = tokio::net::TcpStream::from_std(stream) else {
                    continue;
                };
                let shared = Arc::clone(shared);
                let jobs = jobs_tx.clone();
                let service = hyper::service::service_fn(move |request| {
                    let shared = Arc::clone(&shared);
                    let jobs = jobs.clone();
                    async move { Ok::<_, Infallible>(handle(request, &shared, &jobs, peer).await) }
                });
                let connection =
                    graceful.watch(http.serve_connection(TokioIo::new(stream), service));
                runtime.spawn(async move {
                    let _ = connection.await;
                });
            }
            Event::Shutdown => {
                draining = true;
                if let (Some(graceful), Some(done)) = (graceful.take(), drained_tx.take()) {
                    runtime.spawn(async move {
                        let _ = tokio::time::timeout(drain, graceful.shutdown()).await;
                        let _ = done.send(());
                    });
                }
            }
            Event::Drained => break,
        }
    }
    runtime.shutdown_timeout(Duration::from_millis(100));
}

type Body = Full<Bytes>;

/// Answer one request: read the body (within the limit), invoke, build the response, log.
async fn handle(
    request: hyper::Request<Incoming>,
    shared: &Shared,
    jobs: &UnboundedSender<Job>,
    peer: SocketAddr,
) -> hyper::Response<Body> {
    let started = Instant::now();
    let host = shared.host();
    let request_limit = host.limits().request_bytes;
    // In warn-only mode a larger body is let through (and reported) up to the hard stop.
    let body_limit = if host.limits().warn_only {
        request_limit.saturating_mul(8)
    } else {
        request_limit
    };
    let (parts, body) = request.into_parts();
    let declared = parts
        .headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let body = match declared {
        Some(length) if length > body_limit as u64 => Err(true),
        _ => read_body(body, declared, body_limit).await,
    };
    let answer = match body {
        Ok(body) => {
            let request = Invocation {
                method: parts.method.as_str().to_owned(),
                path: parts.uri.path().to_owned(),
                query: parts.uri.query().unwrap_or_default().to_owned(),
                headers: parts
                    .headers
                    .iter()
                    .map(|(name, value)| {
                        (
                            name.as_str().to_owned(),
                            String::from_utf8_lossy(value.as_bytes()).into_owned(),
                        )
                    })
                    .collect(),
                body: Bytes::from(body),
                token_metadata: None,
            };
            // The serving thread runs the invocation (see `serve_core`).
            let (reply, outcome) = oneshot::channel();
            let job = Job {
                host,
                request,
                reply,
            };
            let outcome = match jobs.send(job) {
                Ok(()) => outcome.await.ok(),
                Err(_) => None,
            };
            let Some(outcome) = outcome else {
                return error_response(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "shutting_down",
                    "the server is shutting down",
                    "",
                );
            };
            let mut notes = Vec::new();
            let response = outcome
                .result
                .map(|response| function_response(response, &mut notes));
            Answer {
                response,
                invocation_id: outcome.invocation_id,
                records: outcome.logs,
                notes,
            }
        }
        Err(too_large) => Answer {
            response: Err(if too_large {
                InvokeError::RequestTooLarge {
                    size: declared.map_or(body_limit.saturating_add(1), |n| {
                        usize::try_from(n).unwrap_or(usize::MAX)
                    }),
                    limit: request_limit,
                }
            } else {
                InvokeError::Internal {
                    message: "the request body could not be read".to_owned(),
                }
            }),
            invocation_id: String::new(),
            records: Vec::new(),
            notes: Vec::new(),
        },
    };
    shared.served.fetch_add(1, Ordering::Relaxed);
    let Answer {
        response,
        invocation_id,
        records,
        notes,
    } = answer;
    let (response, error_code) = match response {
        Ok(Ok(response)) => (response, None),
        Ok(Err(invalid)) => (
            error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "invalid_response",
                &invalid,
                &invocation_id,
            ),
            Some("invalid_response"),
        ),
        Err(error) => (
            error_response(
                StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                error.code(),
                &error.to_string(),
                &invocation_id,
            ),
            Some(error.code()),
        ),
    };
    if shared.access_log.is_some() {
        let mut line = format!(
            "{peer} \"{} {}\" {} {}B {}µs",
            parts.method,
            parts.uri,
            response.status().as_u16(),
            hyper::body::Body::size_hint(response.body())
                .exact()
                .unwrap_or(0),
            started.elapsed().as_micros()
        );
        if let Some(code) = error_code {
            line.push(' ');
            line.push_str(code);
        }
        for record in &records {
            line.push_str(&format!("\n    {record}"));
        }
        for note in &notes {
            line.push_str(&format!("\n    note: {note}"));
        }
        shared.log(line);
    }
    response
}

/// Read the request body into the one buffer the invocation takes: each chunk is copied once, from hyper's
/// read buffer into a `Vec` sized by `content-length` (collecting into `Bytes` first and converting would
/// copy a multi-chunk body twice). `Err(true)`: over `limit`; `Err(false)`: the body could not be read.
async fn read_body(
    mut body: Incoming,
    declared: Option<u64>,
    limit: usize,
) -> Result<Vec<u8>, bool> {
    let capacity = declared.map_or(0, |n| usize::try_from(n).unwrap_or(0).min(limit));
    let mut buffer = Vec::with_capacity(capacity);
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return Err(false);
        };
        if let Ok(chunk) = frame.into_data() {
            if buffer.len().saturating_add(chunk.len()) > limit {
                return Err(true);
            }
            buffer.extend_from_slice(&chunk);
        }
    }
    Ok(buffer)
}

/// What one request produced, before it is logged.
struct Answer {
    /// The function's response (or why it is not a valid HTTP response), or why the invocation failed.
    response: Result<Result<hyper::Response<Body>, String>, InvokeError>,
    invocation_id: String,
    records: Vec<crate::logs::LogRecord>,
    /// Remarks of the server about the response (dropped headers).
    notes: Vec<String>,
}

/// Headers the server sets itself: the function's values would corrupt the framing.
const FRAMING_HEADERS: &[&str] = &[
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "upgrade",
];

/// The function's response as HTTP, or why it cannot be one. Invalid and framing headers are dropped
/// (with a note in the access log).
fn function_response(
    response: crate::runtime::Answer,
    notes: &mut Vec<String>,
) -> Result<hyper::Response<Body>, String> {
    let status = StatusCode::from_u16(response.status).map_err(|_| {
        format!(
            "the function answered with status {}, which is not an HTTP status",
            response.status
        )
    })?;
    let mut headers = HeaderMap::with_capacity(response.headers.len());
    for (header_name, header_value) in response.headers {
        if FRAMING_HEADERS
            .iter()
            .any(|framing| header_name.eq_ignore_ascii_case(framing))
        {
            notes.push(format!(
                "dropped response header `{header_name}`: the server sets it"
            ));
            continue;
        }
        match (
            HeaderName::from_bytes(header_name.as_bytes()),
            HeaderValue::from_str(&header_value),
        ) {
            (Ok(name), Ok(value)) => {
                headers.append(name, value);
            }
            _ => notes.push(format!(
                "dropped response header `{}`: not a valid HTTP header",
                header_name.escape_debug()
            )),
        }
    }
    let mut http = hyper::Response::new(Full::new(response.body));
    *http.status_mut() = status;
    *http.headers_mut() = headers;
    Ok(http)
}

/// The response for a failed invocation: `{"error", "message", "invocation_id"}`.
fn error_response(
    status: StatusCode,
    code: &str,
    message: &str,
    invocation_id: &str,
) -> hyper::Response<Body> {
    let body = serde_json::json!({
        "error": code,
        "message": message,
        "invocation_id": invocation_id,
    });
    let mut http = hyper::Response::new(Full::new(Bytes::from(body.to_string())));
    *http.status_mut() = status;
    let headers = http.headers_mut();
    headers.insert(
        hyper::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(code) = HeaderValue::from_str(code) {
        headers.insert(HeaderName::from_static("x-momento-functions-error"), code);
    }
    http
}

/// The access-log thread: writes lines as they come, in one write per batch (whatever queued up while
/// the previous batch was written). Stderr is locked only while writing, never while waiting.
fn write_log_lines(lines: &mpsc::Receiver<String>) {
    let mut batch = Vec::with_capacity(64 << 10);
    while let Ok(line) = lines.recv() {
        batch.clear();
        batch.extend_from_slice(line.as_bytes());
        batch.push(b'\n');
        while batch.len() < (1 << 20)
            && let Ok(line) = lines.try_recv()
        {
            batch.extend_from_slice(line.as_bytes());
            batch.push(b'\n');
        }
        let mut stderr = std::io::stderr().lock();
        let _ = stderr.write_all(&batch);
        let _ = stderr.flush();
    }
}
