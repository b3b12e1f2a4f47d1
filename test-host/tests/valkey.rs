//! Valkey clusters: real servers started on 127.0.0.1 by the test (`ValkeyServer`, stopped by PID when
//! dropped). Replies map onto the interface's values (sdk-probe's `valkey` op answers them as JSON),
//! failures carry the reason, commands that would take over the shared connection are refused, and the
//! connection comes back after the server does.

#![allow(clippy::unwrap_used, reason = "test helpers outside #[test] functions")]

mod common;

use common::{ok, probe, run};
use momento_functions_test_host::{
    Fixtures, InvokeError, Request, TestHost, TestHostBuilder, ValkeyFault, ValkeyReply,
    ValkeyServer,
};
use serde_json::{Value, json};

fn server() -> ValkeyServer {
    ValkeyServer::start().expect("valkey-server or redis-server (apt-get install redis-server)")
}

fn with_cluster(server: &ValkeyServer) -> TestHost {
    probe(TestHostBuilder::default().valkey("main", server.url()))
}

fn command(host: &TestHost, command: &str, args: &[&str]) -> Value {
    ok(
        host,
        json!({"op": "valkey", "cluster": "main", "command": command, "args": args}),
    )
}

#[test]
fn replies_map_onto_the_interfaces_values() {
    let server = server();
    let host = with_cluster(&server);
    assert_eq!(command(&host, "SET", &["k", "v"]), json!("ok"));
    assert_eq!(
        command(&host, "GET", &["k"]),
        json!({"data": "v", "host_buffer": true})
    );
    assert_eq!(command(&host, "GET", &["missing"]), Value::Null);
    assert_eq!(command(&host, "INCRBY", &["n", "41"]), json!({"int": 41}));
    assert_eq!(command(&host, "PING", &[]), json!({"status": "PONG"}));
    assert_eq!(command(&host, "TYPE", &["k"]), json!({"status": "string"}));
    command(&host, "RPUSH", &["list", "a", "b"]);
    command(&host, "HSET", &["h", "f", "1"]);
    // Nested arrays come element by element.
    assert_eq!(
        command(
            &host,
            "EVAL",
            &[
                "return {1, {'x', 2}, redis.call('LRANGE', 'list', 0, -1)}",
                "0"
            ]
        ),
        json!({"array": [{"int": 1}, {"array": [{"data": "x", "host_buffer": true}, {"int": 2}]}, {"array": [{"data": "a", "host_buffer": true}, {"data": "b", "host_buffer": true}]}]})
    );
    // An error reply is a value, not a failure.
    let wrong = command(&host, "LPUSH", &["k", "x"]);
    assert!(
        wrong["error"].as_str().unwrap().starts_with("WRONGTYPE "),
        "{wrong}"
    );
    let unknown = command(&host, "NOSUCHCOMMAND", &[]);
    assert!(
        unknown["error"].as_str().unwrap().starts_with("ERR "),
        "{unknown}"
    );
    // Each command is recorded with its reply.
    let calls = host.valkey().calls();
    assert_eq!(calls[0].cluster, "main");
    assert_eq!(calls[0].command, "SET");
    assert_eq!(calls[0].arguments, [b"k".to_vec(), b"v".to_vec()]);
    assert_eq!(calls[0].result, Ok(ValkeyReply::Ok));
    assert!(
        matches!(&calls.last().unwrap().result, Ok(ValkeyReply::Error(e)) if e.starts_with("ERR"))
    );
}

#[test]
fn the_typed_helpers_check_the_reply() {
    let server = server();
    let host = with_cluster(&server);
    assert_eq!(
        ok(
            &host,
            json!({"op": "valkey_incr", "cluster": "main", "key": "c"})
        ),
        json!(1)
    );
    command(&host, "SET", &["text", "abc"]);
    let (status, kind, message) = common::fail(
        &host,
        json!({"op": "valkey_incr", "cluster": "main", "key": "text"}),
    );
    assert_eq!((status, kind.as_str()), (502, "Server"));
    assert!(message.contains("not an integer"), "{message}");
}

#[test]
fn no_reply_is_an_error_that_says_why() {
    // No cluster of that name.
    let host = probe(TestHostBuilder::default());
    let (status, body) = run(
        &host,
        json!({"op": "valkey", "cluster": "nope", "command": "PING"}),
    );
    assert_eq!(status, 502);
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("no Valkey cluster named `nope`") && message.contains("--valkey nope="),
        "{message}"
    );

    let server = server();
    let host = with_cluster(&server);
    // Commands that would change the shared connection are not sent.
    for refused in ["SUBSCRIBE", "select", "HELLO", "MONITOR"] {
        let (status, body) = run(
            &host,
            json!({"op": "valkey", "cluster": "main", "command": refused, "args": ["1"]}),
        );
        assert_eq!(status, 502, "{refused}");
        assert!(
            body["message"].as_str().unwrap().contains("does not send"),
            "{refused}: {body}"
        );
    }
    // Injected faults, by command.
    host.valkey()
        .inject_fault(ValkeyFault::new("injected").command("get").times(1));
    let (status, body) = run(
        &host,
        json!({"op": "valkey", "cluster": "main", "command": "GET", "args": ["k"]}),
    );
    assert_eq!(status, 502);
    assert!(body["message"].as_str().unwrap().contains("injected"));
    assert_eq!(command(&host, "GET", &["k"]), Value::Null);

    // A blocking command holds the invocation to its deadline, no further; the next command reconnects.
    let quick = probe(
        TestHostBuilder::default()
            .valkey("main", server.url())
            .limits(
                momento_functions_test_host::Limits::default()
                    .with_deadline(std::time::Duration::from_millis(500)),
            ),
    );
    let error = quick
        .invoke(Request::post("/").json(
            &json!({"op": "valkey", "cluster": "main", "command": "BLPOP", "args": ["empty", "0"]}),
        ))
        .unwrap_err();
    assert!(matches!(error, InvokeError::Timeout { .. }), "{error:?}");
    assert_eq!(command(&quick, "PING", &[]), json!({"status": "PONG"}));
}

#[test]
fn the_connection_comes_back_when_the_server_does() {
    let server = server();
    let url = server.url();
    let port = server.port();
    let host = with_cluster(&server);
    assert_eq!(command(&host, "PING", &[]), json!({"status": "PONG"}));
    drop(server);
    let (status, body) = run(
        &host,
        json!({"op": "valkey", "cluster": "main", "command": "PING"}),
    );
    assert_eq!(status, 502);
    assert!(body["message"].as_str().unwrap().contains(&url), "{body}");
    // A new server on the same port: the pooled connection is made again.
    let again = ValkeyServer::start_on_port(port).expect("a server again on the same port");
    assert_eq!(command(&host, "PING", &[]), json!({"status": "PONG"}));
    drop(again);
}

#[test]
fn fixtures_and_urls_are_checked() {
    let fixtures = Fixtures::from_toml(
        "[[valkey.clusters]]\nname = \"a\"\nurl = \"redis://127.0.0.1:6390\"\n",
    )
    .unwrap();
    let host = probe(TestHostBuilder::default().fixtures(fixtures));
    assert_eq!(host.valkey().clusters(), ["a"]);
    let bad =
        Fixtures::from_toml("[[valkey.clusters]]\nname = \"a\"\nurl = \"http://x\"\n").unwrap_err();
    assert!(bad.to_string().contains("valkey.clusters[0].url"), "{bad}");
    let twice = Fixtures::from_toml(
        "[[valkey.clusters]]\nname = \"a\"\nurl = \"redis://h:1\"\n[[valkey.clusters]]\nname = \"a\"\nurl = \"redis://h:2\"\n",
    )
    .unwrap_err();
    assert!(twice.to_string().contains("configured twice"), "{twice}");
}
