//! The rate limiter against a real Valkey/Redis server that the test starts on 127.0.0.1 (and stops).

use momento_functions_test_host::{
    Request, TestHost, TestHostBuilder, ValkeyFault, ValkeyReply, ValkeyServer,
};

fn limiter(server: &ValkeyServer, builder: TestHostBuilder) -> TestHost {
    builder
        .valkey("rate-limits", server.url())
        .env("RATE_LIMIT", "3")
        .build_crate(env!("CARGO_MANIFEST_DIR"))
        .expect("the limiter builds and loads")
}

fn server() -> ValkeyServer {
    ValkeyServer::start().expect("a valkey-server or redis-server to test against")
}

fn from(client: &str) -> Request {
    Request::get("/").header("x-client-id", client)
}

#[test]
fn counts_each_client_and_refuses_past_the_limit() {
    let server = server();
    let host = limiter(&server, TestHost::builder());
    for remaining in ["2", "1", "0"] {
        let response = host.invoke(from("ada")).unwrap();
        assert_eq!(response.status(), 200, "{:?}", response.text());
        assert_eq!(response.header("x-ratelimit-remaining"), Some(remaining));
    }
    let refused = host.invoke(from("ada")).unwrap();
    assert_eq!(refused.status(), 429);
    let retry: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    // Another client has its own window.
    assert_eq!(host.invoke(from("grace")).unwrap().status(), 200);

    // What the function sent: INCR, then PEXPIRE on the first request of the window only.
    let calls = host.valkey().calls();
    let commands: Vec<&str> = calls.iter().map(|c| c.command.as_str()).collect();
    assert_eq!(
        commands,
        [
            "INCR", "PEXPIRE", "INCR", "INCR", "INCR", "PTTL", "INCR", "PEXPIRE"
        ]
    );
    assert_eq!(calls[0].arguments, [b"rate:ada".to_vec()]);
    assert_eq!(calls[0].result, Ok(ValkeyReply::Int(1)));
    assert_eq!(calls[1].arguments[1], b"60000".to_vec());
}

#[test]
fn the_window_expires_on_the_server() {
    let server = server();
    let host = limiter(&server, TestHost::builder().env("RATE_WINDOW_SECS", "1"));
    for _ in 0..3 {
        host.invoke(from("ada")).unwrap();
    }
    assert_eq!(host.invoke(from("ada")).unwrap().status(), 429);
    std::thread::sleep(std::time::Duration::from_millis(1200));
    assert_eq!(host.invoke(from("ada")).unwrap().status(), 200);
}

#[test]
fn a_cluster_failure_is_a_502_that_says_why() {
    let server = server();
    let host = limiter(&server, TestHost::builder());
    host.valkey()
        .inject_fault(ValkeyFault::new("cluster unavailable (injected)").times(1));
    let response = host.invoke(from("ada")).unwrap();
    assert_eq!(response.status(), 502);
    assert!(
        response
            .text()
            .unwrap()
            .contains("cluster unavailable (injected)")
    );
    // Then the server answers again.
    assert_eq!(host.invoke(from("ada")).unwrap().status(), 200);

    // A server that has gone away: the connection fails, the function says so.
    drop(server);
    let response = host.invoke(from("ada")).unwrap();
    assert_eq!(response.status(), 502, "{:?}", response.text());
}

#[test]
fn an_unconfigured_cluster_says_how_to_configure_one() {
    let host = TestHost::builder()
        .build_crate(env!("CARGO_MANIFEST_DIR"))
        .unwrap();
    let response = host.invoke(from("ada")).unwrap();
    assert_eq!(response.status(), 502);
    let text = response.text().unwrap();
    assert!(
        text.contains("no Valkey cluster named `rate-limits`")
            && text.contains("TestHostBuilder::valkey"),
        "{text}"
    );
}
