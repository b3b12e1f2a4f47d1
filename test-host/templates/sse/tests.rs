//! The function, built for wasm32-wasip2 and invoked in the local test host: its events as a client
//! receives them.

use momento_functions_test_host::{Request, TestHost};

fn host() -> TestHost {
    TestHost::for_crate(env!("CARGO_MANIFEST_DIR")).expect("the function builds and loads")
}

#[test]
fn streams_ticks_then_done() {
    let response = host().invoke(Request::get("/").query("count=2")).unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.header("content-type"), Some("text/event-stream"));

    let events = response.events();
    let seen: Vec<_> = events
        .iter()
        .map(|e| (e.event(), e.id(), e.data()))
        .collect();
    assert_eq!(
        seen,
        [
            (Some("tick"), Some("1"), Some("tick 1 of 2")),
            (Some("tick"), Some("2"), Some("tick 2 of 2")),
            (Some("done"), None, Some("2")),
        ]
    );
}

#[test]
fn each_event_arrives_as_it_is_sent() {
    let host = host();
    let mut frames = 0;
    host.invoke_streaming(Request::get("/"), |part| {
        if let momento_functions_test_host::StreamPart::Data(bytes) = part {
            assert!(
                String::from_utf8_lossy(bytes).ends_with("\n\n"),
                "one whole event per frame"
            );
            frames += 1;
        }
    })
    .unwrap();
    assert_eq!(frames, 4, "three ticks (the default) and done");
}

#[test]
fn too_many_ticks_is_a_400_before_streaming() {
    let response = host()
        .invoke(Request::get("/").query("count=1000"))
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(response.stream().is_none());
}
