//! Streamed responses (`web-function-stream`): the rules Momento documents, frames and events with their
//! arrival times in the harness, `invoke_streaming`, and `serve` sending each frame to its client as the
//! function sends it. The functions are `test-guests/test-programs` (`/sse`, `/raw`, ...).

#![allow(clippy::unwrap_used, reason = "test helpers outside #[test] functions")]

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use common::faults::{programs, quick_limits};
use momento_functions_test_host::server::{ServeOptions, Server};
use momento_functions_test_host::{InvokeError, Limits, Request, StreamKind, StreamPart, TestHost};

fn host() -> TestHost {
    programs(quick_limits())
}

#[test]
fn events_carry_name_id_and_data_with_the_event_stream_head() {
    let response = host().invoke(Request::get("/sse").query("n=3")).unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.header("content-type"), Some("text/event-stream"));
    assert_eq!(response.header("cache-control"), Some("no-cache"));
    let stream = response.stream().unwrap();
    assert_eq!(stream.kind(), StreamKind::Sse);
    assert_eq!(stream.frames().len(), 3);
    assert_eq!(
        stream.frames()[1].bytes(),
        b"event: tick\nid: 1\ndata: 1\n\n"
    );
    let events = response.events();
    let seen: Vec<(Option<&str>, Option<&str>, Option<&str>)> = events
        .iter()
        .map(|e| (e.event(), e.id(), e.data()))
        .collect();
    assert_eq!(
        seen,
        [
            (Some("tick"), Some("0"), Some("0")),
            (Some("tick"), Some("1"), Some("1")),
            (Some("tick"), Some("2"), Some("2")),
        ]
    );
    // The body is the frames together.
    assert_eq!(response.body().len(), stream.bytes_sent());
}

#[test]
fn arrival_times_follow_the_functions_pace() {
    let response = host()
        .invoke(Request::get("/sse").query("n=3&ms=100"))
        .unwrap();
    let at: Vec<Duration> = response.events().iter().map(|e| e.at()).collect();
    assert!(at[1] >= at[0] + Duration::from_millis(90), "{at:?}");
    assert!(at[2] >= at[1] + Duration::from_millis(90), "{at:?}");
}

#[test]
fn an_error_status_after_events_ends_the_stream_with_http_error() {
    let response = host()
        .invoke(Request::get("/sse").query("n=2&fail=503"))
        .unwrap();
    assert_eq!(response.status(), 200);
    let events = response.events();
    assert_eq!(events.len(), 3);
    assert_eq!(events[2].event(), Some("http-error"));
    assert_eq!(events[2].data(), Some("HTTP 503: failed after streaming"));
}

#[test]
fn a_raw_stream_has_the_functions_status_headers_and_frames() {
    let response = host().invoke(Request::get("/raw").query("n=3")).unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(response.header("x-stream"), Some("raw"));
    assert_eq!(response.text().unwrap(), "chunk 0\nchunk 1\nchunk 2\n");
    let stream = response.stream().unwrap();
    assert_eq!(stream.kind(), StreamKind::Raw);
    assert_eq!(stream.frames().len(), 3);
    assert!(response.events().is_empty());
}

#[test]
fn each_misuse_gets_the_documented_error() {
    let response = host().invoke(Request::get("/stream-misuse")).unwrap();
    let events = response.events();
    let report = events
        .iter()
        .find(|e| e.event() == Some("report"))
        .and_then(|e| e.data())
        .expect("a report event");
    let answers: Vec<(&str, &str)> = report
        .lines()
        .filter_map(|line| line.split_once(": "))
        .collect();
    let answer = |case: &str| {
        answers
            .iter()
            .find(|(name, _)| *name == case)
            .map(|(_, answer)| *answer)
            .unwrap_or_else(|| panic!("no case {case} in {report}"))
    };
    assert_eq!(
        answer("data before start"),
        "send-response-start must be called before send-data"
    );
    assert_eq!(answer("nothing"), "event or data must be provided");
    assert!(answer("newline in name").starts_with("bad event name: "));
    assert!(answer("long name").starts_with("bad event name: 513 bytes"));
    assert!(answer("NUL in id").starts_with("bad event id: "));
    assert!(answer("invalid UTF-8").starts_with("bad data: not UTF-8"));
    assert!(answer("over 1 MiB").starts_with("bad data: 1048577 bytes"));
    assert!(answer("bad status").starts_with("bad status: 99"));
    assert_eq!(answer("first event"), "ok");
    assert!(answer("start after an event").contains("already started"));
    // Only the accepted event and the report went out.
    assert_eq!(events.len(), 2);
}

#[test]
fn a_stream_kept_for_a_test_stays_within_the_response_limit() {
    let limited = programs(quick_limits().with_response_bytes(1 << 20));
    let error = limited
        .invoke(Request::get("/sse-big").query("kb=512&n=4"))
        .unwrap_err();
    assert!(
        matches!(error, InvokeError::ResponseTooLarge { limit, .. } if limit == 1 << 20),
        "{error:?}"
    );
    // Under the limit it is kept whole.
    let response = limited
        .invoke(Request::get("/sse-big").query("kb=256&n=3"))
        .unwrap();
    assert_eq!(response.events().len(), 3);
}

#[test]
fn a_panic_after_streaming_is_the_invocations_error() {
    let error = host().invoke(Request::get("/sse-then-panic")).unwrap_err();
    assert!(
        matches!(&error, InvokeError::GuestPanic { message: Some(m) } if m.contains("panic after streaming")),
        "{error:?}"
    );
}

#[test]
fn invoke_streaming_hands_over_each_part_while_the_function_runs() {
    let mut parts: Vec<(Instant, String)> = Vec::new();
    let response = host()
        .invoke_streaming(Request::get("/sse").query("n=3&ms=150"), |part| {
            let text = match part {
                StreamPart::Start { status, headers } => {
                    format!("start {status} {}", headers.len())
                }
                StreamPart::Data(bytes) => String::from_utf8_lossy(bytes).into_owned(),
            };
            parts.push((Instant::now(), text));
        })
        .unwrap();
    let finished = Instant::now();
    assert_eq!(parts.len(), 4, "{parts:?}");
    assert_eq!(parts[0].1, "start 200 3");
    assert_eq!(parts[1].1, "event: tick\nid: 0\ndata: 0\n\n");
    // The first event was handed over while the function still had 300 ms of sleeping to do.
    assert!(
        finished.duration_since(parts[1].0) >= Duration::from_millis(250),
        "the first event came only {:?} before the end",
        finished.duration_since(parts[1].0)
    );
    // The response has the head, not the frames (they went to the callback).
    assert_eq!(response.status(), 200);
    assert!(response.body().is_empty());
    assert_eq!(response.stream().unwrap().bytes_sent(), 3 * 27);
}

#[test]
fn invoke_streaming_of_a_function_that_does_not_stream_is_a_plain_invoke() {
    let mut calls = 0;
    let response = host()
        .invoke_streaming(Request::get("/ok"), |_| calls += 1)
        .unwrap();
    assert_eq!(calls, 0);
    assert_eq!(response.text().unwrap(), "ok");
    assert!(response.stream().is_none());
}

fn serve(limits: Limits, threads: usize) -> Server {
    Server::start(
        programs(limits),
        ServeOptions::default()
            .addr("127.0.0.1:0".parse().unwrap())
            .access_log(false)
            .threads(threads),
    )
    .unwrap()
}

fn get(addr: SocketAddr, target: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"
    )
    .unwrap();
    stream
}

/// Read until `needle` has arrived (or the connection ends); everything read so far.
fn read_until(stream: &mut TcpStream, seen: &mut Vec<u8>, needle: &[u8]) -> bool {
    let mut buffer = [0u8; 4096];
    loop {
        if seen.windows(needle.len()).any(|w| w == needle) {
            return true;
        }
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return false,
            Ok(n) => seen.extend_from_slice(&buffer[..n]),
        }
    }
}

#[test]
fn serve_sends_each_event_when_the_function_sends_it() {
    let server = serve(quick_limits(), 2);
    let mut stream = get(server.local_addr(), "/sse?n=3&ms=300");
    let started = Instant::now();
    let mut seen = Vec::new();
    assert!(read_until(&mut stream, &mut seen, b"data: 0\n\n"));
    let first = started.elapsed();
    let head = String::from_utf8_lossy(&seen).to_lowercase();
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("content-type: text/event-stream"), "{head}");
    assert!(head.contains("transfer-encoding: chunked"), "{head}");
    // The rest follows 600 ms later; the chunked body then ends cleanly.
    assert!(read_until(&mut stream, &mut seen, b"0\r\n\r\n"));
    let last = started.elapsed();
    assert!(
        last >= first + Duration::from_millis(450),
        "the first event came at {first:?}, the end at {last:?}: not sent as it was sent"
    );
    let text = String::from_utf8_lossy(&seen);
    assert!(text.contains("data: 2\n\n"), "{text}");
    server.shutdown().unwrap();
}

#[test]
fn serve_cuts_a_stream_short_when_the_function_fails_after_starting() {
    let server = serve(quick_limits(), 1);
    let mut stream = get(server.local_addr(), "/sse-then-panic");
    let mut seen = Vec::new();
    let mut rest = Vec::new();
    let _ = stream.read_to_end(&mut rest);
    seen.extend_from_slice(&rest);
    let text = String::from_utf8_lossy(&seen);
    assert!(text.contains("data: before the panic"), "{text}");
    assert!(
        !text.ends_with("0\r\n\r\n"),
        "a failed stream must not end like a complete one: {text:?}"
    );
    server.shutdown().unwrap();
}

#[test]
fn a_client_that_leaves_a_stream_cancels_its_invocation() {
    // One serving thread and a long deadline: the next request waits until the abandoned one ends.
    let server = serve(
        quick_limits()
            .with_deadline(Duration::from_secs(30))
            .with_host_calls(1_000_000),
        1,
    );
    let addr = server.local_addr();
    let mut stream = get(addr, "/sse-forever?ms=20");
    let mut seen = Vec::new();
    assert!(read_until(&mut stream, &mut seen, b"data: 1\n\n"));
    drop(stream);
    let started = Instant::now();
    let mut next = get(addr, "/ok");
    let mut reply = Vec::new();
    next.read_to_end(&mut reply).unwrap();
    assert!(String::from_utf8_lossy(&reply).starts_with("HTTP/1.1 200"));
    let waited = started.elapsed();
    assert!(waited < Duration::from_secs(10), "waited {waited:?}");
    server.shutdown().unwrap();
}

#[test]
fn a_client_that_stops_reading_holds_its_invocation_until_the_deadline_only() {
    let server = serve(
        quick_limits()
            .with_deadline(Duration::from_secs(1))
            .with_host_calls(100_000),
        1,
    );
    let addr = server.local_addr();
    // Never read: the socket buffers fill, then the server's frame queue, then the function waits.
    let stalled = get(addr, "/sse-big?kb=512&n=10000");
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    let mut next = get(addr, "/ok");
    let mut reply = Vec::new();
    next.read_to_end(&mut reply).unwrap();
    assert!(String::from_utf8_lossy(&reply).starts_with("HTTP/1.1 200"));
    assert!(started.elapsed() < Duration::from_secs(10));
    drop(stalled);
    server.shutdown().unwrap();
}
