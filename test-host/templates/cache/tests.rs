//! The function, built for wasm32-wasip2 and invoked in the local test host, with its in-memory cache.

use std::time::Duration;

use momento_functions_test_host::{CacheError, Request, TestHost, TestHostBuilder};

/// A host of its own for each test (a fresh cache); the crate is built once per `cargo test`.
fn host(builder: TestHostBuilder) -> TestHost {
    builder
        .build_crate(env!("CARGO_MANIFEST_DIR"))
        .expect("the function builds and loads")
}

#[test]
fn stores_and_reads_an_item() {
    let host = host(TestHost::builder());
    let stored = host
        .invoke(Request::new("PUT", "/").query("key=color").body("blue"))
        .unwrap();
    assert_eq!(stored.status(), 201);
    assert_eq!(host.cache().get_string("color").as_deref(), Some("blue"));

    let read = host.invoke(Request::get("/").query("key=color")).unwrap();
    assert_eq!(read.status(), 200);
    assert_eq!(read.text().unwrap(), "blue");
}

#[test]
fn items_expire_after_their_ttl() {
    let host = host(TestHost::builder().env("TTL_SECS", "60").test_clock());
    host.invoke(Request::new("PUT", "/").query("key=k").body("v"))
        .unwrap();
    assert_eq!(
        host.cache().entry("k").unwrap().ttl,
        Some(Duration::from_secs(60))
    );
    host.clock().advance(Duration::from_secs(61));
    let read = host.invoke(Request::get("/").query("key=k")).unwrap();
    assert_eq!(read.status(), 404);
}

#[test]
fn reads_what_the_cache_was_seeded_with_and_deletes_it() {
    let host = host(TestHost::builder().cache_entry("greeting", "hello"));
    let read = host
        .invoke(Request::get("/").query("key=greeting"))
        .unwrap();
    assert_eq!(read.text().unwrap(), "hello");
    let deleted = host
        .invoke(Request::new("DELETE", "/").query("key=greeting"))
        .unwrap();
    assert_eq!(deleted.status(), 204);
    assert!(!host.cache().contains_key("greeting"));
}

#[test]
fn a_cache_failure_is_an_error_response() {
    let host = host(TestHost::builder());
    host.cache()
        .fail_next(1, CacheError::Timeout("injected".into()));
    let read = host.invoke(Request::get("/").query("key=k")).unwrap();
    assert_eq!(read.status(), 504, "a cache timeout is a gateway timeout");
}

#[test]
fn a_missing_key_parameter_is_a_400() {
    let host = host(TestHost::builder());
    let response = host.invoke(Request::get("/")).unwrap();
    assert_eq!(response.status(), 400);
}
