//! The upload on the test host with the worker registered by name: the spawn runs after the upload
//! returns, and the test waits for it and reads what it did.

use momento_functions_test_host::{
    InvokeError, Request, SpawnFault, SpawnResult, TestHost, TestHostBuilder,
};

const WORKER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../spawn-worker");

fn upload(builder: TestHostBuilder) -> TestHost {
    builder
        .build_crate(env!("CARGO_MANIFEST_DIR"))
        .expect("the upload function builds and loads")
}

#[test]
fn the_thumbnail_is_made_in_the_background() {
    let host = upload(TestHost::builder().function("resize", WORKER));
    let response = host
        .invoke(Request::post("/cat").query("width=10").body(vec![9u8; 500]))
        .unwrap();
    assert_eq!(response.status(), 202);
    let spawns = host.spawns().wait();
    assert_eq!(spawns.len(), 1);
    let spawn = &spawns[0];
    assert_eq!(spawn.name, "resize");
    assert_eq!(spawn.caller, response.invocation_id());
    assert_eq!(spawn.depth, 1);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&spawn.payload).unwrap(),
        serde_json::json!({"image": "cat", "width": 10})
    );
    assert_eq!(
        spawn.result,
        Ok(SpawnResult::Ok {
            note: Some("thumb:cat is 10 bytes".to_owned())
        })
    );
    assert!(
        spawn
            .logs
            .iter()
            .any(|r| r.message.contains("thumbnail of cat: 10 bytes"))
    );
    // The worker shares the host's cache.
    assert_eq!(host.cache().get("thumb:cat"), Some(vec![9u8; 10]));
}

#[test]
fn an_unregistered_function_is_the_callers_error() {
    let host = upload(TestHost::builder());
    let response = host.invoke(Request::post("/cat").body("x")).unwrap();
    assert_eq!(response.status(), 500);
    assert!(
        response
            .text()
            .unwrap()
            .contains("no spawn function named `resize`"),
        "{:?}",
        response.text()
    );
    // The host says which functions it knows.
    assert!(
        response
            .logs()
            .iter()
            .any(|r| r.message.contains("registered: none")),
        "{:?}",
        response.logs()
    );
    assert!(host.spawns().wait().is_empty());
}

#[test]
fn a_refused_spawn_reaches_the_caller_with_its_message() {
    let host = upload(TestHost::builder().function("resize", WORKER));
    host.spawns()
        .fail_next(SpawnFault::Limit("spawn queue full (injected)".into()));
    let response = host.invoke(Request::post("/cat").body("x")).unwrap();
    assert_eq!(response.status(), 500);
    assert!(
        response
            .text()
            .unwrap()
            .contains("spawn queue full (injected)")
    );
    // The next one goes through.
    let response = host.invoke(Request::post("/cat").body("x")).unwrap();
    assert_eq!(response.status(), 202);
    assert_eq!(host.spawns().wait().len(), 1);
}

#[test]
fn a_spawn_that_traps_is_recorded_with_its_error() {
    // The worker's own limits: one host call, and it needs three (cache get, set, log).
    let host = upload(TestHost::builder().function_with_limits(
        "resize",
        WORKER,
        momento_functions_test_host::Limits::default().with_host_calls(1),
    ));
    let response = host.invoke(Request::post("/cat").body("x")).unwrap();
    assert_eq!(response.status(), 202, "the caller is not affected");
    let spawns = host.spawns().wait();
    assert!(
        matches!(
            spawns[0].result,
            Err(InvokeError::HostCallLimitExceeded { limit: 1 })
        ),
        "{:?}",
        spawns[0].result
    );
}

#[test]
fn a_web_function_cannot_be_registered_as_a_spawn_function() {
    let error = TestHost::builder()
        .function("upload", env!("CARGO_MANIFEST_DIR"))
        .build_crate(env!("CARGO_MANIFEST_DIR"))
        .unwrap_err();
    assert!(
        error.to_string().contains("spawn function `upload`")
            && error.to_string().contains("not a spawn function"),
        "{error}"
    );
}
