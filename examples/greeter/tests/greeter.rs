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

#[test]
fn get_greets_every_repeated_name_from_the_query() {
    let response = host()
        .invoke(Request::get("/").query("name=Ada&name=Grace"))
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(response.text().unwrap(), "Hello, Ada and Grace!");
}

#[test]
fn get_decodes_and_types_query_parameters() {
    let response = host()
        .invoke(
            Request::get("/")
                .query_param("name", "Zoë & co")
                .query_param("shout", "true"),
        )
        .unwrap();
    assert_eq!(response.text().unwrap(), "HELLO, ZOË & CO!");
}

#[test]
fn get_with_a_mistyped_query_is_a_400() {
    let response = host()
        .invoke(Request::get("/").query("name=Ada&shout=loudly"))
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().unwrap();
    assert_eq!(body["details"]["kind"], "invalid_query");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("invalid query string"),
        "{body}"
    );
}

#[test]
fn get_without_names_is_the_handlers_own_400() {
    let response = host().invoke(Request::get("/")).unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().unwrap();
    assert_eq!(body["message"], "add at least one `name` query parameter");
}

#[test]
fn other_methods_are_405_with_allow() {
    let host = host();
    for method in ["PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "PURGE"] {
        let response = host.invoke(Request::new(method, "/")).unwrap();
        assert_eq!(response.status(), 405, "{method}");
        assert_eq!(response.header("allow"), Some("GET, POST"), "{method}");
    }
}

#[test]
fn the_greeting_comes_from_the_environment() {
    let host = TestHost::builder()
        .env("GREETING", "Howdy")
        .build_crate(env!("CARGO_MANIFEST_DIR"))
        .unwrap();
    let post = host
        .invoke(Request::post("/").json(&json!({"name": "Ada"})))
        .unwrap();
    assert_eq!(
        post.json::<Value>().unwrap(),
        json!({"message": "Howdy, Ada!"})
    );
    let get = host.invoke(Request::get("/").query("name=Ada")).unwrap();
    assert_eq!(get.text().unwrap(), "Howdy, Ada!");
}

#[test]
fn greetings_are_logged_with_level_and_target() {
    use momento_functions_test_host::{Level, LogSource};
    let host = host();
    let response = host
        .invoke(Request::post("/").json(&json!({"name": "Ada"})))
        .unwrap();
    let logs = response.logs();
    assert_eq!(logs.len(), 1, "{logs:?}");
    assert_eq!(logs[0].level, Level::Info);
    assert_eq!(logs[0].target, "example_greeter");
    assert_eq!(logs[0].message, "greeting Ada");
    assert_eq!(logs[0].source, LogSource::Log);
    assert_eq!(logs[0].invocation_id, response.invocation_id());

    let response = host
        .invoke(Request::get("/items").query("name=Bo"))
        .unwrap();
    assert_eq!(response.logs()[0].target, "greeter::get");
    assert_eq!(response.logs()[0].message, "greeting Bo from /items");
    // The host keeps every invocation's records.
    assert_eq!(host.logs().len(), 2);
}

#[test]
fn the_log_level_filters_records() {
    let host = TestHost::builder()
        .log_level(momento_functions_test_host::Level::Warn)
        .build_crate(env!("CARGO_MANIFEST_DIR"))
        .unwrap();
    let response = host
        .invoke(Request::post("/").json(&json!({"name": "Ada"})))
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.logs().is_empty(), "{:?}", response.logs());
}
