//! The capped feed on the test host: the list lives in the shared cache, expires by the test clock, and
//! a key holding a plain value is refused.

use std::time::Duration;

use momento_functions_test_host::{CacheError, CacheOpKind, Request, TestHost, TestHostBuilder};
use serde_json::{Value, json};

fn host(builder: TestHostBuilder) -> TestHost {
    builder
        .test_clock()
        .build_crate(env!("CARGO_MANIFEST_DIR"))
        .expect("the function builds and loads")
}

fn append(host: &TestHost, feed: &str, event: &str) -> (u16, Value) {
    let response = host
        .invoke(Request::post("/").query_param("feed", feed).body(event))
        .expect("the invocation completes");
    (response.status(), response.json().unwrap_or(Value::Null))
}

fn latest(host: &TestHost, feed: &str, n: u32) -> Value {
    let response = host
        .invoke(Request::get("/").query(format!("feed={feed}&n={n}")))
        .expect("the invocation completes");
    assert_eq!(response.status(), 200, "{:?}", response.text());
    response.json().expect("JSON")
}

#[test]
fn the_feed_keeps_the_newest_events_up_to_the_cap() {
    let host = host(TestHost::builder().env("MAX_EVENTS", "3"));
    for (n, event) in ["a", "b", "c", "d"].iter().enumerate() {
        let expected = (n + 1).min(3);
        assert_eq!(
            append(&host, "orders", event),
            (200, json!({"length": expected}))
        );
    }
    assert_eq!(latest(&host, "orders", 20), json!(["b", "c", "d"]));
    assert_eq!(latest(&host, "orders", 2), json!(["c", "d"]));
    assert_eq!(latest(&host, "empty", 5), json!([]));
    assert_eq!(
        host.cache().list_strings("feed:orders").unwrap(),
        ["b", "c", "d"]
    );

    let cleared = host
        .invoke(Request::new("DELETE", "/").query("feed=orders"))
        .unwrap();
    assert_eq!(cleared.json::<Value>().unwrap(), json!(0));
    assert!(!host.cache().contains_key("feed:orders"));
}

#[test]
fn an_idle_feed_expires_and_each_append_renews_it() {
    let host = host(TestHost::builder().env("FEED_TTL_SECS", "60"));
    append(&host, "orders", "a");
    host.clock().advance(Duration::from_secs(50));
    append(&host, "orders", "b");
    host.clock().advance(Duration::from_secs(50));
    assert_eq!(latest(&host, "orders", 5), json!(["a", "b"]));
    host.clock().advance(Duration::from_secs(10));
    assert_eq!(latest(&host, "orders", 5), json!([]));
}

#[test]
fn a_plain_value_under_the_key_and_cache_faults_become_statuses() {
    let host = host(TestHost::builder().cache_entry("feed:legacy", "not a list"));
    let (status, _) = append(&host, "legacy", "a");
    assert_eq!(status, 409);
    assert_eq!(append(&host, "bad feed", "a").0, 400);
    assert_eq!(append(&host, "orders", "").0, 400);
    host.cache().fail_op(
        CacheOpKind::ListPushBack,
        CacheError::Timeout("injected".into()),
    );
    assert_eq!(append(&host, "orders", "a").0, 504);
    let ops: Vec<&str> = host.cache().calls().iter().map(|c| c.op_name()).collect();
    assert_eq!(ops, ["list_push_back", "list_push_back"]);
}
