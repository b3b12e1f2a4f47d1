//! The data of one invocation's `Store` ([`HostState`]) and the services shared by all invocations of a host
//! ([`Services`]).
//!
//! A host service's imports run on a view over the store (`services::View`): the service's shared state and
//! the invocation's own state ([`InvocationState`]: resource table, host-call budget, deadline, logs, the
//! request for the support calls). Both halves are fields of [`HostState`], so a view borrows them apart.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::error::InvokeError;
use crate::limits::Limits;
use crate::logs::{Level, LogRecord, LogSource};
use crate::stdio::StdioCapture;

/// Bytes of stdout and of stderr kept per invocation.
const STDIO_CAPTURE_BYTES: usize = 1 << 20;

/// A record's target is cut to this many bytes (a `log` target is a module path: short).
pub(crate) const MAX_TARGET_BYTES: usize = 256;
/// A record's message (a `log` message, or one line of stdout/stderr) is cut to this many bytes.
pub(crate) const MAX_MESSAGE_BYTES: usize = 64 << 10;

/// How often a running invocation that can be cancelled checks whether it has been (an epoch callback
/// at most this far apart).
const CANCEL_CHECK: Duration = Duration::from_millis(10);

/// State shared by every invocation of one host: configuration and the host services. Hot and long-lived.
#[derive(Debug, Default)]
pub(crate) struct Services {
    /// Environment variables of the function (`std::env::var` in the guest), without the `__*` ones the
    /// host sets per invocation.
    pub(crate) env: Vec<(String, String)>,
    /// The function's name (`__FUNCTION_NAME`).
    pub(crate) function_name: String,
    /// The name of the cache the function belongs to (`__CACHE_NAME`).
    pub(crate) cache_name: String,
    /// Least severe level of the function's log lines kept in the test host's records.
    pub(crate) log_level: crate::logs::Level,
    /// Keep every invocation's records in `log_history`?
    pub(crate) keep_log_history: bool,
    /// Every log record of every invocation, in order.
    pub(crate) log_history: Mutex<Vec<LogRecord>>,
    /// The host's clock: cache expiry and, for a test clock, the function's WASI clocks.
    pub(crate) clock: crate::clock::Clock,
    /// The cache (`momento:cache-scalar`, both generations).
    pub(crate) cache: crate::services::cache::CacheMock,
    /// Outbound HTTP: mock routes, the call log, and in real mode the shared pooled client.
    pub(crate) http: crate::services::http::HttpMock,
    /// The AWS services: credentials policy, sessions, DynamoDB, S3, Secrets Manager, calls and faults.
    pub(crate) aws: crate::services::aws::AwsState,
    /// `momento:log`: every `configure-logging` call.
    pub(crate) logging: crate::services::log::LogService,
    /// `momento:topic` (both generations): subscribers, faults and the publish log.
    pub(crate) topics: crate::services::topic::TopicsMock,
    /// `momento:token` (both generations): issued tokens, faults and the call log.
    pub(crate) tokens: crate::services::token::TokensMock,
    /// Spawn functions by name, and the queue that runs what functions spawn.
    pub(crate) spawn: crate::services::spawn::runner::SpawnService,
    /// Valkey clusters by name: real servers, one pooled connection each.
    pub(crate) valkey: crate::services::valkey::cluster::ValkeyService,
}

/// Enforces the memory limit and records it being hit, so that the guest's resulting abort is reported as
/// `InvokeError::MemoryLimitExceeded` rather than as an opaque trap.
#[derive(Debug)]
pub(crate) struct MemoryLimiter {
    /// The limit in bytes.
    pub(crate) limit: usize,
    /// Where growth is really denied: the limit, or the warn-only hard stop.
    pub(crate) hard_limit: usize,
    /// A grow past `hard_limit` was denied.
    pub(crate) exceeded: bool,
    /// Memory grew past `limit` (warn-only mode allows it up to `hard_limit`).
    pub(crate) soft_exceeded: bool,
}

impl MemoryLimiter {
    pub(crate) fn new(limits: &Limits) -> Self {
        MemoryLimiter {
            limit: limits.memory_bytes,
            hard_limit: limits.hard_memory_bytes(),
            exceeded: false,
            soft_exceeded: false,
        }
    }
}

impl wasmtime::ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.hard_limit {
            self.exceeded = true;
            return Ok(false);
        }
        if desired > self.limit {
            self.soft_exceeded = true;
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(maximum.is_none_or(|max| desired <= max))
    }
}

/// Lets the server stop an invocation early: its client went away, or the server is being stopped.
/// Cheap to clone; all clones share one flag.
#[derive(Debug, Clone, Default)]
pub(crate) struct Cancel(Arc<CancelInner>);

#[derive(Debug, Default)]
struct CancelInner {
    cancelled: AtomicBool,
    notify: tokio::sync::Notify,
}

impl Cancel {
    /// Stop the invocation: a running guest is interrupted at its next epoch check (at most
    /// `CANCEL_CHECK` away), a guest blocked in a WASI wait wakes at once.
    #[cfg_attr(
        not(feature = "serve"),
        expect(dead_code, reason = "only the server cancels invocations")
    )]
    pub(crate) fn cancel(&self) {
        self.0.cancelled.store(true, Ordering::Release);
        self.0.notify.notify_waiters();
    }

    pub(crate) fn is_cancelled(&self) -> bool {
        self.0.cancelled.load(Ordering::Acquire)
    }

    /// Resolves once [`cancel`](Self::cancel) has been called.
    pub(crate) async fn cancelled(&self) {
        let notified = self.0.notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if self.is_cancelled() {
            return;
        }
        notified.await;
    }
}

/// The error an invocation stopped through its [`Cancel`] traps with.
#[derive(Debug, thiserror::Error)]
#[error("the invocation was cancelled: the client went away or the server is stopping")]
pub(crate) struct Cancelled;

thread_local! {
    /// The cancel handle for invocations started on this thread (set by the server around each one).
    static CURRENT_CANCEL: RefCell<Option<Cancel>> = const { RefCell::new(None) };
}

/// Run `f` (an invocation) so that `cancel` can stop it. Invocations outside this run to their deadline.
#[cfg_attr(
    not(feature = "serve"),
    expect(dead_code, reason = "only the server cancels invocations")
)]
pub(crate) fn with_cancel<R>(cancel: &Cancel, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Cancel>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            CURRENT_CANCEL.with(|current| *current.borrow_mut() = previous);
        }
    }
    let previous = CURRENT_CANCEL.with(|current| current.borrow_mut().replace(cancel.clone()));
    let _restore = Restore(previous);
    f()
}

/// The HTTP request as the web support calls hand it over: each part that Momento hands over only once is
/// an `Option` taken on the first call.
#[derive(Debug, Default)]
pub(crate) struct RequestParts {
    /// Upper-case method.
    pub(crate) method: String,
    /// Path below the function's own, without the leading slash (`None`: the function's root).
    pub(crate) path: Option<Option<String>>,
    /// Raw query string (decoded into parameters on the call).
    pub(crate) query: Option<String>,
    pub(crate) headers: Option<Vec<(String, String)>>,
    pub(crate) token_metadata: Option<Option<String>>,
}

/// What one invocation owns besides the guest's instance: dropped with its store.
pub(crate) struct InvocationState {
    /// This invocation's id (`__INVOCATION_ID`).
    pub(crate) id: String,
    /// Host resources handed to the guest (buffers, AWS providers and clients, …).
    pub(crate) table: ResourceTable,
    /// The request, for `web-function-support`.
    pub(crate) request: RequestParts,
    /// Log records of this invocation.
    pub(crate) logs: Vec<LogRecord>,
    /// Records dropped because `logs` was full.
    pub(crate) logs_dropped: usize,
    pub(crate) log_capacity: usize,
    /// Host calls made so far.
    pub(crate) host_calls: u32,
    pub(crate) host_call_limit: u32,
    /// Report crossed limits as warnings instead of failing.
    pub(crate) warn_only: bool,
    /// In warn-only mode: the errors production would have failed the invocation with.
    pub(crate) warnings: Vec<InvokeError>,
    /// When the invocation started.
    pub(crate) started: Instant,
    /// Its deadline (`Limits::deadline`), and where it is really interrupted (later in warn-only mode).
    pub(crate) soft_deadline: Duration,
    pub(crate) hard_deadline: Duration,
    /// Bytes the host copied into the guest's memory as `data` values or buffer reads (for the
    /// zero-copy figures: a body passed on as a buffer never counts).
    pub(crate) bytes_to_guest: u64,
    /// Set when the invocation runs under [`with_cancel`] (the server): it can be stopped early.
    pub(crate) cancel: Option<Cancel>,
    /// The function's stdout and stderr, once it has used WASI: their lines join the log in order.
    pub(crate) stdio: Option<StdioCapture>,
    /// Where `configure-logging` sends the invocation's log lines.
    pub(crate) log_routing: crate::services::log::Routing,
    /// A response the function streams (`web-function-stream`).
    pub(crate) stream: crate::services::web::stream::StreamState,
    /// How many spawns led to this invocation (0: invoked directly).
    pub(crate) spawn_depth: u32,
    /// Spawns it made, queued when it returns.
    pub(crate) spawns: Vec<crate::services::spawn::runner::PendingSpawn>,
}

impl InvocationState {
    /// Has the invocation been cancelled (see [`Cancel`])?
    pub(crate) fn is_cancelled(&self) -> bool {
        self.cancel.as_ref().is_some_and(Cancel::is_cancelled)
    }

    /// How long until the next epoch check, with `remaining` until the deadline: a cancellable
    /// invocation checks at least every `CANCEL_CHECK`.
    pub(crate) fn next_check(&self, remaining: Duration) -> Duration {
        if self.cancel.is_some() {
            remaining.min(CANCEL_CHECK)
        } else {
            remaining
        }
    }

    /// Count one host call; every host import calls this first. Past the per-invocation limit the call
    /// traps, failing the invocation with `InvokeError::HostCallLimitExceeded` (in warn-only mode the first
    /// call over the limit records a warning and calls go on).
    pub(crate) fn host_call(&mut self, interface: &'static str) -> wasmtime::Result<()> {
        self.host_calls = self.host_calls.saturating_add(1);
        if self.host_calls > self.host_call_limit {
            if self.warn_only {
                if self.host_calls == self.host_call_limit.saturating_add(1) {
                    self.warn(InvokeError::HostCallLimitExceeded {
                        limit: self.host_call_limit,
                    });
                }
                return Ok(());
            }
            return Err(wasmtime::Error::new(crate::services::HostCallLimit {
                limit: self.host_call_limit,
                interface,
            }));
        }
        Ok(())
    }

    /// Record what production would have failed the invocation with (warn-only mode).
    pub(crate) fn warn(&mut self, error: InvokeError) {
        if !self.warnings.contains(&error) {
            self.warnings.push(error);
        }
    }

    /// When the invocation is interrupted (`started + hard_deadline`): blocking host calls never wait past
    /// it, because epoch interruption cannot stop a guest that is inside a host call.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.started.checked_add(self.hard_deadline)
    }

    /// Keep `record` if the invocation's record budget allows (else count it as dropped), its target
    /// and message cut to [`MAX_TARGET_BYTES`] and [`MAX_MESSAGE_BYTES`]: what a function logs costs the
    /// host at most `log_records` × (64 KiB + 256 B), however large the strings it passes. The lines the
    /// function completed on stdout and stderr before it come first, so the log keeps the order in which
    /// the function wrote.
    pub(crate) fn push_log(&mut self, record: LogRecord) {
        self.drain_stdio(false);
        self.keep_record(record);
    }

    fn keep_record(&mut self, mut record: LogRecord) {
        if self.logs.len() >= self.log_capacity {
            self.logs_dropped += 1;
            return;
        }
        truncate(&mut record.target, MAX_TARGET_BYTES);
        truncate(&mut record.message, MAX_MESSAGE_BYTES);
        self.logs.push(record);
    }

    /// Move the lines the function completed on stdout and stderr into the log, one record per line,
    /// within the same record budget as `log` records (lines past it are counted in `logs_dropped`);
    /// with `finish`, an unfinished last line too (at the end of the invocation).
    pub(crate) fn drain_stdio(&mut self, finish: bool) {
        let Some(capture) = &self.stdio else {
            return;
        };
        let (lines, dropped) = capture.take_lines(finish);
        self.logs_dropped += dropped;
        for (source, line) in lines {
            let (level, target) = match source {
                LogSource::Stderr => (Level::Warn, "stderr"),
                _ => (Level::Info, "stdout"),
            };
            self.keep_record(LogRecord {
                level,
                target: target.to_owned(),
                message: String::from_utf8_lossy(&line).into_owned(),
                source,
                invocation_id: self.id.clone(),
            });
        }
    }
}

/// Cut `text` to at most `max` bytes (at a character boundary), marking the cut.
/// The allocation is shrunk too: a 4 MiB string cut to 256 bytes must not keep its 4 MiB.
fn truncate(text: &mut String, max: usize) {
    const MARK: &str = "… (truncated)";
    // Not over the limit, or already cut (and marked) by the logging interface.
    if text.len() > max && !(text.len() <= max + MARK.len() && text.ends_with(MARK)) {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push_str(MARK);
    }
    if text.capacity() > text.len().saturating_mul(2).max(64) {
        text.shrink_to_fit();
    }
}

/// The data of one invocation's `Store`.
pub(crate) struct HostState {
    pub(crate) services: Arc<Services>,
    pub(crate) inv: InvocationState,
    pub(crate) limiter: MemoryLimiter,
    /// Built on the first WASI call only: most handlers never make one.
    wasi: Option<WasiCtx>,
}

impl HostState {
    pub(crate) fn new(
        services: Arc<Services>,
        invocation_id: String,
        request: RequestParts,
        limits: &Limits,
    ) -> Self {
        HostState {
            services,
            inv: InvocationState {
                id: invocation_id,
                table: ResourceTable::new(),
                request,
                logs: Vec::new(),
                logs_dropped: 0,
                log_capacity: limits.log_records,
                host_calls: 0,
                host_call_limit: limits.host_calls,
                warn_only: limits.warn_only,
                warnings: Vec::new(),
                started: Instant::now(),
                soft_deadline: limits.deadline,
                hard_deadline: limits.hard_deadline(),
                bytes_to_guest: 0,
                cancel: CURRENT_CANCEL.with(|current| current.borrow().clone()),
                stdio: None,
                log_routing: crate::services::log::Routing::default(),
                stream: crate::services::web::stream::StreamState::new(limits.response_bytes),
                spawn_depth: 0,
                spawns: Vec::new(),
            },
            limiter: MemoryLimiter::new(limits),
            wasi: None,
        }
    }

    /// What the guest wrote to stdout and stderr (empty when it never touched WASI), taken out of the
    /// capture once the invocation is over, without a copy.
    pub(crate) fn take_stdio(&self) -> (Vec<u8>, Vec<u8>) {
        self.inv
            .stdio
            .as_ref()
            .map(StdioCapture::take_bytes)
            .unwrap_or_default()
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        let wasi = self.wasi.get_or_insert_with(|| {
            let capture = StdioCapture::new(STDIO_CAPTURE_BYTES, self.inv.log_capacity);
            let stdout = capture.pipe(LogSource::Stdout);
            let stderr = capture.pipe(LogSource::Stderr);
            self.inv.stdio = Some(capture);
            let services = &self.services;
            let mut builder = WasiCtx::builder();
            builder
                .envs(&services.env)
                .env("__CACHE_NAME", &services.cache_name)
                .env("__FUNCTION_NAME", &services.function_name)
                .env("__INVOCATION_ID", &self.inv.id)
                .stdout(stdout)
                .stderr(stderr);
            if let Some((wall, monotonic)) = services.clock.wasi_clocks() {
                builder.wall_clock(wall).monotonic_clock(monotonic);
            }
            builder.build()
        });
        WasiCtxView {
            ctx: wasi,
            table: &mut self.inv.table,
        }
    }
}
