//! Property tests over invocation inputs (method, path, query, headers, body), limit settings as a
//! fixtures file would give them, and whole fixtures files (a valid one with random parts replaced): whatever comes in, the host answers with a response or a typed error —
//! never a panic, never an unclassified trap — and keeps serving.
//!
//! `PROPTEST_CASES=5000 cargo test -p momento-functions-test-host --test proptest_inputs` for a longer run
//! (default: 64 cases per property). See `test-host/FUZZING.md`.

#![allow(clippy::unwrap_used, reason = "test helpers outside #[test] functions")]

mod common;

use std::sync::OnceLock;
use std::time::Duration;

use common::faults::{example_wasm, programs, programs_wasm, quick_limits};
use momento_functions_test_host::{Fixtures, InvokeError, Limits, LoadError, Request, TestHost};
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
            "/sleep", "/log-target", "/log-flood", "/newlines", "/log-escape", "/headers", "/status",
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

/// The test programs' component bytes (the seed the `load` property mutates).
fn programs_bytes() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| std::fs::read(programs_wasm()).unwrap())
}

/// One change to a component, as a mutating fuzzer makes them.
#[derive(Debug, Clone)]
enum Mutation {
    /// Overwrite the byte at (position mod length).
    Set(usize, u8),
    /// Cut the bytes from (position mod length) on.
    Truncate(usize),
    /// Insert bytes at (position mod length).
    Insert(usize, Vec<u8>),
    /// Copy `len` bytes from one place over another (sections end up in odd places).
    Splice(usize, usize, usize),
    /// Wrap the whole thing into a nested component section `depth` times.
    Nest(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        6 => (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Mutation::Set(at, b)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
        2 => (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(at, bytes)| Mutation::Insert(at, bytes)),
        2 => (any::<usize>(), any::<usize>(), 1usize..4096)
            .prop_map(|(from, to, len)| Mutation::Splice(from, to, len)),
        1 => (1usize..40).prop_map(Mutation::Nest),
    ]
}

fn mutate(bytes: &mut Vec<u8>, mutation: &Mutation) {
    let len = bytes.len().max(1);
    match mutation {
        Mutation::Set(at, byte) => {
            if let Some(b) = bytes.get_mut(at % len) {
                *b = *byte;
            }
        }
        Mutation::Truncate(at) => bytes.truncate(at % len),
        Mutation::Insert(at, new) => {
            let at = (at % len).min(bytes.len());
            bytes.splice(at..at, new.iter().copied());
        }
        Mutation::Splice(from, to, n) => {
            let (from, to) = (from % len, to % len);
            let n = (*n)
                .min(bytes.len().saturating_sub(from))
                .min(bytes.len().saturating_sub(to));
            let chunk = bytes[from..from + n].to_vec();
            bytes[to..to + n].copy_from_slice(&chunk);
        }
        Mutation::Nest(depth) => {
            for _ in 0..*depth {
                let mut outer = b"\0asm\x0d\0\x01\0".to_vec();
                outer.push(4);
                outer.extend_from_slice(&common::faults::leb(bytes.len()));
                outer.extend_from_slice(bytes);
                *bytes = outer;
            }
        }
    }
}

proptest! {
    #![proptest_config(config())]

    /// The twin of the `load` fuzz target: a real component with one to eight mutations loads, or fails
    /// with a `LoadError` (most in the pre-scan or validation); one that loads answers an invocation with a
    /// response or a typed error.
    #[test]
    fn any_mutated_component_loads_or_fails_with_a_load_error(
        mutations in prop::collection::vec(mutation(), 1..8),
    ) {
        let mut bytes = programs_bytes().to_vec();
        for m in &mutations {
            mutate(&mut bytes, m);
        }
        let limits = Limits::default()
            .with_deadline(Duration::from_millis(100))
            .with_memory(16 << 20)
            .with_concurrent_instances(2);
        let loaded = TestHost::builder()
            .no_compile_cache()
            .keep_log_history(false)
            .limits(limits)
            .build_bytes(&bytes);
        if let Ok(host) = loaded {
            match host.invoke(Request::get("/ok")) {
                Ok(_) => {}
                Err(error) => prop_assert!(
                    !matches!(error, InvokeError::Internal { .. }),
                    "internal error: {error:?}"
                ),
            }
        }
    }

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

    #[test]
    fn any_fixtures_file_loads_or_fails_with_a_fixtures_error(
        edits in prop::collection::vec((any::<prop::sample::Index>(), json_value()), 1..4)
    ) {
        let mut document = fixtures_template();
        for (index, value) in edits {
            let mut paths = Vec::new();
            json_paths(&document, String::new(), &mut paths);
            let path = index.get(&paths).clone();
            match document.pointer_mut(&path) {
                Some(slot) => *slot = value,
                None => unreachable!("{path} was just listed"),
            }
        }
        let text = document.to_string();
        let Ok(fixtures) = Fixtures::from_json(&text) else {
            return Ok(());
        };
        // Whatever validated builds a host or fails with a typed error; the limits are kept small.
        let builder = TestHost::builder().keep_log_history(false).fixtures(fixtures);
        let limits = builder
            .configured_limits()
            .clone()
            .with_memory(16 << 20)
            .with_concurrent_instances(2)
            .with_deadline(Duration::from_secs(2));
        match builder.limits(limits).build_file(example_wasm("echo")) {
            Ok(host) => {
                let response = host.invoke(Request::post("/").body("x"));
                prop_assert!(
                    response.as_ref().map_or_else(expected, |r| r.status() == 200),
                    "{response:?}"
                );
            }
            Err(LoadError::Fixtures(_) | LoadError::TooLarge { .. }) => {}
            Err(other) => prop_assert!(false, "unexpected load error {other:?} for {text}"),
        }
    }
}

/// A fixtures file using every section, as JSON.
fn fixtures_template() -> serde_json::Value {
    serde_json::json!({
        "function_name": "f",
        "build": {"env": {"A": "1"}},
        "env": {"GREETING": "hi"},
        "limits": {"deadline_ms": 1000, "memory_bytes": "8 MiB", "host_calls": 10},
        "aws": {
            "credentials": [{"access_key_id": "AKIDEXAMPLE", "secret_access_key": "s"}],
            "roles": ["arn:aws:iam::123456789012:role/reader"],
            "faults": [{"kind": "throttled", "service": "dynamodb", "times": 1}]
        },
        "dynamodb": {"tables": [{
            "name": "users",
            "partition_key": {"name": "id", "type": "S"},
            "sort_key": {"name": "n", "type": "N"},
            "items": [{"id": "u1", "n": 1, "name": "Ada"}],
            "typed_items": [{"id": {"S": "u2"}, "n": {"N": "2"}}]
        }]},
        "s3": {"buckets": [{"name": "reports", "objects": [{"key": "a.txt", "body": "hello"}]}]},
        "secrets": [{"name": "prod/db", "text": "hunter2"}],
        "cache": {"items": [{"key": "k", "value": "v", "ttl_ms": 1000}]},
        "http": {"routes": [{"method": "GET", "url": "https://example.com/", "status": 200, "body": "ok"}]}
    })
}

/// Every JSON pointer in `value` (the root too).
fn json_paths(value: &serde_json::Value, path: String, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, child) in map {
                json_paths(child, format!("{path}/{key}"), out);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                json_paths(child, format!("{path}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(path);
}

/// Small arbitrary JSON values, biased towards plausible ones.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<u32>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(|f| serde_json::json!(f)),
        "[a-zA-Z0-9_/:.* -]{0,12}".prop_map(serde_json::Value::from),
        any::<String>().prop_map(serde_json::Value::from),
        prop::sample::select(vec!["S", "N", "B", "GET", "1 KiB", "https://x/", "AAEC"])
            .prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}
