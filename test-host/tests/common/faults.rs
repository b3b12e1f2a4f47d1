//! The misbehaving guest (`test-host/test-guests/test-programs`), the examples, quick limits, RSS.

use std::path::{Path, PathBuf};
use std::time::Duration;

use momento_functions_test_host::guest_build::build_crate_once;
use momento_functions_test_host::{Limits, TestHost};

/// The `.wasm` of `test-host/test-guests/test-programs` (the path of a request selects its misbehaviour).
pub fn programs_wasm() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-guests/test-programs");
    build_crate_once(&dir).unwrap_or_else(|e| panic!("cannot build test-programs: {e}"))
}

/// The `.wasm` of `examples/<name>`.
pub fn example_wasm(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name);
    build_crate_once(&dir).unwrap_or_else(|e| panic!("cannot build examples/{name}: {e}"))
}

/// Limits that make the faults quick: 32 MiB memory, 1,000 host calls. The deadline stays generous (2 s:
/// tests run in parallel on shared machines); tests of the deadline set their own.
pub fn quick_limits() -> Limits {
    Limits::default()
        .with_deadline(Duration::from_secs(2))
        .with_memory(32 << 20)
        .with_host_calls(1_000)
}

/// The test programs with `limits` and `GREETING=hi` in the environment.
pub fn programs(limits: Limits) -> TestHost {
    TestHost::builder()
        .limits(limits)
        .env("GREETING", "hi")
        .keep_log_history(false)
        .build_file(programs_wasm())
        .unwrap_or_else(|e| panic!("cannot load test-programs: {e}"))
}

/// Resident set size of this process in bytes (Linux).
pub fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().strip_suffix("kB"))
        .and_then(|kb| kb.trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}
