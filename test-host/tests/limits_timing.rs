//! Timing of the limits, alone in its own test binary so that other tests do not compete for the CPU:
//! an infinite loop stops within deadline × 1.1 + 5 ms (asserted with a ×2 margin for shared machines),
//! and the time a memory bomb takes at the default limit (printed, not asserted).

#![allow(clippy::unwrap_used, reason = "test helpers outside #[test] functions")]

mod common;

use std::time::{Duration, Instant};

use common::faults::{programs, quick_limits};
use momento_functions_test_host::{InvokeError, Limits, Request};

#[test]
fn deadline_overshoot_and_memory_bomb_time() {
    let mut figures = Vec::new();
    for ms in [10u64, 100, 1000] {
        let deadline = Duration::from_millis(ms);
        let host = programs(quick_limits().with_deadline(deadline));
        let mut worst = Duration::ZERO;
        for _ in 0..3 {
            let started = Instant::now();
            let error = host.invoke(Request::get("/loop")).unwrap_err();
            let elapsed = started.elapsed();
            assert_eq!(error, InvokeError::Timeout { deadline });
            assert!(elapsed >= deadline, "stopped early: {elapsed:?}");
            worst = worst.max(elapsed);
        }
        let bound = (deadline.mul_f64(1.1) + Duration::from_millis(5)) * 2;
        assert!(worst <= bound, "{ms} ms deadline stopped after {worst:?}");
        figures.push(format!("{ms} ms → {:.2} ms", worst.as_secs_f64() * 1e3));
        assert_eq!(host.invoke(Request::get("/ok")).unwrap().status(), 200);
    }
    eprintln!("deadline overshoot (worst of 3): {}", figures.join(", "));

    let host = programs(Limits::default());
    let mut times = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        let error = host.invoke(Request::get("/bomb")).unwrap_err();
        times.push(format!("{:.1} ms", started.elapsed().as_secs_f64() * 1e3));
        assert_eq!(error, InvokeError::MemoryLimitExceeded { limit: 128 << 20 });
    }
    eprintln!(
        "memory bomb to 128 MiB in 1 MiB chunks: {}",
        times.join(", ")
    );
    assert_eq!(host.invoke(Request::get("/ok")).unwrap().status(), 200);
}
