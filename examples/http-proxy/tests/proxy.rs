//! The proxy on the test host: against mock routes, and in real mode against a server on 127.0.0.1.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use momento_functions_test_host::{
    HttpError, HttpRoute, MockResponse, Request, Response, TestHost, TestHostBuilder,
};

const UPSTREAM: &str = "https://upstream.example.com/api";

fn build(builder: TestHostBuilder) -> TestHost {
    builder
        .function_name("proxy")
        .build_crate(env!("CARGO_MANIFEST_DIR"))
        .expect("the function builds and loads")
}

fn mocked(route: HttpRoute) -> TestHost {
    build(
        TestHost::builder()
            .env("UPSTREAM_URL", UPSTREAM)
            .http_route(route),
    )
}

fn order_request() -> Request {
    Request::post("/orders")
        .query("dry_run=1")
        .header("content-type", "application/json")
        .header("authorization", "Bearer secret")
        .header("cookie", "session=private")
        .header("x-request-id", "req-7")
        .body(r#"{"item":"tea"}"#)
}

#[test]
fn forwards_method_path_query_body_and_selected_headers() {
    let host = mocked(
        HttpRoute::post(format!("{UPSTREAM}/orders?dry_run=1"))
            .header("authorization", "Bearer secret")
            .json_body(serde_json::json!({"item": "tea"}))
            .respond(
                MockResponse::new(201)
                    .json(serde_json::json!({"id": 7}))
                    .header("etag", "\"o7\"")
                    .header("set-cookie", "upstream=secret"),
            )
            .expect(1),
    );
    let response = host.invoke(order_request()).unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(
        response.json::<serde_json::Value>().unwrap(),
        serde_json::json!({"id": 7})
    );
    assert_eq!(response.header("etag"), Some("\"o7\""));
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert_eq!(
        response.header("set-cookie"),
        None,
        "response headers are filtered too"
    );
    host.http().verify().unwrap();

    let call = &host.http().calls()[0];
    assert_eq!(call.header("content-type"), Some("application/json"));
    assert_eq!(call.header("x-request-id"), Some("req-7"));
    assert_eq!(call.header("cookie"), None, "cookies stay behind");
    assert_eq!(
        call.header("x-forwarded-by"),
        Some(format!("proxy/{}", response.invocation_id()).as_str())
    );
    assert_eq!(call.timeout, Some(std::time::Duration::from_secs(5)));
}

#[test]
fn put_and_patch_are_forwarded_with_their_method_and_get_is_not_served() {
    let host =
        mocked(HttpRoute::any(format!("{UPSTREAM}/items/1")).respond(MockResponse::new(204)));
    for method in ["PUT", "PATCH"] {
        let response = host
            .invoke(Request::new(method, "/items/1").body("x"))
            .unwrap();
        assert_eq!(response.status(), 204, "{method}");
    }
    let methods: Vec<String> = host.http().calls().into_iter().map(|c| c.method).collect();
    assert_eq!(methods, ["PUT", "PATCH"]);
    assert_eq!(host.invoke(Request::get("/items/1")).unwrap().status(), 405);
    assert_eq!(host.http().calls().len(), 2);
}

#[test]
fn upstream_error_statuses_pass_through() {
    let host = mocked(
        HttpRoute::post(format!("{UPSTREAM}/orders"))
            .prefix()
            .respond(MockResponse::new(503).body("maintenance")),
    );
    let response = host.invoke(order_request()).unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(response.text().unwrap(), "maintenance");
}

fn error_body(response: &Response) -> String {
    let body: serde_json::Value = response.json().expect("error responses are JSON");
    body["message"].as_str().unwrap_or_default().to_owned()
}

#[test]
fn an_unreachable_upstream_is_502_and_a_slow_one_504() {
    let down = mocked(
        HttpRoute::post(format!("{UPSTREAM}/orders"))
            .prefix()
            .respond(MockResponse::connect_error()),
    );
    let response = down.invoke(order_request()).unwrap();
    assert_eq!(response.status(), 502);
    assert!(
        error_body(&response).starts_with("cannot connect"),
        "{}",
        error_body(&response)
    );

    let slow = mocked(
        HttpRoute::post(format!("{UPSTREAM}/orders"))
            .prefix()
            .respond(MockResponse::error(HttpError::Timeout("no answer".into()))),
    );
    let response = slow.invoke(order_request()).unwrap();
    assert_eq!(response.status(), 504);
    assert_eq!(error_body(&response), "request timed out: no answer");
}

#[test]
fn the_timeout_comes_from_the_environment() {
    let host = build(
        TestHost::builder()
            .env("UPSTREAM_URL", UPSTREAM)
            .env("UPSTREAM_TIMEOUT_MS", "750")
            .http_route(HttpRoute::any(UPSTREAM).prefix()),
    );
    host.invoke(order_request()).unwrap();
    assert_eq!(
        host.http().calls()[0].timeout,
        Some(std::time::Duration::from_millis(750))
    );
}

#[test]
fn a_bad_upstream_url_is_a_500_naming_it() {
    let host = build(TestHost::builder().env("UPSTREAM_URL", "not a url"));
    let response = host.invoke(order_request()).unwrap();
    assert_eq!(response.status(), 500);
    assert!(
        error_body(&response).starts_with("invalid URL"),
        "{}",
        error_body(&response)
    );

    let unconfigured = build(TestHost::builder());
    let response = unconfigured.invoke(order_request()).unwrap();
    assert_eq!(response.status(), 500);
    assert_eq!(error_body(&response), "UPSTREAM_URL is not configured");
    assert!(unconfigured.http().calls().is_empty());
}

// ---- real mode against 127.0.0.1 ----------------------------------------------------------------

/// A request the server received: request line, headers (lower-case names), body, connection number.
type Seen = (String, Vec<(String, String)>, Vec<u8>, usize);

/// A keep-alive HTTP/1.1 server on 127.0.0.1 that answers 200 with `upstream saw <n> bytes`.
fn start_server() -> (SocketAddr, Arc<AtomicUsize>, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("local address");
    let connections = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (count, log) = (Arc::clone(&connections), Arc::clone(&seen));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let connection = count.fetch_add(1, Ordering::SeqCst);
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                let mut writer = stream.try_clone().expect("clone the stream");
                let mut reader = BufReader::new(stream);
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let mut headers = Vec::new();
                    loop {
                        let mut header = String::new();
                        if reader.read_line(&mut header).unwrap_or(0) == 0 {
                            return;
                        }
                        match header.trim_end().split_once(':') {
                            Some((n, v)) => {
                                headers.push((n.trim().to_ascii_lowercase(), v.trim().to_owned()))
                            }
                            None => break,
                        }
                    }
                    let length = headers
                        .iter()
                        .find(|(n, _)| n == "content-length")
                        .and_then(|(_, v)| v.parse().ok())
                        .unwrap_or(0);
                    let mut body = vec![0; length];
                    if reader.read_exact(&mut body).is_err() {
                        return;
                    }
                    let reply = format!("upstream saw {} bytes", body.len());
                    log.lock().expect("no panics holding the log").push((
                        line.trim_end().to_owned(),
                        headers,
                        body,
                        connection,
                    ));
                    let response = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nx-internal: hidden\r\ncontent-length: {}\r\n\r\n{reply}",
                        reply.len()
                    );
                    if writer.write_all(response.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    (addr, connections, seen)
}

#[test]
fn real_mode_forwards_to_a_loopback_server_over_one_kept_alive_connection() {
    let (addr, connections, seen) = start_server();
    let host = build(
        TestHost::builder()
            .env("UPSTREAM_URL", format!("http://{addr}/api/"))
            .real_http(),
    );
    for i in 0..5 {
        let response = host
            .invoke(order_request().body(format!("order {i}")))
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.text().unwrap(), "upstream saw 7 bytes");
        assert_eq!(response.header("content-type"), Some("text/plain"));
        assert_eq!(response.header("x-internal"), None);
    }
    assert_eq!(
        connections.load(Ordering::SeqCst),
        1,
        "one pooled connection for all invocations"
    );
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 5);
    let (line, headers, body, connection) = &seen[4];
    assert_eq!(line, "POST /api/orders?dry_run=1 HTTP/1.1");
    assert_eq!(body, b"order 4");
    assert_eq!(*connection, 0);
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(header("authorization"), Some("Bearer secret"));
    assert_eq!(header("x-request-id"), Some("req-7"));
    assert_eq!(header("cookie"), None);
    assert!(header("x-forwarded-by").is_some_and(|v| v.starts_with("proxy/")));
    assert!(host.http().calls().iter().all(|c| c.status() == Some(200)));
}
