//! The read-through cache on the test host: mocked upstream, shared cache, test clock.

use std::time::Duration;

use momento_functions_test_host::{
    CacheError, CacheOpKind, CacheOutcome, HttpRoute, Level, MockResponse, Request, TestHost,
    TestHostBuilder,
};
use serde_json::json;

const UPSTREAM: &str = "https://api.example.com/items";

fn builder() -> TestHostBuilder {
    TestHost::builder()
        .env("UPSTREAM_URL", UPSTREAM)
        .test_clock()
}

fn build(builder: TestHostBuilder) -> TestHost {
    builder
        .build_crate(env!("CARGO_MANIFEST_DIR"))
        .expect("the function builds and loads")
}

fn item(version: u32) -> serde_json::Value {
    json!({"id": "42", "name": "tea", "version": version})
}

fn get(host: &TestHost, id: &str) -> momento_functions_test_host::Response {
    host.invoke(Request::get("/").query_param("id", id))
        .expect("the invocation completes")
}

fn cache_ops(host: &TestHost) -> Vec<String> {
    host.cache()
        .calls()
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn a_miss_fetches_from_upstream_and_caches_with_the_ttl() {
    let host = build(
        builder().http_route(
            HttpRoute::get(format!("{UPSTREAM}/42"))
                .header("accept", "application/json")
                .respond(MockResponse::ok().json(item(1)))
                .expect(1),
        ),
    );
    let response = get(&host, "42");
    assert_eq!(response.status(), 200);
    assert_eq!(response.header("x-cache"), Some("miss"));
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert_eq!(response.json::<serde_json::Value>().unwrap(), item(1));

    host.http().verify().unwrap();
    assert_eq!(host.http().calls()[0].timeout, Some(Duration::from_secs(2)));
    let entry = host.cache().entry("item:42").expect("the item is cached");
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&entry.value).unwrap(),
        item(1)
    );
    assert_eq!(entry.ttl, Some(Duration::from_secs(60)));
    let size = item(1).to_string().len();
    assert_eq!(
        cache_ops(&host),
        [
            "get item:42 → miss".to_owned(),
            format!("set item:42 ({size} bytes, ttl 60s) → stored")
        ]
    );
}

#[test]
fn a_hit_is_served_from_the_cache_without_calling_upstream() {
    // No HTTP route: a call upstream would fail the invocation.
    let host = build(builder().cache_entry("item:42", item(7).to_string()));
    let response = get(&host, "42");
    assert_eq!(response.status(), 200);
    assert_eq!(response.header("x-cache"), Some("hit"));
    assert_eq!(response.json::<serde_json::Value>().unwrap(), item(7));
    assert!(host.http().calls().is_empty());
    let size = item(7).to_string().len();
    assert_eq!(
        cache_ops(&host),
        [format!("get item:42 → hit ({size} bytes)")]
    );
}

#[test]
fn the_second_request_is_a_hit() {
    let host = build(
        builder().http_route(
            HttpRoute::get(format!("{UPSTREAM}/42"))
                .respond(MockResponse::ok().json(item(1)))
                .expect(1),
        ),
    );
    assert_eq!(get(&host, "42").header("x-cache"), Some("miss"));
    let second = get(&host, "42");
    assert_eq!(second.header("x-cache"), Some("hit"));
    assert_eq!(second.json::<serde_json::Value>().unwrap(), item(1));
    host.http().verify().unwrap();
}

#[test]
fn an_item_expires_when_the_clock_passes_its_ttl() {
    let host = build(
        builder().env("CACHE_TTL_SECS", "30").http_route(
            HttpRoute::get(format!("{UPSTREAM}/42"))
                .respond(MockResponse::ok().json(item(1)))
                .respond(MockResponse::ok().json(item(2)))
                .expect(2),
        ),
    );
    assert_eq!(
        get(&host, "42").json::<serde_json::Value>().unwrap(),
        item(1)
    );
    host.clock().advance(Duration::from_secs(29));
    let cached = get(&host, "42");
    assert_eq!(cached.header("x-cache"), Some("hit"));
    assert_eq!(
        host.cache().entry("item:42").unwrap().ttl,
        Some(Duration::from_secs(1))
    );

    host.clock().advance(Duration::from_secs(1));
    assert!(
        !host.cache().contains_key("item:42"),
        "expired by the clock"
    );
    let refreshed = get(&host, "42");
    assert_eq!(refreshed.header("x-cache"), Some("miss"));
    assert_eq!(refreshed.json::<serde_json::Value>().unwrap(), item(2));
    assert_eq!(
        host.cache()
            .get_json::<serde_json::Value>("item:42")
            .unwrap(),
        Some(item(2))
    );
    host.http().verify().unwrap();
}

#[test]
fn an_upstream_error_is_a_502_and_nothing_is_cached() {
    let host = build(
        builder().http_route(
            HttpRoute::get(format!("{UPSTREAM}/42"))
                .respond(MockResponse::new(500).body("database down")),
        ),
    );
    let response = get(&host, "42");
    assert_eq!(response.status(), 502);
    let body: serde_json::Value = response.json().unwrap();
    assert_eq!(body["status"], 502);
    assert_eq!(
        body["message"],
        format!("{UPSTREAM}/42 answered with status 500: database down")
    );
    assert!(host.cache().is_empty());
    assert_eq!(cache_ops(&host), ["get item:42 → miss"]);
    assert_eq!(host.http().calls()[0].status(), Some(500));
}

#[test]
fn an_upstream_timeout_is_a_504_and_bad_json_a_502() {
    let host = build(
        builder()
            .http_route(HttpRoute::get(format!("{UPSTREAM}/slow")).respond(MockResponse::timeout()))
            .http_route(
                HttpRoute::get(format!("{UPSTREAM}/html"))
                    .respond(MockResponse::ok().body("<html>")),
            ),
    );
    assert_eq!(get(&host, "slow").status(), 504);
    assert_eq!(get(&host, "html").status(), 502);
    assert!(
        host.cache().is_empty(),
        "a body that is not JSON is never cached"
    );
}

#[test]
fn a_failing_cache_read_is_logged_and_served_from_upstream() {
    let host = build(
        builder().http_route(
            HttpRoute::get(format!("{UPSTREAM}/42"))
                .respond(MockResponse::ok().json(item(1)))
                .expect(1),
        ),
    );
    host.cache()
        .fail_next(1, CacheError::Timeout("injected".into()));
    let response = get(&host, "42");
    assert_eq!(response.status(), 200);
    assert_eq!(response.header("x-cache"), Some("error"));
    assert_eq!(response.json::<serde_json::Value>().unwrap(), item(1));
    let warning = response
        .logs()
        .iter()
        .find(|r| r.level == Level::Warn)
        .expect("a warning is logged");
    assert!(
        warning.message.contains("cache read of item:42 failed"),
        "{}",
        warning.message
    );
    // The cache was not written after a failed read (it may be unhealthy); the next request refills it.
    assert_eq!(cache_ops(&host), ["get item:42 → error: timeout: injected"]);
    host.http().verify().unwrap();
}

#[test]
fn a_failing_cache_write_is_logged_and_still_answers() {
    let host = build(
        builder().http_route(
            HttpRoute::get(format!("{UPSTREAM}/42"))
                .respond(MockResponse::ok().json(item(1)))
                .expect(2),
        ),
    );
    host.cache()
        .fail_op(CacheOpKind::Set, CacheError::Internal("disk full".into()));
    let response = get(&host, "42");
    assert_eq!(response.status(), 200);
    assert_eq!(response.header("x-cache"), Some("miss"));
    assert_eq!(response.json::<serde_json::Value>().unwrap(), item(1));
    assert!(
        response
            .logs()
            .iter()
            .any(|r| r.level == Level::Warn && r.message.contains("cache write of item:42 failed"))
    );
    assert!(host.cache().is_empty());
    let calls = host.cache().calls();
    assert_eq!(calls[0].result, Ok(CacheOutcome::Miss));
    assert!(matches!(calls[1].result, Err(CacheError::Internal(_))));

    // Once the cache recovers, the next request fills it.
    host.cache().clear_faults();
    assert_eq!(get(&host, "42").header("x-cache"), Some("miss"));
    assert!(host.cache().contains_key("item:42"));
    host.http().verify().unwrap();
}

#[test]
fn a_key_that_always_fails_is_always_served_from_upstream() {
    let host = build(
        builder().http_route(
            HttpRoute::get(format!("{UPSTREAM}/42"))
                .respond(MockResponse::ok().json(item(1)))
                .expect(3),
        ),
    );
    host.cache().fail_key(
        "item:42",
        CacheError::PermissionDenied("not this key".into()),
    );
    for _ in 0..3 {
        let response = get(&host, "42");
        assert_eq!(response.status(), 200);
        assert_eq!(response.header("x-cache"), Some("error"));
    }
    host.http().verify().unwrap();
    assert!(
        host.cache()
            .calls()
            .iter()
            .all(|c| c.op_name() == "get" && c.is_err())
    );
}

#[test]
fn bad_ids_and_missing_configuration_are_rejected() {
    let host = build(builder());
    assert_eq!(get(&host, "../etc").status(), 400);
    assert_eq!(
        host.invoke(Request::get("/")).unwrap().status(),
        400,
        "id is required"
    );
    assert!(host.cache().calls().is_empty());

    let unconfigured = build(TestHost::builder());
    let response = get(&unconfigured, "42");
    assert_eq!(response.status(), 500);
    assert!(
        response
            .text()
            .unwrap()
            .contains("UPSTREAM_URL is not configured")
    );
}

#[test]
fn the_fixtures_file_seeds_cache_upstream_and_environment() {
    let host = TestHost::builder()
        .fixtures_file(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures.toml"))
        .build_crate(env!("CARGO_MANIFEST_DIR"))
        .expect("the function builds and loads with its fixtures");

    let cached = get(&host, "7");
    assert_eq!(cached.status(), 200);
    assert_eq!(cached.header("x-cache"), Some("hit"));
    assert_eq!(
        cached.json::<serde_json::Value>().unwrap(),
        json!({"id": "7", "name": "coffee", "source": "cache"})
    );

    let fetched = get(&host, "42");
    assert_eq!(fetched.header("x-cache"), Some("miss"));
    assert_eq!(
        fetched.json::<serde_json::Value>().unwrap(),
        json!({"id": "42", "name": "tea", "source": "upstream"})
    );
    // Stored with the fixtures' CACHE_TTL_SECS, and the route's `times = 1` holds.
    assert!(host.cache().contains_key("item:42"));
    assert_eq!(get(&host, "42").header("x-cache"), Some("hit"));
    host.http()
        .verify()
        .expect("one upstream call, as the fixtures expect");
}
