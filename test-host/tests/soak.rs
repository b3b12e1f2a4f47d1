//! Host memory stays flat across 1,000 faulting invocations (alone in its own test binary, so that other
//! tests do not move this process's RSS).

#![allow(clippy::unwrap_used, reason = "test helpers outside #[test] functions")]

mod common;

use std::time::Duration;

use common::faults::{programs, quick_limits, rss_bytes};
use momento_functions_test_host::{InvokeError, Request};

/// Each path faults in its own way.
const FAULTS: &[(&str, &str)] = &[
    ("/panic", "guest_panic"),
    ("/bomb", "memory_limit_exceeded"),
    ("/recurse", "stack_overflow"),
    ("/recurse-wasm", "stack_overflow"),
    ("/loop", "timeout"),
    ("/huge-response?bytes=300000", "response_too_large"),
    ("/hostcall-storm", "host_call_limit_exceeded"),
    ("/fs", "unsupported_wasi"),
    ("/exit", "unsupported_wasi"),
    ("/stdin", "unsupported_wasi"),
];

#[test]
fn rss_stays_flat_over_a_thousand_faults() {
    // A generous deadline (the machine may be busy), and a short one for the infinite loop.
    let limits = quick_limits()
        .with_deadline(Duration::from_secs(2))
        .with_memory(16 << 20)
        .with_response_bytes(256 << 10);
    let host = programs(limits.clone());
    let looping = programs(limits.with_deadline(Duration::from_millis(20)));
    let fault = |i: usize| {
        let (path, code) = FAULTS[i % FAULTS.len()];
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let on = if path == "/loop" { &looping } else { &host };
        let error: InvokeError = match on.invoke(Request::get(path).query(query)) {
            Ok(response) => panic!("{path}: answered {}", response.status()),
            Err(error) => error,
        };
        assert_eq!(error.code(), code, "{path}: {error}");
        assert_eq!(host.invoke(Request::get("/ok")).unwrap().status(), 200);
    };
    // Warm up: every pool slot and code path touched once.
    for i in 0..100 {
        fault(i);
    }
    let baseline = rss_bytes();
    let mut samples = Vec::new();
    for round in 0..10 {
        for i in 0..100 {
            fault(round * 100 + i);
        }
        samples.push(rss_bytes());
    }
    let mib = |b: u64| b as f64 / (1 << 20) as f64;
    eprintln!(
        "RSS after warm-up {:.1} MiB; after each 100 faults: {}",
        mib(baseline),
        samples
            .iter()
            .map(|s| format!("{:.1}", mib(*s)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    // Generous: 64 MiB over the baseline at any point, and no growth between the middle and the end.
    let margin = 64 << 20;
    assert!(
        samples.iter().all(|s| *s <= baseline + margin),
        "RSS grew: baseline {baseline}, samples {samples:?}"
    );
    let middle = samples[4];
    let last = samples[9];
    assert!(
        last <= middle + (16 << 20),
        "RSS keeps growing: {samples:?}"
    );
}
