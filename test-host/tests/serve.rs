//! The HTTP server, started in-process on an ephemeral loopback port and spoken to with a minimal
//! HTTP/1.1 client over `TcpStream`.

#![allow(clippy::unwrap_used, reason = "test helpers outside #[test] functions")]

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use common::faults::{example_wasm, programs, quick_limits};
use momento_functions_test_host::server::{ServeOptions, Server};
use momento_functions_test_host::{Limits, TestHost};

/// A parsed response.
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Send `head` (request line and headers, without the blank line) and `body` on a new connection that the
/// server closes after answering.
fn send(addr: SocketAddr, head: &str, body: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let request = format!(
        "{head}\r\nhost: {addr}\r\nconnection: close\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    read_reply(&mut stream)
}

fn read_reply(stream: &mut TcpStream) -> Reply {
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the response");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no end of headers in {:?}", String::from_utf8_lossy(&raw)));
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Reply {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

fn start(host: TestHost) -> Server {
    Server::start(
        host,
        ServeOptions::default()
            .addr("127.0.0.1:0".parse().unwrap())
            .access_log(false),
    )
    .expect("the server starts")
}

#[test]
fn method_path_query_headers_and_body_pass_through() {
    let server = start(programs(quick_limits()));
    let reply = send(
        server.local_addr(),
        "GET /echo?a=1&b=two%20words HTTP/1.1\r\nx-one: 1\r\nx-multi: a\r\nx-multi: b",
        b"",
    );
    assert_eq!(reply.status, 200);
    let text = reply.text();
    // Momento hands the function decoded query parameters, not the raw string: the SDK re-encodes them.
    assert!(text.starts_with("GET /echo ?a=1&b=two+words\n"), "{text}");
    assert!(text.contains("x-one: 1\n"), "{text}");
    assert!(text.contains("x-multi: a\nx-multi: b\n"), "{text}");
    let reply = send(server.local_addr(), "POST /echo HTTP/1.1", b"payload");
    assert!(
        reply.text().starts_with("POST /echo ?\n"),
        "{}",
        reply.text()
    );
    assert!(reply.text().contains("body: 7 bytes"), "{}", reply.text());
    // PUT goes to the `String` handler of the test programs.
    let reply = send(
        server.local_addr(),
        "PUT /text HTTP/1.1",
        "héllo".as_bytes(),
    );
    assert_eq!(reply.text(), "5 chars");
    server.shutdown().unwrap();
}

#[test]
fn function_status_and_headers_are_the_response() {
    let server = start(programs(quick_limits()));
    let reply = send(server.local_addr(), "GET /env?name=NOPE HTTP/1.1", b"");
    assert_eq!(reply.status, 404);
    assert_eq!(reply.text(), "NOPE is not set");
    let greeter = TestHost::from_file(example_wasm("greeter")).unwrap();
    server.reload(greeter);
    let reply = send(
        server.local_addr(),
        "POST / HTTP/1.1\r\ncontent-type: application/json",
        br#"{"name":"Ada"}"#,
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.text(), r#"{"message":"Hello, Ada!"}"#);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let reply = send(server.local_addr(), "POST / HTTP/1.1", b"{bad");
    assert_eq!(reply.status, 400);
    server.shutdown().unwrap();
}

#[test]
fn failed_invocations_answer_with_the_error_status_and_code() {
    let server = start(programs(
        quick_limits()
            .with_deadline(Duration::from_millis(500))
            .with_request_bytes(1024),
    ));
    let addr = server.local_addr();
    for (path, status, code) in [
        ("/loop", 504, "timeout"),
        ("/panic", 500, "guest_panic"),
        ("/bomb", 500, "memory_limit_exceeded"),
        ("/fs", 500, "unsupported_wasi"),
    ] {
        let reply = send(addr, &format!("GET {path} HTTP/1.1"), b"");
        assert_eq!(reply.status, status, "{path}: {}", reply.text());
        assert_eq!(reply.header("x-momento-functions-error"), Some(code));
        let body: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
        assert_eq!(body["error"], code);
        assert!(!body["invocation_id"].as_str().unwrap().is_empty());
        assert_eq!(send(addr, "GET /ok HTTP/1.1", b"").status, 200);
    }
    // Over the request limit: 413, whether the length is declared or not.
    let reply = send(addr, "POST /ok HTTP/1.1", &[b'x'; 2048]);
    assert_eq!(reply.status, 413);
    assert_eq!(
        reply.header("x-momento-functions-error"),
        Some("request_too_large")
    );
    // A chunked body (no declared length) is cut off at the limit: two 1 KiB chunks, in one write, so
    // that the server has read everything when it answers.
    let mut stream = TcpStream::connect(addr).unwrap();
    let mut request =
        b"POST /ok HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n"
            .to_vec();
    for _ in 0..2 {
        request.extend_from_slice(b"400\r\n");
        request.extend_from_slice(&[b'y'; 0x400]);
        request.extend_from_slice(b"\r\n");
    }
    stream.write_all(&request).unwrap();
    assert_eq!(read_reply(&mut stream).status, 413);
    assert_eq!(send(addr, "GET /ok HTTP/1.1", b"").status, 200);
    server.shutdown().unwrap();
}

#[test]
fn busy_is_503() {
    let host = programs(
        quick_limits()
            .with_concurrent_instances(1)
            .with_deadline(Duration::from_secs(5)),
    );
    let server = Server::start(
        host,
        ServeOptions::default()
            .addr("127.0.0.1:0".parse().unwrap())
            .access_log(false)
            .threads(3),
    )
    .unwrap();
    let addr = server.local_addr();
    let barrier = Arc::new(Barrier::new(3));
    let threads: Vec<_> = (0..3)
        .map(|_| {
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                send(addr, "GET /spin?ms=500 HTTP/1.1", b"").status
            })
        })
        .collect();
    let mut statuses: Vec<u16> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    statuses.sort_unstable();
    assert!(statuses.contains(&200), "{statuses:?}");
    assert!(statuses.contains(&503), "{statuses:?}");
    assert!(
        statuses.iter().all(|s| [200, 503].contains(s)),
        "{statuses:?}"
    );
    assert_eq!(send(addr, "GET /ok HTTP/1.1", b"").status, 200);
    server.shutdown().unwrap();
}

#[test]
fn concurrent_keep_alive_clients_all_get_answers() {
    let server = start(TestHost::from_file(example_wasm("echo")).unwrap());
    let addr = server.local_addr();
    let threads: Vec<_> = (0..16)
        .map(|t| {
            std::thread::spawn(move || {
                // One connection per client, 50 requests on it.
                let mut stream = TcpStream::connect(addr).unwrap();
                stream
                    .set_read_timeout(Some(Duration::from_secs(30)))
                    .unwrap();
                let mut buffer = Vec::new();
                for i in 0..50 {
                    let body = format!("client {t} request {i}");
                    let request = format!(
                        "POST / HTTP/1.1\r\nhost: x\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    stream.write_all(request.as_bytes()).unwrap();
                    // Read one response: headers, then content-length bytes.
                    buffer.clear();
                    let mut byte = [0u8; 1];
                    while !buffer.ends_with(b"\r\n\r\n") {
                        stream.read_exact(&mut byte).unwrap();
                        buffer.push(byte[0]);
                    }
                    let head = String::from_utf8_lossy(&buffer).to_ascii_lowercase();
                    assert!(head.starts_with("http/1.1 200"), "{head}");
                    let length: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse().ok())
                        .expect("content-length");
                    let mut answer = vec![0; length];
                    stream.read_exact(&mut answer).unwrap();
                    assert_eq!(answer, body.as_bytes());
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(server.handle().requests_served(), 16 * 50);
    server.shutdown().unwrap();
}

#[test]
fn shutdown_finishes_requests_in_flight_then_stops_listening() {
    let server = start(programs(Limits::default()));
    let addr = server.local_addr();
    let in_flight = std::thread::spawn(move || send(addr, "GET /spin?ms=300 HTTP/1.1", b""));
    // Let the request arrive, then shut down while it runs.
    std::thread::sleep(Duration::from_millis(100));
    let handle = server.handle();
    server.shutdown().unwrap();
    assert!(handle.is_stopped());
    let reply = in_flight.join().unwrap();
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), "spun");
    assert!(TcpStream::connect(addr).is_err(), "still listening");
}

/// Read a response, skipping interim (1xx) responses as an HTTP/1.1 client must.
fn read_final_reply(stream: &mut TcpStream) -> Reply {
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the response");
    while raw.starts_with(b"HTTP/1.1 1") {
        let end = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("an interim response ends");
        raw.drain(..end + 4);
    }
    let mut cursor = std::io::Cursor::new(raw);
    let mut rest = Vec::new();
    cursor.read_to_end(&mut rest).unwrap();
    parse_reply(&rest)
}

fn parse_reply(raw: &[u8]) -> Reply {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no end of headers in {:?}", String::from_utf8_lossy(raw)));
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Reply {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

/// Headers declaring `length` body bytes, and `sent` of them; the connection is left open.
fn stall(addr: SocketAddr, length: usize, sent: usize) -> TcpStream {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "POST /echo HTTP/1.1\r\nhost: x\r\ncontent-length: {length}\r\n\r\n"
    )
    .unwrap();
    stream.write_all(&vec![b'b'; sent]).unwrap();
    stream
}

#[test]
fn a_stalled_body_is_answered_408_and_closed() {
    let server = Server::start(
        programs(quick_limits()),
        ServeOptions::default()
            .addr("127.0.0.1:0".parse().unwrap())
            .access_log(false)
            .body_idle_timeout(Duration::from_millis(300)),
    )
    .unwrap();
    let addr = server.local_addr();
    let started = std::time::Instant::now();
    let mut stream = stall(addr, 100, 2);
    // `read_to_end` returns only because the server closes the connection.
    let reply = read_reply(&mut stream);
    assert_eq!(reply.status, 408, "{}", reply.text());
    assert_eq!(
        reply.header("x-momento-functions-error"),
        Some("request_timeout")
    );
    assert_eq!(reply.header("connection"), Some("close"));
    assert!(started.elapsed() < Duration::from_secs(10));
    // A body that trickles in (each byte within the idle time) is read to its end.
    let mut stream = stall(addr, 4, 0);
    for _ in 0..4 {
        std::thread::sleep(Duration::from_millis(100));
        stream.write_all(b"x").unwrap();
    }
    let reply = read_final_reply_keepalive(&mut stream);
    assert_eq!(reply.status, 200);
    assert!(reply.text().contains("body: 4 bytes"), "{}", reply.text());
    assert_eq!(send(addr, "GET /ok HTTP/1.1", b"").status, 200);
    assert_eq!(server.handle().body_memory_in_use(), 0);
    server.shutdown().unwrap();
}

/// Read one response with a `content-length` from a connection that stays open.
fn read_final_reply_keepalive(stream: &mut TcpStream) -> Reply {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).unwrap();
        head.push(byte[0]);
    }
    let mut reply = parse_reply(&head);
    let length: usize = reply
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .expect("content-length");
    reply.body = vec![0; length];
    stream.read_exact(&mut reply.body).unwrap();
    reply
}

#[test]
fn partial_bodies_share_a_memory_budget() {
    let server = Server::start(
        programs(quick_limits().with_request_bytes(512 << 10)),
        ServeOptions::default()
            .addr("127.0.0.1:0".parse().unwrap())
            .access_log(false)
            .threads(1)
            .body_idle_timeout(Duration::from_millis(1_500))
            .body_memory(1 << 20),
    )
    .unwrap();
    let addr = server.local_addr();
    let handle = server.handle();
    // Two bodies of a declared 512 KiB hold the whole 1 MiB budget while they stall ...
    let held: Vec<TcpStream> = (0..2).map(|_| stall(addr, 512 << 10, 1_000)).collect();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while handle.body_memory_in_use() < 1 << 20 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(handle.body_memory_in_use(), 1 << 20);
    // ... so a third is refused at once, with its connection closed.
    let mut third = stall(addr, 512 << 10, 10);
    let reply = read_reply(&mut third);
    assert_eq!(reply.status, 503, "{}", reply.text());
    assert_eq!(
        reply.header("x-momento-functions-error"),
        Some("body_memory_exhausted")
    );
    // A request without a body needs no budget.
    assert_eq!(send(addr, "GET /ok HTTP/1.1", b"").status, 200);
    // The stalled ones time out (408) and give their memory back.
    for mut stream in held {
        assert_eq!(read_reply(&mut stream).status, 408);
    }
    assert_eq!(handle.body_memory_in_use(), 0);
    assert_eq!(
        send(addr, "POST /echo HTTP/1.1", &[b'z'; 400 << 10]).status,
        200
    );
    server.shutdown().unwrap();
}

#[test]
fn response_statuses_must_be_final_and_headers_are_capped() {
    let server = start(programs(quick_limits()));
    let addr = server.local_addr();
    for code in [101, 100, 150, 199] {
        let reply = send(addr, &format!("GET /status?code={code} HTTP/1.1"), b"");
        assert_eq!(reply.status, 500, "{code}: {}", reply.text());
        assert_eq!(
            reply.header("x-momento-functions-error"),
            Some("invalid_response")
        );
        assert!(reply.text().contains("200–599"), "{}", reply.text());
    }
    for code in [200, 299, 418, 599] {
        assert_eq!(
            send(addr, &format!("GET /status?code={code} HTTP/1.1"), b"").status,
            code
        );
    }
    // 25,000 headers made the serving task panic (HeaderMap's size limit): the client got nothing.
    let reply = send(addr, "GET /headers?n=25000 HTTP/1.1", b"");
    assert_eq!(reply.status, 500);
    assert_eq!(
        reply.header("x-momento-functions-error"),
        Some("invalid_response")
    );
    assert!(reply.text().contains("headers"), "{}", reply.text());
    let reply = send(addr, "GET /headers?n=1000 HTTP/1.1", b"");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("x-h-999"), Some("v"));
    assert_eq!(send(addr, "GET /ok HTTP/1.1", b"").status, 200);
    server.shutdown().unwrap();
}

#[test]
fn a_client_that_half_closes_gets_its_response() {
    let server = start(programs(quick_limits()));
    let addr = server.local_addr();
    for path in ["/spin?ms=300", "/ok"] {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        write!(stream, "GET {path} HTTP/1.1\r\nhost: x\r\n\r\n").unwrap();
        stream.shutdown(std::net::Shutdown::Write).unwrap();
        let reply = read_final_reply(&mut stream);
        assert_eq!(reply.status, 200, "{path}");
        assert!(!reply.body.is_empty());
    }
    server.shutdown().unwrap();
}

#[test]
fn an_abandoned_invocation_is_cancelled() {
    // One serving thread and a long deadline: until the abandoned invocation ends, nothing else runs.
    let server = Server::start(
        programs(quick_limits().with_deadline(Duration::from_secs(20))),
        ServeOptions::default()
            .addr("127.0.0.1:0".parse().unwrap())
            .access_log(false)
            .threads(1),
    )
    .unwrap();
    let addr = server.local_addr();
    // A loop (stopped by epoch interruption) and a sleep (inside a WASI wait).
    for path in ["/loop", "/sleep?ms=60000"] {
        let mut stream = TcpStream::connect(addr).unwrap();
        write!(stream, "GET {path} HTTP/1.1\r\nhost: x\r\n\r\n").unwrap();
        std::thread::sleep(Duration::from_millis(300));
        drop(stream);
        let started = std::time::Instant::now();
        let reply = send(addr, "GET /ok HTTP/1.1", b"");
        assert_eq!(reply.status, 200);
        // It waited for the abandoned invocation: 20 s before, until it was cancelled now.
        let waited = started.elapsed();
        assert!(
            waited < Duration::from_secs(10),
            "{path}: waited {waited:?}"
        );
        eprintln!("{path}: the next request waited {waited:?} for the abandoned invocation");
    }
    server.shutdown().unwrap();
}
