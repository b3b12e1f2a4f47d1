//! The spawn function invoked directly (the test host runs a spawn component as a function: 200 with its
//! note on success, 500 on failure, the variant in `spawn-result`).

use momento_functions_test_host::{Request, TestHost};

fn worker() -> TestHost {
    TestHost::for_crate(env!("CARGO_MANIFEST_DIR")).expect("the worker builds and loads")
}

#[test]
fn makes_a_thumbnail_of_a_cached_image() {
    let host = worker();
    host.cache().insert("image:7", vec![1u8; 1000]);
    let response = host
        .invoke(Request::post("/").json(&serde_json::json!({"image": "7", "width": 100})))
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.header("spawn-result"), Some("ok-note"));
    assert_eq!(response.text().unwrap(), "thumb:7 is 100 bytes");
    assert_eq!(host.cache().get("thumb:7").map(|v| v.len()), Some(100));
}

#[test]
fn a_missing_image_is_a_failure_with_a_note() {
    let response = worker()
        .invoke(Request::post("/").json(&serde_json::json!({"image": "404", "width": 10})))
        .unwrap();
    assert_eq!(response.status(), 500);
    assert_eq!(response.header("spawn-result"), Some("failed-note"));
    assert_eq!(response.text().unwrap(), "no image 404 in the cache");
}

#[test]
fn a_payload_that_is_not_the_job_fails_without_running() {
    let response = worker()
        .invoke(Request::post("/").body("not json"))
        .unwrap();
    assert_eq!(response.header("spawn-result"), Some("failed-note"));
    assert!(
        response.text().unwrap().contains("not the expected JSON"),
        "{:?}",
        response.text()
    );
}
