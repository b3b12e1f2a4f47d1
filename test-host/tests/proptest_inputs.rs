//! Property tests over invocation inputs (method, path, query, headers, body) and limit settings as a
//! fixtures file would give them: whatever comes in, the host answers with a response or a typed error —
//! never a panic, never an unclassified trap — and keeps serving.
//!
//! `PROPTEST_CASES=5000 cargo test -p momento-functions-test-host --test proptest_inputs` for a longer run
//! (default: 64 cases per property). See `test-host/FUZZING.md`.

#![allow(clippy::unwrap_used, reason = "test helpers outside #[test] functions")]

mod common;

use std::sync::OnceLock;
use std::time::Duration;

use common::faults::{example_wasm, programs, quick_limits};
use momento_functions_test_host::{InvokeError, Limits, Request, TestHost};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(64);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

/// The test programs under tight limits: a 20 ms deadline keeps `/loop` cheap.
fn faulty() -> &'static TestHost {
    static HOST: OnceLock<TestHost> = OnceLock::new();
    HOST.get_or_init(|| {
        programs(
            quick_limits()
                .with_deadline(Duration::from_millis(100))
                .with_memory(16 << 20)
                .with_request_bytes(8 << 10)
                .with_response_bytes(64 << 10),
        )
    })
}

fn echo() -> &'static TestHost {
    static HOST: OnceLock<TestHost> = OnceLock::new();
    HOST.get_or_init(|| {
        TestHost::builder()
            .keep_log_history(false)
            .build_file(example_wasm("echo"))
            .unwrap()
    })
}

fn greeter() -> &'static TestHost {
    static HOST: OnceLock<TestHost> = OnceLock::new();
    HOST.get_or_init(|| {
        TestHost::builder()
            .keep_log_history(false)
            .build_file(example_wasm("greeter"))
            .unwrap()
    })
}

/// Paths of the test programs (each a behaviour, most of them faults), plus arbitrary ones.
fn path() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "/ok", "/echo", "/loop", "/spin", "/bomb", "/big-alloc", "/grow", "/recurse",
            "/recurse-wasm", "/panic", "/huge-response", "/hostcall-storm", "/stdout", "/env",
            "/clock", "/random", "/fs", "/fs-write", "/stdin", "/exit", "/text", "/json",
        ])
        .prop_map(str::to_owned),
        1 => "/[ -~]{0,40}",
        1 => any::<String>().prop_map(|s| format!("/{s}")),
    ]
}

fn method() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec!["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
            .prop_map(str::to_owned),
        1 => "[A-Za-z]{1,12}",
        1 => any::<String>(),
    ]
}

fn query() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "",
            "ms=1",
            "ms=30",
            "mb=1",
            "mb=8",
            "mb=4000",
            "bytes=10",
            "bytes=70000",
            "n=5",
            "n=5000",
            "name=GREETING",
            "name=",
            "bytes=-1",
            "mb=99999999999999999999",
        ])
        .prop_map(str::to_owned),
        any::<String>(),
    ]
}

fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec((any::<String>(), any::<String>()), 0..6)
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..512),
        "\\PC{0,200}".prop_map(String::into_bytes),
        Just(br#"{"name": "a", "count": 1}"#.to_vec()),
        Just(vec![0xff; 9000]),
    ]
}

/// The error classes a misbehaving function may produce; anything else (`Trap`, `Internal`) is a finding.
fn expected(error: &InvokeError) -> bool {
    matches!(
        error,
        InvokeError::RequestTooLarge { .. }
            | InvokeError::ResponseTooLarge { .. }
            | InvokeError::Timeout { .. }
            | InvokeError::MemoryLimitExceeded { .. }
            | InvokeError::StackOverflow { .. }
            | InvokeError::GuestPanic { .. }
            | InvokeError::HostCallLimitExceeded { .. }
            | InvokeError::UnsupportedWasi { .. }
    )
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_request_gets_a_response_or_a_typed_error(
        method in method(),
        path in path(),
        query in query(),
        headers in headers(),
        body in body(),
    ) {
        let mut request = Request::new(method, path).query(query).body(body);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        match faulty().invoke(request) {
            Ok(response) => prop_assert!((100..=999).contains(&response.status())),
            Err(error) => prop_assert!(expected(&error), "unexpected error: {error:?}"),
        }
        let next = faulty().invoke(Request::get("/ok")).unwrap();
        prop_assert_eq!(next.status(), 200);
    }

    #[test]
    fn echo_returns_any_body(body in prop::collection::vec(any::<u8>(), 0..4096), headers in headers()) {
        let mut request = Request::post("/").body(body.clone());
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let response = echo().invoke(request).unwrap();
        prop_assert_eq!(response.status(), 200);
        prop_assert_eq!(response.body(), &body[..]);
    }

    #[test]
    fn greeter_answers_any_body_with_200_400_or_500(body in body(), method in method()) {
        let response = greeter().invoke(Request::new(method, "/").body(body)).unwrap();
        prop_assert!(
            [200, 400, 405, 500].contains(&response.status()),
            "status {}", response.status()
        );
    }

    #[test]
    fn limits_from_any_fixture_section_parse_or_fail_cleanly(
        entries in prop::collection::vec(
            (
                prop::sample::select(vec![
                    "deadline_ms", "memory_bytes", "wasm_stack_bytes", "request_bytes",
                    "response_bytes", "component_bytes", "concurrent_instances", "log_records",
                    "host_calls", "warn_only", "memory_mb", "unknown",
                ]),
                prop_oneof![
                    any::<u64>().prop_map(serde_json::Value::from),
                    any::<i64>().prop_map(serde_json::Value::from),
                    any::<bool>().prop_map(serde_json::Value::from),
                    "[0-9]{0,25} ?(B|KiB|MiB|GiB|kb|mb|TB|)".prop_map(serde_json::Value::from),
                    any::<String>().prop_map(serde_json::Value::from),
                    Just(serde_json::Value::Null),
                ],
            ),
            0..6,
        )
    ) {
        let object: serde_json::Map<String, serde_json::Value> =
            entries.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        if let Ok(limits) = serde_json::from_value::<Limits>(serde_json::Value::Object(object)) {
            // Whatever parsed is a usable configuration or a clean load error — never a panic.
            let small = limits.with_memory(1 << 20).with_concurrent_instances(2);
            let _ = TestHost::builder().limits(small).build_bytes(b"not wasm");
        }
    }
}
