//! Production-like limits on what one invocation may use.
//!
//! Every limit has a builder method, a command-line flag (`invoke`, `serve` and `bench`) and a key in the
//! `[limits]` section of a fixtures file (deserialized with [`serde`]; unknown keys are rejected). The key
//! names below are stable:
//!
//! | field / file key | flag | default | on violation |
//! |---|---|---|---|
//! | `deadline` / `deadline_ms` | `--deadline-ms` | 5,000 ms | [`InvokeError::Timeout`] |
//! | `memory_bytes` | `--memory` | 128 MiB | [`InvokeError::MemoryLimitExceeded`] |
//! | `wasm_stack_bytes` | `--wasm-stack` | 512 KiB | [`InvokeError::StackOverflow`] |
//! | `request_bytes` | `--request-size` | 10 MiB | [`InvokeError::RequestTooLarge`] |
//! | `response_bytes` | `--response-size` | 10 MiB | [`InvokeError::ResponseTooLarge`] |
//! | `host_calls` | `--host-calls` | 10,000 | [`InvokeError::HostCallLimitExceeded`] |
//! | `concurrent_instances` | `--concurrency` | 64 | [`InvokeError::Busy`] |
//! | `log_records` | `--log-records` | 1,000 | records counted in `Response::logs_dropped` |
//! | `component_bytes` | — | 50 MiB | `LoadError::TooLarge` |
//! | `code_bytes` | — | 32 MiB | `LoadError::CodeTooLarge` (all function bodies of all modules) |
//! | `function_bytes` | — | 1 MiB | `LoadError::FunctionTooLarge` (one function body) |
//! | `nesting_depth` | — | 8 | `LoadError::NestingTooDeep` (modules and components inside the component) |
//! | `warn_only` | `--warn-only` | `false` | see below |
//!
//! In a file, sizes are bytes, given as an integer or as a string with a unit: `memory_bytes = "64 MiB"`,
//! `request_bytes = 1048576`, `wasm_stack_bytes = "256KiB"` (`B`, `KB`/`KiB`, `MB`/`MiB`, `GB`/`GiB`; all
//! powers of 1,024). The command line's size flags take the same syntax, read by the same parser:
//! `--memory 64MiB`, `--request-size "1 MiB"`, `--wasm-stack 262144`.
//!
//! # Warn-only mode
//!
//! With `warn_only`, the deadline, memory, request, response and host-call limits do not fail the
//! invocation: each one crossed is reported once as a warning (`Response::warnings`, and a `Warn` log record
//! from [`LogSource::Host`](crate::LogSource::Host)) holding the error production would have returned.
//! Hard stops remain so that a runaway function cannot take the host down: the invocation is still
//! interrupted at 10 × the deadline (50 s with the default 5 s: shorten the deadline to stop a runaway
//! sooner) and memory cannot grow past 8 × the limit (at most 4 GiB); those end as errors, and each
//! warning names the hard stop. The wasm stack and the instance pool are physical and stay enforced.
//!
//! [`InvokeError::Timeout`]: crate::InvokeError::Timeout
//! [`InvokeError::MemoryLimitExceeded`]: crate::InvokeError::MemoryLimitExceeded
//! [`InvokeError::StackOverflow`]: crate::InvokeError::StackOverflow
//! [`InvokeError::RequestTooLarge`]: crate::InvokeError::RequestTooLarge
//! [`InvokeError::ResponseTooLarge`]: crate::InvokeError::ResponseTooLarge
//! [`InvokeError::HostCallLimitExceeded`]: crate::InvokeError::HostCallLimitExceeded
//! [`InvokeError::Busy`]: crate::InvokeError::Busy

use std::time::Duration;

/// In warn-only mode the invocation is still interrupted at this multiple of the deadline.
pub(crate) const WARN_ONLY_DEADLINE_FACTOR: u32 = 10;
/// In warn-only mode memory may grow to this multiple of the limit ...
pub(crate) const WARN_ONLY_MEMORY_FACTOR: usize = 8;
/// ... but never past what a 32-bit linear memory can address.
const MAX_LINEAR_MEMORY: usize = 4 << 30;

/// Limits on one invocation, with production-like defaults. See the [module docs](self) for the table of
/// fields, flags and file keys.
///
/// ```
/// use std::time::Duration;
/// use momento_functions_test_host::Limits;
///
/// let limits = Limits::default().with_deadline(Duration::from_millis(100)).with_memory(64 << 20);
/// assert_eq!(limits.deadline, Duration::from_millis(100));
///
/// // The `[limits]` section of a fixtures file, here as JSON:
/// let from_file: Limits = serde_json::from_str(r#"{"deadline_ms": 250, "memory_bytes": "32 MiB"}"#)?;
/// assert_eq!(from_file.deadline, Duration::from_millis(250));
/// assert_eq!(from_file.memory_bytes, 32 << 20);
/// assert_eq!(from_file.request_bytes, Limits::default().request_bytes);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Wall-clock deadline per invocation (default 5 s). Enforced by epoch interruption at a 1 ms tick.
    /// File key `deadline_ms`.
    pub deadline: Duration,
    /// Linear memory per instance in bytes (default 128 MiB).
    pub memory_bytes: usize,
    /// Wasm stack in bytes (default 512 KiB). `TestHost::invoke` runs the function on the calling
    /// thread, which needs about this much native stack plus 1 MiB (Rust's test threads have 2 MiB).
    pub wasm_stack_bytes: usize,
    /// Request size in bytes (default 10 MiB): the body plus the method, path, query and headers.
    /// Checked before an instance is created.
    pub request_bytes: usize,
    /// Response size in bytes (default 10 MiB): the body plus the headers.
    pub response_bytes: usize,
    /// Component (upload) size in bytes (default 50 MiB).
    pub component_bytes: usize,
    /// Bytes of code (function bodies) in all the component's core modules together (default 32 MiB).
    /// Checked by a streaming scan before compiling, like the two below: compile time and memory grow with
    /// code size, and faster than linearly with the size of one function.
    pub code_bytes: usize,
    /// Bytes of the largest single function body (default 1 MiB; a release build of a Rust function
    /// rarely has one over 100 KiB).
    pub function_bytes: usize,
    /// How deep modules and components may be nested in the component (default 8: a Rust function's
    /// modules are at depth 1, a composed component's a few levels deeper). Validation cost grows with the
    /// square of the depth.
    pub nesting_depth: usize,
    /// Instances that may run at once (default 64); more concurrent invocations get `InvokeError::Busy`.
    pub concurrent_instances: u32,
    /// Log records kept per invocation (default 1,000); further records are counted, not kept.
    pub log_records: usize,
    /// Host calls (cache, HTTP, logging, ...) per invocation (default 10,000).
    pub host_calls: u32,
    /// Report crossed limits as warnings instead of failing (default `false`). See the module docs.
    pub warn_only: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            deadline: Duration::from_secs(5),
            memory_bytes: 128 << 20,
            wasm_stack_bytes: 512 << 10,
            request_bytes: 10 << 20,
            response_bytes: 10 << 20,
            component_bytes: 50 << 20,
            code_bytes: 32 << 20,
            function_bytes: 1 << 20,
            nesting_depth: 8,
            concurrent_instances: 64,
            log_records: 1_000,
            host_calls: 10_000,
            warn_only: false,
        }
    }
}

impl Limits {
    /// Set the wall-clock deadline per invocation.
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Set the memory per instance in bytes.
    pub fn with_memory(mut self, bytes: usize) -> Self {
        self.memory_bytes = bytes;
        self
    }

    /// Set the wasm stack size in bytes.
    pub fn with_wasm_stack(mut self, bytes: usize) -> Self {
        self.wasm_stack_bytes = bytes;
        self
    }

    /// Set the request size limit in bytes.
    pub fn with_request_bytes(mut self, bytes: usize) -> Self {
        self.request_bytes = bytes;
        self
    }

    /// Set the response size limit in bytes.
    pub fn with_response_bytes(mut self, bytes: usize) -> Self {
        self.response_bytes = bytes;
        self
    }

    /// Set the component (upload) size limit in bytes.
    pub fn with_component_bytes(mut self, bytes: usize) -> Self {
        self.component_bytes = bytes;
        self
    }

    /// Set the limits a component's code is checked against before compiling: total code bytes, bytes of
    /// the largest function body, and nesting depth of modules and components.
    pub fn with_code_limits(
        mut self,
        code_bytes: usize,
        function_bytes: usize,
        depth: usize,
    ) -> Self {
        self.code_bytes = code_bytes;
        self.function_bytes = function_bytes;
        self.nesting_depth = depth;
        self
    }

    /// Set the host-call budget per invocation.
    pub fn with_host_calls(mut self, calls: u32) -> Self {
        self.host_calls = calls;
        self
    }

    /// Set how many instances may run at once.
    pub fn with_concurrent_instances(mut self, instances: u32) -> Self {
        self.concurrent_instances = instances;
        self
    }

    /// Set how many log records are kept per invocation.
    pub fn with_log_records(mut self, records: usize) -> Self {
        self.log_records = records;
        self
    }

    /// Report crossed limits as warnings instead of failing (see the module docs).
    pub fn with_warn_only(mut self, warn_only: bool) -> Self {
        self.warn_only = warn_only;
        self
    }

    /// How far memory may really grow: the limit, or the warn-only hard stop.
    pub(crate) fn hard_memory_bytes(&self) -> usize {
        if self.warn_only {
            self.memory_bytes
                .saturating_mul(WARN_ONLY_MEMORY_FACTOR)
                .min(MAX_LINEAR_MEMORY)
                .max(self.memory_bytes)
        } else {
            self.memory_bytes
        }
    }

    /// The stack of a thread that runs invocations: the wasm stack plus room for the host (at least 4 MiB).
    pub(crate) fn thread_stack_bytes(&self) -> usize {
        self.wasm_stack_bytes.saturating_add(2 << 20).max(4 << 20)
    }

    /// When the invocation is really interrupted: the deadline, or the warn-only hard stop.
    pub(crate) fn hard_deadline(&self) -> Duration {
        if self.warn_only {
            self.deadline.saturating_mul(WARN_ONLY_DEADLINE_FACTOR)
        } else {
            self.deadline
        }
    }
}

impl Limits {
    /// The text of the `Warn` record a warn-only invocation gets for `warning`: what production would
    /// have done, and how far warn-only lets it go instead (its hard stop).
    pub(crate) fn warning_text(&self, warning: &crate::InvokeError) -> String {
        use crate::InvokeError;
        let code = warning.code();
        match warning {
            InvokeError::Timeout { deadline } => format!(
                "warn-only: production would fail this invocation ({code}): it ran past its {} \
                 deadline, where production stops it; warn-only let it run on, up to its hard stop at \
                 {} ({WARN_ONLY_DEADLINE_FACTOR} x the deadline)",
                millis(*deadline),
                millis(self.hard_deadline()),
            ),
            InvokeError::MemoryLimitExceeded { limit } => format!(
                "warn-only: production would fail this invocation ({code}): its memory grew past the \
                 {limit}-byte limit; warn-only lets it grow up to its hard stop at {} bytes",
                self.hard_memory_bytes(),
            ),
            other => format!("warn-only: production would fail this invocation ({code}): {other}"),
        }
    }
}

/// `250 ms`, `5000 ms`.
fn millis(duration: Duration) -> String {
    format!("{} ms", duration.as_millis())
}

/// A size in bytes: an integer, or a string such as `"64 MiB"`.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(untagged)]
pub(crate) enum Size {
    Bytes(u64),
    Text(String),
}

impl Size {
    pub(crate) fn bytes(&self, key: &str) -> Result<usize, String> {
        let bytes = match self {
            Size::Bytes(n) => *n,
            Size::Text(text) => parse_size(text).map_err(|e| format!("{key}: {e}"))?,
        };
        usize::try_from(bytes).map_err(|_| format!("{key}: {bytes} is too large"))
    }
}

/// Parse `"10 MiB"`, `"512KiB"`, `"1048576"`, `"2GB"` into bytes (units are powers of 1,024).
pub(crate) fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size such as `10 MiB` or `1048576`"))?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        other => {
            return Err(format!(
                "unknown unit `{other}` in `{text}`: use B, KiB, MiB or GiB"
            ));
        }
    };
    number
        .checked_mul(1 << shift)
        .ok_or_else(|| format!("`{text}` is too large"))
}

/// The `[limits]` section of a fixtures file: every key optional, unknown keys rejected.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LimitsFile {
    deadline_ms: Option<u64>,
    memory_bytes: Option<Size>,
    wasm_stack_bytes: Option<Size>,
    request_bytes: Option<Size>,
    response_bytes: Option<Size>,
    component_bytes: Option<Size>,
    code_bytes: Option<Size>,
    function_bytes: Option<Size>,
    nesting_depth: Option<usize>,
    concurrent_instances: Option<u32>,
    log_records: Option<usize>,
    host_calls: Option<u32>,
    warn_only: Option<bool>,
}

impl LimitsFile {
    /// `limits` with the keys that are present applied.
    ///
    /// # Errors
    /// `key: why` for a size that does not parse, or a zero where at least 1 is needed.
    pub(crate) fn apply(&self, mut limits: Limits) -> Result<Limits, String> {
        let positive = [
            ("deadline_ms", self.deadline_ms),
            (
                "concurrent_instances",
                self.concurrent_instances.map(u64::from),
            ),
            ("host_calls", self.host_calls.map(u64::from)),
        ];
        for (key, value) in positive {
            if value == Some(0) {
                return Err(format!("{key}: must be at least 1"));
            }
        }
        if let Some(ms) = self.deadline_ms {
            limits.deadline = Duration::from_millis(ms);
        }
        let sizes = [
            (&self.memory_bytes, "memory_bytes", &mut limits.memory_bytes),
            (
                &self.wasm_stack_bytes,
                "wasm_stack_bytes",
                &mut limits.wasm_stack_bytes,
            ),
            (
                &self.request_bytes,
                "request_bytes",
                &mut limits.request_bytes,
            ),
            (
                &self.response_bytes,
                "response_bytes",
                &mut limits.response_bytes,
            ),
            (
                &self.component_bytes,
                "component_bytes",
                &mut limits.component_bytes,
            ),
            (&self.code_bytes, "code_bytes", &mut limits.code_bytes),
            (
                &self.function_bytes,
                "function_bytes",
                &mut limits.function_bytes,
            ),
        ];
        for (size, key, field) in sizes {
            if let Some(size) = size {
                *field = size.bytes(key)?;
                if *field == 0 && matches!(key, "memory_bytes" | "wasm_stack_bytes") {
                    return Err(format!("{key}: must be at least 1"));
                }
            }
        }
        if let Some(n) = self.concurrent_instances {
            limits.concurrent_instances = n;
        }
        if let Some(n) = self.nesting_depth {
            limits.nesting_depth = n;
        }
        if let Some(n) = self.log_records {
            limits.log_records = n;
        }
        if let Some(n) = self.host_calls {
            limits.host_calls = n;
        }
        if let Some(warn_only) = self.warn_only {
            limits.warn_only = warn_only;
        }
        Ok(limits)
    }
}

impl<'de> serde::Deserialize<'de> for Limits {
    /// Missing keys keep their defaults.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        LimitsFile::deserialize(deserializer)?
            .apply(Limits::default())
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_units() {
        assert_eq!(parse_size("1048576"), Ok(1 << 20));
        assert_eq!(parse_size("64 MiB"), Ok(64 << 20));
        assert_eq!(parse_size("512kb"), Ok(512 << 10));
        assert_eq!(parse_size("2G"), Ok(2 << 30));
        assert_eq!(parse_size(" 7 B "), Ok(7));
        assert!(parse_size("ten").is_err());
        assert!(parse_size("10 parsecs").unwrap_err().contains("parsecs"));
        assert!(parse_size("99999999999999999999 GiB").is_err());
        assert!(parse_size("").is_err());
    }

    #[test]
    fn file_keys_override_defaults_and_unknown_keys_are_rejected() {
        let limits: Limits = serde_json::from_str(
            r#"{"deadline_ms": 10, "memory_bytes": 1048576, "request_bytes": "1 KiB",
                "host_calls": 3, "concurrent_instances": 2, "log_records": 5, "warn_only": true,
                "wasm_stack_bytes": "256 KiB", "response_bytes": "2KiB", "component_bytes": "1 MiB",
                "code_bytes": "2 MiB", "function_bytes": 4096, "nesting_depth": 3}"#,
        )
        .unwrap();
        assert_eq!(
            limits,
            Limits::default()
                .with_deadline(Duration::from_millis(10))
                .with_memory(1 << 20)
                .with_request_bytes(1024)
                .with_response_bytes(2048)
                .with_component_bytes(1 << 20)
                .with_code_limits(2 << 20, 4096, 3)
                .with_wasm_stack(256 << 10)
                .with_host_calls(3)
                .with_concurrent_instances(2)
                .with_log_records(5)
                .with_warn_only(true)
        );
        let empty: Limits = serde_json::from_str("{}").unwrap();
        assert_eq!(empty, Limits::default());
        let err = serde_json::from_str::<Limits>(r#"{"memory_mb": 1}"#).unwrap_err();
        assert!(err.to_string().contains("memory_mb"), "{err}");
        let err = serde_json::from_str::<Limits>(r#"{"memory_bytes": "lots"}"#).unwrap_err();
        assert!(err.to_string().contains("memory_bytes"), "{err}");
    }

    #[test]
    fn warn_only_hard_stops() {
        let limits = Limits::default().with_memory(16 << 20);
        assert_eq!(limits.hard_memory_bytes(), 16 << 20);
        assert_eq!(limits.hard_deadline(), limits.deadline);
        let limits = limits.with_warn_only(true);
        assert_eq!(limits.hard_memory_bytes(), 128 << 20);
        assert_eq!(limits.hard_deadline(), Duration::from_secs(50));
        assert_eq!(
            Limits::default()
                .with_memory(1 << 30)
                .with_warn_only(true)
                .hard_memory_bytes(),
            4 << 30
        );
    }
}
