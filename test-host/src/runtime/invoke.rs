//! One invocation: a fresh `Store` and instance from the `InstancePre`, the call of whichever handler the
//! function exports, and the classification of whatever went wrong. Nothing here compiles, links or parses
//! configuration.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use wasmtime::{PoolConcurrencyLimitError, Store, StoreContextMut, Trap, UpdateDeadline};

use super::engine::{EPOCH_TICK, Runtime};
use super::load::{Function, GuestPre};
use super::wasi::UnsupportedWasi;
use crate::bindings::spawn_current;
use crate::error::InvokeError;
use crate::logs::{Level, LogRecord, LogSource};
use crate::services::bytes::{buffer_data, take_data};
use crate::services::web::relative_path;
use crate::services::web::stream;
use crate::state::{Cancelled, HostState, RequestParts, Services};

/// The request as the runtime passes it to the guest: for a web function the HTTP request, for a spawn
/// function only its body (the payload).
#[derive(Debug, Clone, Default)]
pub(crate) struct Invocation {
    /// Upper-case method.
    pub(crate) method: String,
    /// Path below the function, starting with `/` (`/` for the function itself).
    pub(crate) path: String,
    /// Raw query string, without `?`.
    pub(crate) query: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Bytes,
    pub(crate) token_metadata: Option<String>,
    /// How many spawns led to it (0: invoked directly).
    pub(crate) spawn_depth: u32,
}

/// A function's answer: status, headers and body. A spawn function answers 200 when it succeeded and 500
/// when it failed, with the note (if any) as the body and a `spawn-result` header naming the variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    /// For a streamed response: the frames kept for a test, together (empty when they went to a sink).
    pub(crate) body: Bytes,
    /// The frames of a streamed response (`None`: the function answered at once).
    pub(crate) stream: Option<crate::stream::Stream>,
}

/// The result of one invocation, with everything it logged (also when it failed).
pub(crate) struct Outcome {
    pub(crate) result: Result<Answer, InvokeError>,
    pub(crate) logs: Vec<LogRecord>,
    pub(crate) logs_dropped: usize,
    /// Warn-only mode: the errors production would have failed the invocation with.
    pub(crate) warnings: Vec<InvokeError>,
    pub(crate) invocation_id: String,
    pub(crate) elapsed: Duration,
    /// Bytes the host copied into the guest's memory (request body reads, `data` values).
    pub(crate) bytes_to_guest: u64,
}

/// A process-unique invocation id: a per-process nonce and a counter.
fn next_invocation_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static NONCE: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    let nonce = *NONCE.get_or_init(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        nanos ^ std::process::id().rotate_left(16)
    });
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    // `{nonce:08x}-{n:012x}`, written by hand: this runs on every invocation.
    let mut id = String::with_capacity(21);
    push_hex(&mut id, u64::from(nonce), 8);
    id.push('-');
    push_hex(&mut id, n, 12);
    id
}

/// Append the low `digits` hex digits of `value`, zero-padded.
fn push_hex(out: &mut String, value: u64, digits: u32) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for shift in (0..digits).rev() {
        let nibble = (value >> (shift * 4)) & 0xf;
        out.push(char::from(HEX[nibble as usize]));
    }
}

/// Pull the panic message out of what Rust's std printed to stderr before aborting:
/// `thread '<unnamed>' panicked at src/lib.rs:5:5:\nboom\nnote: ...`.
fn panic_message(stderr: &str) -> Option<String> {
    let start = stderr.rfind("panicked at ")?;
    let rest = &stderr[start + "panicked at ".len()..];
    let (location, message) = rest.split_once(":\n")?;
    let message = message
        .split("\nnote: ")
        .next()
        .unwrap_or(message)
        .trim_end();
    Some(format!("{message} (at {location})"))
}

/// Size of a request as the request limit counts it: body, method, path, query and headers.
pub(crate) fn request_size(request: &Invocation) -> usize {
    request.method.len()
        + request.path.len()
        + request.query.len()
        + request
            .headers
            .iter()
            .map(|(name, value)| name.len() + value.len())
            .sum::<usize>()
        + request.body.len()
}

/// Size of a response as the response limit counts it: body and headers.
fn response_size(response: &Answer) -> usize {
    response
        .headers
        .iter()
        .map(|(name, value)| name.len() + value.len())
        .sum::<usize>()
        + response.body.len()
}

/// Call the handler the function exports with `invocation`, in a fresh instance.
fn call(
    pre: &GuestPre,
    store: &mut Store<HostState>,
    invocation: Invocation,
) -> wasmtime::Result<Answer> {
    match pre {
        GuestPre::Web(pre) => {
            let instance = pre.instantiate(&mut *store)?;
            let body = buffer_data(&mut store.data_mut().inv, invocation.body)?;
            let response = instance
                .momento_web_function_guest_function_web()
                .call_invoke(&mut *store, &body)?;
            let body = take_data(&mut store.data_mut().inv, response.body)?;
            let inv = &mut store.data_mut().inv;
            if let Some(streamed) = stream::finish(inv, response.status, &body)? {
                return Ok(streamed);
            }
            Ok(Answer {
                status: response.status,
                headers: response
                    .headers
                    .into_iter()
                    .map(|h| (h.name, h.value))
                    .collect(),
                body,
                stream: None,
            })
        }
        GuestPre::OlderWeb(pre) => {
            let instance = pre.instantiate(&mut *store)?;
            store.data_mut().inv.bytes_to_guest += invocation.body.len() as u64;
            let response = instance
                .momento_functions_guest_function_web()
                .call_post(&mut *store, &invocation.body)?;
            Ok(Answer {
                status: response.status,
                headers: response
                    .headers
                    .into_iter()
                    .map(|h| (h.name, h.value))
                    .collect(),
                body: Bytes::from(response.body),
                stream: None,
            })
        }
        GuestPre::Spawn(pre) => {
            use spawn_current::exports::momento::spawn_function::guest_function_spawn::{
                SpawnFailure, SpawnSuccess,
            };
            let instance = pre.instantiate(&mut *store)?;
            let payload = buffer_data(&mut store.data_mut().inv, invocation.body)?;
            let result = instance
                .momento_spawn_function_guest_function_spawn()
                .call_spawned(&mut *store, &payload)?;
            let (status, variant, note) = match result {
                Ok(SpawnSuccess::Ok) => (200, "ok", String::new()),
                Ok(SpawnSuccess::OkNote(note)) => (200, "ok-note", note),
                Err(SpawnFailure::Failed) => (500, "failed", String::new()),
                Err(SpawnFailure::FailedNote(note)) => (500, "failed-note", note),
                Err(SpawnFailure::HostError(note)) => (500, "host-error", note),
            };
            Ok(Answer {
                status,
                headers: vec![("spawn-result".to_owned(), variant.to_owned())],
                body: Bytes::from(note),
                stream: None,
            })
        }
        GuestPre::OlderSpawn(pre) => {
            let instance = pre.instantiate(&mut *store)?;
            store.data_mut().inv.bytes_to_guest += invocation.body.len() as u64;
            instance
                .momento_functions_guest_function_spawn()
                .call_spawned(&mut *store, &invocation.body)?;
            Ok(Answer {
                status: 200,
                headers: vec![("spawn-result".to_owned(), "ok".to_owned())],
                body: Bytes::new(),
                stream: None,
            })
        }
    }
}

/// Epoch ticks covering `duration` (at least one).
pub(crate) fn ticks_for(duration: Duration) -> u64 {
    let ticks = duration.as_nanos().div_ceil(EPOCH_TICK.as_nanos()).max(1);
    u64::try_from(ticks).unwrap_or(u64::MAX / 2)
}

/// Called when the epoch deadline is reached: the tick count only approximates the wall clock, so check
/// the real elapsed time and interrupt, or extend to the real deadline. In warn-only mode the first
/// crossing records a warning and extends to the hard stop. A plain `fn`: no allocation per store.
fn on_epoch_deadline(
    mut store: StoreContextMut<'_, HostState>,
) -> wasmtime::Result<UpdateDeadline> {
    let state = &mut store.data_mut().inv;
    if state.is_cancelled() {
        return Err(wasmtime::Error::new(Cancelled));
    }
    let elapsed = state.started.elapsed();
    if elapsed < state.soft_deadline {
        return Ok(UpdateDeadline::Continue(ticks_for(
            state.next_check(state.soft_deadline - elapsed),
        )));
    }
    if elapsed < state.hard_deadline {
        state.warn(InvokeError::Timeout {
            deadline: state.soft_deadline,
        });
        return Ok(UpdateDeadline::Continue(ticks_for(
            state.next_check(state.hard_deadline - elapsed),
        )));
    }
    Ok(UpdateDeadline::Interrupt)
}

/// Did an out-of-bounds access hit just below address 0 (a pointer that went negative)? Rust places its
/// data stack (1 MiB by default) at the bottom of linear memory, growing down, so deep recursion with
/// locals in memory wraps below 0 rather than raising `Trap::StackOverflow`. Wasmtime reports the address
/// only as text in the error chain: "memory fault at wasm address 0x... in linear memory of size ...".
fn below_address_zero(error: &wasmtime::Error) -> bool {
    const WINDOW: u64 = 1 << 20;
    const FOUR_GIB: u64 = 1 << 32;
    error.chain().any(|cause| {
        let text = cause.to_string();
        let Some(rest) = text.strip_prefix("memory fault at wasm address 0x") else {
            return false;
        };
        let hex: String = rest.chars().take_while(char::is_ascii_hexdigit).collect();
        u64::from_str_radix(&hex, 16)
            .is_ok_and(|address| (FOUR_GIB - WINDOW..FOUR_GIB + WINDOW).contains(&address))
    })
}

/// A store for one invocation: memory limiter and deadline armed.
pub(crate) fn new_store(runtime: &Runtime, state: HostState) -> Store<HostState> {
    let first_check = state.inv.next_check(runtime.limits.deadline);
    let mut store = Store::new(&runtime.engine, state);
    store.limiter(|state| &mut state.limiter);
    store.epoch_deadline_callback(on_epoch_deadline);
    store.set_epoch_deadline(ticks_for(first_check));
    store
}

/// The message of a panic payload.
fn panic_payload(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_owned())
}

impl Function {
    /// Invoke the function once, in a fresh instance.
    pub(crate) fn invoke(&self, services: &Arc<Services>, invocation: Invocation) -> Outcome {
        let started = Instant::now();
        let invocation_id = next_invocation_id();
        let limits = &self.runtime.limits;
        let mut warnings = Vec::new();
        let size = request_size(&invocation);
        if size > limits.request_bytes {
            let error = InvokeError::RequestTooLarge {
                size,
                limit: limits.request_bytes,
            };
            if limits.warn_only {
                warnings.push(error);
            } else {
                return Outcome {
                    result: Err(error),
                    logs: Vec::new(),
                    logs_dropped: 0,
                    warnings,
                    invocation_id,
                    elapsed: started.elapsed(),
                    bytes_to_guest: 0,
                };
            }
        }
        let parts = RequestParts {
            method: invocation.method.clone(),
            path: Some(relative_path(&invocation.path)),
            query: Some(invocation.query.clone()),
            headers: Some(invocation.headers.clone()),
            token_metadata: Some(invocation.token_metadata.clone()),
        };
        let spawn_depth = invocation.spawn_depth;
        let mut state = HostState::new(Arc::clone(services), invocation_id.clone(), parts, limits);
        state.inv.warnings = warnings;
        state.inv.spawn_depth = spawn_depth;
        let mut store = new_store(&self.runtime, state);

        // Host imports must not panic; if one does anyway (a host bug), the invocation fails and the
        // store is dropped, instead of the panic unwinding into the caller.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            call(&self.pre, &mut store, invocation)
        }));

        let state = store.into_data();
        let (stdout, stderr) = state.take_stdio();
        let limiter = state.limiter;
        let mut state = state.inv;
        // Its spawns run after it, however it ended.
        let spawns = std::mem::take(&mut state.spawns);
        services
            .spawn
            .submit(services, spawns, &invocation_id, spawn_depth);
        let result = match result {
            // A streamed response was checked frame by frame.
            Ok(Ok(response)) if response.stream.is_some() => Ok(response),
            Ok(Ok(response)) => {
                let size = response_size(&response);
                if size > limits.response_bytes {
                    let error = InvokeError::ResponseTooLarge {
                        size,
                        limit: limits.response_bytes,
                    };
                    if limits.warn_only {
                        state.warn(error);
                        Ok(response)
                    } else {
                        Err(error)
                    }
                } else {
                    Ok(response)
                }
            }
            Ok(Err(error)) => Err(self.classify(&error, &limiter, &stderr)),
            Err(panic) => Err(InvokeError::Internal {
                message: format!(
                    "a host function panicked (a bug in the host, not in the function): {}",
                    panic_payload(panic.as_ref())
                ),
            }),
        };
        if limiter.soft_exceeded && !limiter.exceeded {
            state.warn(InvokeError::MemoryLimitExceeded {
                limit: limits.memory_bytes,
            });
        }
        state.drain_stdio(true);
        for warning in &state.warnings {
            state.logs.push(LogRecord {
                level: Level::Warn,
                target: "limits".to_owned(),
                message: limits.warning_text(warning),
                source: LogSource::Host,
                invocation_id: invocation_id.clone(),
            });
        }
        // Momento's system logs: to the destinations of `configure-logging`, if the function made one.
        crate::services::log::system_lines(
            services,
            &state.log_routing,
            &invocation_id,
            &stdout,
            &stderr,
            &state.logs,
            limits.log_records,
        );
        Outcome {
            result,
            logs: state.logs,
            logs_dropped: state.logs_dropped,
            warnings: state.warnings,
            invocation_id,
            elapsed: started.elapsed(),
            bytes_to_guest: state.bytes_to_guest,
        }
    }

    /// Turn a wasmtime error into the typed error a user can match.
    fn classify(
        &self,
        error: &wasmtime::Error,
        limiter: &crate::state::MemoryLimiter,
        stderr: &[u8],
    ) -> InvokeError {
        let limits = &self.runtime.limits;
        if error.downcast_ref::<PoolConcurrencyLimitError>().is_some() {
            return InvokeError::Busy {
                limit: limits.concurrent_instances.max(1) as usize,
            };
        }
        if let Some(limit) = error.downcast_ref::<crate::services::HostCallLimit>() {
            return InvokeError::HostCallLimitExceeded { limit: limit.limit };
        }
        if let Some(host) = error.downcast_ref::<crate::services::HostCallError>() {
            return InvokeError::HostCall {
                message: host.to_string(),
            };
        }
        if let Some(stream) = error.downcast_ref::<stream::StreamTooLarge>() {
            return InvokeError::ResponseTooLarge {
                size: stream.size,
                limit: stream.limit,
            };
        }
        if error.downcast_ref::<Cancelled>().is_some() {
            return InvokeError::Cancelled;
        }
        if let Some(wasi) = error.downcast_ref::<UnsupportedWasi>() {
            return InvokeError::UnsupportedWasi {
                interface: wasi.interface.to_owned(),
                function: wasi.function.to_owned(),
                hint: wasi.hint.to_owned(),
            };
        }
        match error.downcast_ref::<Trap>() {
            Some(Trap::Interrupt) => {
                return InvokeError::Timeout {
                    deadline: limits.hard_deadline(),
                };
            }
            Some(Trap::StackOverflow) => {
                return InvokeError::StackOverflow {
                    limit: limits.wasm_stack_bytes,
                };
            }
            Some(Trap::MemoryOutOfBounds) if below_address_zero(error) => {
                return InvokeError::StackOverflow {
                    limit: limits.wasm_stack_bytes,
                };
            }
            _ => {}
        }
        if limiter.exceeded {
            return InvokeError::MemoryLimitExceeded {
                limit: limits.hard_memory_bytes(),
            };
        }
        match error.downcast_ref::<Trap>() {
            Some(Trap::UnreachableCodeReached) => {
                let stderr = String::from_utf8_lossy(stderr);
                match panic_message(&stderr) {
                    Some(message) => InvokeError::GuestPanic {
                        message: Some(message),
                    },
                    None if stderr.contains("memory allocation of") => {
                        InvokeError::MemoryLimitExceeded {
                            limit: limits.hard_memory_bytes(),
                        }
                    }
                    None => InvokeError::GuestPanic { message: None },
                }
            }
            _ => InvokeError::Trap {
                message: format!("{error:?}"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_message_is_extracted() {
        let stderr = "\nthread '<unnamed>' panicked at src/lib.rs:7:5:\nsomething broke\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n";
        assert_eq!(
            panic_message(stderr).as_deref(),
            Some("something broke (at src/lib.rs:7:5)")
        );
        assert_eq!(panic_message("no panic here"), None);
    }

    #[test]
    fn invocation_ids_are_unique() {
        let a = next_invocation_id();
        let b = next_invocation_id();
        assert_ne!(a, b);
        assert_eq!(a.len(), 21);
        assert_eq!(a.as_bytes()[8], b'-');
        let mut hex = String::new();
        push_hex(&mut hex, 0xabc, 6);
        assert_eq!(hex, "000abc");
    }
}
