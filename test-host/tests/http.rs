//! The HTTP service through a real guest: mock routes, recording, and real mode against 127.0.0.1.

#![allow(clippy::unwrap_used, reason = "test helpers outside #[test] functions")]

mod common;

use std::time::Duration;

use common::{Loopback, Reply, fail, ok, probe, run};
use momento_functions_test_host::{
    HttpError, HttpOutcome, HttpRoute, InvokeError, Limits, MockResponse, RealHttpConfig, Request,
    TestHost,
};
use serde_json::json;

#[test]
fn a_mock_route_answers_and_the_call_is_recorded() {
    let host = probe(
        TestHost::builder().http_route(
            HttpRoute::get("https://api.example.com/items/1").respond(
                MockResponse::ok()
                    .header("etag", "\"v1\"")
                    .json(json!({"id": 1, "name": "tea"})),
            ),
        ),
    );
    let result = ok(
        &host,
        json!({
            "op": "http", "method": "GET", "url": "https://api.example.com/items/1",
            "headers": [["accept", "application/json"], ["x-trace", "t1"]],
            "timeout_ms": 1500, "parse_json": true
        }),
    );
    assert_eq!(result["status"], 200);
    assert_eq!(result["body"], json!({"id": 1, "name": "tea"}));
    assert_eq!(
        result["headers"],
        json!([["etag", "\"v1\""], ["content-type", "application/json"]])
    );

    let calls = host.http().calls();
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(call.method, "GET");
    assert_eq!(call.url, "https://api.example.com/items/1");
    assert_eq!(call.header("X-Trace"), Some("t1"));
    assert_eq!(call.timeout, Some(Duration::from_millis(1500)));
    assert_eq!(call.route, Some(0));
    assert_eq!(call.status(), Some(200));
    assert_eq!(
        call.to_string(),
        "GET https://api.example.com/items/1 → 200"
    );
    assert!(!call.invocation_id.is_empty());
}

#[test]
fn json_bodies_are_matched_and_sent_with_a_content_type() {
    let host = probe(
        TestHost::builder().http_route(
            HttpRoute::post("https://api.example.com/orders")
                .header("content-type", "application/json")
                .json_body(json!({"item": "tea", "quantity": 2}))
                .respond(MockResponse::new(201).json(json!({"id": 7}))),
        ),
    );
    let result = ok(
        &host,
        json!({
            "op": "http", "method": "POST", "url": "https://api.example.com/orders",
            "json": {"quantity": 2, "item": "tea"}, "parse_json": true
        }),
    );
    assert_eq!(
        (result["status"].clone(), result["body"].clone()),
        (json!(201), json!({"id": 7}))
    );
    let call = &host.http().calls()[0];
    assert_eq!(
        call.json::<serde_json::Value>().unwrap(),
        json!({"item": "tea", "quantity": 2})
    );
}

#[test]
fn sequences_answer_in_order_and_error_statuses_become_502() {
    let host = probe(
        TestHost::builder().http_route(
            HttpRoute::get("https://flaky.example.com/")
                .respond(MockResponse::new(503).body("try later"))
                .respond(MockResponse::ok().body("fine"))
                .expect(3),
        ),
    );
    let op = json!({"op": "http", "method": "GET", "url": "https://flaky.example.com/", "error_for_status": true});
    let (status, kind, message) = fail(&host, op.clone());
    assert_eq!((status, kind.as_str()), (502, "Status"));
    assert_eq!(
        message,
        "https://flaky.example.com/ answered with status 503: try later"
    );
    assert_eq!(ok(&host, op.clone())["body"], "fine");
    let unmet = host.http().verify().unwrap_err();
    assert!(unmet.to_string().contains("called 2 times"), "{unmet}");
    assert_eq!(ok(&host, op)["body"], "fine");
    assert_eq!(host.http().verify(), Ok(()));
    assert_eq!(host.http().route_calls(0), 3);
    let statuses: Vec<_> = host.http().calls().iter().map(|c| c.status()).collect();
    assert_eq!(statuses, [Some(503), Some(200), Some(200)]);
}

#[test]
fn an_unmatched_request_fails_the_invocation_listing_request_and_routes() {
    let host = probe(
        TestHost::builder()
            .http_route(HttpRoute::get("https://api.example.com/items/1"))
            .http_route(HttpRoute::post("https://api.example.com/items/").prefix()),
    );
    let error = host
        .invoke(Request::post("/").json(&json!({
            "op": "http", "method": "GET", "url": "https://api.example.com/items/2",
            "headers": [["x-trace", "t9"]]
        })))
        .unwrap_err();
    let InvokeError::HostCall { message } = &error else {
        panic!("expected a host-call error, got {error:?}");
    };
    for expected in [
        "no HTTP mock route matches GET https://api.example.com/items/2",
        "headers: x-trace: t9",
        "[0] GET https://api.example.com/items/1 — URL differs",
        "[1] POST https://api.example.com/items/* — method is GET, not POST",
    ] {
        assert!(
            message.contains(expected),
            "missing {expected:?} in:\n{message}"
        );
    }
    let calls = host.http().calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].outcome, HttpOutcome::Unmatched);
    // The host keeps serving; routes can be added later.
    host.http().add_route(
        HttpRoute::any("https://api.example.com/items/2").respond(MockResponse::new(204)),
    );
    let result = ok(
        &host,
        json!({"op": "http", "method": "GET", "url": "https://api.example.com/items/2"}),
    );
    assert_eq!(result["status"], 204);
}

#[test]
fn without_any_route_the_report_says_so() {
    let host = probe(TestHost::builder());
    let error = host
        .invoke(
            Request::post("/")
                .json(&json!({"op": "http", "method": "GET", "url": "https://x.example.com/"})),
        )
        .unwrap_err();
    assert!(
        error.to_string().contains("no routes are configured"),
        "{error}"
    );
}

#[test]
fn mock_faults_reach_the_function_as_typed_errors() {
    let host = probe(
        TestHost::builder()
            .http_route(
                HttpRoute::get("https://slow.example.com/").respond(MockResponse::timeout()),
            )
            .http_route(
                HttpRoute::get("https://down.example.com/").respond(MockResponse::connect_error()),
            )
            .http_route(
                HttpRoute::get("https://reset.example.com/").respond(MockResponse::error(
                    HttpError::ConnectionInterrupted("connection reset".into()),
                )),
            )
            .http_route(
                HttpRoute::get("https://html.example.com/")
                    .respond(MockResponse::ok().body("<html>")),
            ),
    );
    let get = |url: &str| json!({"op": "http", "method": "GET", "url": url, "parse_json": true});
    let (status, kind, _) = fail(&host, get("https://slow.example.com/"));
    assert_eq!((status, kind.as_str()), (504, "Timeout"));
    let (status, kind, _) = fail(&host, get("https://down.example.com/"));
    assert_eq!((status, kind.as_str()), (502, "ConnectionFailed"));
    let (status, kind, message) = fail(&host, get("https://reset.example.com/"));
    assert_eq!((status, kind.as_str()), (502, "ConnectionInterrupted"));
    assert!(message.contains("connection reset"), "{message}");
    let (status, kind, _) = fail(&host, get("https://html.example.com/"));
    assert_eq!((status, kind.as_str()), (502, "DeserializeJson"));
    let outcomes: Vec<_> = host.http().calls().into_iter().map(|c| c.outcome).collect();
    assert!(matches!(
        outcomes[0],
        HttpOutcome::Error(HttpError::Timeout(_))
    ));
    assert!(matches!(
        outcomes[1],
        HttpOutcome::Error(HttpError::ConnectionFailed(_))
    ));
    assert_eq!(outcomes[3], HttpOutcome::Response { status: 200 });
}

#[test]
fn malformed_requests_are_rejected_in_mock_mode_as_in_production() {
    let host = probe(TestHost::builder().http_route(HttpRoute::any("https://").prefix()));
    let cases = [
        (json!({"method": "GET", "url": "/relative"}), "InvalidUrl"),
        (
            json!({"method": "GET", "url": "ftp://files.example.com/"}),
            "InvalidUrl",
        ),
        (
            json!({"method": "GET", "url": "https://exa mple.com/"}),
            "InvalidUrl",
        ),
        (
            json!({"method": "G E T", "url": "https://example.com/"}),
            "InvalidMethod",
        ),
        (
            json!({"method": "GET", "url": "https://example.com/", "headers": [["bad name", "v"]]}),
            "InvalidHeaderName",
        ),
        (
            json!({"method": "GET", "url": "https://example.com/", "headers": [["x", "a\r\nb"]]}),
            "InvalidHeaderValue",
        ),
    ];
    for (mut op, expected) in cases {
        op["op"] = json!("http");
        let (status, kind, message) = fail(&host, op.clone());
        assert_eq!((status, kind.as_str()), (500, expected), "{op}: {message}");
    }
    // The SDK refuses an invalid method itself (its `Method` type); the other five reach the host.
    let calls = host.http().calls();
    assert_eq!(calls.len(), 5);
    assert!(
        calls
            .iter()
            .all(|c| matches!(c.outcome, HttpOutcome::Error(_)) && c.route.is_none())
    );
    assert_eq!(
        host.http().route_calls(0),
        0,
        "rejected requests reach no route"
    );
}

#[test]
fn bodies_the_function_cannot_encode_or_decode_are_typed_errors() {
    let host = probe(
        TestHost::builder().http_route(
            HttpRoute::get("https://bin.example.com/")
                .respond(MockResponse::ok().body(vec![0xff, 0xfe])),
        ),
    );
    let (status, kind, _) = fail(
        &host,
        json!({"op": "http_unserializable", "url": "https://bin.example.com/"}),
    );
    assert_eq!((status, kind.as_str()), (500, "SerializeJson"));
    assert!(host.http().calls().is_empty(), "nothing was sent");
    let (status, kind, _) = fail(
        &host,
        json!({"op": "http", "method": "GET", "url": "https://bin.example.com/", "read_text": true}),
    );
    assert_eq!((status, kind.as_str()), (502, "Utf8"));
}

// ---- real mode ---------------------------------------------------------------------------------

#[test]
fn real_mode_reuses_one_connection_across_invocations() {
    let server = Loopback::start(|request| {
        Reply::ok(format!(
            "{} {} {}",
            request.method,
            request.target,
            request.body.len()
        ))
    });
    let host = probe(TestHost::builder().real_http());
    assert!(host.http().is_real());
    let invocations = 20;
    for i in 0..invocations {
        let result = ok(
            &host,
            json!({
                "op": "http", "method": "POST", "url": server.url(&format!("/echo?i={i}")),
                "headers": [["x-invocation", i.to_string()]], "body": "x".repeat(i)
            }),
        );
        assert_eq!(result["status"], 200);
        assert_eq!(result["body"], format!("POST /echo?i={i} {i}"));
    }
    assert_eq!(
        server.connections(),
        1,
        "N invocations must share one keep-alive connection"
    );
    let received = server.received();
    assert_eq!(received.len(), invocations);
    assert!(received.iter().all(|r| r.connection == 0));
    for (i, request) in received.iter().enumerate() {
        assert_eq!(request.header("x-invocation"), Some(i.to_string().as_str()));
        assert_eq!(request.body.len(), i);
    }
    assert!(
        received[0]
            .header("user-agent")
            .unwrap_or_default()
            .starts_with("momento-functions-test-host/")
    );
    let calls = host.http().calls();
    assert_eq!(calls.len(), invocations);
    assert!(
        calls
            .iter()
            .all(|c| c.status() == Some(200) && c.route.is_none())
    );
}

#[test]
fn real_mode_concurrent_invocations_use_a_small_constant_number_of_connections() {
    let server = Loopback::start(|_| Reply::ok("ok"));
    let host = probe(TestHost::builder().real_http());
    let threads = 4;
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let host = host.clone();
            let url = server.url("/");
            scope.spawn(move || {
                for _ in 0..10 {
                    let (status, body) =
                        run(&host, json!({"op": "http", "method": "GET", "url": url}));
                    assert_eq!(status, 200, "{body}");
                }
            });
        }
    });
    assert_eq!(server.received().len(), threads * 10);
    assert!(
        server.connections() <= threads,
        "{} connections for {threads} threads",
        server.connections()
    );
}

#[test]
fn real_mode_status_headers_and_redirects_are_returned_as_is() {
    let server = Loopback::start(|request| match request.target.as_str() {
        "/moved" => Reply::Respond {
            status: 302,
            headers: vec![("location".into(), "/elsewhere".into())],
            body: Vec::new(),
        },
        _ => Reply::Respond {
            status: 500,
            headers: vec![("x-upstream".into(), "yes".into())],
            body: b"broken".to_vec(),
        },
    });
    let host = probe(TestHost::builder().real_http());
    let moved = ok(
        &host,
        json!({"op": "http", "method": "GET", "url": server.url("/moved")}),
    );
    assert_eq!(moved["status"], 302);
    assert!(
        moved["headers"]
            .as_array()
            .unwrap()
            .contains(&json!(["location", "/elsewhere"]))
    );
    let broken = ok(
        &host,
        json!({"op": "http", "method": "GET", "url": server.url("/x")}),
    );
    assert_eq!(
        (broken["status"].clone(), broken["body"].clone()),
        (json!(500), json!("broken"))
    );
    assert!(
        broken["headers"]
            .as_array()
            .unwrap()
            .contains(&json!(["x-upstream", "yes"]))
    );
    assert_eq!(server.received().len(), 2, "the redirect was not followed");
}

#[test]
fn real_mode_routes_still_answer_what_they_match() {
    let server = Loopback::start(|_| Reply::ok("from the network"));
    let mocked = server.url("/mocked");
    let host = probe(TestHost::builder().real_http().http_route(
        HttpRoute::get(mocked.clone()).respond(MockResponse::ok().body("from the mock")),
    ));
    assert_eq!(
        ok(&host, json!({"op": "http", "method": "GET", "url": mocked}))["body"],
        "from the mock"
    );
    assert_eq!(server.connections(), 0);
    assert_eq!(
        ok(
            &host,
            json!({"op": "http", "method": "GET", "url": server.url("/real")})
        )["body"],
        "from the network"
    );
    let routes: Vec<_> = host.http().calls().iter().map(|c| c.route).collect();
    assert_eq!(routes, [Some(0), None]);
}

#[test]
fn real_mode_refused_connection_is_a_connect_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let host = probe(TestHost::builder().real_http());
    let (status, kind, message) = fail(
        &host,
        json!({"op": "http", "method": "GET", "url": format!("http://127.0.0.1:{port}/")}),
    );
    assert_eq!(
        (status, kind.as_str()),
        (502, "ConnectionFailed"),
        "{message}"
    );
    assert!(matches!(
        &host.http().calls()[0].outcome,
        HttpOutcome::Error(HttpError::ConnectionFailed(_))
    ));
}

#[test]
fn real_mode_silent_server_times_out_at_the_requested_timeout() {
    let server = Loopback::start(|_| Reply::Silent);
    let host = probe(TestHost::builder().real_http());
    let (status, kind, message) = fail(
        &host,
        json!({"op": "http", "method": "GET", "url": server.url("/"), "timeout_ms": 200}),
    );
    assert_eq!((status, kind.as_str()), (504, "Timeout"), "{message}");
    assert!(message.contains("200ms"), "{message}");
    assert_eq!(
        host.http().calls()[0].timeout,
        Some(Duration::from_millis(200))
    );
}

#[test]
fn real_mode_never_waits_past_the_invocation_deadline() {
    let server = Loopback::start(|_| Reply::Silent);
    let host = probe(
        TestHost::builder()
            .real_http()
            .limits(Limits::default().with_deadline(Duration::from_millis(300))),
    );
    // No timeout asked for: the default (10 s) would outlast the 300 ms deadline; the host cuts it.
    let result = host.invoke(
        Request::post("/").json(&json!({"op": "http", "method": "GET", "url": server.url("/")})),
    );
    match result {
        Err(InvokeError::Timeout { .. }) => {}
        Ok(response) => assert_eq!(response.status(), 504, "{:?}", response.text()),
        Err(other) => panic!("expected a timeout, got {other}"),
    }
    let calls = host.http().calls();
    let HttpOutcome::Error(HttpError::Timeout(message)) = &calls[0].outcome else {
        panic!("expected a recorded timeout, got {:?}", calls[0].outcome);
    };
    assert!(message.contains("invocation's remaining"), "{message}");
}

#[test]
fn real_mode_response_size_is_capped() {
    let server = Loopback::start(|_| Reply::ok(vec![b'x'; 100]));
    let host = probe(
        TestHost::builder().real_http_config(RealHttpConfig::default().with_max_response_bytes(99)),
    );
    let (status, kind, message) = fail(
        &host,
        json!({"op": "http", "method": "GET", "url": server.url("/")}),
    );
    assert_eq!((status, kind.as_str()), (502, "MalformedResponse"));
    assert!(message.contains("99-byte limit"), "{message}");
}

#[test]
fn real_mode_default_timeout_comes_from_the_config() {
    let config = RealHttpConfig::default()
        .with_connect_timeout(Duration::from_millis(50))
        .with_timeout(Duration::from_millis(250));
    let server = Loopback::start(|_| Reply::Silent);
    let host = probe(TestHost::builder().real_http_config(config));
    let (status, kind, message) = fail(
        &host,
        json!({"op": "http", "method": "GET", "url": server.url("/")}),
    );
    assert_eq!((status, kind.as_str()), (504, "Timeout"));
    assert!(
        message.contains("250ms"),
        "the default whole-request timeout applies: {message}"
    );
}
