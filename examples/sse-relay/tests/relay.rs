//! The relay on the test host, against a mocked upstream event stream.

use momento_functions_test_host::{HttpError, HttpRoute, MockResponse, Request, TestHost};

const UPSTREAM: &str = "https://feed.example.com/prices";

fn relay(upstream: MockResponse) -> TestHost {
    TestHost::builder()
        .env("UPSTREAM_URL", UPSTREAM)
        .http_route(
            HttpRoute::get(UPSTREAM)
                .header("accept", "text/event-stream")
                .respond(upstream),
        )
        .build_crate(env!("CARGO_MANIFEST_DIR"))
        .expect("the relay builds and loads")
}

fn upstream_events(body: &str) -> MockResponse {
    MockResponse::new(200)
        .header("content-type", "text/event-stream")
        .body(body)
}

const FEED: &str = "retry: 5000\n\
    : keep-alive\n\
    event: price\nid: up-1\ndata: {\"tea\":3}\n\n\
    event: news\ndata: tea harvest\ndata: is early\n\n\
    event: price\r\ndata: {\"tea\":4}\r\n\r\n";

#[test]
fn relays_every_event_with_ids_of_its_own_then_done() {
    let host = relay(upstream_events(FEED));
    let response = host.invoke(Request::get("/")).unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.header("content-type"), Some("text/event-stream"));
    let events = response.events();
    let got: Vec<_> = events
        .iter()
        .map(|e| (e.event(), e.id(), e.data()))
        .collect();
    assert_eq!(
        got,
        [
            (Some("price"), Some("1"), Some("{\"tea\":3}")),
            (Some("news"), Some("2"), Some("tea harvest\nis early")),
            (Some("price"), Some("3"), Some("{\"tea\":4}")),
            (Some("done"), None, Some("3")),
        ]
    );
    assert!(
        response
            .logs()
            .iter()
            .any(|r| r.message.contains("relayed 3 events")),
        "{:?}",
        response.logs()
    );
}

#[test]
fn a_filter_keeps_only_the_named_events() {
    let host = relay(upstream_events(FEED));
    let response = host.invoke(Request::get("/").query("only=price")).unwrap();
    let data: Vec<String> = response
        .events()
        .iter()
        .filter(|e| e.event() == Some("price"))
        .filter_map(|e| e.data().map(str::to_owned))
        .collect();
    assert_eq!(data, ["{\"tea\":3}", "{\"tea\":4}"]);
    assert_eq!(response.events().last().unwrap().data(), Some("2"));
}

#[test]
fn an_upstream_error_is_a_502_before_any_event() {
    let host = relay(MockResponse::new(503).body("maintenance"));
    let response = host.invoke(Request::get("/")).unwrap();
    assert_eq!(response.status(), 502);
    assert!(response.stream().is_none());
    assert!(
        response.text().unwrap().contains("503"),
        "{:?}",
        response.text()
    );

    let unreachable = relay(MockResponse::error(HttpError::ConnectionFailed(
        "connection refused".into(),
    )));
    let response = unreachable.invoke(Request::get("/")).unwrap();
    assert_eq!(response.status(), 502);
}

#[test]
fn an_upstream_that_breaks_mid_stream_ends_with_http_error() {
    // The second event is not UTF-8: the relay's `?` turns it into the host's final `http-error` event.
    let mut body = b"data: fine\n\ndata: \xff\xfe\n\n".to_vec();
    body.extend_from_slice(b"data: never relayed\n\n");
    let host = relay(
        MockResponse::new(200)
            .header("content-type", "text/event-stream")
            .body(body),
    );
    let response = host.invoke(Request::get("/")).unwrap();
    let events = response.events();
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0].data(), Some("fine"));
    assert_eq!(events[1].event(), Some("http-error"));
    let data = events[1].data().unwrap();
    assert!(data.starts_with("HTTP 502: "), "{data}");
    assert!(data.contains("broke after 1 events"), "{data}");
}
