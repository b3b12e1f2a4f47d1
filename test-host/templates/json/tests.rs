//! The function, built for wasm32-wasip2 and invoked in the local test host.

use std::sync::OnceLock;

use momento_functions_test_host::{Request, TestHost};
use serde_json::{Value, json};

/// One host for every test: the crate is built and compiled once per `cargo test`.
fn host() -> &'static TestHost {
    static HOST: OnceLock<TestHost> = OnceLock::new();
    HOST.get_or_init(|| {
        TestHost::for_crate(env!("CARGO_MANIFEST_DIR")).expect("the function builds and loads")
    })
}

#[test]
fn greets_by_name() {
    let response = host()
        .invoke(Request::post("/").json(&json!({"name": "Ada"})))
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert_eq!(
        response.json::<Value>().unwrap(),
        json!({"message": "Hello, Ada!"})
    );
}

#[test]
fn the_greeting_is_optional() {
    let response = host()
        .invoke(Request::post("/").json(&json!({"name": "Grace", "greeting": "Hi"})))
        .unwrap();
    assert_eq!(
        response.json::<Value>().unwrap(),
        json!({"message": "Hi, Grace!"})
    );
}

#[test]
fn a_missing_field_is_a_400_naming_it() {
    let response = host()
        .invoke(Request::post("/").json(&json!({"greeting": "Hi"})))
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().unwrap();
    assert!(body["message"].as_str().unwrap().contains("name"), "{body}");
}

#[test]
fn an_empty_name_is_refused() {
    let response = host()
        .invoke(Request::post("/").json(&json!({"name": " "})))
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().unwrap();
    assert_eq!(body["message"], "name must not be empty");
}
