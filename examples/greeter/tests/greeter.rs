//! The typed JSON greeter, built to wasm and invoked through the test host.

use momento_functions_test_host::{Request, TestHost};
use serde_json::{Value, json};

fn host() -> TestHost {
    TestHost::for_crate(env!("CARGO_MANIFEST_DIR")).expect("the greeter function builds and loads")
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
fn optional_fields_are_optional() {
    let response = host()
        .invoke(Request::post("/").json(&json!({"name": "Grace", "greeting": "Hi"})))
        .unwrap();
    assert_eq!(
        response.json::<Value>().unwrap(),
        json!({"message": "Hi, Grace!"})
    );
}

#[test]
fn invalid_json_is_a_400_naming_line_and_column() {
    let response = host().invoke(Request::post("/").body("{bad")).unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().unwrap();
    assert_eq!(body["status"], 400);
    assert_eq!(body["error"], "Bad Request");
    assert_eq!(body["details"]["kind"], "invalid_json");
    assert_eq!(body["details"]["line"], 1);
    assert_eq!(body["details"]["column"], 2);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("invalid JSON request body"),
        "{body}"
    );
}

#[test]
fn a_missing_or_mistyped_field_is_a_400_naming_the_field() {
    let host = host();
    let missing = host
        .invoke(Request::post("/").json(&json!({"nom": "Ada"})))
        .unwrap();
    assert_eq!(missing.status(), 400);
    let body: Value = missing.json().unwrap();
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("missing field `name`"),
        "{body}"
    );

    let mistyped = host
        .invoke(Request::post("/").json(&json!({"name": 42})))
        .unwrap();
    assert_eq!(mistyped.status(), 400);
    let body: Value = mistyped.json().unwrap();
    assert_eq!(body["details"]["field"], "name", "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("invalid type"),
        "{body}"
    );
}

#[test]
fn trailing_garbage_and_empty_bodies_are_400() {
    let host = host();
    for body in [&b"{\"name\":\"Ada\"} extra"[..], b"", b"\xff\xfe"] {
        let response = host.invoke(Request::post("/").body(body)).unwrap();
        assert_eq!(response.status(), 400, "body {body:?}");
    }
}

#[test]
fn handler_errors_are_a_500_with_a_json_body() {
    let response = host()
        .invoke(Request::post("/").json(&json!({"name": "  "})))
        .unwrap();
    assert_eq!(response.status(), 500);
    let body: Value = response.json().unwrap();
    assert_eq!(
        body,
        json!({"status": 500, "error": "Internal Server Error", "message": "cannot greet an empty name"})
    );
}
