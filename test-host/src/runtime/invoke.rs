//! One invocation: a fresh `Store` and instance from the `InstancePre`, the call, and the classification
//! of whatever went wrong. Nothing here compiles, links or parses configuration.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use wasmtime::{PoolConcurrencyLimitError, Store, Trap};

use super::load::Function;
use crate::bindings::web;
use crate::error::InvokeError;
use crate::logs::{Level, LogRecord, LogSource};
use crate::state::{HostState, Services};

/// The request as the runtime passes it to the guest.
pub(crate) struct Invocation {
    pub(crate) request: web::Request,
}

/// The result of one invocation, with everything it logged (also when it failed).
pub(crate) struct Outcome {
    pub(crate) result: Result<web::Response, InvokeError>,
    pub(crate) logs: Vec<LogRecord>,
    pub(crate) logs_dropped: usize,
    pub(crate) invocation_id: String,
    pub(crate) elapsed: Duration,
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
    format!("{nonce:08x}-{n:012x}")
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

fn stdio_records(bytes: &[u8], source: LogSource, invocation_id: &str, into: &mut Vec<LogRecord>) {
    if bytes.is_empty() {
        return;
    }
    let (level, target) = match source {
        LogSource::Stderr => (Level::Warn, "stderr"),
        _ => (Level::Info, "stdout"),
    };
    for line in String::from_utf8_lossy(bytes).lines() {
        into.push(LogRecord {
            level,
            target: target.to_owned(),
            message: line.to_owned(),
            source,
            invocation_id: invocation_id.to_owned(),
        });
    }
}

impl Function {
    /// Invoke the function once, in a fresh instance.
    pub(crate) fn invoke(&self, services: &Arc<Services>, mut invocation: Invocation) -> Outcome {
        let started = Instant::now();
        let invocation_id = next_invocation_id();
        let limits = &self.runtime.limits;
        let size = invocation.request.body.len();
        if size > limits.request_bytes {
            return Outcome {
                result: Err(InvokeError::RequestTooLarge {
                    size,
                    limit: limits.request_bytes,
                }),
                logs: Vec::new(),
                logs_dropped: 0,
                invocation_id,
                elapsed: started.elapsed(),
            };
        }
        invocation
            .request
            .context
            .invocation_id
            .clone_from(&invocation_id);
        invocation
            .request
            .context
            .function_name
            .clone_from(&services.function_name);

        let state = HostState::new(
            Arc::clone(services),
            invocation_id.clone(),
            limits.memory_bytes,
            limits.log_records,
        );
        let mut state = state;
        state.host_call_limit = limits.host_calls;
        state.deadline = Some(started + limits.deadline);
        let mut store = Store::new(&self.runtime.engine, state);
        store.limiter(|state| &mut state.limiter);
        store.set_epoch_deadline(self.runtime.deadline_ticks());

        let result = self.pre.instantiate(&mut store).and_then(|instance| {
            instance
                .momento_functions_web()
                .call_handle(&mut store, &invocation.request)
        });

        let mut state = store.into_data();
        let (stdout, stderr) = state.stdio();
        let result = match result {
            Ok(response) if response.body.len() > limits.response_bytes => {
                Err(InvokeError::ResponseTooLarge {
                    size: response.body.len(),
                    limit: limits.response_bytes,
                })
            }
            Ok(response) => Ok(response),
            Err(error) => Err(self.classify(&error, &state, &stderr)),
        };
        stdio_records(&stdout, LogSource::Stdout, &invocation_id, &mut state.logs);
        stdio_records(&stderr, LogSource::Stderr, &invocation_id, &mut state.logs);
        Outcome {
            result,
            logs: state.logs,
            logs_dropped: state.logs_dropped,
            invocation_id,
            elapsed: started.elapsed(),
        }
    }

    /// Turn a wasmtime error into the typed error a user can match.
    fn classify(&self, error: &wasmtime::Error, state: &HostState, stderr: &[u8]) -> InvokeError {
        let limits = &self.runtime.limits;
        if state.limiter.exceeded {
            return InvokeError::MemoryLimitExceeded {
                limit: limits.memory_bytes,
            };
        }
        if error.downcast_ref::<PoolConcurrencyLimitError>().is_some() {
            return InvokeError::Busy {
                limit: limits.concurrent_instances as usize,
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
        if let Some(exit) = error.downcast_ref::<wasmtime_wasi::I32Exit>() {
            return InvokeError::Trap {
                message: format!(
                    "the function called exit({}); wasi:cli/exit is not supported: return a response instead",
                    exit.0
                ),
            };
        }
        match error.downcast_ref::<Trap>() {
            Some(Trap::Interrupt) => InvokeError::Timeout {
                deadline: limits.deadline,
            },
            Some(Trap::StackOverflow) => InvokeError::StackOverflow {
                limit: limits.wasm_stack_bytes,
            },
            Some(Trap::UnreachableCodeReached) => {
                let stderr = String::from_utf8_lossy(stderr);
                match panic_message(&stderr) {
                    Some(message) => InvokeError::GuestPanic {
                        message: Some(message),
                    },
                    None if stderr.contains("memory allocation of") => {
                        InvokeError::MemoryLimitExceeded {
                            limit: limits.memory_bytes,
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
    }
}
