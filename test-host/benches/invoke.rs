//! Per-invocation cost (fresh instance + call) of the test host, side by side with a bare wasmtime
//! fresh-instance call of the same component (`bench_support::BareRunner`, the floor this host is held to)
//! and a native Rust call of the same handler logic (the physical floor):
//!
//! - `echo/{64B,64KiB,1MiB}`: `examples/echo`;
//! - `greeter_json`: `examples/greeter`, POST `{"name":"Ada"}` (typed JSON, one log record);
//! - `cache_gets/{0,10,1000}`: `test-host/test-guests/bench-guest` doing n cache gets of seeded keys
//!   (natively: a `HashMap` behind a mutex, cloning each value — no host boundary at all). The host-call
//!   round trip is `(t(1000) - t(0)) / 1000`; `bench/run.sh` computes it from criterion's estimates.
//!
//! - `published_constant`: `test-guests/published/constant`, a web function built with Momento's own
//!   published SDK that answers `pong` without reading its request;
//! - `support_calls/{0,1000}`: `bench-guest` making n `web-function-support.invocation-id` calls (the cost
//!   of one support call is `(t(1000) - t(0)) / 1000`);
//! - `forward_1mib/{pass_through,read_then_send}`: `sdk-probe` forwarding a 1 MiB request body to a mocked
//!   upstream and its 1 MiB answer back, as host buffers it never reads, and reading both into the guest;
//!   the bytes copied into guest memory are printed once per variant.
//!
//! `cargo bench -p momento-functions-test-host --bench invoke` (builds the guests for wasm32-wasip2 first).

use std::collections::HashMap;
use std::hint::black_box;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group};
use momento_functions::__private::{WitData, call, call_json, response_to_wit};
use momento_functions::{FunctionError, FunctionResult, WebRequest};
use momento_functions_test_host::bench_support::BareRunner;
use momento_functions_test_host::guest_build::build_crate_once;
use momento_functions_test_host::{HttpRoute, MockResponse, Request, TestHost};

fn wasm(dir: &str) -> Vec<u8> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let wasm =
        build_crate_once(&dir).unwrap_or_else(|e| panic!("cannot build {}: {e}", dir.display()));
    std::fs::read(&wasm).unwrap_or_else(|e| panic!("cannot read {}: {e}", wasm.display()))
}

fn label(size: usize) -> String {
    match size {
        s if s >= 1 << 20 => format!("{}MiB", s >> 20),
        s if s >= 1 << 10 => format!("{}KiB", s >> 10),
        s => format!("{s}B"),
    }
}

/// The request as the SDK's generated `invoke` builds it from what the host hands over (natively: by hand).
fn native_request(headers: &[(&str, &str)], body: Vec<u8>) -> WebRequest {
    headers
        .iter()
        .fold(WebRequest::new("POST", "/"), |request, (name, value)| {
            request.with_header(*name, *value)
        })
        .with_body(body)
}

/// The length of a response body as the guest hands it back.
fn wit_len(body: &WitData) -> usize {
    match body {
        WitData::Value(bytes) => bytes.len(),
        WitData::Buffer(_) => unreachable!("a native call has no host buffers"),
    }
}

fn group<'a>(
    c: &'a mut Criterion,
    name: &str,
) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut group = c.benchmark_group(name);
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    group
}

fn echo(c: &mut Criterion) {
    let wasm = wasm("../examples/echo");
    let host = TestHost::builder()
        .keep_log_history(false)
        .record_calls(false)
        .build_bytes(&wasm)
        .unwrap_or_else(|e| panic!("cannot load echo: {e}"));
    let bare = BareRunner::new(&wasm).unwrap_or_else(|e| panic!("bare runner: {e}"));
    fn native_echo(payload: Vec<u8>) -> FunctionResult<Vec<u8>> {
        Ok(payload)
    }

    let mut group = group(c, "echo");
    for size in [64usize, 64 << 10, 1 << 20] {
        let payload = vec![b'x'; size];
        let label = label(size);
        group.bench_with_input(
            BenchmarkId::new("test_host", &label),
            &payload,
            |b, payload| {
                b.iter(|| {
                    let response = host
                        .invoke(Request::post("/").body(payload.clone()))
                        .unwrap_or_else(|e| panic!("invoke: {e}"));
                    assert_eq!(response.body().len(), payload.len());
                });
            },
        );
        group.bench_with_input(
            BenchmarkId::new("bare_wasmtime", &label),
            &payload,
            |b, payload| {
                b.iter(|| {
                    let (status, len) = bare
                        .invoke_request("POST", "/", &[], payload.clone())
                        .unwrap_or_else(|e| panic!("bare: {e}"));
                    assert_eq!((status, len), (200, payload.len()));
                });
            },
        );
        // The same path as the guest's generated `invoke`: SDK request → handler → response record; the
        // body is copied once into the request, as a guest that reads its body copies it in.
        group.bench_with_input(
            BenchmarkId::new("native", &label),
            &payload,
            |b, payload| {
                b.iter(|| {
                    let request = native_request(&[], payload.clone());
                    let response = response_to_wit(call(native_echo, request));
                    assert_eq!(wit_len(&black_box(response).body), payload.len());
                });
            },
        );
    }
    group.finish();
}

#[derive(serde::Deserialize)]
struct GreetRequest {
    name: String,
    #[serde(default)]
    greeting: Option<String>,
}

#[derive(serde::Serialize)]
struct GreetResponse {
    message: String,
}

/// `examples/greeter`'s POST handler, natively (its `log::info!` goes nowhere: no logger is installed).
fn native_greet(request: GreetRequest) -> FunctionResult<GreetResponse> {
    if request.name.trim().is_empty() {
        return Err(FunctionError::internal("cannot greet an empty name"));
    }
    let greeting = request
        .greeting
        .unwrap_or_else(|| std::env::var("GREETING").unwrap_or_else(|_| "Hello".to_owned()));
    Ok(GreetResponse {
        message: format!("{greeting}, {}!", request.name),
    })
}

const GREET_BODY: &[u8] = br#"{"name":"Ada"}"#;
const GREET_ANSWER: &[u8] = br#"{"message":"Hi, Ada!"}"#;

fn greeter(c: &mut Criterion) {
    let wasm = wasm("../examples/greeter");
    let host = TestHost::builder()
        .env("GREETING", "Hi")
        .keep_log_history(false)
        .record_calls(false)
        .build_bytes(&wasm)
        .unwrap_or_else(|e| panic!("cannot load greeter: {e}"));
    let bare = BareRunner::new(&wasm)
        .unwrap_or_else(|e| panic!("bare runner: {e}"))
        .env("GREETING", "Hi");
    let headers = [("content-type", "application/json")];

    let mut group = group(c, "greeter_json");
    group.bench_function("test_host", |b| {
        b.iter(|| {
            let response = host
                .invoke(
                    Request::post("/")
                        .header("content-type", "application/json")
                        .body(GREET_BODY),
                )
                .unwrap_or_else(|e| panic!("invoke: {e}"));
            assert_eq!(response.body(), GREET_ANSWER);
        });
    });
    group.bench_function("bare_wasmtime", |b| {
        b.iter(|| {
            let (status, len) = bare
                .invoke_request("POST", "/", &headers, GREET_BODY.to_vec())
                .unwrap_or_else(|e| panic!("bare: {e}"));
            assert_eq!((status, len), (200, GREET_ANSWER.len()));
        });
    });
    group.bench_function("native", |b| {
        b.iter(|| {
            let request = native_request(&headers, GREET_BODY.to_vec());
            let response = response_to_wit(call_json(native_greet, request));
            assert_eq!(black_box(response).status, 200);
        });
    });
    group.finish();
}

/// Keys the bench guest reads (`bench-key-0` .. `bench-key-15`), each with a 64-byte value.
fn bench_keys() -> Vec<(Vec<u8>, Vec<u8>)> {
    (0..16)
        .map(|i| (format!("bench-key-{i}").into_bytes(), vec![b'v'; 64]))
        .collect()
}

fn cache_gets(c: &mut Criterion) {
    let wasm = wasm("test-guests/bench-guest");
    let mut builder = TestHost::builder()
        .keep_log_history(false)
        .record_calls(false);
    let mut bare = BareRunner::new(&wasm).unwrap_or_else(|e| panic!("bare runner: {e}"));
    let native: Mutex<HashMap<Vec<u8>, Vec<u8>>> = Mutex::new(HashMap::new());
    for (key, value) in bench_keys() {
        builder = builder.cache_entry(&key, &value);
        bare = bare.cache_entry(key.clone(), value.clone());
        native
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, value);
    }
    let host = builder
        .build_bytes(&wasm)
        .unwrap_or_else(|e| panic!("cannot load the bench guest: {e}"));
    let keys: Vec<Vec<u8>> = bench_keys().into_iter().map(|(k, _)| k).collect();

    let mut group = group(c, "cache_gets");
    for n in [0usize, 10, 1000] {
        let body = n.to_string();
        let hits = n.to_string();
        group.bench_with_input(BenchmarkId::new("test_host", n), &body, |b, body| {
            b.iter(|| {
                let response = host
                    .invoke(Request::post("/").body(body.as_str()))
                    .unwrap_or_else(|e| panic!("invoke: {e}"));
                assert_eq!(response.body(), hits.as_bytes());
            });
        });
        group.bench_with_input(BenchmarkId::new("bare_wasmtime", n), &body, |b, body| {
            b.iter(|| {
                let (status, len) = bare
                    .invoke_request("POST", "/", &[], body.clone().into_bytes())
                    .unwrap_or_else(|e| panic!("bare: {e}"));
                assert_eq!((status, len), (200, hits.len()));
            });
        });
        // The floor: n lookups in a mutex-guarded map, cloning each value; no boundary, no instance.
        group.bench_with_input(BenchmarkId::new("native", n), &n, |b, &n| {
            b.iter(|| {
                let mut found = 0usize;
                for i in 0..n {
                    let items = native.lock().unwrap_or_else(|p| p.into_inner());
                    if black_box(items.get(&keys[i % keys.len()]).cloned()).is_some() {
                        found += 1;
                    }
                }
                assert_eq!(found, n);
            });
        });
    }
    group.finish();
}

fn published_constant(c: &mut Criterion) {
    let wasm = wasm("test-guests/published/constant");
    let host = TestHost::builder()
        .keep_log_history(false)
        .record_calls(false)
        .build_bytes(&wasm)
        .unwrap_or_else(|e| panic!("cannot load the published constant: {e}"));
    let bare = BareRunner::new(&wasm).unwrap_or_else(|e| panic!("bare runner: {e}"));
    let payload = vec![b'x'; 64];
    let mut group = group(c, "published_constant");
    group.bench_function("test_host", |b| {
        b.iter(|| {
            let response = host
                .invoke(Request::post("/").body(payload.clone()))
                .unwrap_or_else(|e| panic!("invoke: {e}"));
            assert_eq!(response.body(), b"pong");
        });
    });
    group.bench_function("bare_wasmtime", |b| {
        b.iter(|| {
            let (status, len) = bare
                .invoke_request("POST", "/", &[], payload.clone())
                .unwrap_or_else(|e| panic!("bare: {e}"));
            assert_eq!((status, len), (200, 4));
        });
    });
    group.finish();
}

fn support_calls(c: &mut Criterion) {
    let wasm = wasm("test-guests/bench-guest");
    let host = TestHost::builder()
        .keep_log_history(false)
        .record_calls(false)
        .build_bytes(&wasm)
        .unwrap_or_else(|e| panic!("cannot load the bench guest: {e}"));
    let bare = BareRunner::new(&wasm).unwrap_or_else(|e| panic!("bare runner: {e}"));
    let mut group = group(c, "support_calls");
    for n in [0usize, 1000] {
        let body = format!("s{n}");
        group.bench_with_input(BenchmarkId::new("test_host", n), &body, |b, body| {
            b.iter(|| {
                let response = host
                    .invoke(Request::post("/").body(body.as_str()))
                    .unwrap_or_else(|e| panic!("invoke: {e}"));
                assert_eq!(response.body(), n.to_string().as_bytes());
            });
        });
        group.bench_with_input(BenchmarkId::new("bare_wasmtime", n), &body, |b, body| {
            b.iter(|| {
                let (status, _) = bare
                    .invoke_request("POST", "/", &[], body.clone().into_bytes())
                    .unwrap_or_else(|e| panic!("bare: {e}"));
                assert_eq!(status, 200);
            });
        });
    }
    group.finish();
}

fn forward(c: &mut Criterion) {
    let wasm = wasm("test-guests/sdk-probe");
    let reply = vec![b'r'; 1 << 20];
    let host = TestHost::builder()
        .keep_log_history(false)
        .record_calls(false)
        .http_route(
            HttpRoute::post("https://sink.example/").respond(MockResponse::ok().body(reply)),
        )
        .build_bytes(&wasm)
        .unwrap_or_else(|e| panic!("cannot load the probe: {e}"));
    let body = vec![b'x'; 1 << 20];
    let request = |path: &str| {
        Request::post(path)
            .query_param("url", "https://sink.example/")
            .body(body.clone())
    };
    for (name, path) in [
        ("pass_through", "/http-forward-body"),
        ("read_then_send", "/http-forward-read"),
    ] {
        let response = host
            .invoke(request(path))
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!((response.status(), response.body().len()), (200, 1 << 20));
        eprintln!(
            "forward_1mib/{name}: {} bytes copied into guest memory",
            response.bytes_copied_to_guest()
        );
    }
    let mut group = group(c, "forward_1mib");
    for (name, path) in [
        ("pass_through", "/http-forward-body"),
        ("read_then_send", "/http-forward-read"),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let response = host
                    .invoke(request(path))
                    .unwrap_or_else(|e| panic!("{path}: {e}"));
                assert_eq!(response.body().len(), 1 << 20);
            });
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    echo,
    greeter,
    cache_gets,
    published_constant,
    support_calls,
    forward
);

/// The benchmarks run on a spawned thread, as `serve`'s invocations and `cargo test`'s tests do: on the
/// main thread glibc's main arena gives the heap back (`brk`) after every free of a large body, so each
/// 1 MiB echo would pay ~256 fresh page faults for the host-side request and response `Vec`s (~1.5 ms here,
/// for the test host and the bare runner alike); a thread's arena keeps the pages.
fn main() {
    let runner = std::thread::Builder::new()
        .name("bench".into())
        .stack_size(8 << 20)
        .spawn(|| {
            benches();
            Criterion::default().configure_from_args().final_summary();
        })
        .unwrap_or_else(|e| panic!("cannot spawn the bench thread: {e}"));
    if runner.join().is_err() {
        std::process::exit(101);
    }
}
