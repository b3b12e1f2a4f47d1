//! Shared by the integration tests: the probe guest, and a tiny HTTP/1.1 server on 127.0.0.1.
#![allow(
    dead_code,
    unreachable_pub,
    reason = "each test file uses a different part"
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use momento_functions_test_host::{Request, Response, TestHost, TestHostBuilder};
use serde_json::Value;

pub mod faults;

/// The probe guest: one SDK operation per request.
pub const PROBE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/test-guests/sdk-probe");

pub fn probe(builder: TestHostBuilder) -> TestHost {
    builder
        .build_crate(PROBE)
        .expect("the probe guest builds and loads")
}

/// Run one operation; the status and the JSON body.
pub fn run(host: &TestHost, op: Value) -> (u16, Value) {
    let response = host
        .invoke(Request::post("/").json(&op))
        .unwrap_or_else(|e| panic!("invocation of {op} failed: {e}"));
    parse(&response)
}

pub fn parse(response: &Response) -> (u16, Value) {
    let body = response
        .json()
        .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", response.text()));
    (response.status(), body)
}

/// Run one operation that must succeed; its `ok` value.
pub fn ok(host: &TestHost, op: Value) -> Value {
    let (status, body) = run(host, op.clone());
    assert_eq!(status, 200, "{op} → {body}");
    body["ok"].clone()
}

/// Run one operation that must fail; (status, error kind, message).
pub fn fail(host: &TestHost, op: Value) -> (u16, String, String) {
    let (status, body) = run(host, op.clone());
    assert_ne!(status, 200, "{op} unexpectedly succeeded: {body}");
    (
        status,
        body["kind"].as_str().unwrap_or_default().to_owned(),
        body["message"].as_str().unwrap_or_default().to_owned(),
    )
}

/// A request the loopback server received.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Which accepted connection it came on (0-based).
    pub connection: usize,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the loopback server answers.
pub enum Reply {
    /// A response; the connection stays open for the next request.
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Never answer (the connection stays open until the client gives up).
    Silent,
}

impl Reply {
    pub fn ok(body: impl Into<Vec<u8>>) -> Reply {
        Reply::Respond {
            status: 200,
            headers: Vec::new(),
            body: body.into(),
        }
    }
}

type Handler = dyn Fn(&Received) -> Reply + Send + Sync;

/// An HTTP/1.1 keep-alive server on 127.0.0.1 that counts connections and records requests.
pub struct Loopback {
    pub addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Loopback {
    pub fn start(handler: impl Fn(&Received) -> Reply + Send + Sync + 'static) -> Loopback {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local address");
        let connections = Arc::new(AtomicUsize::new(0));
        let received = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        {
            let connections = Arc::clone(&connections);
            let received = Arc::clone(&received);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    let Ok(stream) = stream else { continue };
                    let connection = connections.fetch_add(1, Ordering::SeqCst);
                    let received = Arc::clone(&received);
                    let handler = Arc::clone(&handler);
                    std::thread::spawn(move || serve(stream, connection, &received, &*handler));
                }
            });
        }
        Loopback {
            addr,
            connections,
            received,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// Requests received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received
            .lock()
            .expect("no server thread panics")
            .clone()
    }
}

fn serve(stream: TcpStream, connection: usize, received: &Mutex<Vec<Received>>, handler: &Handler) {
    let mut writer = stream.try_clone().expect("clone stream");
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_owned();
        let target = parts.next().unwrap_or_default().to_owned();
        let mut headers = Vec::new();
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                headers.push((name.trim().to_owned(), value.trim().to_owned()));
            }
        }
        let length = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse::<usize>().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let request = Received {
            method,
            target,
            headers,
            body,
            connection,
        };
        received
            .lock()
            .expect("no test panics holding the log")
            .push(request.clone());
        match handler(&request) {
            Reply::Respond {
                status,
                headers,
                body,
            } => {
                let mut head = format!("HTTP/1.1 {status} X\r\ncontent-length: {}\r\n", body.len());
                for (name, value) in headers {
                    head.push_str(&format!("{name}: {value}\r\n"));
                }
                head.push_str("\r\n");
                if writer.write_all(head.as_bytes()).is_err() || writer.write_all(&body).is_err() {
                    return;
                }
            }
            Reply::Silent => {
                // Hold the connection until the client closes it.
                let mut rest = Vec::new();
                let _ = reader.read_to_end(&mut rest);
                return;
            }
        }
    }
}
