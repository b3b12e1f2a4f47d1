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
    assert!(text.starts_with("GET /echo ?a=1&b=two%20words\n"), "{text}");
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
