//! The function, built for wasm32-wasip2 and invoked in the local test host.

use std::sync::OnceLock;

use momento_functions_test_host::{Request, TestHost};

/// One host for every test: the crate is built and compiled once per `cargo test`.
fn host() -> &'static TestHost {
    static HOST: OnceLock<TestHost> = OnceLock::new();
    HOST.get_or_init(|| {
        TestHost::for_crate(env!("CARGO_MANIFEST_DIR")).expect("the function builds and loads")
    })
}

#[test]
fn greets_by_name() {
    let response = host().invoke(Request::get("/").query("name=Ada")).unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().unwrap(), "Hello, Ada!");
    assert!(
        response
            .logs()
            .iter()
            .any(|record| record.message == "greeting Ada")
    );
}

#[test]
fn greets_the_world_by_default() {
    let response = host().invoke(Request::get("/")).unwrap();
    assert_eq!(response.text().unwrap(), "Hello, world!");
}

#[test]
fn echoes_what_is_posted() {
    let response = host().invoke(Request::post("/").body("ping")).unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.body(), b"ping");
    assert_eq!(
        response.bytes_copied_to_guest(),
        0,
        "the body stayed in the host"
    );
}

#[test]
fn other_methods_are_not_allowed() {
    let response = host().invoke(Request::new("DELETE", "/")).unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.header("allow"), Some("GET, POST"));
}
