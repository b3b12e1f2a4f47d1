//! The data of one invocation's `Store` ([`HostState`]) and the services shared by all invocations of a host
//! ([`Services`]).
//!
//! A host service's imports run on a view over the store (`services::View`): the service's shared state and
//! the invocation's own state ([`InvocationState`]: resource table, host-call budget, deadline, logs, the
//! request for the support calls). Both halves are fields of [`HostState`], so a view borrows them apart.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use wasmtime::component::ResourceTable;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::error::InvokeError;
use crate::limits::Limits;
use crate::logs::LogRecord;

/// Bytes of stdout/stderr kept per invocation.
const STDIO_CAPTURE_BYTES: usize = 1 << 20;

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
}

impl InvocationState {
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

    pub(crate) fn push_log(&mut self, record: LogRecord) {
        if self.logs.len() < self.log_capacity {
            self.logs.push(record);
        } else {
            self.logs_dropped += 1;
        }
    }
}

/// The data of one invocation's `Store`.
pub(crate) struct HostState {
    pub(crate) services: Arc<Services>,
    pub(crate) inv: InvocationState,
    pub(crate) limiter: MemoryLimiter,
    /// Built on the first WASI call only: most handlers never make one.
    wasi: Option<WasiCtx>,
    stdout: Option<MemoryOutputPipe>,
    stderr: Option<MemoryOutputPipe>,
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
            },
            limiter: MemoryLimiter::new(limits),
            wasi: None,
            stdout: None,
            stderr: None,
        }
    }

    /// What the guest wrote to stdout and stderr (empty when it never touched WASI).
    pub(crate) fn stdio(&self) -> (Vec<u8>, Vec<u8>) {
        let read = |pipe: &Option<MemoryOutputPipe>| {
            pipe.as_ref()
                .map(|p| p.contents().to_vec())
                .unwrap_or_default()
        };
        (read(&self.stdout), read(&self.stderr))
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        let wasi = self.wasi.get_or_insert_with(|| {
            let stdout = MemoryOutputPipe::new(STDIO_CAPTURE_BYTES);
            let stderr = MemoryOutputPipe::new(STDIO_CAPTURE_BYTES);
            self.stdout = Some(stdout.clone());
            self.stderr = Some(stderr.clone());
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
