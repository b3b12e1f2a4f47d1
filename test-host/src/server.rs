//! [`Server`]: a function behind an HTTP/1.1 server, as `momento-functions-test-host serve` runs it.
//!
//! Every request is one invocation in a fresh instance: method, path, query, headers and body are passed
//! through; the function's status, headers and body are the response. An invocation that fails answers
//! with the error's status ([`InvokeError::status`]: 413, 503 when busy, 504 on timeout, 500 otherwise) and
//! a JSON body `{"error": code, "message": ..., "invocation_id": ...}`.
//!
//! Only 200–599 can be a final response: a function answering 100–199 (interim responses; 101 would switch
//! protocols) or 600–999, or with more than [`MAX_RESPONSE_HEADERS`] headers, gets 500 `invalid_response`.
//! Against clients: a body with no progress for [`ServeOptions::body_idle_timeout`] is answered 408
//! `request_timeout`; bodies share [`ServeOptions::body_memory`] (over it: 503 `body_memory_exhausted`); both
//! close the connection. A client that goes away cancels its invocation ([`InvokeError::Cancelled`], logged
//! as 499); one that only shuts down its writing side (a half-close) still gets the response, preceded by an
//! interim `100 Continue` the server sends to tell the two apart (see `ClientWatch`).
//!
//! `GET /_momento/topics/{name}` is reserved: it never reaches the function but answers with a
//! server-sent-events stream of the topic, one event per message published from then on (by the function,
//! or by its log lines sent to a topic), so that a browser can watch a function's publishes; see
//! [`TopicsMock`](crate::TopicsMock) and the README. A stream is served by a worker thread too, so it
//! delivers a message at the latest when an invocation running on that worker ends.
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

use std::cell::Cell;
use std::convert::Infallible;
use std::io::Write;
use std::net::{SocketAddr, TcpListener};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::BodyExt;
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
use crate::services::topic::sse;
use crate::services::web::stream::{StreamSink, with_stream_sink};
use crate::state::Cancel;

mod stream;

use stream::{ResponseBody, STREAM_BUFFER, ServeSink, StreamMessage};

/// Default of [`ServeOptions::body_idle_timeout`].
pub const DEFAULT_BODY_IDLE_TIMEOUT: Duration = Duration::from_secs(20);
/// Default of [`ServeOptions::body_memory`]: 256 MiB.
pub const DEFAULT_BODY_MEMORY: usize = 256 << 20;
/// A function's response may have at most this many headers (more is an invalid response, 500).
pub const MAX_RESPONSE_HEADERS: usize = 1_000;
/// Bytes of access-log lines that may wait for stderr; lines beyond are dropped and counted.
const ACCESS_LOG_QUEUE_BYTES: usize = 16 << 20;
/// One access-log line (the request and its log records) is cut to about this many bytes.
const ACCESS_LOG_LINE_BYTES: usize = 1 << 20;
/// How long the accept loop waits after a failed `accept` (e.g. out of file descriptors).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(10);
/// How often the clients of running invocations are checked for having gone away.
const CLIENT_CHECK: Duration = Duration::from_millis(10);

/// How to serve: address, threads, access log, Ctrl-C.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    addr: SocketAddr,
    threads: usize,
    access_log: bool,
    ctrl_c: bool,
    body_idle_timeout: Duration,
    body_memory: usize,
}

impl Default for ServeOptions {
    /// `127.0.0.1:8080`, one worker per core, access log on stderr, Ctrl-C not handled.
    fn default() -> Self {
        ServeOptions {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
            access_log: true,
            ctrl_c: false,
            body_idle_timeout: DEFAULT_BODY_IDLE_TIMEOUT,
            body_memory: DEFAULT_BODY_MEMORY,
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

    /// Shut down gracefully on Ctrl-C (SIGINT) (default off: the command line turns it on). A second
    /// Ctrl-C cancels the invocations still running.
    pub fn shutdown_on_ctrl_c(mut self, on: bool) -> Self {
        self.ctrl_c = on;
        self
    }

    /// A request body that makes no progress (no byte arrives) for this long is answered 408
    /// (`request_timeout`) and its connection closed (default [`DEFAULT_BODY_IDLE_TIMEOUT`], 20 s).
    pub fn body_idle_timeout(mut self, idle: Duration) -> Self {
        self.body_idle_timeout = idle.max(Duration::from_millis(1));
        self
    }

    /// Memory for request bodies being received or waiting for their invocation, all connections
    /// together (default [`DEFAULT_BODY_MEMORY`], 256 MiB; never less than one request of the request
    /// limit). A request whose body does not fit is answered 503 (`body_memory_exhausted`) and its
    /// connection closed.
    pub fn body_memory(mut self, bytes: usize) -> Self {
        self.body_memory = bytes;
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
    access_log: Option<AccessLog>,
    body_idle_timeout: Duration,
    bodies: BodyBudget,
    /// The clients of the invocations running now, checked for having gone away.
    watch: Arc<ClientWatch>,
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
            log.send(line);
        }
    }
}

/// The access log's queue to its writer thread, bounded in bytes: when stderr is not read (a full pipe),
/// lines are dropped and counted instead of piling up in memory.
struct AccessLog {
    lines: mpsc::Sender<LogMessage>,
    counters: Arc<LogCounters>,
}

/// What the access log's writer thread receives.
enum LogMessage {
    Line(String),
    /// The server stopped: write what is queued, report the drops, and end.
    End,
}

#[derive(Default)]
struct LogCounters {
    /// Bytes of lines queued and not yet written.
    queued: AtomicUsize,
    /// Lines dropped because the queue was full.
    dropped: AtomicU64,
}

impl AccessLog {
    fn send(&self, line: String) {
        let len = line.len();
        let queued = self.counters.queued.fetch_add(len, Ordering::AcqRel);
        if queued.saturating_add(len) > ACCESS_LOG_QUEUE_BYTES {
            self.counters.queued.fetch_sub(len, Ordering::AcqRel);
            self.counters.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        if self.lines.send(LogMessage::Line(line)).is_err() {
            self.counters.queued.fetch_sub(len, Ordering::AcqRel);
        }
    }

    /// Tell the writer that no more lines come (other handles may still hold a sender).
    fn end(&self) {
        let _ = self.lines.send(LogMessage::End);
    }
}

/// How long a stopping server waits for its access log to reach stderr: a reader that keeps up gets
/// every line; one that never reads does not hold the process forever.
const ACCESS_LOG_FLUSH_WAIT: Duration = Duration::from_secs(5);

/// The memory budget for request bodies, shared by all connections.
struct BodyBudget {
    limit: usize,
    used: AtomicUsize,
}

impl BodyBudget {
    fn take(&self, bytes: usize) -> bool {
        self.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(bytes).filter(|&total| total <= self.limit)
            })
            .is_ok()
    }

    fn give(&self, bytes: usize) {
        self.used.fetch_sub(bytes, Ordering::AcqRel);
    }
}

/// The part of the body budget one request holds; given back when dropped.
struct Held<'a> {
    budget: &'a BodyBudget,
    bytes: usize,
}

impl Held<'_> {
    /// Hold `bytes` in total (more than now), if the budget allows.
    fn grow_to(&mut self, bytes: usize) -> bool {
        if bytes <= self.bytes {
            return true;
        }
        if self.budget.take(bytes - self.bytes) {
            self.bytes = bytes;
            true
        } else {
            false
        }
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.budget.give(self.bytes);
    }
}

/// The clients of running invocations. A thread looks at those running every [`CLIENT_CHECK`]: a
/// connection that was reset is a client gone, and its invocation is cancelled. A clean end of stream
/// (FIN) is ambiguous: the client may have closed the socket, or only shut down its writing side and
/// still wait for the answer (a half-close). Both look the same until something is written, so the
/// server then writes an interim `100 Continue` (HTTP/1.1 requests only: HTTP/1.0 has no interim
/// responses): a client that half-closed reads past it to the final response (every HTTP/1.1 client must
/// accept an unexpected 1xx), a client that closed has its kernel answer with a reset, which the next
/// check sees.
#[derive(Default)]
struct ClientWatch {
    state: Mutex<WatchState>,
    wake: Condvar,
}

#[derive(Default)]
struct WatchState {
    next: u64,
    entries: Vec<Watched>,
    stopped: bool,
}

struct Watched {
    id: u64,
    client: Option<Arc<std::net::TcpStream>>,
    http11: bool,
    probed: bool,
    /// The response is streaming: nothing may be written to the client but the response.
    streaming: bool,
    cancel: Cancel,
}

/// What is written to a client whose connection reached end of stream during its invocation.
const PROBE: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\n";

impl ClientWatch {
    fn lock(&self) -> std::sync::MutexGuard<'_, WatchState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn register(
        &self,
        client: Option<Arc<std::net::TcpStream>>,
        http11: bool,
        cancel: Cancel,
    ) -> u64 {
        let mut state = self.lock();
        state.next += 1;
        let id = state.next;
        // No wake-up: the watcher looks every `CLIENT_CHECK` anyway, and most invocations are over long
        // before (a cross-thread wake-up per request would cost more than the invocation).
        state.entries.push(Watched {
            id,
            client,
            http11,
            probed: false,
            streaming: false,
            cancel,
        });
        id
    }

    /// The invocation's response starts streaming: stop probing its client (through the lock, a probe
    /// in progress is finished before this returns and the response is written).
    fn streaming(&self, id: u64) {
        if let Some(entry) = self.lock().entries.iter_mut().find(|entry| entry.id == id) {
            entry.streaming = true;
        }
    }

    /// Stop watching (and, through the lock, wait for a check of this client in progress: nothing is
    /// written to it after this returns).
    fn unregister(&self, id: u64) {
        self.lock().entries.retain(|entry| entry.id != id);
    }

    /// Cancel every running invocation (a second Ctrl-C); returns how many.
    fn cancel_all(&self) -> usize {
        let state = self.lock();
        for entry in &state.entries {
            entry.cancel.cancel();
        }
        state.entries.len()
    }

    fn stop(&self) {
        self.lock().stopped = true;
        self.wake.notify_all();
    }

    fn run(&self) {
        let mut state = self.lock();
        while !state.stopped {
            for entry in &mut state.entries {
                check_client(entry);
            }
            state = self
                .wake
                .wait_timeout(state, CLIENT_CHECK)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
    }
}

/// Has the client of this running invocation gone away? Cancel it if so (see [`ClientWatch`]).
fn check_client(entry: &mut Watched) {
    use std::io::ErrorKind;
    if entry.cancel.is_cancelled() {
        return;
    }
    let Some(client) = &entry.client else {
        return;
    };
    // A reset (after the probe, or because the client closed with data unread) is a pending socket error;
    // reads keep reporting the end of stream instead once a FIN came first.
    if matches!(client.take_error(), Ok(Some(_))) {
        entry.cancel.cancel();
        return;
    }
    let mut byte = [0u8; 1];
    match client.peek(&mut byte) {
        // End of stream: closed, or half-closed.
        Ok(0) => {
            if entry.streaming {
                // A probe would land in the middle of the response. A client that closed is noticed
                // when the next frame cannot be written.
            } else if entry.probed {
                // An empty write sends nothing, but fails on a connection that was reset.
                if (&**client).write(&[]).is_err() {
                    entry.cancel.cancel();
                }
            } else if entry.http11 {
                match (&**client).write(PROBE) {
                    Ok(n) if n == PROBE.len() => entry.probed = true,
                    Err(e)
                        if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted) => {}
                    // A partial interim response cannot be completed without corrupting the stream.
                    _ => entry.cancel.cancel(),
                }
            }
        }
        // The next pipelined request: the client is there.
        Ok(_) => {}
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted) => {}
        Err(_) => entry.cancel.cancel(),
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

    /// Access-log lines dropped so far because stderr did not keep up (its queue holds at most 16 MiB).
    pub fn access_log_dropped(&self) -> u64 {
        self.shared
            .access_log
            .as_ref()
            .map_or(0, |log| log.counters.dropped.load(Ordering::Relaxed))
    }

    /// Bytes of request bodies the server holds now (see [`ServeOptions::body_memory`]).
    pub fn body_memory_in_use(&self) -> usize {
        self.shared.bodies.used.load(Ordering::Acquire)
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
        let stack = host.limits().thread_stack_bytes();
        let drain = host.limits().hard_deadline() + Duration::from_secs(2);
        // The smallest body budget still fits one request of the largest size allowed.
        let body_limit = body_limit(host.limits());
        // wasmtime-wasi creates its tokio runtime on the first blocking WASI call; create it now, while
        // file descriptors are surely available (out of them, creating it would panic in a host call).
        wasmtime_wasi::runtime::in_tokio(async {});
        let (access_log, logger) = if options.access_log {
            let (tx, rx) = mpsc::channel::<LogMessage>();
            let counters = Arc::new(LogCounters::default());
            let writer_counters = Arc::clone(&counters);
            let logger = std::thread::Builder::new()
                .name("momento-serve-log".into())
                .spawn(move || write_log_lines(&rx, &writer_counters))?;
            (
                Some(AccessLog {
                    lines: tx,
                    counters,
                }),
                Some(logger),
            )
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
            access_log,
            body_idle_timeout: options.body_idle_timeout,
            bodies: BodyBudget {
                limit: options.body_memory.max(body_limit),
                used: AtomicUsize::new(0),
            },
            watch: Arc::new(ClientWatch::default()),
        });
        let watcher = Arc::clone(&shared.watch);
        std::thread::Builder::new()
            .name("momento-serve-clients".into())
            .spawn(move || watcher.run())?;
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
        // Timers: the accept loop backs off after a failed `accept` (out of file descriptors).
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
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
                            // A second Ctrl-C: do not wait for the invocations still running.
                            while tokio::signal::ctrl_c().await.is_ok() {
                                let n = shared.watch.cancel_all();
                                shared.log(format!(
                                    "second Ctrl-C: cancelling {n} running invocation(s)"
                                ));
                            }
                        });
                    }
                    accept_loop(listener, &accept_shared, connections, shutdown_rx).await;
                    // Keep handling Ctrl-C while the serving threads drain.
                    let (done_tx, done_rx) = oneshot::channel();
                    std::thread::Builder::new()
                        .name("momento-serve-join".into())
                        .spawn(move || {
                            for core in cores {
                                let _ = core.join();
                            }
                            let _ = done_tx.send(());
                        })?;
                    let _ = done_rx.await;
                    Ok(())
                });
                accept_shared.watch.stop();
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
        if let Some(logger) = logger {
            // Every line queued before the stop reaches stderr, and the count of dropped ones after
            // them, unless stderr stays unread past the wait.
            if let Some(log) = &handle.shared.access_log {
                log.end();
            }
            let waited = Instant::now();
            while !logger.is_finished() && waited.elapsed() < ACCESS_LOG_FLUSH_WAIT {
                std::thread::sleep(Duration::from_millis(5));
            }
            if logger.is_finished() {
                let _ = logger.join();
            }
        }
        drop(handle);
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
    let mut failures: u64 = 0;
    let mut last_report: Option<Instant> = None;
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.wait_for(|stop| *stop) => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors and the like: the connection waits in the listen backlog (or is
                // refused by the kernel when that is full); try again shortly instead of spinning, and say
                // so at most once a second.
                failures += 1;
                if last_report.is_none_or(|at| at.elapsed() >= Duration::from_secs(1)) {
                    shared.log(format!(
                        "accept failed: {e} ({failures} failure(s) so far; retrying every {} ms, waiting connections stay queued)",
                        ACCEPT_BACKOFF.as_millis()
                    ));
                    last_report = Some(Instant::now());
                }
                tokio::time::sleep(ACCEPT_BACKOFF).await;
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
    /// The client's socket (a second descriptor of it), to notice it going away while the invocation
    /// runs; `None` when it could not be duplicated (out of file descriptors).
    client: Option<Arc<std::net::TcpStream>>,
    /// An HTTP/1.1 request (the client may be sent an interim response).
    http11: bool,
    /// For the access-log line of a cancelled invocation.
    peer: SocketAddr,
    method: hyper::Method,
    uri: hyper::Uri,
    /// Where a streamed response's parts go (see `stream`).
    stream: tokio::sync::mpsc::Sender<StreamMessage>,
}

/// What wakes a serving thread.
enum Event {
    Connection(std::net::TcpStream, SocketAddr),
    Job(Box<Job>),
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
    // Shared with the sink of a streaming invocation, which drives it while the function runs.
    let runtime = Rc::new(runtime);
    let (jobs_tx, mut jobs) = tokio::sync::mpsc::unbounded_channel::<Job>();
    let mut http = hyper::server::conn::http1::Builder::new();
    // Half-close: a client may shut down its writing side after the request and wait for the answer.
    http.timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(30))
        .half_close(true)
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
                Some(job) = jobs.recv() => Event::Job(Box::new(job)),
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
                let job = *job;
                let cancel = Cancel::default();
                let watched = shared
                    .watch
                    .register(job.client, job.http11, cancel.clone());
                let (host, request) = (job.host, job.request);
                let sink = Rc::new(ServeSink {
                    runtime: Rc::clone(&runtime),
                    parts: job.stream,
                    cancel: cancel.clone(),
                    watch: Arc::clone(&shared.watch),
                    watched,
                    started: Cell::new(false),
                });
                let outcome = crate::state::with_cancel(&cancel, || {
                    with_stream_sink(Rc::clone(&sink) as Rc<dyn StreamSink>, || {
                        host.invoke_outcome(request)
                    })
                });
                shared.watch.unregister(watched);
                if sink.started.get() && outcome.result.is_err() {
                    // The client has the start of a response: cut it short rather than end it cleanly.
                    let _ = sink.deliver(
                        StreamMessage::Failed,
                        Some(Instant::now() + Duration::from_secs(1)),
                    );
                }
                drop(sink);
                if matches!(outcome.result, Err(InvokeError::Cancelled)) {
                    // Nobody reads the answer, and the connection task may be gone before it can log.
                    shared.log(format!(
                        "{} \"{} {}\" 499 {}µs cancelled: the client went away, or a second Ctrl-C (invocation {})",
                        job.peer,
                        job.method,
                        job.uri,
                        outcome.elapsed.as_micros(),
                        outcome.invocation_id
                    ));
                }
                reply = Some((job.reply, outcome));
            }
            Event::Connection(stream, peer) => {
                let Some(graceful) = &graceful else {
                    continue;
                };
                let _entered = runtime.enter();
                let client = stream.try_clone().ok().map(Arc::new);
                let Ok(stream) = tokio::net::TcpStream::from_std(stream) else {
                    continue;
                };
                let shared = Arc::clone(shared);
                let jobs = jobs_tx.clone();
                let service = hyper::service::service_fn(move |request| {
                    let shared = Arc::clone(&shared);
                    let jobs = jobs.clone();
                    let client = client.clone();
                    async move {
                        // `GET /_momento/topics/{name}`: a server-sent-events stream of the topic.
                        if let Some(topic) = sse::topic_of(request.uri().path()) {
                            return Ok::<_, Infallible>(topic_stream(
                                &request, topic, &shared, peer,
                            ));
                        }
                        Ok::<_, Infallible>(handle(request, &shared, &jobs, peer, client).await)
                    }
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
    if let Ok(runtime) = Rc::try_unwrap(runtime) {
        runtime.shutdown_timeout(Duration::from_millis(100));
    }
}

type Body = ResponseBody;

/// Answer a request under `/_momento/topics/` (see [`sse`]), and log it.
fn topic_stream(
    request: &hyper::Request<Incoming>,
    topic: Result<String, String>,
    shared: &Shared,
    peer: SocketAddr,
) -> hyper::Response<Body> {
    let answer = sse::answer::<StreamMessage>(
        request.method(),
        topic,
        shared.host().topics(),
        shared.shutdown.subscribe(),
    );
    let response = match answer {
        sse::TopicAnswer::Stream(frames) => {
            let mut response = hyper::Response::new(ResponseBody::Stream(frames));
            for (name, value) in sse::HEADERS {
                response.headers_mut().insert(
                    HeaderName::from_static(name),
                    HeaderValue::from_static(value),
                );
            }
            response
        }
        sse::TopicAnswer::Refused { status, text } => {
            let mut response = hyper::Response::new(ResponseBody::full(Bytes::from(text)));
            *response.status_mut() = status;
            response.headers_mut().insert(
                hyper::header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            if status == StatusCode::METHOD_NOT_ALLOWED {
                response
                    .headers_mut()
                    .insert(hyper::header::ALLOW, HeaderValue::from_static("GET"));
            }
            response
        }
    };
    shared.log(format!(
        "{peer} \"{} {}\" {} topic stream",
        request.method(),
        request.uri(),
        response.status().as_u16()
    ));
    response
}

/// The largest body `serve` reads: the request limit, or in warn-only mode its hard stop.
fn body_limit(limits: &crate::Limits) -> usize {
    if limits.warn_only {
        limits.request_bytes.saturating_mul(8)
    } else {
        limits.request_bytes
    }
}

/// Answer one request: read the body (within the limit), invoke, build the response, log.
async fn handle(
    request: hyper::Request<Incoming>,
    shared: &Arc<Shared>,
    jobs: &UnboundedSender<Job>,
    peer: SocketAddr,
    client: Option<Arc<std::net::TcpStream>>,
) -> hyper::Response<Body> {
    let started = Instant::now();
    let host = shared.host();
    let request_limit = host.limits().request_bytes;
    // In warn-only mode a larger body is let through (and reported) up to the hard stop.
    let body_limit = body_limit(host.limits());
    let (parts, body) = request.into_parts();
    let declared = parts
        .headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    // The body's share of the server's body memory, held until the invocation is over.
    let mut held = Held {
        budget: &shared.bodies,
        bytes: 0,
    };
    let body = match declared {
        Some(length) if length > body_limit as u64 => Err(BodyError::TooLarge),
        _ => {
            read_body(
                body,
                declared,
                body_limit,
                shared.body_idle_timeout,
                &mut held,
            )
            .await
        }
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
                spawn_depth: 0,
            };
            // The serving thread runs the invocation (see `serve_core`).
            let (reply, mut outcome) = oneshot::channel();
            let (stream, mut streamed) = tokio::sync::mpsc::channel(STREAM_BUFFER);
            let job = Job {
                host,
                request,
                reply,
                client,
                http11: parts.version == hyper::Version::HTTP_11,
                peer,
                method: parts.method.clone(),
                uri: parts.uri.clone(),
                stream,
            };
            let outcome = match jobs.send(job) {
                Ok(()) => tokio::select! {
                    biased;
                    // The function started a streamed response: answer now, log when it is over.
                    Some(StreamMessage::Start(status, headers)) = streamed.recv() => {
                        let held_bytes = std::mem::take(&mut held.bytes);
                        return streamed_response(
                            shared, status, headers, streamed, outcome, held_bytes, peer, parts, started,
                        );
                    }
                    outcome = &mut outcome => outcome.ok(),
                },
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
            if outcome.logs_dropped > 0 {
                notes.push(format!(
                    "{} more log record(s) dropped: per-invocation limit",
                    outcome.logs_dropped
                ));
            }
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
        Err(problem) => Answer {
            response: Err(match problem {
                BodyError::TooLarge => InvokeError::RequestTooLarge {
                    size: declared.map_or(body_limit.saturating_add(1), |n| {
                        usize::try_from(n).unwrap_or(usize::MAX)
                    }),
                    limit: request_limit,
                },
                BodyError::Stalled => InvokeError::RequestTimeout {
                    idle: shared.body_idle_timeout,
                },
                BodyError::NoMemory => InvokeError::BodyMemoryExhausted {
                    budget: shared.bodies.limit,
                },
                BodyError::Broken => InvokeError::Internal {
                    message: "the request body could not be read".to_owned(),
                },
            }),
            invocation_id: String::new(),
            records: Vec::new(),
            notes: Vec::new(),
        },
    };
    drop(held);
    shared.served.fetch_add(1, Ordering::Relaxed);
    let Answer {
        response,
        invocation_id,
        records,
        notes,
    } = answer;
    let cancelled = matches!(response, Err(InvokeError::Cancelled));
    // The body was not read to its end: the connection cannot carry another request.
    let close = matches!(
        response,
        Err(InvokeError::RequestTooLarge { .. }
            | InvokeError::RequestTimeout { .. }
            | InvokeError::BodyMemoryExhausted { .. })
    );
    let (mut response, error_code) = match response {
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
    if close {
        response
            .headers_mut()
            .insert(hyper::header::CONNECTION, HeaderValue::from_static("close"));
    }
    // A cancelled invocation is logged by its serving thread (nobody receives this response).
    if shared.access_log.is_some() && !cancelled {
        let bytes = hyper::body::Body::size_hint(response.body())
            .exact()
            .unwrap_or(0);
        shared.log(access_line(
            peer,
            &parts,
            response.status(),
            bytes,
            false,
            started,
            error_code,
            &records,
            &notes,
        ));
    }
    response
}

/// One access-log line: the request, the answer, then the invocation's records and the server's notes,
/// each on its own indented line (control characters escaped, so one record is one line), cut at
/// [`ACCESS_LOG_LINE_BYTES`].
#[allow(
    clippy::too_many_arguments,
    reason = "one line from the request, the answer and the records"
)]
fn access_line(
    peer: SocketAddr,
    parts: &hyper::http::request::Parts,
    status: StatusCode,
    body_bytes: u64,
    streamed: bool,
    started: Instant,
    error_code: Option<&str>,
    records: &[crate::logs::LogRecord],
    notes: &[String],
) -> String {
    use std::fmt::Write as _;
    let mut line = format!(
        "{peer} \"{} {}\" {} {}B {}µs",
        parts.method,
        parts.uri,
        status.as_u16(),
        body_bytes,
        started.elapsed().as_micros()
    );
    if streamed {
        line.push_str(" streamed");
    }
    if let Some(code) = error_code {
        line.push(' ');
        line.push_str(code);
    }
    for (shown, record) in records.iter().enumerate() {
        if line.len() >= ACCESS_LOG_LINE_BYTES {
            let _ = write!(
                line,
                "\n    … {} more record(s) not shown (access-log line limit)",
                records.len() - shown
            );
            break;
        }
        let _ = write!(line, "\n    {record}");
    }
    for note in notes {
        let _ = write!(line, "\n    note: {}", crate::logs::Escaped(note));
    }
    line
}

/// Why a request body was not read.
enum BodyError {
    /// Over the request limit.
    TooLarge,
    /// No progress for the idle timeout.
    Stalled,
    /// The server's body memory budget is used up.
    NoMemory,
    /// The connection failed while reading it.
    Broken,
}

/// Read the request body into the one buffer the invocation takes: each chunk is copied once, from hyper's
/// read buffer into a `Vec` sized by `content-length` (collecting into `Bytes` first and converting would
/// copy a multi-chunk body twice). Every byte of the buffer's capacity is held from the server's body
/// budget (`held`); a body that makes no progress for `idle` is given up.
async fn read_body(
    mut body: Incoming,
    declared: Option<u64>,
    limit: usize,
    idle: Duration,
    held: &mut Held<'_>,
) -> Result<Vec<u8>, BodyError> {
    let capacity = declared.map_or(0, |n| usize::try_from(n).unwrap_or(0).min(limit));
    if !held.grow_to(capacity) {
        return Err(BodyError::NoMemory);
    }
    let mut buffer = Vec::with_capacity(capacity);
    loop {
        let frame = match tokio::time::timeout(idle, body.frame()).await {
            Err(_) => return Err(BodyError::Stalled),
            Ok(None) => break,
            Ok(Some(Err(_))) => return Err(BodyError::Broken),
            Ok(Some(Ok(frame))) => frame,
        };
        if let Ok(chunk) = frame.into_data() {
            let needed = buffer.len().saturating_add(chunk.len());
            if needed > limit {
                return Err(BodyError::TooLarge);
            }
            if needed > buffer.capacity() {
                // Grow as `Vec` would (doubling), but within the limit and the budget.
                let want = buffer.capacity().saturating_mul(2).max(needed).min(limit);
                if !held.grow_to(want) {
                    return Err(BodyError::NoMemory);
                }
                buffer.reserve_exact(want - buffer.len());
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
    let (status, headers) = response_head(response.status, response.headers, notes)?;
    let mut http = hyper::Response::new(ResponseBody::full(response.body));
    *http.status_mut() = status;
    *http.headers_mut() = headers;
    Ok(http)
}

/// The status and headers of a function's response as HTTP, or why they cannot be one.
fn response_head(
    status: u16,
    headers: Vec<(String, String)>,
    notes: &mut Vec<String>,
) -> Result<(StatusCode, HeaderMap), String> {
    // Only 200–599 can be a final response: 1xx are interim responses (101 would even switch protocols),
    // 600–999 are not HTTP statuses a client understands.
    let status = match status {
        200..=599 => StatusCode::from_u16(status).map_err(|e| e.to_string())?,
        100..=199 => {
            return Err(format!(
                "the function answered with status {status}: 1xx statuses are interim responses, a function's response must be 200–599"
            ));
        }
        other => {
            return Err(format!(
                "the function answered with status {other}, which is not an HTTP status (a function's response must be 200–599)"
            ));
        }
    };
    if headers.len() > MAX_RESPONSE_HEADERS {
        return Err(format!(
            "the function answered with {} headers, over the server's limit of {MAX_RESPONSE_HEADERS}",
            headers.len()
        ));
    }
    let mut map = HeaderMap::try_with_capacity(headers.len()).map_err(|e| e.to_string())?;
    for (header_name, header_value) in headers {
        // `connection: keep-alive` (an event stream's) says what the server does anyway.
        let keep_alive = header_name.eq_ignore_ascii_case("connection")
            && header_value.eq_ignore_ascii_case("keep-alive");
        if FRAMING_HEADERS
            .iter()
            .any(|framing| header_name.eq_ignore_ascii_case(framing))
        {
            if !keep_alive {
                notes.push(format!(
                    "dropped response header `{header_name}`: the server sets it"
                ));
            }
            continue;
        }
        match (
            HeaderName::from_bytes(header_name.as_bytes()),
            HeaderValue::from_str(&header_value),
        ) {
            (Ok(name), Ok(value)) => {
                map.try_append(name, value).map_err(|e| e.to_string())?;
            }
            _ => notes.push(format!(
                "dropped response header `{}`: not a valid HTTP header",
                header_name.escape_debug()
            )),
        }
    }
    Ok((status, map))
}

/// The response to a request whose function started streaming: the head now, the frames as the
/// function sends them. The access-log line is written when the invocation is over.
#[allow(
    clippy::too_many_arguments,
    reason = "the request's parts, handed over once"
)]
fn streamed_response(
    shared: &Arc<Shared>,
    status: u16,
    headers: Vec<(String, String)>,
    frames: tokio::sync::mpsc::Receiver<StreamMessage>,
    outcome: oneshot::Receiver<Outcome>,
    held_bytes: usize,
    peer: SocketAddr,
    parts: hyper::http::request::Parts,
    started: Instant,
) -> hyper::Response<Body> {
    let mut notes = Vec::new();
    // The sink checked status and headers; framing headers are dropped here as for any response.
    let (status, headers) = response_head(status, headers, &mut notes).unwrap_or_else(|problem| {
        notes.push(problem);
        (StatusCode::INTERNAL_SERVER_ERROR, HeaderMap::new())
    });
    let mut http = hyper::Response::new(ResponseBody::Stream(frames));
    *http.status_mut() = status;
    *http.headers_mut() = headers;
    let shared = Arc::clone(shared);
    tokio::spawn(async move {
        let outcome = outcome.await.ok();
        shared.bodies.give(held_bytes);
        shared.served.fetch_add(1, Ordering::Relaxed);
        let Some(outcome) = outcome else {
            return;
        };
        if outcome.logs_dropped > 0 {
            notes.push(format!(
                "{} more log record(s) dropped: per-invocation limit",
                outcome.logs_dropped
            ));
        }
        let (sent, error_code) = match &outcome.result {
            Ok(answer) => (answer.stream.as_ref().map_or(0, |s| s.bytes_sent()), None),
            Err(error) => {
                notes.push(format!(
                    "the invocation failed after the response started, which was cut short: {error}"
                ));
                (0, Some(error.code()))
            }
        };
        // A cancelled invocation was logged by its serving thread.
        if !matches!(outcome.result, Err(InvokeError::Cancelled)) {
            shared.log(access_line(
                peer,
                &parts,
                status,
                sent as u64,
                true,
                started,
                error_code,
                &outcome.logs,
                &notes,
            ));
        }
    });
    http
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
    let mut http = hyper::Response::new(ResponseBody::full(Bytes::from(body.to_string())));
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
/// the previous batch was written). Stderr is locked only while writing, never while waiting. Lines
/// dropped because stderr did not keep up are reported once it does, and once more at the end.
fn write_log_lines(lines: &mpsc::Receiver<LogMessage>, counters: &LogCounters) {
    let mut batch = Vec::with_capacity(64 << 10);
    let mut reported_drops = 0;
    let mut ended = false;
    while !ended {
        batch.clear();
        let mut taken = 0;
        // Block for the first message (none: every sender is gone), then take whatever else is
        // queued, up to 1 MiB.
        let mut next = lines.recv().ok();
        ended = next.is_none();
        while let Some(message) = next {
            match message {
                LogMessage::Line(line) => {
                    taken += line.len();
                    batch.extend_from_slice(line.as_bytes());
                    batch.push(b'\n');
                }
                LogMessage::End => {
                    ended = true;
                    break;
                }
            }
            next = if batch.len() < (1 << 20) {
                lines.try_recv().ok()
            } else {
                None
            };
        }
        let dropped = counters.dropped.load(Ordering::Relaxed);
        if dropped > reported_drops {
            batch.extend_from_slice(
                format!(
                    "({dropped} access-log line(s) dropped so far: stderr is not read fast enough)\n"
                )
                .as_bytes(),
            );
            reported_drops = dropped;
        }
        if batch.is_empty() {
            continue;
        }
        let mut stderr = std::io::stderr().lock();
        let _ = stderr.write_all(&batch);
        let _ = stderr.flush();
        drop(stderr);
        counters.queued.fetch_sub(taken, Ordering::AcqRel);
        if batch.capacity() > (4 << 20) {
            batch = Vec::with_capacity(64 << 10);
        }
    }
}
