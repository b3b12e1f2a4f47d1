//! Cold load of a component by the test host: compiling it vs. loading it from the on-disk compile cache.
//! Each iteration is a whole `TestHostBuilder::build_bytes` (engine, compile or cache read, import
//! policy, pre-link, trial instantiation), so `cache_hit` is what a second `cargo test` or `serve` pays.
//!
//! `cargo bench -p momento-functions-test-host --bench load`

use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use momento_functions_test_host::TestHost;
use momento_functions_test_host::guest_build::build_crate_once;

fn wasm(dir: &str) -> Vec<u8> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let wasm =
        build_crate_once(&dir).unwrap_or_else(|e| panic!("cannot build {}: {e}", dir.display()));
    std::fs::read(&wasm).unwrap_or_else(|e| panic!("cannot read {}: {e}", wasm.display()))
}

fn load(c: &mut Criterion) {
    let cache_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-compile-cache");
    for (name, dir) in [
        ("echo", "../examples/echo"),
        ("greeter", "../examples/greeter"),
    ] {
        let bytes = wasm(dir);
        // Fill the cache once.
        TestHost::builder()
            .compile_cache(&cache_dir)
            .build_bytes(&bytes)
            .unwrap_or_else(|e| panic!("cannot load {name}: {e}"));
        let mut group = c.benchmark_group(format!("load_{name}"));
        group
            .sample_size(20)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(4));
        group.bench_function("compile", |b| {
            b.iter(|| {
                TestHost::builder()
                    .no_compile_cache()
                    .build_bytes(&bytes)
                    .unwrap_or_else(|e| panic!("cannot load {name}: {e}"))
            });
        });
        group.bench_function("cache_hit", |b| {
            b.iter(|| {
                TestHost::builder()
                    .compile_cache(&cache_dir)
                    .build_bytes(&bytes)
                    .unwrap_or_else(|e| panic!("cannot load {name}: {e}"))
            });
        });
        group.finish();
    }
}

criterion_group!(benches, load);
criterion_main!(benches);
