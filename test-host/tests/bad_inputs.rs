//! The bad-input suite: malformed uploads and misbehaving functions. Each case ends in its own typed error
//! (never a host panic), and the host keeps serving: the next invocation succeeds.
//!
//! Runtime faults come from `test-host/test-guests/test-programs` (the request path selects the fault); malformed
//! components are written as WAT here and assembled with the `wat` crate.

#![allow(clippy::unwrap_used, reason = "test helpers outside #[test] functions")]

mod common;

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use common::faults::{
    component_with_big_functions, example_wasm, nested_components, programs, programs_wasm,
    quick_limits,
};
use momento_functions_test_host::{
    InvokeError, Level, Limits, LoadError, LogSource, Request, TestHost, check_component,
};

/// The host still answers a plain request.
fn assert_serving(host: &TestHost) {
    let response = host
        .invoke(Request::get("/ok"))
        .expect("the next invocation succeeds");
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().unwrap(), "ok");
}

fn load(bytes: &[u8]) -> LoadError {
    match TestHost::builder().no_compile_cache().build_bytes(bytes) {
        Ok(_) => panic!("the component loaded"),
        Err(e) => e,
    }
}

/// The error of an invocation that must fail (a response is reported by status and size only: bodies
/// can be megabytes).
fn fails(host: &TestHost, request: Request) -> InvokeError {
    match host.invoke(request) {
        Ok(response) => panic!(
            "expected an error, got status {} with {} body bytes",
            response.status(),
            response.body().len()
        ),
        Err(error) => error,
    }
}

fn wat(text: &str) -> Vec<u8> {
    wat::parse_str(text).unwrap_or_else(|e| panic!("bad WAT in the test: {e}"))
}

// ---------------------------------------------------------------------------------------------------------
// Uploads
// ---------------------------------------------------------------------------------------------------------

#[test]
fn not_wasm_is_rejected_naming_the_problem() {
    for (bytes, expected) in [
        (&b""[..], "empty"),
        (b"hello world, not wasm", "magic"),
        (b"\0as", "truncated"),
    ] {
        match load(bytes) {
            LoadError::NotWasm { reason } => assert!(reason.contains(expected), "{reason}"),
            other => panic!("expected NotWasm, got {other:?}"),
        }
    }
}

#[test]
fn wat_text_is_rejected_even_when_valid() {
    match load(b"  (component)") {
        LoadError::NotWasm { reason } => assert!(reason.contains("WAT"), "{reason}"),
        other => panic!("expected NotWasm, got {other:?}"),
    }
}

#[test]
fn truncated_component_is_invalid() {
    let bytes = std::fs::read(programs_wasm()).unwrap();
    for len in [9, 100, bytes.len() / 2, bytes.len() - 1] {
        match load(&bytes[..len]) {
            LoadError::Invalid { message } => assert!(!message.is_empty()),
            other => panic!("expected Invalid for {len} bytes, got {other:?}"),
        }
    }
}

#[test]
fn core_module_is_not_a_component() {
    let error = load(&wat("(module (func (export \"handle\")))"));
    assert!(matches!(error, LoadError::NotComponent), "{error:?}");
    assert!(error.to_string().contains("wasm32-wasip2"), "{error}");
}

#[test]
fn unknown_imports_are_rejected_naming_each() {
    let bytes = wat(r#"(component
        (import "acme:evil/steal@1.0.0" (instance (export "grab" (func))))
        (import "wasi:sockets/tcp@0.2.0" (instance))
        (import "momento:cache-scalar/teleport@1.0.0" (instance))
        (import "momento:http/http@1.2.0" (instance))
        (import "momento:functions/web@0.1.0" (instance))
    )"#);
    match load(&bytes) {
        LoadError::UnsupportedImports { imports } => {
            let all = imports.join("\n");
            assert_eq!(imports.len(), 5, "{all}");
            assert!(
                all.contains("acme:evil/steal@1.0.0 (unknown package"),
                "{all}"
            );
            assert!(all.contains("wasi:sockets/tcp@0.2.0"), "{all}");
            assert!(all.contains("through momento:http"), "{all}");
            assert!(
                all.contains("no such interface in Momento's published contract"),
                "{all}"
            );
            assert!(
                all.contains("newer than the momento:http/http@1.1.0 this test host speaks"),
                "{all}"
            );
            assert!(all.contains("this project's own contract"), "{all}");
        }
        other => panic!("expected UnsupportedImports, got {other:?}"),
    }
}

#[test]
fn missing_handler_is_rejected_listing_the_exports() {
    let bytes = wat(r#"(component
        (core module $m (func (export "f")))
        (core instance $i (instantiate $m))
        (func $f (canon lift (core func $i "f")))
        (export "something-else" (func $f))
    )"#);
    let error = load(&bytes);
    let message = error.to_string();
    match error {
        LoadError::MissingHandler { found } => assert_eq!(found, ["something-else"]),
        other => panic!("expected MissingHandler, got {other:?}"),
    }
    // The message says what to do, route! included.
    for hint in ["post!", "get!", "route!", "cdylib", "something-else"] {
        assert!(message.contains(hint), "{hint} missing from: {message}");
    }
}

#[test]
fn a_host_interface_with_the_wrong_signature_does_not_link() {
    let bytes = wat(r#"(component
        (import "momento:log/logging@1.0.0" (instance (export "log" (func (param "x" u32)))))
        (instance $web)
        (export "momento:web-function/guest-function-web@1.0.0" (instance $web))
    )"#);
    match load(&bytes) {
        LoadError::Link { message } => assert!(message.contains("logging"), "{message}"),
        other => panic!("expected Link, got {other:?}"),
    }
}

#[test]
fn a_component_over_the_upload_limit_is_rejected_before_compiling() {
    let bytes = std::fs::read(programs_wasm()).unwrap();
    let result = TestHost::builder()
        .limits(Limits::default().with_component_bytes(bytes.len() - 1))
        .no_compile_cache()
        .build_bytes(&bytes);
    match result {
        Err(LoadError::TooLarge { size, limit }) => {
            assert_eq!((size, limit), (bytes.len(), bytes.len() - 1));
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
}

#[test]
fn a_component_whose_memory_does_not_fit_fails_at_load() {
    let result = TestHost::builder()
        .limits(Limits::default().with_memory(64 << 10))
        .build_file(programs_wasm());
    match result {
        Err(LoadError::Instantiation { message }) => {
            assert!(message.contains("memory limit"), "{message}");
        }
        other => panic!("expected Instantiation, got {other:?}"),
    }
}

#[test]
fn check_collects_every_problem() {
    let bytes = wat(r#"(component
        (import "acme:evil/steal@1.0.0" (instance))
    )"#);
    let report = check_component(&bytes, &Limits::default());
    assert!(!report.is_ok());
    assert!(report.is_component);
    assert_eq!(report.problems.len(), 2, "{:?}", report.problems);
    assert!(matches!(
        report.problems[0],
        LoadError::UnsupportedImports { .. }
    ));
    assert!(matches!(
        report.problems[1],
        LoadError::MissingHandler { .. }
    ));

    let report = check_component(&std::fs::read(programs_wasm()).unwrap(), &Limits::default());
    assert!(report.is_ok(), "{:?}", report.problems);
    assert_eq!(
        report.handler,
        Some(momento_functions_test_host::Handler::Web)
    );
    assert_eq!(
        report.imports.host_interfaces,
        [
            "momento:bytes/bytes@1.0.0",
            "momento:web-function/web-function-support@1.0.0",
            "momento:web-function/web-function-stream@1.0.0",
            "momento:cache-scalar/cache-scalar@1.0.0",
            "momento:log/logging@1.0.0",
            "momento:host/spawn@1.0.0",
        ]
    );
    let unsupported = report.imports.wasi_unsupported.join(" ");
    assert!(
        unsupported.contains("wasi:filesystem/preopens"),
        "{unsupported}"
    );
}

#[test]
fn deep_nesting_is_rejected_before_validation() {
    let bytes = nested_components(20_000);
    let started = Instant::now();
    let error = load(&bytes);
    assert!(
        matches!(error, LoadError::NestingTooDeep { limit: 8 }),
        "{error:?}"
    );
    let report = check_component(&bytes, &Limits::default());
    assert!(
        matches!(report.problems[..], [LoadError::NestingTooDeep { .. }]),
        "{:?}",
        report.problems
    );
    // Validating this took 10 s and 8 GB; the scan stops at level 9. (The bound is loose: a busy machine.)
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    // Up to the limit is fine (the component is empty, so it then lacks a handler).
    let error = load(&nested_components(7));
    assert!(
        matches!(error, LoadError::MissingHandler { .. }),
        "{error:?}"
    );
}

#[test]
fn code_size_is_checked_before_compiling() {
    // Two 7 MiB functions (compiling them took 40 s and 2.7 GB): over the 1 MiB limit for one function.
    let bytes = component_with_big_functions(2, 7 << 20);
    let started = Instant::now();
    match load(&bytes) {
        LoadError::FunctionTooLarge {
            index: 0,
            size,
            limit,
        } => {
            assert!(size > 7 << 20);
            assert_eq!(limit, 1 << 20);
        }
        other => panic!("expected FunctionTooLarge, got {other:?}"),
    }
    // With the code limits raised it has no handler: rejected from the export names, not compiled.
    match TestHost::builder()
        .limits(Limits::default().with_code_limits(32 << 20, 16 << 20, 8))
        .no_compile_cache()
        .build_bytes(&bytes)
    {
        Err(LoadError::MissingHandler { found }) => assert!(found.is_empty(), "{found:?}"),
        Err(other) => panic!("expected MissingHandler, got {other:?}"),
        Ok(_) => panic!("the component loaded"),
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );

    // With a handler export, one function over the limit, or all of them over the total.
    let function =
        |instructions: usize| format!("(func {})", "i32.const 0 drop ".repeat(instructions));
    let component = |functions: &str| {
        wat(&format!(
            r#"(component
                (core module {functions})
                (instance $web)
                (export "momento:web-function/guest-function-web@1.0.0" (instance $web))
            )"#
        ))
    };
    let limits = Limits::default().with_code_limits(10_000, 4_096, 8);
    let build = |bytes: &[u8]| match TestHost::builder()
        .limits(limits.clone())
        .no_compile_cache()
        .build_bytes(bytes)
    {
        Ok(_) => panic!("the component loaded"),
        Err(e) => e,
    };
    match build(&component(&function(2_000))) {
        LoadError::FunctionTooLarge {
            index: 0,
            size,
            limit: 4_096,
        } => assert!(size > 4_096),
        other => panic!("expected FunctionTooLarge, got {other:?}"),
    }
    let three = function(1_200).repeat(3);
    match build(&component(&three)) {
        LoadError::CodeTooLarge {
            size,
            limit: 10_000,
        } => assert!(size > 10_000),
        other => panic!("expected CodeTooLarge, got {other:?}"),
    }
    let error = build(&component(&function(1_000)));
    assert!(
        matches!(error, LoadError::Link { .. }) && error.to_string().contains("invoke"),
        "within the limits, the scan lets it through to linking: {error}"
    );
}

// ---------------------------------------------------------------------------------------------------------
// Limits
// ---------------------------------------------------------------------------------------------------------

#[test]
fn a_guest_asleep_in_wasi_is_stopped_at_the_deadline() {
    // `std::thread::sleep` blocks in `pollable.block`, out of reach of epoch interruption.
    let deadline = Duration::from_millis(500);
    let host = programs(quick_limits().with_deadline(deadline));
    let started = Instant::now();
    let error = fails(&host, Request::get("/sleep").query("ms=20000"));
    let took = started.elapsed();
    assert_eq!(error, InvokeError::Timeout { deadline });
    // 20 s before; the deadline now (the bound is loose: a busy machine).
    assert!(took < Duration::from_secs(5), "took {took:?}");
    eprintln!("a 20 s sleep under a 500 ms deadline ended after {took:?}");
    assert_serving(&host);
    // A sleep within the deadline is not disturbed.
    let response = host.invoke(Request::get("/sleep").query("ms=20")).unwrap();
    assert_eq!(response.text().unwrap(), "slept");
}

#[test]
fn infinite_loop_is_a_timeout() {
    let deadline = Duration::from_millis(50);
    let host = programs(quick_limits().with_deadline(deadline));
    let error = host.invoke(Request::get("/loop")).unwrap_err();
    assert_eq!(error, InvokeError::Timeout { deadline });
    assert_eq!(error.status(), 504);
    assert_eq!(error.code(), "timeout");
    assert_serving(&host);
}

#[test]
fn a_function_that_finishes_in_time_is_not_stopped() {
    let host = programs(quick_limits().with_deadline(Duration::from_millis(500)));
    let response = host.invoke(Request::get("/spin").query("ms=50")).unwrap();
    assert_eq!(response.text().unwrap(), "spun");
}

#[test]
fn memory_bomb_is_memory_limit_exceeded() {
    let host = programs(quick_limits());
    for path in ["/bomb", "/big-alloc"] {
        let error = fails(&host, Request::get(path));
        assert_eq!(
            error,
            InvokeError::MemoryLimitExceeded { limit: 32 << 20 },
            "{path}"
        );
        assert_eq!(error.code(), "memory_limit_exceeded");
        assert_serving(&host);
    }
    // Up to the limit is fine.
    let response = host.invoke(Request::get("/grow").query("mb=16")).unwrap();
    assert_eq!(response.text().unwrap(), (16u32 << 20).to_string());
}

#[test]
fn deep_recursion_is_a_stack_overflow() {
    let host = programs(quick_limits());
    // Recursion with arrays on the stack exhausts Rust's stack in linear memory; with scalars only, the
    // wasm stack. Both are reported as a stack overflow.
    for path in ["/recurse", "/recurse-wasm"] {
        let error = fails(&host, Request::get(path));
        assert_eq!(
            error,
            InvokeError::StackOverflow { limit: 512 << 10 },
            "{path}"
        );
        assert_serving(&host);
    }
}

#[test]
fn guest_panic_surfaces_the_message() {
    let host = programs(quick_limits());
    match host.invoke(Request::get("/panic")).unwrap_err() {
        InvokeError::GuestPanic {
            message: Some(message),
        } => {
            assert!(
                message.contains("test-programs: deliberate panic"),
                "{message}"
            );
            assert!(message.contains("src/lib.rs"), "{message}");
        }
        other => panic!("expected GuestPanic, got {other:?}"),
    }
    assert_serving(&host);
}

#[test]
fn huge_request_is_rejected_before_instantiation() {
    let host = programs(quick_limits().with_request_bytes(1024));
    // Body plus method, path, query and headers count.
    let fits = 1024 - "POST".len() - "/ok".len();
    assert!(
        host.invoke(Request::post("/ok").body(vec![b'a'; fits]))
            .is_ok()
    );
    let error = host
        .invoke(Request::post("/ok").body(vec![b'a'; fits + 1]))
        .unwrap_err();
    assert_eq!(
        error,
        InvokeError::RequestTooLarge {
            size: 1025,
            limit: 1024
        }
    );
    assert_eq!(error.status(), 413);
    let error = host
        .invoke(Request::get("/ok").header("x-big", "v".repeat(2000)))
        .unwrap_err();
    assert!(
        matches!(error, InvokeError::RequestTooLarge { .. }),
        "{error:?}"
    );
    assert_serving(&host);

    // The default limit is 10 MiB.
    let host = programs(quick_limits().with_request_bytes(Limits::default().request_bytes));
    let error = host
        .invoke(Request::post("/ok").body(vec![0; 10 << 20]))
        .unwrap_err();
    assert!(matches!(error, InvokeError::RequestTooLarge { limit, .. } if limit == 10 << 20));
    assert_serving(&host);
}

#[test]
fn huge_response_is_response_too_large() {
    let host = programs(quick_limits().with_response_bytes(4096));
    let ok = host
        .invoke(Request::get("/huge-response").query("bytes=4000"))
        .unwrap();
    assert_eq!(ok.body().len(), 4000);
    let error = fails(&host, Request::get("/huge-response").query("bytes=4097"));
    assert!(
        matches!(error, InvokeError::ResponseTooLarge { size, limit: 4096 } if size > 4096),
        "{error:?}"
    );
    assert_serving(&host);

    let host = programs(quick_limits().with_memory(64 << 20));
    let error = fails(&host, Request::get("/huge-response"));
    assert!(matches!(error, InvokeError::ResponseTooLarge { limit, .. } if limit == 10 << 20));
    assert_serving(&host);
}

#[test]
fn host_call_storm_stops_at_the_budget() {
    let host = programs(quick_limits());
    let error = host
        .invoke(Request::get("/hostcall-storm").query("n=1000000"))
        .unwrap_err();
    assert_eq!(error, InvokeError::HostCallLimitExceeded { limit: 1_000 });
    // Reading the request costs host calls too (method, path and query through web-function-support):
    // 990 records stay within the 1,000.
    let response = host
        .invoke(Request::get("/hostcall-storm").query("n=990"))
        .unwrap();
    assert_eq!(response.text().unwrap(), "990 records");
    assert_eq!(response.logs().len() + response.logs_dropped(), 990);
    assert_serving(&host);
}

#[test]
fn log_records_over_the_limit_are_counted_not_kept() {
    let host = programs(quick_limits().with_log_records(10));
    let response = host
        .invoke(Request::get("/hostcall-storm").query("n=25"))
        .unwrap();
    assert_eq!(response.logs().len(), 10);
    assert_eq!(response.logs_dropped(), 15);
}

#[test]
fn every_part_of_a_log_record_is_bounded() {
    let host = programs(quick_limits().with_log_records(100));
    // A record arrives as one `"<target>: <message>"` line (`momento:log` has no target field); a target
    // over 256 bytes is no module path, so the whole line is the message, cut to 64 KiB (and marked).
    let response = host
        .invoke(Request::get("/log-target").query("n=20&bytes=1048576"))
        .unwrap();
    assert_eq!(response.logs().len(), 20);
    for record in response.logs() {
        assert!(record.target.len() <= 256, "{}", record.target.len());
        assert!(
            record.message.len() <= (64 << 10) + 16,
            "{}",
            record.message.len()
        );
        assert!(record.message.ends_with("(truncated)"));
    }
    // Short ones are kept as they are.
    let response = host
        .invoke(Request::get("/log-target").query("n=1&bytes=12"))
        .unwrap();
    assert_eq!(response.logs()[0].target, "t".repeat(12));
    // A flood of newlines on stdout and stderr (1 MiB each) counts against the same record budget.
    let response = host.invoke(Request::get("/newlines")).unwrap();
    assert_eq!(response.logs().len(), 100);
    assert_eq!(response.logs().len() + response.logs_dropped(), 2 << 20);
    assert_serving(&host);
}

#[test]
fn log_records_display_control_characters_escaped() {
    let host = programs(quick_limits());
    let response = host.invoke(Request::get("/log-escape")).unwrap();
    let shown: Vec<String> = response.logs().iter().map(ToString::to_string).collect();
    assert_eq!(shown.len(), 3, "{shown:?}");
    for line in &shown {
        assert!(
            !line.contains(['\n', '\r', '\x1b', '\u{9b}', '\x07']),
            "{line:?}"
        );
    }
    assert!(
        shown[0].contains(r"t\r\nfake-target: line one\r\nFAKE"),
        "{}",
        shown[0]
    );
    assert!(shown[0].contains(r"\u{1b}[31mred"), "{}", shown[0]);
    // The record itself keeps what the function sent.
    assert!(response.logs()[0].message.contains("\x1b[31m"));
}

#[test]
fn pool_exhaustion_is_busy_and_clears() {
    let host = programs(
        quick_limits()
            .with_concurrent_instances(2)
            .with_deadline(Duration::from_secs(5)),
    );
    let callers = 6;
    let barrier = Arc::new(Barrier::new(callers));
    let threads: Vec<_> = (0..callers)
        .map(|_| {
            let host = host.clone();
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                host.invoke(Request::get("/spin").query("ms=400"))
            })
        })
        .collect();
    let results: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let ok = results.iter().filter(|r| r.is_ok()).count();
    let busy = results
        .iter()
        .filter(|r| matches!(r, Err(InvokeError::Busy { limit: 2 })))
        .count();
    assert_eq!(ok + busy, callers, "{results:?}");
    assert!((1..=2).contains(&ok), "{results:?}");
    assert!(busy >= callers - 2, "{results:?}");
    assert_eq!(
        InvokeError::Busy { limit: 2 }.status(),
        503,
        "serve answers busy with 503"
    );
    assert_serving(&host);
}

#[test]
fn warn_only_reports_instead_of_failing() {
    let warn_only = quick_limits()
        .with_warn_only(true)
        .with_memory(8 << 20)
        .with_host_calls(10)
        .with_response_bytes(100);
    let host = programs(
        warn_only
            .clone()
            .with_deadline(Duration::from_millis(20))
            .with_request_bytes(10),
    );
    let response = host
        .invoke(Request::post("/spin").query("ms=40").body("a longer body"))
        .unwrap();
    assert_eq!(response.text().unwrap(), "spun");
    let codes: Vec<&str> = response.warnings().iter().map(InvokeError::code).collect();
    assert_eq!(codes, ["request_too_large", "timeout"]);
    // Hard stops remain: 10× the deadline, 8× the memory.
    let error = host.invoke(Request::get("/loop")).unwrap_err();
    assert_eq!(
        error,
        InvokeError::Timeout {
            deadline: Duration::from_millis(200)
        }
    );

    let host = programs(warn_only.with_deadline(Duration::from_secs(5)));

    let response = host.invoke(Request::get("/grow").query("mb=12")).unwrap();
    assert_eq!(
        response.warnings(),
        [InvokeError::MemoryLimitExceeded { limit: 8 << 20 }]
    );
    // 8 records and the 3 calls that read the request: over the 10.
    let response = host
        .invoke(Request::get("/hostcall-storm").query("n=8"))
        .unwrap();
    assert_eq!(
        response.warnings(),
        [InvokeError::HostCallLimitExceeded { limit: 10 }]
    );
    let response = host
        .invoke(Request::get("/huge-response").query("bytes=200"))
        .unwrap();
    assert_eq!(response.body().len(), 200);
    assert!(matches!(
        response.warnings(),
        [InvokeError::ResponseTooLarge { limit: 100, .. }]
    ));
    // Each warning is also a log record from the host.
    let record = response
        .logs()
        .iter()
        .find(|r| r.source == LogSource::Host)
        .expect("a host record");
    assert_eq!(record.level, Level::Warn);
    assert!(record.message.contains("response_too_large"), "{record}");

    let error = host.invoke(Request::get("/bomb")).unwrap_err();
    assert_eq!(error, InvokeError::MemoryLimitExceeded { limit: 64 << 20 });
    // And a normal invocation has no warnings.
    assert!(
        host.invoke(Request::get("/ok"))
            .unwrap()
            .warnings()
            .is_empty()
    );
}

// ---------------------------------------------------------------------------------------------------------
// WASI
// ---------------------------------------------------------------------------------------------------------

#[test]
fn unsupported_wasi_names_the_interface() {
    let host = programs(quick_limits());
    for (path, interface) in [
        ("/fs", "wasi:filesystem"),
        ("/fs-write", "wasi:filesystem"),
        ("/stdin", "wasi:cli/stdin"),
        ("/exit", "wasi:cli/exit"),
    ] {
        let error = fails(&host, Request::get(path));
        match &error {
            InvokeError::UnsupportedWasi {
                interface: named, ..
            } => assert_eq!(named, interface, "{path}"),
            other => panic!("{path}: expected UnsupportedWasi, got {other:?}"),
        }
        assert!(error.to_string().contains(interface), "{error}");
        assert_eq!(error.code(), "unsupported_wasi");
        assert_serving(&host);
    }
}

#[test]
fn supported_wasi_works() {
    let host = programs(quick_limits());
    // Environment: only what the function is configured with.
    let env = host
        .invoke(Request::get("/env").query("name=GREETING"))
        .unwrap();
    assert_eq!(env.text().unwrap(), "hi");
    let missing = host
        .invoke(Request::get("/env").query("name=HOME"))
        .unwrap();
    assert_eq!(missing.status(), 404);
    // Clocks: wall clock near the host's, monotonic clock runs forward.
    let clock = host.invoke(Request::get("/clock")).unwrap();
    let text = clock.text().unwrap().to_owned();
    let (wall, _delta) = text.split_once(' ').unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(wall.parse::<u64>().unwrap().abs_diff(now) < 60, "{text}");
    // Random: differs between invocations.
    let a = host.invoke(Request::get("/random")).unwrap().into_body();
    let b = host.invoke(Request::get("/random")).unwrap().into_body();
    assert_ne!(a, b);
}

#[test]
fn stdout_and_stderr_are_captured_into_the_log() {
    let host = programs(quick_limits());
    let response = host.invoke(Request::get("/stdout")).unwrap();
    let lines: Vec<(LogSource, Level, &str)> = response
        .logs()
        .iter()
        .map(|r| (r.source, r.level, r.message.as_str()))
        .collect();
    assert_eq!(
        lines,
        [
            (LogSource::Stdout, Level::Info, "to stdout"),
            (LogSource::Stderr, Level::Warn, "to stderr")
        ]
    );
}

#[test]
fn stdout_stderr_and_log_records_keep_the_order_they_were_written_in() {
    let host = programs(quick_limits());
    let response = host.invoke(Request::get("/interleave")).unwrap();
    let lines: Vec<(LogSource, &str)> = response
        .logs()
        .iter()
        .map(|r| (r.source, r.message.as_str()))
        .collect();
    assert_eq!(
        lines,
        [
            (LogSource::Log, "1 log"),
            (LogSource::Stdout, "2 stdout"),
            (LogSource::Stderr, "3 stderr"),
            (LogSource::Log, "4 log"),
            (LogSource::Stderr, "5 stderr"),
            (LogSource::Stdout, "6 stdout"),
            // A line takes its place when its newline is written.
            (LogSource::Log, "7 log"),
            (LogSource::Stdout, "8 stdout, finished after 7"),
            (LogSource::Stderr, "9 stderr without a newline"),
        ]
    );
}

// ---------------------------------------------------------------------------------------------------------
// Typed handlers and concurrency
// ---------------------------------------------------------------------------------------------------------

#[test]
fn invalid_utf8_and_invalid_json_are_400_not_traps() {
    let greeter = TestHost::from_file(example_wasm("greeter")).unwrap();
    for body in [
        &b"\xff\xfe\xfd"[..],
        b"{\"name\": \"\xff\"}",
        b"{bad",
        b"{\"name\": 5}",
        b"",
    ] {
        let response = greeter.invoke(Request::post("/").body(body)).unwrap();
        assert_eq!(response.status(), 400, "{body:?}: {:?}", response.text());
    }
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let response = greeter.invoke(Request::post("/").body(deep)).unwrap();
    assert_eq!(response.status(), 400);

    let host = programs(quick_limits());
    let text = host
        .invoke(Request::new("PUT", "/text").body(&b"\xc3\x28"[..]))
        .unwrap();
    assert_eq!(text.status(), 400);
    let ok = host
        .invoke(Request::new("PUT", "/text").body("héllo"))
        .unwrap();
    assert_eq!(ok.text().unwrap(), "5 chars");
    let json = host
        .invoke(Request::new("PATCH", "/json").body("{\"name\": \"a\", \"count\": -1}"))
        .unwrap();
    assert_eq!(json.status(), 400);
    let json = host
        .invoke(Request::new("PATCH", "/json").body("{\"name\": \"a\", \"count\": 2}"))
        .unwrap();
    assert_eq!(json.text().unwrap(), "{\"name\":\"a\",\"count\":2}");
    assert_serving(&host);
}

#[test]
fn a_thousand_invocations_from_32_threads_all_succeed() {
    // The deadline is wall-clock time: keep the default, 32 threads share two cores.
    let host = programs(Limits::default());
    let threads: Vec<_> = (0..32)
        .map(|t| {
            let host = host.clone();
            std::thread::spawn(move || {
                for i in 0..32 {
                    let body = format!("{t}-{i}");
                    let response = host
                        .invoke(Request::post("/echo").body(body.clone()))
                        .unwrap();
                    assert!(
                        response
                            .text()
                            .unwrap()
                            .contains(&format!("body: {} bytes", body.len())),
                        "{:?}",
                        response.text()
                    );
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
}

#[test]
fn a_thousand_concurrent_threads_get_answers_or_busy() {
    let host = programs(Limits::default());
    let callers = 1_000;
    let barrier = Arc::new(Barrier::new(callers));
    let threads: Vec<_> = (0..callers)
        .map(|i| {
            let host = host.clone();
            let barrier = Arc::clone(&barrier);
            std::thread::Builder::new()
                .stack_size(2 << 20)
                .spawn(move || {
                    barrier.wait();
                    let path = if i % 10 == 0 { "/panic" } else { "/ok" };
                    (path, host.invoke(Request::get(path)))
                })
                .unwrap()
        })
        .collect();
    let mut answered = 0;
    for thread in threads {
        match thread.join().unwrap() {
            ("/ok", Ok(response)) => {
                assert_eq!(response.status(), 200);
                answered += 1;
            }
            ("/panic", Err(InvokeError::GuestPanic { .. })) => answered += 1,
            (_, Err(InvokeError::Busy { limit: 64 })) => {}
            (path, other) => panic!("{path}: unexpected {other:?}"),
        }
    }
    assert!(answered > 0);
    eprintln!("1,000 concurrent threads: {answered} answered, the rest busy");
    assert_serving(&host);
}

#[test]
fn a_thousand_concurrent_invocations_share_cache_state() {
    let host = programs(Limits::default());
    // 32 threads × 32 increments of one key: no update is lost.
    std::thread::scope(|scope| {
        for _ in 0..32 {
            let host = host.clone();
            scope.spawn(move || {
                for _ in 0..32 {
                    let response = host
                        .invoke(Request::get("/cache-incr").query("key=hits"))
                        .unwrap();
                    assert_eq!(response.status(), 200, "{:?}", response.text());
                }
            });
        }
    });
    assert_eq!(host.cache().get_string("hits").as_deref(), Some("1024"));

    // 1,000 threads at once: every answered increment counts exactly once, the others are busy.
    let callers = 1_000;
    let barrier = Arc::new(Barrier::new(callers));
    let threads: Vec<_> = (0..callers)
        .map(|_| {
            let host = host.clone();
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                host.invoke(Request::get("/cache-incr").query("key=burst"))
            })
        })
        .collect();
    let mut values = Vec::new();
    for thread in threads {
        match thread.join().unwrap() {
            Ok(response) => values.push(response.text().unwrap().parse::<u32>().unwrap()),
            Err(InvokeError::Busy { .. }) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    values.sort_unstable();
    let answered = u32::try_from(values.len()).unwrap();
    assert!(answered > 0);
    assert_eq!(values, (1..=answered).collect::<Vec<_>>());
    assert_eq!(host.cache().get_string("burst"), Some(answered.to_string()));
    assert_serving(&host);
}

#[test]
fn a_trap_around_cache_writes_leaves_the_cache_whole() {
    // A panic right after a write: the write happened (a host call completes or not at all).
    let host = programs(quick_limits());
    match fails(&host, Request::get("/cache-set-then-panic").query("key=k")) {
        InvokeError::GuestPanic { message } => assert!(
            message
                .as_deref()
                .is_some_and(|m| m.contains("panic after a cache write")),
            "{message:?}"
        ),
        other => panic!("expected GuestPanic, got {other:?}"),
    }
    assert_eq!(host.cache().get_string("k").as_deref(), Some("written"));

    // Stopped in the middle of a stream of writes, by the host-call budget and by the deadline: every item
    // written is whole, and the writes are a prefix of the stream.
    let by_budget = programs(quick_limits().with_host_calls(100));
    let by_deadline = programs(
        quick_limits()
            .with_host_calls(u32::MAX)
            .with_deadline(Duration::from_millis(30)),
    );
    for (host, expected) in [
        (&by_budget, "host_call_limit_exceeded"),
        (&by_deadline, "timeout"),
    ] {
        // A busy machine can use up a 30 ms deadline before the first write: try again (a few times) until
        // the stop falls inside the stream.
        let mut written = 0;
        for _attempt in 0..5 {
            host.cache().clear();
            let error = fails(host, Request::get("/cache-write-loop"));
            assert_eq!(error.code(), expected, "{error}");
            written = 0;
            while let Some(value) = host.cache().get_string(format!("loop-{written}")) {
                assert_eq!(value, format!("value-{written}").repeat(100));
                written += 1;
            }
            if written > 0 {
                break;
            }
        }
        assert!(written > 0, "no write before the stop in 5 attempts");
        assert!(!host.cache().contains_key(format!("loop-{}", written + 1)));
        if expected == "host_call_limit_exceeded" {
            // 100 host calls: the method and the path for routing, then 98 writes.
            assert_eq!(written, 98);
        }
        assert_serving(host);
    }
}

// ---------------------------------------------------------------------------------------------------------
// The cache's total size

#[test]
fn a_guest_filling_the_cache_evicts_least_recently_used_items_instead_of_growing_the_host() {
    use momento_functions_test_host::CacheLimits;
    let host = TestHost::builder()
        .limits(quick_limits().with_deadline(Duration::from_secs(30)))
        .cache_limits(CacheLimits::default().with_max_total_bytes(8 << 20))
        .keep_log_history(false)
        .record_calls(false)
        .build_file(programs_wasm())
        .expect("test-programs loads");
    // Three requests each offer 32 MiB (64 items of 512 KiB); the cache holds 8 MiB.
    for round in 0..3 {
        let response = host
            .invoke(Request::get("/cache-fill").query(format!("n=64&kb=512&prefix=r{round}")))
            .expect("every write succeeds: the oldest items make room");
        assert_eq!(response.text().unwrap(), "64 items");
        assert!(
            host.cache().total_bytes() <= 8 << 20,
            "{}",
            host.cache().total_bytes()
        );
    }
    // Each item is a 6- or 7-byte key and 512 KiB: 15 fit, the newest ones.
    assert_eq!(host.cache().len(), 15);
    assert!(host.cache().contains_key("r2-63"));
    assert!(!host.cache().contains_key("r0-0") && !host.cache().contains_key("r2-0"));
    assert_eq!(host.cache().evictions(), 3 * 64 - 15);
    assert_serving(&host);
}
