//! The published-SDK function, built for wasm32-wasip2 and invoked in momento-functions-test-host: the
//! same `TestHost::for_crate` and mock cache that functions written with this repository's SDK use.

use std::time::Duration;

use momento_functions_test_host::{CacheError, Handler, Request, TestHost, TestHostBuilder};
use serde_json::{Value, json};

/// A host of its own for each test (a fresh cache); the crate is built once per `cargo test`.
fn host(builder: TestHostBuilder) -> TestHost {
    builder
        .build_crate(env!("CARGO_MANIFEST_DIR"))
        .expect("the function builds and loads")
}

fn put(id: &str, note: &Value) -> Request {
    Request::new("PUT", "/")
        .query(format!("id={id}"))
        .json(note)
}

#[test]
fn it_is_a_web_function_importing_only_what_it_uses() {
    let host = TestHost::for_crate(env!("CARGO_MANIFEST_DIR")).unwrap();
    assert_eq!(host.imports().handler, Some(Handler::Web));
    assert!(
        host.imports()
            .host_interfaces
            .iter()
            .any(|interface| interface.starts_with("momento:cache-scalar/")),
        "{:?}",
        host.imports().host_interfaces
    );
}

#[test]
fn stores_and_reads_a_note() {
    // The test clock stands still, so the TTL left is exactly the TTL set.
    let host = host(TestHost::builder().test_clock());
    let note = json!({"title": "groceries", "text": "eggs, flour"});
    let stored = host.invoke(put("7", &note)).unwrap();
    assert_eq!(stored.status(), 201);
    assert_eq!(
        host.cache().get_json::<Value>("note:7").unwrap(),
        Some(note.clone())
    );
    assert_eq!(
        host.cache().entry("note:7").unwrap().ttl,
        Some(Duration::from_secs(3600))
    );

    let read = host.invoke(Request::get("/").query("id=7")).unwrap();
    assert_eq!(read.status(), 200);
    assert_eq!(read.json::<Value>().unwrap(), note);
}

#[test]
fn notes_expire_after_an_hour() {
    let host = host(TestHost::builder().test_clock());
    host.invoke(put("1", &json!({"title": "t", "text": "x"})))
        .unwrap();
    host.clock().advance(Duration::from_secs(3601));
    let read = host.invoke(Request::get("/").query("id=1")).unwrap();
    assert_eq!(read.status(), 404);
    assert_eq!(read.text().unwrap(), "no note 1");
}

#[test]
fn deletes_a_seeded_note() {
    let host = host(TestHost::builder().cache_entry("note:3", r#"{"title":"a","text":"b"}"#));
    let read = host.invoke(Request::get("/").query("id=3")).unwrap();
    assert_eq!(read.json::<Value>().unwrap()["title"], "a");
    let deleted = host
        .invoke(Request::new("DELETE", "/").query("id=3"))
        .unwrap();
    assert_eq!(deleted.status(), 204);
    assert!(!host.cache().contains_key("note:3"));
}

#[test]
fn bad_requests_are_answered_by_the_function() {
    let host = host(TestHost::builder());
    let no_id = host.invoke(Request::get("/")).unwrap();
    assert_eq!(no_id.status(), 400);
    let not_a_note = host
        .invoke(put("2", &json!({"title": "only a title"})))
        .unwrap();
    assert_eq!(not_a_note.status(), 400);
    assert!(
        not_a_note.text().unwrap().starts_with("not a note"),
        "{:?}",
        not_a_note.text()
    );
    let patch = host
        .invoke(Request::new("PATCH", "/").query("id=2"))
        .unwrap();
    assert_eq!(patch.status(), 405);
    assert_eq!(patch.header("allow"), Some("GET, PUT, DELETE"));
}

#[test]
fn a_cache_fault_becomes_the_sdks_error_response() {
    let host = host(TestHost::builder());
    host.cache()
        .fail_next(1, CacheError::Timeout("injected".into()));
    let read = host.invoke(Request::get("/").query("id=9")).unwrap();
    // Momento's SDK answers a handler's `Err` with 500 and a plain-text message.
    assert_eq!(read.status(), 500);
    assert!(read.text().unwrap().contains("error"), "{:?}", read.text());
}
