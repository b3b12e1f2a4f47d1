//! Time from a function sending a server-sent event to a `serve` client receiving it: the function stamps
//! each event with the wall clock just before `send-sse` (`test-programs` `/sse-stamp`), the client
//! reads the socket and subtracts the stamp from its own clock on arrival (same machine, same clock).
//! Prints the median, p90, p99 and max over `ROUNDS` × `EVENTS` events, and the time to the first event
//! from sending the request.
//!
//! `cargo bench -p momento-functions-test-host --bench stream`

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use momento_functions_test_host::guest_build::build_crate_once;
use momento_functions_test_host::server::{ServeOptions, Server};
use momento_functions_test_host::{Limits, TestHost};

const ROUNDS: usize = 20;
const EVENTS: usize = 50;

fn now_nanos() -> u128 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-guests/test-programs");
    let wasm = build_crate_once(&dir).expect("test-programs builds");
    let host = TestHost::builder()
        .limits(Limits::default().with_deadline(Duration::from_secs(30)))
        .build_file(&wasm)
        .expect("test-programs loads");
    let server = Server::start(
        host,
        ServeOptions::default()
            .addr("127.0.0.1:0".parse().expect("an address"))
            .access_log(false),
    )
    .expect("the server starts");
    let addr = server.local_addr();

    let mut delays = Vec::with_capacity(ROUNDS * EVENTS);
    let mut firsts = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let mut stream = TcpStream::connect(addr).expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        let asked = Instant::now();
        write!(
            stream,
            "GET /sse-stamp?n={EVENTS}&ms=5 HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"
        )
        .expect("send the request");
        let mut pending = Vec::new();
        let mut buffer = [0u8; 16 << 10];
        let mut first = None;
        loop {
            let n = stream.read(&mut buffer).expect("read");
            if n == 0 {
                break;
            }
            let arrived = now_nanos();
            pending.extend_from_slice(&buffer[..n]);
            // Each event is `data: <nanos>\n\n` (inside chunked framing).
            while let Some(start) = pending.windows(6).position(|w| w == b"data: ") {
                let rest = &pending[start + 6..];
                let Some(end) = rest.iter().position(|&b| b == b'\n') else {
                    break;
                };
                let stamp: u128 = std::str::from_utf8(&rest[..end])
                    .ok()
                    .and_then(|s| s.parse().ok())
                    .expect("a stamped event");
                first.get_or_insert_with(|| asked.elapsed());
                delays.push(Duration::from_nanos(
                    u64::try_from(arrived.saturating_sub(stamp)).unwrap_or(u64::MAX),
                ));
                pending.drain(..start + 6 + end);
            }
        }
        firsts.push(first.expect("at least one event"));
    }
    server.shutdown().expect("the server stops");

    delays.sort();
    firsts.sort();
    println!(
        "serve: send-sse to client arrival over {} events: median {:?}, p90 {:?}, p99 {:?}, max {:?}",
        delays.len(),
        percentile(&delays, 0.5),
        percentile(&delays, 0.9),
        percentile(&delays, 0.99),
        delays[delays.len() - 1],
    );
    println!(
        "serve: request to first event over {ROUNDS} requests: median {:?}, max {:?}",
        percentile(&firsts, 0.5),
        firsts[firsts.len() - 1],
    );
}
