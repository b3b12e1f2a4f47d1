//! A Valkey command through the test host against the same command sent straight from this process, both
//! to one real server started for the run (`ValkeyServer`), interleaved in rounds so that drift on a shared
//! machine hits both alike. The function is `test-guests/sdk-probe`'s `valkey_incr` op (one `INCR` through
//! `momento:valkey`, inside a whole invocation: fresh instance, JSON request and reply); the floor is a
//! `redis` crate `INCR` on one connection, and an sdk-probe invocation that makes no host call at all.
//!
//! `cargo bench -p momento-functions-test-host --bench valkey` (needs valkey-server or redis-server)

use std::path::Path;
use std::time::{Duration, Instant};

use momento_functions_test_host::guest_build::build_crate_once;
use momento_functions_test_host::{Request, TestHost, ValkeyServer};

const ROUNDS: usize = 20;
const PER_ROUND: usize = 500;

fn median(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let server = ValkeyServer::start().expect("valkey-server or redis-server");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-guests/sdk-probe");
    let wasm = build_crate_once(&dir).expect("sdk-probe builds");
    let host = TestHost::builder()
        .valkey("bench", server.url())
        .record_calls(false)
        .keep_log_history(false)
        .build_file(&wasm)
        .expect("sdk-probe loads");
    let incr = Request::post("/").body(r#"{"op":"valkey_incr","cluster":"bench","key":"n"}"#);
    let nothing = Request::post("/").body(r#"{"op":"counter"}"#);
    let client = redis::Client::open(server.url()).expect("a client");
    let mut direct = client.get_connection().expect("a connection");

    let (mut through_host, mut bare_invocation, mut straight) =
        (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let started = Instant::now();
        for _ in 0..PER_ROUND {
            let response = host.invoke(incr.clone()).expect("invoke");
            assert_eq!(response.status(), 200);
        }
        through_host.push(started.elapsed() / PER_ROUND as u32);

        let started = Instant::now();
        for _ in 0..PER_ROUND {
            host.invoke(nothing.clone()).expect("invoke");
        }
        bare_invocation.push(started.elapsed() / PER_ROUND as u32);

        let started = Instant::now();
        for _ in 0..PER_ROUND {
            let _: i64 = redis::cmd("INCR")
                .arg("m")
                .query(&mut direct)
                .expect("INCR");
        }
        straight.push(started.elapsed() / PER_ROUND as u32);
    }
    let host_incr = median(&mut through_host);
    let invocation = median(&mut bare_invocation);
    let direct_incr = median(&mut straight);
    println!("valkey_incr invocation (fresh instance + INCR via momento:valkey): {host_incr:?}");
    println!("same invocation without the INCR (counter op):                     {invocation:?}");
    println!("INCR straight from this process (redis crate, one connection):     {direct_incr:?}");
    println!(
        "host's cost of one command beyond the server round trip: {:?}",
        host_incr
            .saturating_sub(invocation)
            .saturating_sub(direct_incr)
    );
}
