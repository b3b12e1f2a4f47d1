//! Every extractor and response type, through the compiled function.

use momento_functions_test_host::{Request, TestHost};
use serde_json::{Value, json};

fn host() -> TestHost {
    TestHost::builder()
        .function_name("request-info")
        .build_crate(env!("CARGO_MANIFEST_DIR"))
        .expect("the request-info function builds and loads")
}

#[test]
fn the_context_carries_method_path_query_headers_and_metadata() {
    let response = host()
        .invoke(
            Request::get("/items/7")
                .query("tag=a&tag=b&q=hello%20world")
                .header("User-Agent", "one")
                .header("user-agent", "two")
                .header("X-Trace", "abc")
                .token_metadata(r#"{"tenant":"t1"}"#),
        )
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.header("content-type"), Some("application/json"));
    let info: Value = response.json().unwrap();
    assert_eq!(info["method"], "GET");
    assert_eq!(info["path"], "/items/7");
    assert_eq!(
        info["query"],
        json!([["tag", "a"], ["tag", "b"], ["q", "hello world"]])
    );
    assert_eq!(info["user_agents"], json!(["one", "two"]));
    assert_eq!(
        info["headers"],
        json!([
            ["User-Agent", "one"],
            ["user-agent", "two"],
            ["X-Trace", "abc"]
        ])
    );
    assert_eq!(info["invocation_id"], response.invocation_id());
    assert_eq!(info["function_name"], "request-info");
    assert_eq!(info["token_metadata"], r#"{"tenant":"t1"}"#);
}

#[test]
fn invocation_ids_differ_and_token_metadata_is_optional() {
    let host = host();
    let a: Value = host.invoke(Request::get("/")).unwrap().json().unwrap();
    let b: Value = host.invoke(Request::get("/")).unwrap().json().unwrap();
    assert_ne!(a["invocation_id"], b["invocation_id"]);
    assert_eq!(a["token_metadata"], Value::Null);
    assert_eq!(a["path"], "/");
}

#[test]
fn a_string_body_and_a_context_together() {
    let response = host()
        .invoke(Request::post("/notes").body("héllo"))
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(response.text().unwrap(), "/notes: héllo");
}

#[test]
fn a_non_utf8_string_body_is_a_400_saying_where() {
    let response = host()
        .invoke(Request::post("/").body(&b"ok\xffno"[..]))
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().unwrap();
    assert_eq!(
        body["details"],
        json!({"kind": "invalid_utf8", "valid_up_to": 2})
    );
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("not valid UTF-8"),
        "{body}"
    );
}

#[test]
fn a_web_response_built_by_hand() {
    let response = host()
        .invoke(Request::new("PUT", "/things").body("payload"))
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(response.header("Location"), Some("/things/1"));
    assert_eq!(response.body(), b"payload");
}

#[test]
fn status_and_json_tuple_with_method_and_headers() {
    let response = host()
        .invoke(
            Request::new("PATCH", "/")
                .header("x-trace", "t-9")
                .json(&json!({"a": [1, 2]})),
        )
        .unwrap();
    assert_eq!(response.status(), 202);
    assert_eq!(
        response.json::<Value>().unwrap(),
        json!({"method": "PATCH", "trace": "t-9", "value": {"a": [1, 2]}})
    );
}

#[test]
fn unit_is_204_with_no_body() {
    let response = host().invoke(Request::new("DELETE", "/x")).unwrap();
    assert_eq!(response.status(), 204);
    assert!(response.body().is_empty());
}

#[test]
fn json_errors_name_the_nested_field() {
    // PATCH takes any JSON value, so only syntax errors are possible: line and column are reported.
    let response = host()
        .invoke(Request::new("PATCH", "/").body("{\n  \"a\": [1,\n  2,,]\n}"))
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().unwrap();
    assert_eq!(body["details"]["line"], 3);
    assert_eq!(body["details"]["column"], 5);
}
