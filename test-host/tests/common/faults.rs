//! The misbehaving guest (`test-host/test-guests/test-programs`), the examples, quick limits, RSS.

use std::path::{Path, PathBuf};
use std::time::Duration;

use momento_functions_test_host::guest_build::build_crate_once;
use momento_functions_test_host::{Limits, TestHost};

/// The `.wasm` of `test-host/test-guests/test-programs` (the path of a request selects its misbehaviour).
pub fn programs_wasm() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-guests/test-programs");
    build_crate_once(&dir).unwrap_or_else(|e| panic!("cannot build test-programs: {e}"))
}

/// The `.wasm` of `examples/<name>`.
pub fn example_wasm(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name);
    build_crate_once(&dir).unwrap_or_else(|e| panic!("cannot build examples/{name}: {e}"))
}

/// Limits that make the faults quick: 32 MiB memory, 1,000 host calls. The deadline stays generous (2 s:
/// tests run in parallel on shared machines); tests of the deadline set their own.
pub fn quick_limits() -> Limits {
    Limits::default()
        .with_deadline(Duration::from_secs(2))
        .with_memory(32 << 20)
        .with_host_calls(1_000)
}

/// The test programs with `limits` and `GREETING=hi` in the environment.
pub fn programs(limits: Limits) -> TestHost {
    TestHost::builder()
        .limits(limits)
        .env("GREETING", "hi")
        .keep_log_history(false)
        .build_file(programs_wasm())
        .unwrap_or_else(|e| panic!("cannot load test-programs: {e}"))
}

/// Resident set size of this process in bytes (Linux).
pub fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().strip_suffix("kB"))
        .and_then(|kb| kb.trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// LEB128 of `n` (for hand-built binaries).
pub fn leb(mut n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return out;
        }
        out.push(byte | 0x80);
    }
}

const COMPONENT_HEADER: &[u8] = b"\0asm\x0d\0\x01\0";

/// Empty components nested `depth` deep (component section, id 4), written outside-in in one pass:
/// about 12 bytes per level.
pub fn nested_components(depth: usize) -> Vec<u8> {
    // sizes[k]: bytes of the component at nesting level k counted from the innermost (0).
    let mut sizes = vec![COMPONENT_HEADER.len()];
    for k in 0..depth {
        sizes.push(COMPONENT_HEADER.len() + 1 + leb(sizes[k]).len() + sizes[k]);
    }
    let mut out = Vec::with_capacity(sizes[depth]);
    for k in (1..=depth).rev() {
        out.extend_from_slice(COMPONENT_HEADER);
        out.push(4);
        out.extend_from_slice(&leb(sizes[k - 1]));
    }
    out.extend_from_slice(COMPONENT_HEADER);
    assert_eq!(out.len(), sizes[depth]);
    out
}

/// A component holding one core module with `functions` function bodies of about `body_bytes` each
/// (`i32.const 0; drop` repeated), and no exports.
pub fn component_with_big_functions(functions: usize, body_bytes: usize) -> Vec<u8> {
    let mut body = vec![0u8]; // no locals
    for _ in 0..body_bytes / 3 {
        body.extend_from_slice(&[0x41, 0x00, 0x1a]);
    }
    body.push(0x0b);
    let mut code = leb(functions);
    for _ in 0..functions {
        code.extend_from_slice(&leb(body.len()));
        code.extend_from_slice(&body);
    }
    let mut module = b"\0asm\x01\0\0\0".to_vec();
    let section = |module: &mut Vec<u8>, id: u8, contents: &[u8]| {
        module.push(id);
        module.extend_from_slice(&leb(contents.len()));
        module.extend_from_slice(contents);
    };
    section(&mut module, 1, &[1, 0x60, 0, 0]); // one type: [] -> []
    let mut funcs = leb(functions);
    funcs.extend(std::iter::repeat_n(0u8, functions));
    section(&mut module, 3, &funcs);
    section(&mut module, 10, &code);
    let mut component = COMPONENT_HEADER.to_vec();
    component.push(1); // core module section
    component.extend_from_slice(&leb(module.len()));
    component.extend_from_slice(&module);
    component
}
