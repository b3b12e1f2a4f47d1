//! Component bytes: libFuzzer mutates whole components (seed the corpus with real function builds, see
//! `test-host/FUZZING.md`). Loading must end in a `LoadError` or a loaded function, never a panic; a
//! function that loads is invoked once, and that must end in a response or a typed error.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use momento_functions_test_host::{InvokeError, Limits, Request, TestHost};

fuzz_target!(|bytes: &[u8]| {
    let limits = Limits::default()
        .with_deadline(Duration::from_millis(20))
        .with_memory(16 << 20)
        .with_concurrent_instances(2);
    let Ok(host) = TestHost::builder()
        .no_compile_cache()
        .keep_log_history(false)
        .limits(limits)
        .build_bytes(bytes)
    else {
        return;
    };
    match host.invoke(Request::get("/ok")) {
        Ok(_) => {}
        Err(InvokeError::Internal { message }) => panic!("internal error: {message}"),
        Err(_) => {}
    }
});
