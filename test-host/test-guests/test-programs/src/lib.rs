//! A deliberately misbehaving function: the test host's bad-input suite (`test-host/tests/bad_inputs.rs`)
//! and its fuzz targets invoke it. GET or POST; the path selects the behaviour, query parameters tune it.
//!
//! | path | behaviour |
//! |---|---|
//! | `/ok` (and any unknown path) | 200, body `ok` |
//! | `/echo` | 200 with method, path, query, headers and body length as text |
//! | `/loop` | an infinite loop |
//! | `/spin?ms=N` | busy-waits N ms on the monotonic clock, then 200 |
//! | `/bomb` | allocates and touches 1 MiB chunks until memory runs out |
//! | `/big-alloc?mb=N` | one `Vec::with_capacity` of N MiB (default 1024) |
//! | `/grow?mb=N` | allocates N MiB, touches it, answers 200 |
//! | `/recurse` | unbounded recursion with arrays on the stack (exhausts Rust's 1 MiB stack in linear memory) |
//! | `/recurse-wasm` | unbounded recursion with scalars only (exhausts the wasm stack) |
//! | `/panic` | `panic!` with a known message |
//! | `/huge-response?bytes=N` | a body of N bytes |
//! | `/hostcall-storm?n=N` | N `log::info!` records (each a host call; default 1,000,000) |
//! | `/stdout` | writes a line to stdout and one to stderr |
//! | `/interleave` | alternates `log` records, stdout lines and stderr lines (and a stdout line written in two parts) |
//! | `/env?name=K` | the value of environment variable K (404 if unset) |
//! | `/clock` | wall-clock seconds since the epoch and a monotonic delta |
//! | `/random` | two random 64-bit hashes (from `wasi:random`) |
//! | `/fs` | `std::fs::read("/etc/hosts")` |
//! | `/fs-write` | `std::fs::write("out.txt", ..)` |
//! | `/stdin` | reads stdin |
//! | `/exit` | `std::process::exit(3)` |
//! | `/cache-incr?key=K` | increments cache key K by 1 and answers the new value |
//! | `/cache-fill?n=N&kb=K&prefix=P` | sets `P-0` .. `P-(N-1)` to K KiB each (default 1,000 × 1 MiB, prefix `fill`) |
//! | `/cache-set-then-panic?key=K` | sets cache key K to `written`, then panics |
//! | `/cache-write-loop` | sets `loop-<i>` to `value-<i>` for i = 0, 1, ... until stopped (deadline, host-call budget) |
//! | `/sleep?ms=N` | `std::thread::sleep` for N ms (default 20,000: a WASI `pollable.block`), then 200 |
//! | `/log-target?n=N&bytes=B` | N `log` records (default 200) whose target is B bytes long (default 1 MiB) |
//! | `/log-flood?n=N&bytes=B` | N `log` records (default 1,000) whose message is B bytes long (default 64 KiB) |
//! | `/newlines?bytes=N` | writes N newline bytes (default 1 MiB) to stderr and to stdout |
//! | `/log-escape` | a log record, a stdout line and a stderr line holding CR, LF and ANSI escape sequences |
//! | `/headers?n=N` | 200 with N response headers `x-h-<i>: v` (default 25,000) |
//! | `/status?code=N` | an empty response with status N (the SDK allows 100..=599) |
//! | `/sse?n=N&ms=M&fail=S` | N events `tick` (data `i`, id `i`) M ms apart (default 3, 0 ms); with `fail`, then returns status S |
//! | `/sse-stamp?n=N&ms=M` | N events M ms apart (default 50, 5 ms), each with data = wall-clock nanoseconds since the epoch just before `send` |
//! | `/sse-forever?ms=M` | an event every M ms (default 10) until stopped (client gone, deadline) |
//! | `/sse-then-panic` | one event, then a panic |
//! | `/raw?n=N&ms=M` | a raw stream: 201 with `x-stream: raw`, then N chunks `chunk i\n` M ms apart |
//! | `/spawn?name=X&n=N` | spawns X N times (payload `i`), then 200 with one line per spawn: `ok` or the error |
//! | `/stream-misuse` | each misuse of `web-function-stream`; the host's answers in a final event `report`, one per line: `case: host answer` |
//! | `/sse-big?kb=K&n=N` | N events of K KiB of data each (default 512 KiB × 8) |
//! | PUT `/text` | a `String` body extractor (non-UTF-8 → 400) |
//! | PATCH `/json` | a `Json<T>` body extractor (bad JSON → 400) |

use std::hash::{BuildHasher, Hasher};
use std::io::{Read, Write};
use std::time::{Duration, Instant, SystemTime};

use momento_functions::stream::{EventStream, ResponseStream, SseEvent};
use momento_functions::{
    Data, IntoResponse, Json, RequestContext, StatusCode, WebRequest, WebResponse, cache, log,
};

momento_functions::route!(get: get_handler, post: post_handler, put: text, patch: json);

fn get_handler(context: RequestContext) -> WebResponse {
    misbehave(&context, &[])
}

fn post_handler(request: WebRequest) -> WebResponse {
    let (context, body) = request.into_parts();
    misbehave(&context, &body.into_bytes())
}

/// The body of PATCH `/json`.
#[derive(serde::Deserialize, serde::Serialize)]
struct Item {
    name: String,
    count: u32,
}

fn text(body: String) -> String {
    format!("{} chars", body.chars().count())
}

fn json(Json(item): Json<Item>) -> Json<Item> {
    Json(item)
}

fn param<T: std::str::FromStr>(request: &RequestContext, name: &str, default: T) -> T {
    request
        .query_param(name)
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn ok(body: impl Into<Data>) -> WebResponse {
    WebResponse::new().with_body(body)
}

fn error(status: StatusCode, message: impl std::fmt::Display) -> WebResponse {
    WebResponse::new()
        .with_status(status)
        .with_body(message.to_string())
}

fn misbehave(request: &RequestContext, body: &[u8]) -> WebResponse {
    match request.path() {
        "/echo" => {
            let mut text = format!(
                "{} {} ?{}\n",
                request.method(),
                request.path(),
                request.query_string()
            );
            for (name, value) in request.headers().iter() {
                text.push_str(&format!("{name}: {value}\n"));
            }
            text.push_str(&format!("body: {} bytes\n", body.len()));
            ok(text)
        }
        "/loop" => loop {
            std::hint::black_box(());
        },
        "/spin" => {
            let ms: u64 = param(request, "ms", 10);
            let until = Instant::now() + Duration::from_millis(ms);
            while Instant::now() < until {
                std::hint::black_box(());
            }
            ok("spun")
        }
        "/bomb" => {
            let mut chunks: Vec<Vec<u8>> = Vec::new();
            loop {
                chunks.push(vec![1u8; 1 << 20]);
                std::hint::black_box(&chunks);
            }
        }
        "/big-alloc" => {
            let mb: usize = param(request, "mb", 1024);
            let v: Vec<u8> = Vec::with_capacity(mb << 20);
            ok(format!("{}", std::hint::black_box(v).capacity()))
        }
        "/grow" => {
            let mb: usize = param(request, "mb", 1);
            let v = vec![7u8; mb << 20];
            ok(format!("{}", std::hint::black_box(v).len()))
        }
        "/recurse" => ok(format!("{}", recurse(std::hint::black_box(1)))),
        "/recurse-wasm" => ok(format!("{}", recurse_wasm(std::hint::black_box(1)))),
        "/panic" => panic!("test-programs: deliberate panic"),
        "/huge-response" => {
            let bytes: usize = param(request, "bytes", 11 << 20);
            ok(vec![b'x'; bytes])
        }
        "/hostcall-storm" => {
            let n: u64 = param(request, "n", 1_000_000);
            for i in 0..n {
                log::info!("storm {i}");
            }
            ok(format!("{n} records"))
        }
        "/stdout" => {
            println!("to stdout");
            eprintln!("to stderr");
            ok("printed")
        }
        "/interleave" => {
            log::info!("1 log");
            println!("2 stdout");
            eprintln!("3 stderr");
            log::warn!("4 log");
            eprintln!("5 stderr");
            println!("6 stdout");
            let _ = std::io::stdout().write_all(b"8 stdout, ");
            let _ = std::io::stdout().flush();
            log::info!("7 log");
            println!("finished after 7");
            eprint!("9 stderr without a newline");
            ok("interleaved")
        }
        "/env" => {
            let name: String = param(request, "name", String::new());
            match std::env::var(&name) {
                Ok(value) => ok(value),
                Err(_) => error(StatusCode::NOT_FOUND, format!("{name} is not set")),
            }
        }
        "/clock" => {
            let start = Instant::now();
            let wall = SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            let delta = start.elapsed();
            ok(format!("{wall} {}", delta.as_nanos()))
        }
        "/random" => {
            let a = std::collections::hash_map::RandomState::new()
                .build_hasher()
                .finish();
            let b = std::collections::hash_map::RandomState::new()
                .build_hasher()
                .finish();
            ok(format!("{a:016x} {b:016x}"))
        }
        "/fs" => match std::fs::read("/etc/hosts") {
            Ok(bytes) => ok(format!("read {} bytes", bytes.len())),
            Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, format!("fs error: {e}")),
        },
        "/fs-write" => match std::fs::write("out.txt", b"data") {
            Ok(()) => ok("written"),
            Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, format!("fs error: {e}")),
        },
        "/stdin" => {
            let mut input = String::new();
            match std::io::stdin().read_to_string(&mut input) {
                Ok(n) => ok(format!("read {n} bytes")),
                Err(e) => error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("stdin error: {e}"),
                ),
            }
        }
        "/cache-incr" => {
            let key: String = param(request, "key", "hits".to_owned());
            match cache::increment(&key, 1, Duration::from_secs(600)) {
                Ok(value) => ok(value.to_string()),
                Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e),
            }
        }
        "/cache-set-then-panic" => {
            let key: String = param(request, "key", "k".to_owned());
            if let Err(e) = cache::set(&key, "written", Duration::from_secs(600)) {
                return error(StatusCode::INTERNAL_SERVER_ERROR, e);
            }
            panic!("test-programs: panic after a cache write")
        }
        "/cache-fill" => {
            let n: usize = param(request, "n", 1_000);
            let kb: usize = param(request, "kb", 1_024);
            let prefix: String = param(request, "prefix", "fill".to_owned());
            let value = vec![b'f'; kb << 10];
            for i in 0..n {
                if let Err(e) = cache::set(
                    format!("{prefix}-{i}"),
                    value.clone(),
                    Duration::from_secs(600),
                ) {
                    return error(StatusCode::INTERNAL_SERVER_ERROR, e);
                }
            }
            ok(format!("{n} items"))
        }
        "/cache-write-loop" => {
            for i in 0u64.. {
                let value = format!("value-{i}").repeat(100);
                if let Err(e) = cache::set(format!("loop-{i}"), value, Duration::from_secs(600)) {
                    return error(StatusCode::INTERNAL_SERVER_ERROR, e);
                }
            }
            ok("unreachable")
        }
        "/sleep" => {
            let ms: u64 = param(request, "ms", 20_000);
            std::thread::sleep(Duration::from_millis(ms));
            ok("slept")
        }
        "/log-target" => {
            let n: usize = param(request, "n", 200);
            let bytes: usize = param(request, "bytes", 1 << 20);
            let target = "t".repeat(bytes);
            for i in 0..n {
                log::info!(target: &target, "record {i}");
            }
            ok(format!("{n} records"))
        }
        "/log-flood" => {
            let n: usize = param(request, "n", 1_000);
            let bytes: usize = param(request, "bytes", 64 << 10);
            let message = "m".repeat(bytes);
            for _ in 0..n {
                log::info!("{message}");
            }
            ok(format!("{n} records"))
        }
        "/newlines" => {
            let bytes: usize = param(request, "bytes", 1 << 20);
            let newlines = vec![b'\n'; bytes];
            let _ = std::io::stderr().write_all(&newlines);
            let _ = std::io::stdout().write_all(&newlines);
            ok("written")
        }
        "/log-escape" => {
            log::info!(target: "t\r\nfake-target", "line one\r\nFAKE  injected: \x1b[31mred\x1b[0m \u{9b}2J");
            println!("out \x1b[2Jcleared\rback");
            eprintln!("err \x1b]0;title\x07bell");
            ok("escaped")
        }
        "/headers" => {
            let n: usize = param(request, "n", 25_000);
            let mut response = ok("headers");
            for i in 0..n {
                response = response.with_header(format!("x-h-{i}"), "v");
            }
            response
        }
        "/status" => {
            let code: u16 = param(request, "code", 200);
            match StatusCode::from_u16(code) {
                Some(status) => WebResponse::new().with_status(status),
                None => error(StatusCode::BAD_REQUEST, format!("{code} is not 100..=599")),
            }
        }
        "/sse" => {
            let n: u64 = param(request, "n", 3);
            let ms: u64 = param(request, "ms", 0);
            let mut events = EventStream::new();
            for i in 0..n {
                if i > 0 && ms > 0 {
                    std::thread::sleep(Duration::from_millis(ms));
                }
                let event = SseEvent::data(i.to_string())
                    .with_event("tick")
                    .with_id(i.to_string());
                if let Err(e) = events.send(event) {
                    return error(StatusCode::INTERNAL_SERVER_ERROR, e);
                }
            }
            match request.query_param("fail").and_then(|s| s.parse().ok()) {
                Some(status) => error(
                    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                    "failed after streaming",
                ),
                None => events.finish().into_response(),
            }
        }
        "/sse-stamp" => {
            let n: u64 = param(request, "n", 50);
            let ms: u64 = param(request, "ms", 5);
            let mut events = EventStream::new();
            for _ in 0..n {
                let now = SystemTime::now()
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos());
                if let Err(e) = events.send_data(now.to_string()) {
                    return error(StatusCode::INTERNAL_SERVER_ERROR, e);
                }
                std::thread::sleep(Duration::from_millis(ms));
            }
            events.finish().into_response()
        }
        "/sse-forever" => {
            let ms: u64 = param(request, "ms", 10);
            let mut events = EventStream::new();
            for i in 0u64.. {
                if let Err(e) = events.send_data(i.to_string()) {
                    return error(StatusCode::INTERNAL_SERVER_ERROR, e);
                }
                std::thread::sleep(Duration::from_millis(ms));
            }
            ok("unreachable")
        }
        "/sse-then-panic" => {
            let mut events = EventStream::new();
            let _ = events.send_data("before the panic");
            panic!("test-programs: panic after streaming")
        }
        "/raw" => {
            let n: u64 = param(request, "n", 3);
            let ms: u64 = param(request, "ms", 0);
            let mut body = match ResponseStream::start(StatusCode::CREATED, [("x-stream", "raw")]) {
                Ok(body) => body,
                Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, e),
            };
            for i in 0..n {
                if i > 0 && ms > 0 {
                    std::thread::sleep(Duration::from_millis(ms));
                }
                if let Err(e) = body.send(format!("chunk {i}\n")) {
                    return error(StatusCode::INTERNAL_SERVER_ERROR, e);
                }
            }
            body.finish().into_response()
        }
        "/stream-misuse" => stream_misuse(),
        "/spawn" => {
            let name: String = param(request, "name", "chain".to_owned());
            let n: usize = param(request, "n", 1);
            let lines: Vec<String> = (0..n)
                .map(
                    |i| match momento_functions::spawn::spawn(&name, i.to_string()) {
                        Ok(()) => "ok".to_owned(),
                        Err(e) => e.to_string(),
                    },
                )
                .collect();
            ok(lines.join("\n"))
        }
        "/sse-big" => {
            let kb: usize = param(request, "kb", 512);
            let n: usize = param(request, "n", 8);
            let data = "d".repeat(kb << 10);
            let mut events = EventStream::new();
            for _ in 0..n {
                if let Err(e) = events.send_data(data.as_str()) {
                    return error(StatusCode::INTERNAL_SERVER_ERROR, e);
                }
            }
            events.finish().into_response()
        }
        "/exit" => {
            let _ = std::io::stdout().flush();
            std::process::exit(3)
        }
        _ => ok("ok"),
    }
}

/// Each misuse of `web-function-stream` straight through the bindings (the SDK would catch most of them
/// first), and what the host answers.
fn stream_misuse() -> WebResponse {
    use momento_functions::__private::wit::momento::bytes::bytes::Data as WitData;
    use momento_functions::__private::wit::momento::web_function::web_function_stream as wit;
    let data = |text: &str| Some(WitData::Value(text.as_bytes().to_vec()));
    let mut lines = Vec::new();
    let mut case = |name: &str, result: Result<(), String>| {
        lines.push(format!(
            "{name}: {}",
            result.err().unwrap_or_else(|| "ok".to_owned())
        ));
    };
    case(
        "data before start",
        wit::send_data(WitData::Value(b"x".to_vec())),
    );
    case("nothing", wit::send_sse(None, Some("1"), None));
    case(
        "newline in name",
        wit::send_sse(Some("a\nb"), None, data("x")),
    );
    case(
        "long name",
        wit::send_sse(Some(&"n".repeat(513)), None, data("x")),
    );
    case("NUL in id", wit::send_sse(None, Some("a\0"), data("x")));
    case(
        "invalid UTF-8",
        wit::send_sse(None, None, Some(WitData::Value(vec![b'a', 0xff]))),
    );
    case(
        "over 1 MiB",
        wit::send_sse(None, None, Some(WitData::Value(vec![b'a'; (1 << 20) + 1]))),
    );
    case("bad status", wit::send_response_start(99, &[]));
    case("first event", wit::send_sse(Some("ok"), None, None));
    case("start after an event", wit::send_response_start(200, &[]));
    // The stream has started: the report goes out as its last event.
    let report = lines.join("\n");
    let _ = wit::send_sse(Some("report"), None, data(&report));
    WebResponse::new()
}

#[inline(never)]
fn recurse(depth: u64) -> u64 {
    if depth == u64::MAX {
        return 0;
    }
    let mut frame = [depth; 16];
    std::hint::black_box(&mut frame);
    recurse(frame[3] + 1) + frame[7]
}

#[inline(never)]
fn recurse_wasm(n: u64) -> u64 {
    if n == u64::MAX {
        return 0;
    }
    let r = recurse_wasm(n.wrapping_add(1));
    r.wrapping_mul(r) ^ n
}
