//! Spawn functions registered by name, and the queue that runs what functions spawn.
//!
//! A `spawn-function(name, payload)` call reserves a place in the host's bounded queue (a full queue is
//! the caller's `limit` error) and is held with the caller's invocation; when the caller returns — however
//! it ends — its spawns join the queue in the order they were made. One background thread per host runs
//! them one at a time, each in a fresh instance of the named function with that function's own limits and
//! the host's services (the same cache, mocks and clock). A spawned function may spawn in turn, up to
//! [`MAX_SPAWN_DEPTH`] levels. Tests wait for the queue to drain ([`SpawnMock::wait`]) and read a
//! [`SpawnRecord`] per spawn: payload, result, logs.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::error::InvokeError;
use crate::logs::LogRecord;
use crate::runtime::{Function, Invocation};
use crate::state::Services;

/// How deep spawned functions may spawn: a function spawned by a function spawned by ... this many levels.
pub const MAX_SPAWN_DEPTH: u32 = 8;
/// Spawns waiting (held with their caller or queued) at most, unless the builder says otherwise.
pub const DEFAULT_SPAWN_QUEUE: usize = 1_000;
/// Records of finished spawns kept per host (the oldest are dropped first, and counted).
const MAX_RECORDS: usize = 10_000;

/// What a spawn function answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpawnResult {
    /// `spawn-success`: `ok` (no note) or `ok-note`.
    Ok {
        /// The note of `ok-note`.
        note: Option<String>,
    },
    /// `spawn-failure`: `failed` (no note) or `failed-note`.
    Failed {
        /// The note of `failed-note`.
        note: Option<String>,
    },
    /// `spawn-failure.host-error`, as the function reported it.
    HostError(String),
}

impl SpawnResult {
    /// Did the function report success?
    pub fn is_ok(&self) -> bool {
        matches!(self, SpawnResult::Ok { .. })
    }

    /// The note, if any.
    pub fn note(&self) -> Option<&str> {
        match self {
            SpawnResult::Ok { note } | SpawnResult::Failed { note } => note.as_deref(),
            SpawnResult::HostError(note) => Some(note),
        }
    }

    /// The result of a spawn invocation's answer (see `runtime::Answer`: 200/500, `spawn-result`
    /// header naming the variant, the note as the body).
    pub(crate) fn from_answer(answer: &crate::runtime::Answer) -> SpawnResult {
        let variant = answer
            .headers
            .iter()
            .find(|(name, _)| name == "spawn-result")
            .map_or("ok", |(_, value)| value.as_str());
        let note = String::from_utf8_lossy(&answer.body).into_owned();
        match variant {
            "ok-note" => SpawnResult::Ok { note: Some(note) },
            "failed" => SpawnResult::Failed { note: None },
            "failed-note" => SpawnResult::Failed { note: Some(note) },
            "host-error" => SpawnResult::HostError(note),
            _ => SpawnResult::Ok { note: None },
        }
    }
}

/// One spawn and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpawnRecord {
    /// The spawned function's name.
    pub name: String,
    /// The payload it was given.
    pub payload: Vec<u8>,
    /// The invocation that spawned it.
    pub caller: String,
    /// The spawned invocation's own id.
    pub invocation_id: String,
    /// How many spawns led to it (1: spawned by a function invoked directly).
    pub depth: u32,
    /// What the function answered, or why its invocation failed (trap, timeout, limits).
    pub result: Result<SpawnResult, InvokeError>,
    /// Its log records.
    pub logs: Vec<LogRecord>,
    /// Time from the caller's return to the spawn starting.
    pub waited: Duration,
    /// How long it ran.
    pub elapsed: Duration,
}

/// A failure the next `spawn-function` calls answer instead of spawning (see [`SpawnMock::fail_next`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpawnFault {
    /// `spawn-error.internal-error`.
    Internal,
    /// `spawn-error.limit` with this message.
    Limit(String),
}

/// A spawn a running invocation made, held until it returns.
pub(crate) struct PendingSpawn {
    pub(crate) name: String,
    pub(crate) function: Arc<Function>,
    pub(crate) payload: Bytes,
}

impl std::fmt::Debug for PendingSpawn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingSpawn")
            .field("name", &self.name)
            .field("payload", &self.payload.len())
            .finish_non_exhaustive()
    }
}

/// Why a spawn was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    NotFound,
    Limit(String),
    Internal,
}

struct Job {
    pending: PendingSpawn,
    caller: String,
    depth: u32,
    queued: Instant,
}

#[derive(Default)]
struct QueueState {
    jobs: VecDeque<Job>,
    /// Places held by running invocations' spawns (not yet queued).
    reserved: usize,
    /// A spawn is running now.
    running: bool,
    records: VecDeque<SpawnRecord>,
    records_dropped: usize,
    faults: VecDeque<SpawnFault>,
    /// The host is gone: the worker stops.
    stopped: bool,
    worker_started: bool,
}

/// The queue, shared by the host and its worker thread.
#[derive(Default)]
struct Queue {
    state: Mutex<QueueState>,
    changed: Condvar,
}

impl Queue {
    fn lock(&self) -> MutexGuard<'_, QueueState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The spawn functions of one host and its queue.
pub(crate) struct SpawnService {
    functions: HashMap<String, Arc<Function>>,
    capacity: usize,
    queue: Arc<Queue>,
}

impl std::fmt::Debug for SpawnService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<&String> = self.functions.keys().collect();
        names.sort();
        f.debug_struct("SpawnService")
            .field("functions", &names)
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

impl Default for SpawnService {
    fn default() -> Self {
        SpawnService::new(HashMap::new(), DEFAULT_SPAWN_QUEUE)
    }
}

impl Drop for SpawnService {
    fn drop(&mut self) {
        self.queue.lock().stopped = true;
        self.queue.changed.notify_all();
    }
}

impl SpawnService {
    pub(crate) fn new(functions: HashMap<String, Arc<Function>>, capacity: usize) -> Self {
        SpawnService {
            functions,
            capacity,
            queue: Arc::new(Queue::default()),
        }
    }

    /// The names of the registered functions, sorted.
    pub(crate) fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.functions.keys().cloned().collect();
        names.sort();
        names
    }

    /// Accept a spawn of `name` from an invocation at `depth` (0: invoked directly): the function to run,
    /// with a place in the queue held for it.
    pub(crate) fn reserve(
        &self,
        name: &str,
        payload_len: usize,
        depth: u32,
    ) -> Result<Arc<Function>, Refusal> {
        let mut state = self.queue.lock();
        if let Some(fault) = state.faults.pop_front() {
            return Err(match fault {
                SpawnFault::Internal => Refusal::Internal,
                SpawnFault::Limit(message) => Refusal::Limit(message),
            });
        }
        let Some(function) = self.functions.get(name) else {
            return Err(Refusal::NotFound);
        };
        if depth >= MAX_SPAWN_DEPTH {
            return Err(Refusal::Limit(format!(
                "spawn depth: this invocation is {depth} spawns deep, and spawned functions may spawn at most {MAX_SPAWN_DEPTH} levels"
            )));
        }
        let limit = function.runtime.limits.request_bytes;
        if payload_len > limit {
            return Err(Refusal::Limit(format!(
                "payload: {payload_len} bytes, over the {limit}-byte request limit of `{name}`"
            )));
        }
        let waiting = state.jobs.len() + state.reserved;
        if waiting >= self.capacity {
            return Err(Refusal::Limit(format!(
                "spawn queue full: {waiting} spawns waiting, the host's limit (TestHostBuilder::spawn_queue)"
            )));
        }
        state.reserved += 1;
        Ok(Arc::clone(function))
    }

    /// The caller `caller` (at `depth`) returned: its spawns join the queue.
    pub(crate) fn submit(
        &self,
        services: &Arc<Services>,
        spawns: Vec<PendingSpawn>,
        caller: &str,
        depth: u32,
    ) {
        if spawns.is_empty() {
            return;
        }
        let now = Instant::now();
        let mut state = self.queue.lock();
        state.reserved = state.reserved.saturating_sub(spawns.len());
        for pending in spawns {
            state.jobs.push_back(Job {
                pending,
                caller: caller.to_owned(),
                depth: depth + 1,
                queued: now,
            });
        }
        if !state.worker_started {
            state.worker_started = true;
            let queue = Arc::clone(&self.queue);
            let services = Arc::downgrade(services);
            let stack = self
                .functions
                .values()
                .map(|f| f.runtime.limits.thread_stack_bytes())
                .max()
                .unwrap_or(4 << 20);
            let started = std::thread::Builder::new()
                .name("momento-spawn".into())
                .stack_size(stack)
                .spawn(move || run(&queue, &services));
            if let Err(e) = started {
                // No thread, no spawns: record each as failed rather than losing it.
                state.worker_started = false;
                let jobs: Vec<Job> = state.jobs.drain(..).collect();
                for job in jobs {
                    let record = failed_record(
                        job,
                        InvokeError::Internal {
                            message: format!("cannot start the spawn thread: {e}"),
                        },
                    );
                    push_record(&mut state, record);
                }
            }
        }
        drop(state);
        self.queue.changed.notify_all();
    }

    fn handle(&self) -> SpawnHandle {
        SpawnHandle {
            queue: Arc::clone(&self.queue),
        }
    }
}

fn failed_record(job: Job, error: InvokeError) -> SpawnRecord {
    SpawnRecord {
        name: job.pending.name,
        payload: job.pending.payload.to_vec(),
        caller: job.caller,
        invocation_id: String::new(),
        depth: job.depth,
        result: Err(error),
        logs: Vec::new(),
        waited: job.queued.elapsed(),
        elapsed: Duration::ZERO,
    }
}

fn push_record(state: &mut QueueState, record: SpawnRecord) {
    if state.records.len() >= MAX_RECORDS {
        state.records.pop_front();
        state.records_dropped += 1;
    }
    state.records.push_back(record);
}

/// The worker: run queued spawns one at a time until the host is gone.
fn run(queue: &Queue, services: &Weak<Services>) {
    loop {
        let job = {
            let mut state = queue.lock();
            loop {
                if state.stopped {
                    return;
                }
                if let Some(job) = state.jobs.pop_front() {
                    state.running = true;
                    break job;
                }
                state = queue
                    .changed
                    .wait(state)
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
            }
        };
        let Some(services) = services.upgrade() else {
            return;
        };
        let waited = job.queued.elapsed();
        let started = Instant::now();
        let invocation = Invocation {
            method: "POST".to_owned(),
            path: "/".to_owned(),
            body: job.pending.payload.clone(),
            spawn_depth: job.depth,
            ..Invocation::default()
        };
        let outcome = job.pending.function.invoke(&services, invocation);
        drop(services);
        let record = SpawnRecord {
            name: job.pending.name,
            payload: job.pending.payload.to_vec(),
            caller: job.caller,
            invocation_id: outcome.invocation_id,
            depth: job.depth,
            result: outcome
                .result
                .map(|answer| SpawnResult::from_answer(&answer)),
            logs: outcome.logs,
            waited,
            elapsed: started.elapsed(),
        };
        let mut state = queue.lock();
        state.running = false;
        push_record(&mut state, record);
        drop(state);
        queue.changed.notify_all();
    }
}

/// The queue as [`SpawnMock`] sees it.
#[derive(Clone)]
struct SpawnHandle {
    queue: Arc<Queue>,
}

/// The spawn functions of a [`TestHost`](crate::TestHost): what was spawned, and waiting for it.
///
/// ```no_run
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use momento_functions_test_host::{Request, TestHost};
///
/// let host = TestHost::builder()
///     .function("resize", "examples/spawn-worker")
///     .build_crate("examples/spawn-worker")?;
/// host.invoke(Request::post("/").body("image-7"))?;
/// let spawns = host.spawns().wait();
/// assert_eq!(spawns[0].name, "resize");
/// assert!(spawns[0].result.as_ref().is_ok_and(|r| r.is_ok()));
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct SpawnMock {
    handle: SpawnHandle,
    names: Vec<String>,
}

impl std::fmt::Debug for SpawnMock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpawnMock")
            .field("functions", &self.names)
            .finish_non_exhaustive()
    }
}

impl SpawnMock {
    pub(crate) fn new(service: &SpawnService) -> SpawnMock {
        SpawnMock {
            handle: service.handle(),
            names: service.names(),
        }
    }

    /// The names of the registered spawn functions.
    pub fn functions(&self) -> &[String] {
        &self.names
    }

    /// Wait until every spawn made so far (and every spawn those made) has run, at most 60 s; then the
    /// records of all spawns so far, in the order they ran.
    pub fn wait(&self) -> Vec<SpawnRecord> {
        self.wait_for(Duration::from_secs(60));
        self.records()
    }

    /// Wait until nothing is queued or running, at most `timeout`. `false` when it timed out.
    ///
    /// Spawns still held by an invocation that is running have not been queued yet: wait after it
    /// returns.
    pub fn wait_for(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let queue = &self.handle.queue;
        let mut state = queue.lock();
        while !state.jobs.is_empty() || state.running {
            let now = Instant::now();
            if now >= deadline || state.stopped {
                return false;
            }
            state = queue
                .changed
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
        true
    }

    /// The records of the spawns that have run so far, in order (the most recent 10,000).
    pub fn records(&self) -> Vec<SpawnRecord> {
        self.handle.queue.lock().records.iter().cloned().collect()
    }

    /// Records dropped because more than 10,000 were kept.
    pub fn records_dropped(&self) -> usize {
        self.handle.queue.lock().records_dropped
    }

    /// Spawns queued and not started yet.
    pub fn queued(&self) -> usize {
        self.handle.queue.lock().jobs.len()
    }

    /// Forget the records so far.
    pub fn clear(&self) {
        let mut state = self.handle.queue.lock();
        state.records.clear();
        state.records_dropped = 0;
    }

    /// The next `spawn-function` call answers `fault` instead of spawning (faults are used in order,
    /// once each).
    pub fn fail_next(&self, fault: SpawnFault) {
        self.handle.queue.lock().faults.push_back(fault);
    }
}
