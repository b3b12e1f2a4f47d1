//! The echo function, built to wasm and invoked through the test host.

use momento_functions_test_host::{Request, TestHost};

fn host() -> TestHost {
    TestHost::for_crate(env!("CARGO_MANIFEST_DIR")).expect("the echo function builds and loads")
}

#[test]
fn echoes_the_body() {
    let response = host().invoke(Request::post("/").body("hello")).unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().unwrap(), "hello");
    assert_eq!(
        response.header("content-type"),
        Some("application/octet-stream")
    );
}

#[test]
fn echoes_binary_and_empty_bodies() {
    let host = host();
    let binary: Vec<u8> = (0..=255).collect();
    assert_eq!(
        host.invoke(Request::post("/").body(binary.clone()))
            .unwrap()
            .body(),
        binary
    );
    let empty = host.invoke(Request::post("/")).unwrap();
    assert_eq!(empty.status(), 200);
    assert!(empty.body().is_empty());
}

#[test]
fn every_invocation_is_fresh_and_many_work() {
    let host = host();
    for i in 0..200 {
        let body = format!("message {i}");
        let response = host.invoke(Request::post("/").body(body.clone())).unwrap();
        assert_eq!(response.text().unwrap(), body);
    }
}

#[test]
fn other_methods_are_not_allowed() {
    let response = host().invoke(Request::get("/")).unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.header("allow"), Some("POST"));
    let body: serde_json::Value = response.json().unwrap();
    assert_eq!(body["status"], 405);
    assert!(body["message"].as_str().unwrap().contains("GET"), "{body}");
}

#[test]
fn imports_only_what_it_uses() {
    let host = host();
    let imports = host.imports();
    assert!(
        imports
            .exports
            .iter()
            .any(|e| e == "momento:web-function/guest-function-web@1.0.0")
    );
    // Reading the body and the request (bytes, web-function-support), and the log facade's interface.
    assert_eq!(
        imports.host_interfaces,
        [
            "momento:bytes/bytes@1.0.0",
            "momento:web-function/web-function-support@1.0.0",
            "momento:log/logging@1.0.0",
        ],
        "{imports:?}"
    );
}
