//! Per-invocation cost of the echo function: the test host vs. a bare wasmtime fresh-instance call.
//!
//! `cargo bench -p momento-functions-test-host` (builds `examples/echo` for wasm32-wasip2 first).

use std::path::Path;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use momento_functions_test_host::bench_support::BareRunner;
use momento_functions_test_host::guest_build::build_crate_once;
use momento_functions_test_host::{Request, TestHost};

fn echo_wasm() -> Vec<u8> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/echo");
    let wasm = build_crate_once(&dir).unwrap_or_else(|e| panic!("cannot build examples/echo: {e}"));
    std::fs::read(&wasm).unwrap_or_else(|e| panic!("cannot read {}: {e}", wasm.display()))
}

fn echo(c: &mut Criterion) {
    let wasm = echo_wasm();
    let host = TestHost::builder()
        .keep_log_history(false)
        .build_bytes(&wasm)
        .unwrap_or_else(|e| panic!("cannot load echo: {e}"));
    let bare = BareRunner::new(&wasm).unwrap_or_else(|e| panic!("bare runner: {e}"));

    let mut group = c.benchmark_group("echo_fresh_instance");
    for size in [64usize, 64 << 10] {
        let payload = vec![b'x'; size];
        let label = if size < 1024 {
            format!("{size}B")
        } else {
            format!("{}KiB", size >> 10)
        };
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
                    let (status, len) =
                        bare.invoke(payload).unwrap_or_else(|e| panic!("bare: {e}"));
                    assert_eq!((status, len), (200, payload.len()));
                });
            },
        );
    }
    group.finish();
}

criterion_group!(benches, echo);
criterion_main!(benches);
