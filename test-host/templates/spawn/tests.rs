//! The spawn function, built for wasm32-wasip2 and invoked directly in the local test host: a success
//! is 200 with its note as the body, a failure 500, and the `spawn-result` header names the variant.

use momento_functions_test_host::{Request, TestHost};

fn host() -> TestHost {
    TestHost::for_crate(env!("CARGO_MANIFEST_DIR")).expect("the function builds and loads")
}

#[test]
fn counts_the_words_into_the_cache() {
    let host = host();
    let response = host
        .invoke(
            Request::post("/").json(&serde_json::json!({"key": "doc", "text": "one two  three"})),
        )
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.header("spawn-result"), Some("ok-note"));
    assert_eq!(response.text().unwrap(), "words:doc = 3");
    assert_eq!(host.cache().get_string("words:doc").as_deref(), Some("3"));
}

#[test]
fn an_empty_key_is_a_failure_with_a_note() {
    let response = host()
        .invoke(Request::post("/").json(&serde_json::json!({"key": "", "text": "x"})))
        .unwrap();
    assert_eq!(response.status(), 500);
    assert_eq!(response.header("spawn-result"), Some("failed-note"));
    assert_eq!(response.text().unwrap(), "the key is empty");
}

#[test]
fn a_payload_that_is_not_the_job_fails_without_running() {
    let host = host();
    let response = host.invoke(Request::post("/").body("not json")).unwrap();
    assert_eq!(response.header("spawn-result"), Some("failed-note"));
    assert!(host.cache().is_empty());
}
