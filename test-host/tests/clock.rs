//! The test clock as the function sees it: `SystemTime` and `Instant` follow `host.clock()`.

#![allow(clippy::unwrap_used, reason = "test helpers outside #[test] functions")]

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{ok, probe};
use momento_functions_test_host::{Clock, TestHost};
use serde_json::json;

#[test]
fn system_time_in_the_function_follows_the_test_clock() {
    let start = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let host = probe(TestHost::builder().clock(Clock::manual(start)));
    let now = ok(&host, json!({"op": "now"}));
    assert_eq!(now["unix_ms"], 1_700_000_000_000u64);
    // Time stands still within and across invocations until advanced.
    assert_eq!(now["elapsed_ns"], 0);
    assert_eq!(
        ok(&host, json!({"op": "now"}))["unix_ms"],
        1_700_000_000_000u64
    );
    host.clock().advance(Duration::from_secs(86_400));
    assert_eq!(
        ok(&host, json!({"op": "now"}))["unix_ms"],
        1_700_086_400_000u64
    );
}

#[test]
fn test_clock_starts_at_the_current_time() {
    let before = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let host = probe(TestHost::builder().test_clock());
    let after = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let seen = ok(&host, json!({"op": "now"}))["unix_ms"].as_u64().unwrap();
    assert!(
        (before..=after).contains(&seen),
        "{before} <= {seen} <= {after}"
    );
    assert!(host.clock().is_manual());
}

#[test]
fn instant_in_the_function_moves_only_when_the_clock_is_advanced() {
    let host = probe(TestHost::builder().test_clock());
    let clock = host.clock().clone();
    let done = AtomicBool::new(false);
    let result = std::thread::scope(|scope| {
        scope.spawn(|| {
            // Keep advancing until the function has seen an hour pass on its `Instant`.
            while !done.load(Ordering::SeqCst) {
                clock.advance(Duration::from_secs(600));
                std::thread::sleep(Duration::from_millis(1));
            }
        });
        let result = ok(&host, json!({"op": "wait_for_clock", "secs": 3600}));
        done.store(true, Ordering::SeqCst);
        result
    });
    // Real time spent is milliseconds; the function measured at least an hour.
    assert!(result["elapsed_secs"].as_u64().unwrap() >= 3600, "{result}");
}

#[test]
fn the_system_clock_is_real_time() {
    let host = probe(TestHost::builder());
    assert!(!host.clock().is_manual());
    let before = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let seen = ok(&host, json!({"op": "now"}))["unix_ms"].as_u64().unwrap();
    let after = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    assert!(
        (before..=after).contains(&seen),
        "{before} <= {seen} <= {after}"
    );
}
