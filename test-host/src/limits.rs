//! Production-like limits on what one invocation may use.

use std::time::Duration;

/// Limits on one invocation, with production-like defaults.
///
/// ```
/// use std::time::Duration;
/// use momento_functions_test_host::Limits;
///
/// let limits = Limits::default().with_deadline(Duration::from_millis(100)).with_memory(64 << 20);
/// assert_eq!(limits.deadline, Duration::from_millis(100));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Wall-clock deadline per invocation (default 5 s). Enforced by epoch interruption.
    pub deadline: Duration,
    /// Linear memory per instance in bytes (default 128 MiB).
    pub memory_bytes: usize,
    /// Wasm stack in bytes (default 512 KiB).
    pub wasm_stack_bytes: usize,
    /// Request body size in bytes (default 10 MiB), checked before instantiation.
    pub request_bytes: usize,
    /// Response body size in bytes (default 10 MiB).
    pub response_bytes: usize,
    /// Component (upload) size in bytes (default 50 MiB).
    pub component_bytes: usize,
    /// Instances that may run at once (default 64); more concurrent invocations get `InvokeError::Busy`.
    pub concurrent_instances: u32,
    /// Log records kept per invocation (default 1,000); further records are counted, not kept.
    pub log_records: usize,
    /// Host calls (cache, HTTP, logging, ...) per invocation (default 10,000).
    pub host_calls: u32,
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
            concurrent_instances: 64,
            log_records: 1_000,
            host_calls: 10_000,
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

    /// Set the request body limit in bytes.
    pub fn with_request_bytes(mut self, bytes: usize) -> Self {
        self.request_bytes = bytes;
        self
    }

    /// Set the response body limit in bytes.
    pub fn with_response_bytes(mut self, bytes: usize) -> Self {
        self.response_bytes = bytes;
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
}
