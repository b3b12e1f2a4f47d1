//! Per-invocation store data ([`HostState`]) and the services shared by all invocations of a host.

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

/// State shared by every invocation of one host: configuration and mock services. Hot and long-lived.
#[derive(Debug, Default)]
pub(crate) struct Services {
    /// Environment variables of the function (`std::env::var` in the guest).
    pub(crate) env: Vec<(String, String)>,
    /// Name of the function, passed in every request's context.
    pub(crate) function_name: String,
    /// Least severe level the logging interface accepts.
    pub(crate) log_level: crate::logs::Level,
    /// Keep every invocation's records in `log_history`?
    pub(crate) keep_log_history: bool,
    /// Every log record of every invocation, in order.
    pub(crate) log_history: Mutex<Vec<LogRecord>>,
    /// The host's clock: cache expiry and, for a test clock, the function's WASI clocks.
    pub(crate) clock: crate::clock::Clock,
    /// The in-memory cache shared by every invocation.
    pub(crate) cache: crate::services::cache::CacheMock,
    /// Outbound HTTP: mock routes, the call log, and in real mode the shared pooled client.
    pub(crate) http: crate::services::http::HttpMock,
    /// The AWS mocks: credentials policy, sessions, DynamoDB, S3, Secrets Manager, calls and faults.
    pub(crate) aws: crate::services::aws::AwsState,
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

/// The data of one invocation's `Store`.
pub(crate) struct HostState {
    pub(crate) services: Arc<Services>,
    pub(crate) invocation_id: String,
    pub(crate) limiter: MemoryLimiter,
    table: ResourceTable,
    /// Built on the first WASI call only: most handlers never make one.
    wasi: Option<WasiCtx>,
    stdout: Option<MemoryOutputPipe>,
    stderr: Option<MemoryOutputPipe>,
    /// Log records of this invocation.
    pub(crate) logs: Vec<LogRecord>,
    /// Records dropped because `logs` was full.
    pub(crate) logs_dropped: usize,
    pub(crate) log_capacity: usize,
    /// Host calls made so far by this invocation.
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
}

impl HostState {
    pub(crate) fn new(services: Arc<Services>, invocation_id: String, limits: &Limits) -> Self {
        let started = Instant::now();
        HostState {
            services,
            invocation_id,
            limiter: MemoryLimiter::new(limits),
            table: ResourceTable::new(),
            wasi: None,
            stdout: None,
            stderr: None,
            logs: Vec::new(),
            logs_dropped: 0,
            log_capacity: limits.log_records,
            host_calls: 0,
            host_call_limit: limits.host_calls,
            warn_only: limits.warn_only,
            warnings: Vec::new(),
            started,
            soft_deadline: limits.deadline,
            hard_deadline: limits.hard_deadline(),
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

    /// When the invocation is interrupted (`started + hard_deadline`): blocking host calls (HTTP) never wait
    /// past it, because epoch interruption cannot stop a guest that is inside a host call.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.started.checked_add(self.hard_deadline)
    }

    /// The resource table of this invocation (host resources handed to the guest).
    pub(crate) fn table(&mut self) -> &mut ResourceTable {
        &mut self.table
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

    pub(crate) fn push_log(&mut self, record: LogRecord) {
        if self.logs.len() < self.log_capacity {
            self.logs.push(record);
        } else {
            self.logs_dropped += 1;
        }
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        let wasi = self.wasi.get_or_insert_with(|| {
            let stdout = MemoryOutputPipe::new(STDIO_CAPTURE_BYTES);
            let stderr = MemoryOutputPipe::new(STDIO_CAPTURE_BYTES);
            self.stdout = Some(stdout.clone());
            self.stderr = Some(stderr.clone());
            let mut builder = WasiCtx::builder();
            builder
                .envs(&self.services.env)
                .stdout(stdout)
                .stderr(stderr);
            if let Some((wall, monotonic)) = self.services.clock.wasi_clocks() {
                builder.wall_clock(wall).monotonic_clock(monotonic);
            }
            builder.build()
        });
        WasiCtxView {
            ctx: wasi,
            table: &mut self.table,
        }
    }
}
