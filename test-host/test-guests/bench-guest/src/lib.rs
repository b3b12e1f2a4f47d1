//! Bench guest for the test host's benchmarks: a POST whose body is a decimal number `n` does `n` cache
//! gets of the keys `bench-key-0` .. `bench-key-15` (in turn) and answers with the number of hits; a body
//! `s<n>` makes `n` support calls instead (`web-function-support.invocation-id`, straight through the
//! bindings, not memoized) and answers `n`.
//!
//! The benchmarks seed those keys, time `n = 10` (a handler doing ten cache gets), and take the host-call
//! round trip as `(t(n = 1000) - t(n = 0)) / 1000`, the cost of one support call likewise.

use momento_functions::{FunctionError, FunctionResult, cache};

momento_functions::post!(cache_gets);

/// Keys the benchmarks seed.
const KEYS: usize = 16;

fn cache_gets(body: String) -> FunctionResult<String> {
    if let Some(n) = body.trim().strip_prefix('s') {
        let n: usize = n
            .parse()
            .map_err(|_| FunctionError::bad_request("`s` and a number of support calls"))?;
        let mut total = 0usize;
        for _ in 0..n {
            total += momento_functions::__private::wit::momento::web_function::web_function_support::invocation_id().len();
        }
        std::hint::black_box(total);
        return Ok(n.to_string());
    }
    let n: usize = body
        .trim()
        .parse()
        .map_err(|_| FunctionError::bad_request("the body must be a number of cache gets"))?;
    let mut key = *b"bench-key-00";
    let mut hits = 0usize;
    for i in 0..n {
        let k = i % KEYS;
        // "bench-key-<k>" without formatting: the guest's own work stays negligible next to the call.
        let len = if k < 10 {
            key[10] = b'0' + k as u8;
            11
        } else {
            key[10] = b'1';
            key[11] = b'0' + (k - 10) as u8;
            12
        };
        if cache::get(&key[..len])?.is_some() {
            hits += 1;
        }
    }
    Ok(hits.to_string())
}
