//! Topics, log destinations, disposable tokens, cache lists and Lambda through the SDK and the real WIT
//! boundary (the probe guest), and `serve`'s topic streams.

#![allow(clippy::unwrap_used, reason = "test helpers outside #[test] functions")]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, UNIX_EPOCH};

use common::{fail, ok, probe};
use momento_functions_test_host::aws::{AwsFault, AwsService, LambdaFunction, LambdaFunctionError};
use momento_functions_test_host::server::{ServeOptions, Server};
use momento_functions_test_host::{
    CacheError, CacheOpKind, CacheScope, Clock, Fixtures, KeyScope, Level, LineKind,
    LogDestination, LogSource, MessageOrigin, NameScope, Request, TestHost, TokenError,
    TokenPermission, TopicError, TopicRole, TopicValue,
};
use serde_json::{Value, json};

const ROLE: &str = "arn:aws:iam::123456789012:role/caller";

// ---- topics ------------------------------------------------------------------------------------------

#[test]
fn publishes_reach_subscribers_in_order() {
    let host = probe(TestHost::builder());
    let chat = host.topics().subscribe("chat");
    let other = host.topics().subscribe("other");
    let response = host
        .invoke(Request::post("/").json(&json!({"op": "sequence", "ops": [
            {"op": "publish", "topic": "chat", "text": "hello"},
            {"op": "publish_bytes", "topic": "chat", "bytes": [0, 159, 255]},
            {"op": "publish_json", "topic": "chat", "value": {"n": 1}},
        ]})))
        .unwrap();
    assert_eq!(response.status(), 200, "{:?}", response.text());
    ok(
        &host,
        json!({"op": "publish", "topic": "chat", "text": "second invocation"}),
    );
    let messages = chat.drain();
    let values: Vec<TopicValue> = messages.iter().map(|m| m.value.clone()).collect();
    assert_eq!(
        values,
        [
            TopicValue::Text("hello".into()),
            TopicValue::Binary(vec![0, 159, 255]),
            TopicValue::Text(r#"{"n":1}"#.into()),
            TopicValue::Text("second invocation".into()),
        ]
    );
    assert!(messages.windows(2).all(|w| w[0].sequence < w[1].sequence));
    assert!(
        messages[..3]
            .iter()
            .all(|m| m.invocation_id == response.invocation_id()
                && m.origin == MessageOrigin::Publish)
    );
    assert!(other.is_empty());
    assert_eq!(host.topics().published("chat").len(), 4);
    assert_eq!(
        host.topics().calls()[1].to_string(),
        "publish_bytes chat (3 bytes) → ok"
    );
}

#[test]
fn publish_errors_are_typed_and_faults_are_injected() {
    let host = probe(TestHost::builder());
    let (status, kind, message) = fail(&host, json!({"op": "publish", "topic": "", "text": "x"}));
    assert_eq!(
        (status, kind.as_str()),
        (400, "InvalidArgument"),
        "{message}"
    );
    assert!(message.contains("topic name is empty"), "{message}");
    let (status, kind, message) = fail(
        &host,
        json!({"op": "publish", "topic": "t", "text": "x".repeat(4097)}),
    );
    assert_eq!((status, kind.as_str()), (413, "LimitExceeded"));
    assert!(
        message.contains("4097 bytes, over the 4096-byte limit"),
        "{message}"
    );
    ok(
        &host,
        json!({"op": "publish", "topic": "t", "text": "x".repeat(4096)}),
    );

    host.topics()
        .fail_topic("audit", TopicError::PermissionDenied("not this one".into()));
    host.topics()
        .fail_next(1, TopicError::Timeout("injected".into()));
    let (status, kind, _) = fail(&host, json!({"op": "publish", "topic": "t", "text": "a"}));
    assert_eq!((status, kind.as_str()), (504, "Timeout"));
    let (status, kind, message) = fail(
        &host,
        json!({"op": "publish", "topic": "audit", "text": "a"}),
    );
    assert_eq!((status, kind.as_str()), (403, "PermissionDenied"));
    assert!(message.contains("not this one"), "{message}");
    ok(&host, json!({"op": "publish", "topic": "t", "text": "a"}));
    let failed = host
        .topics()
        .calls()
        .iter()
        .filter(|c| c.result.is_err())
        .count();
    assert_eq!(failed, 4);
}

/// Read one SSE event (up to its blank line) from `reader`.
fn next_event(reader: &mut BufReader<TcpStream>) -> Vec<String> {
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        let read = reader.read_line(&mut line).expect("read the stream");
        assert!(read > 0, "the stream ended; got {lines:?}");
        let line = line.trim_end_matches(['\r', '\n']).to_owned();
        if line.is_empty() {
            if lines.is_empty() {
                continue;
            }
            return lines;
        }
        lines.push(line);
    }
}

/// Skip the chunk-size lines of a chunked body: keep only SSE lines.
fn sse_lines(event: Vec<String>) -> Vec<String> {
    event
        .into_iter()
        .filter(|l| !l.chars().all(|c| c.is_ascii_hexdigit()))
        .collect()
}

#[test]
fn serve_streams_a_topic_as_server_sent_events() {
    let host = probe(TestHost::builder());
    let server = Server::start(
        host.clone(),
        ServeOptions::default()
            .addr("127.0.0.1:0".parse().unwrap())
            .threads(2)
            .access_log(false),
    )
    .unwrap();
    let addr = server.local_addr();

    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .write_all(
            format!("GET /_momento/topics/room%201 HTTP/1.1\r\nhost: {addr}\r\naccept: text/event-stream\r\n\r\n")
                .as_bytes(),
        )
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let head = next_event(&mut reader);
    assert!(head[0].starts_with("HTTP/1.1 200"), "{head:?}");
    let header = |name: &str| {
        head.iter()
            .find_map(|l| {
                l.split_once(": ")
                    .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            })
            .map(|(_, v)| v.to_owned())
    };
    assert_eq!(header("content-type").as_deref(), Some("text/event-stream"));
    assert_eq!(header("transfer-encoding").as_deref(), Some("chunked"));
    let opening = sse_lines(next_event(&mut reader));
    assert_eq!(opening, [": subscribed to topic room 1"]);
    // The stream has subscribed before its first bytes were sent.
    assert_eq!(host.topics().subscriber_count("room 1"), 1);

    let publish = |body: Value| {
        let body = body.to_string();
        let mut client = TcpStream::connect(addr).unwrap();
        client
            .write_all(
                format!(
                    "POST / HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                    body.len()
                )
                .as_bytes(),
            )
            .unwrap();
        let mut reply = String::new();
        client.read_to_string(&mut reply).unwrap();
        assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    };
    publish(json!({"op": "publish", "topic": "room 1", "text": "hello\nworld"}));
    let event = sse_lines(next_event(&mut reader));
    assert_eq!(event.len(), 3, "{event:?}");
    assert!(event[0].starts_with("id: "), "{event:?}");
    assert_eq!(&event[1..], ["data: hello", "data: world"]);
    publish(json!({"op": "publish_bytes", "topic": "room 1", "bytes": [1, 2, 3]}));
    let event = sse_lines(next_event(&mut reader));
    assert_eq!(&event[1..], ["event: binary", "data: AQID"]);

    let reply = {
        let mut client = TcpStream::connect(addr).unwrap();
        client
            .write_all(
                format!("POST /_momento/topics/x HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n")
                    .as_bytes(),
            )
            .unwrap();
        let mut reply = String::new();
        client.read_to_string(&mut reply).unwrap();
        reply
    };
    assert!(reply.starts_with("HTTP/1.1 405"), "{reply}");
    assert!(reply.to_ascii_lowercase().contains("allow: get"), "{reply}");

    // Shutting down ends the stream (it does not hold the server open).
    let handle = server.handle();
    let stopper = std::thread::spawn(move || server.shutdown());
    let mut rest = Vec::new();
    let _ = reader.read_to_end(&mut rest);
    stopper.join().unwrap().unwrap();
    assert!(handle.is_stopped());
    drop(stream);
}

// ---- log destinations ----------------------------------------------------------------------------------

#[test]
fn log_lines_go_to_each_destination_by_its_levels() {
    let host = probe(TestHost::builder());
    let topic = host.topics().subscribe("fn-logs");
    let response = host
        .invoke(Request::post("/").json(&json!({"op": "sequence", "ops": [
            {"op": "print", "stdout": ["printed before"], "stderr": ["stderr before"]},
            {"op": "log", "records": [{"level": "error", "message": "logged before"}]},
            {"op": "configure_each", "configs": [
                {"topic": "fn-logs", "log_level": "info", "system_log_level": "info"},
                {"cloudwatch": {"role_arn": ROLE, "log_group": "/fn/all"}, "log_level": "debug", "system_log_level": "warn"},
                {"cloudwatch": {"role_arn": ROLE, "log_group": "/fn/off"}, "log_level": "off", "system_log_level": "off"},
            ]},
            {"op": "log", "records": [
                {"level": "debug", "message": "d"},
                {"level": "info", "message": "i"},
                {"level": "warn", "message": "w"},
                {"level": "error", "message": "e"},
            ]},
            {"op": "print", "stdout": ["printed after"], "stderr": ["complained"]},
        ]})))
        .unwrap();
    assert_eq!(response.status(), 200, "{:?}", response.text());

    // The test host's own records show every line regardless (a documented difference).
    let messages: Vec<&str> = response.logs().iter().map(|r| r.message.as_str()).collect();
    for expected in [
        "logged before",
        "d",
        "i",
        "w",
        "e",
        "printed before",
        "printed after",
        "complained",
    ] {
        assert!(messages.contains(&expected), "{expected} in {messages:?}");
    }

    let on_topic: Vec<(MessageOrigin, String)> = topic
        .drain()
        .into_iter()
        .map(|m| (m.origin, m.text().into_owned()))
        .collect();
    assert_eq!(
        on_topic,
        [
            (MessageOrigin::FunctionLog, "sdk_probe: i".to_owned()),
            (MessageOrigin::FunctionLog, "sdk_probe: w".to_owned()),
            (MessageOrigin::FunctionLog, "sdk_probe: e".to_owned()),
            // System lines after the invocation: stdout, then stderr (those from before the
            // configuration reach only the first destination).
            (MessageOrigin::SystemLog, "printed before".to_owned()),
            (MessageOrigin::SystemLog, "printed after".to_owned()),
            (MessageOrigin::SystemLog, "stderr before".to_owned()),
            (MessageOrigin::SystemLog, "complained".to_owned()),
        ]
    );
    let cloudwatch: Vec<(Level, LineKind, String)> = host
        .logging()
        .cloudwatch("/fn/all")
        .into_iter()
        .map(|d| (d.level, d.kind, d.line))
        .collect();
    assert_eq!(
        cloudwatch,
        [
            (Level::Debug, LineKind::Function, "sdk_probe: d".to_owned()),
            (Level::Info, LineKind::Function, "sdk_probe: i".to_owned()),
            (Level::Warn, LineKind::Function, "sdk_probe: w".to_owned()),
            (Level::Error, LineKind::Function, "sdk_probe: e".to_owned()),
            // stdout is info (under this destination's warn), stderr warn; "stderr before" came
            // before the configuration, so only the first destination has it.
            (Level::Warn, LineKind::System, "complained".to_owned()),
        ]
    );
    assert!(host.logging().cloudwatch("/fn/off").is_empty());
    assert!(
        host.logging()
            .deliveries()
            .iter()
            .all(|d| d.invocation_id == response.invocation_id())
    );
    let configured = &host.logging().configurations()[0];
    assert_eq!(
        configured.configurations[0].destination,
        LogDestination::Topic {
            topic_name: "fn-logs".into()
        }
    );
}

#[test]
fn without_configure_logging_nothing_is_sent_anywhere() {
    let host = probe(TestHost::builder());
    let topic = host.topics().subscribe("fn-logs");
    let response = host
        .invoke(Request::post("/").json(&json!({"op": "sequence", "ops": [
            {"op": "print", "stdout": ["out"]},
            {"op": "log", "records": [{"level": "error", "message": "e"}]},
        ]})))
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response
            .logs()
            .iter()
            .any(|r| r.source == LogSource::Stdout)
    );
    assert!(host.logging().deliveries().is_empty());
    assert!(topic.is_empty());
}

// ---- disposable tokens ---------------------------------------------------------------------------------

#[test]
fn tokens_carry_their_permissions_and_expire_by_the_host_clock() {
    let start = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let host = probe(TestHost::builder().clock(Clock::manual(start)));
    let token = ok(
        &host,
        json!({"op": "token", "valid_secs": 900, "token_id": "user-7", "permissions": [
            {"cache": {"role": "read_only", "cache": "profiles", "key_prefix": "user:7:"}},
            {"topic": {"role": "subscribe_only", "cache": "profiles", "topic": "user-7"}},
        ]}),
    );
    assert_eq!(token["valid_until"], 1_800_000_900);
    assert_eq!(
        token["endpoint"],
        "cache.momento-functions-test-host.invalid"
    );
    let issued = host
        .tokens()
        .decode(token["api_key"].as_str().unwrap())
        .expect("a key of the test host");
    assert_eq!(issued.token_id.as_deref(), Some("user-7"));
    assert_eq!(issued.cache_name, "test-cache");
    assert_eq!(
        issued.permissions,
        [
            TokenPermission::Cache {
                role: momento_functions_test_host::CacheRole::ReadOnly,
                caches: CacheScope::Named("profiles".into()),
                items: KeyScope::Prefix(b"user:7:".to_vec()),
            },
            TokenPermission::Topic {
                role: TopicRole::ReadOnly,
                caches: CacheScope::Named("profiles".into()),
                topics: NameScope::Named("user-7".into()),
            },
        ]
    );
    host.clock().advance(Duration::from_secs(900));
    let now = 1_800_000_900;
    assert!(!issued.is_valid_at(now), "expired by the test clock");
    let call = &host.tokens().calls()[0];
    assert_eq!(call.valid_for_seconds, 900);
    assert!(
        call.permissions.contains(r#""key_prefix":[117,115"#),
        "{}",
        call.permissions
    );
}

#[test]
fn invalid_token_requests_name_the_field() {
    let host = probe(TestHost::builder());
    let read_all = json!([{"cache": {"role": "read_write"}}]);
    for (request, expected) in [
        (
            json!({"valid_secs": 0, "permissions": read_all}),
            "expires.valid-for-seconds: must be at least 1",
        ),
        (
            json!({"valid_secs": 3601, "permissions": read_all}),
            "3601 is over the maximum of 3600",
        ),
        (
            json!({"valid_secs": 60, "token_id": "x".repeat(65), "permissions": read_all}),
            "token-id: 65 bytes",
        ),
        (
            json!({"valid_secs": 60, "permissions": []}),
            "permissions.explicit.permissions: empty",
        ),
        (
            json!({"valid_secs": 60, "permissions": vec![json!({"function": {}}); 11]}),
            "11 permissions, over the limit of 10",
        ),
    ] {
        let mut op = request.clone();
        op["op"] = json!("token");
        let (status, kind, message) = fail(&host, op);
        assert_eq!(
            (status, kind.as_str()),
            (400, "InvalidArgument"),
            "{request}: {message}"
        );
        assert!(message.contains(expected), "{request}: {message}");
    }
    host.tokens()
        .fail_next(1, TokenError::LimitExceeded("too many tokens".into()));
    let (status, kind, _) = fail(
        &host,
        json!({"op": "token", "valid_secs": 60, "permissions": read_all}),
    );
    assert_eq!((status, kind.as_str()), (429, "LimitExceeded"));
    assert!(
        ok(
            &host,
            json!({"op": "token", "valid_secs": 3600, "permissions": read_all})
        )["api_key"]
            .as_str()
            .unwrap()
            .starts_with("mfth.")
    );
}

// ---- cache lists ---------------------------------------------------------------------------------------

#[test]
fn every_list_operation_on_the_cache_store() {
    let host = probe(TestHost::builder().test_clock());
    let op = |body: Value| ok(&host, body);
    assert_eq!(op(json!({"op": "list_length", "key": "l"})), Value::Null);
    for n in 0..5 {
        op(
            json!({"op": "list_push_back", "key": "l", "value": n.to_string(), "ttl_ms": 60_000, "max_len": 3}),
        );
    }
    assert_eq!(host.cache().list_strings("l").unwrap(), ["2", "3", "4"]);
    assert_eq!(
        op(json!({"op": "list_push_front", "key": "l", "value": "1", "ttl_ms": 60_000})),
        4
    );
    assert_eq!(
        op(json!({"op": "list_concat_back", "key": "l", "values": ["5", "6"], "ttl_ms": 60_000})),
        6
    );
    assert_eq!(
        op(
            json!({"op": "list_concat_front", "key": "l", "values": ["a", "b"], "ttl_ms": 60_000, "max_len": 7})
        ),
        7
    );
    assert_eq!(
        host.cache().list_strings("l").unwrap(),
        ["a", "b", "1", "2", "3", "4", "5"]
    );
    assert_eq!(
        op(json!({"op": "list_fetch", "key": "l", "start": -2})),
        json!(["4", "5"])
    );
    assert_eq!(
        op(json!({"op": "list_fetch", "key": "l", "start": 1, "end": 3})),
        json!(["b", "1"])
    );
    assert_eq!(
        op(json!({"op": "list_fetch", "key": "l", "end": -5})),
        json!(["a", "b"])
    );
    assert_eq!(
        op(json!({"op": "list_fetch", "key": "l", "start": 10})),
        json!([])
    );
    let (status, kind, message) = fail(
        &host,
        json!({"op": "list_fetch", "key": "l", "start": 3, "end": 1}),
    );
    assert_eq!(
        (status, kind.as_str()),
        (400, "InvalidArgument"),
        "{message}"
    );
    assert_eq!(
        op(json!({"op": "list_pop_front", "key": "l"})),
        json!({"value": "a", "remaining": 6})
    );
    assert_eq!(
        op(json!({"op": "list_pop_back", "key": "l"})),
        json!({"value": "5", "remaining": 5})
    );
    assert_eq!(
        op(json!({"op": "list_erase", "key": "l", "ranges": [[0, 1], [3, 4]]})),
        3
    );
    assert_eq!(host.cache().list_strings("l").unwrap(), ["1", "2", "4"]);
    assert_eq!(
        op(json!({"op": "list_remove", "key": "l", "value": "2"})),
        2
    );
    assert_eq!(
        op(
            json!({"op": "list_retain", "key": "l", "start": 1, "ttl_ms": 60_000, "refresh": false})
        ),
        1
    );
    assert_eq!(op(json!({"op": "list_erase", "key": "l"})), 0);
    assert!(!host.cache().contains_key("l"), "an emptied list is gone");
    assert_eq!(op(json!({"op": "list_pop_back", "key": "l"})), Value::Null);

    // TTLs by the host's clock; a non-refreshing write keeps the first expiry.
    op(json!({"op": "list_push_back", "key": "t", "value": "x", "ttl_ms": 10_000}));
    host.clock().advance(Duration::from_secs(6));
    op(
        json!({"op": "list_push_back", "key": "t", "value": "y", "ttl_ms": 10_000, "refresh": false}),
    );
    host.clock().advance(Duration::from_secs(4));
    assert_eq!(op(json!({"op": "list_length", "key": "t"})), Value::Null);

    // A key holds a value or a list; the other kind of call is failed-precondition (409).
    op(json!({"op": "set", "key": "v", "value": "plain", "ttl_ms": 60_000}));
    let (status, kind, message) = fail(
        &host,
        json!({"op": "list_push_back", "key": "v", "value": "x", "ttl_ms": 1000}),
    );
    assert_eq!((status, kind.as_str()), (409, "FailedPrecondition"));
    assert!(
        message.contains("`v` holds a value, not a list"),
        "{message}"
    );
    op(json!({"op": "list_push_back", "key": "w", "value": "x", "ttl_ms": 1000}));
    let (status, kind, message) = fail(&host, json!({"op": "get", "key": "w"}));
    assert_eq!((status, kind.as_str()), (409, "FailedPrecondition"));
    assert!(message.contains("`w` holds a list"), "{message}");

    // One log, in execution order, with the value operations.
    let names: Vec<&'static str> = host.cache().calls().iter().map(|c| c.op_name()).collect();
    assert_eq!(names[0], "list_length");
    assert!(
        names.contains(&"set") && names.contains(&"list_retain"),
        "{names:?}"
    );
    assert!(
        names.ends_with(&["set", "list_push_back", "list_push_back", "get"]),
        "{names:?}"
    );
}

#[test]
fn list_limits_and_faults() {
    let host = probe(TestHost::builder());
    let (status, kind, message) = fail(
        &host,
        json!({"op": "list_push_back", "key": "l", "value": "x".repeat((1 << 20) + 1), "ttl_ms": 1000}),
    );
    assert_eq!((status, kind.as_str()), (413, "LimitExceeded"));
    assert!(
        message.contains("a list element is 1048577 bytes"),
        "{message}"
    );
    let (status, kind, _) = fail(
        &host,
        json!({"op": "list_push_back", "key": "l", "value": "x", "ttl_ms": 0}),
    );
    assert_eq!((status, kind.as_str()), (400, "InvalidArgument"));
    host.cache()
        .fail_op(CacheOpKind::ListFetch, CacheError::Timeout("slow".into()));
    ok(
        &host,
        json!({"op": "list_push_back", "key": "l", "value": "x", "ttl_ms": 1000}),
    );
    let (status, kind, _) = fail(&host, json!({"op": "list_fetch", "key": "l"}));
    assert_eq!((status, kind.as_str()), (504, "Timeout"));
}

// ---- Lambda --------------------------------------------------------------------------------------------

fn lambda_op(function: &str, extra: Value) -> Value {
    let mut op = json!({"op": "lambda", "function": function, "role": ROLE});
    if let (Some(op), Some(extra)) = (op.as_object_mut(), extra.as_object()) {
        op.extend(extra.clone());
    }
    op
}

#[test]
fn lambda_functions_answer_with_lambdas_rules() {
    let events = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&events);
    let host = probe(
        TestHost::builder()
            .lambda("double", |payload: &[u8]| {
                let n: i64 = serde_json::from_slice(payload).map_err(|e| e.to_string())?;
                Ok((n * 2).to_string().into_bytes())
            })
            .lambda("count", move |_| {
                counted.fetch_add(1, Ordering::SeqCst);
                Ok(b"null".to_vec())
            })
            .lambda_function(
                LambdaFunction::new("versioned", |_| Ok(br#""v""#.to_vec())).alias("live", "4"),
            )
            .lambda("broken", |_| {
                Err(LambdaFunctionError::new("ValueError", "bad input"))
            }),
    );
    let answer = ok(
        &host,
        lambda_op("double", json!({"payload": 21, "log_tail": true})),
    );
    assert_eq!(answer["status"], 200);
    assert_eq!(answer["payload"], "42");
    assert_eq!(answer["executed_version"], "$LATEST");
    let tail = answer["log_tail"].as_str().unwrap();
    assert!(
        tail.starts_with("START RequestId: ") && tail.contains("END RequestId: "),
        "{tail}"
    );
    assert_eq!(
        ok(
            &host,
            lambda_op("double", json!({"payload": 5, "kind": "json"}))
        ),
        10
    );

    let failed = ok(&host, lambda_op("broken", json!({"payload": {}})));
    assert_eq!(failed["status"], 200);
    assert_eq!(
        failed["function_error"],
        json!({"type": "ValueError", "message": "bad input"})
    );
    let (status, kind, message) = fail(&host, lambda_op("broken", json!({"kind": "json"})));
    assert_eq!(
        (status, kind.as_str()),
        (502, "FunctionFailed"),
        "{message}"
    );

    let (status, kind, message) = fail(&host, lambda_op("missing", json!({})));
    assert_eq!((status, kind.as_str()), (404, "NotFound"));
    assert!(
        message.contains("ResourceNotFoundException: Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing"),
        "{message}"
    );
    let (status, kind, message) = fail(
        &host,
        lambda_op("double", json!({"raw_payload": "not json"})),
    );
    assert_eq!((status, kind.as_str()), (400, "Malformed"));
    assert!(
        message.contains("InvalidRequestContentException"),
        "{message}"
    );

    assert_eq!(
        ok(&host, lambda_op("versioned", json!({"qualifier": "live"})))["executed_version"],
        "4"
    );
    let (status, _, message) = fail(&host, lambda_op("versioned", json!({"qualifier": "beta"})));
    assert_eq!(status, 404, "{message}");
    assert!(message.contains("function:versioned:beta"), "{message}");

    // Event: accepted (202) and run; dry run: allowed (204) and not run.
    let event = ok(
        &host,
        lambda_op("count", json!({"kind": "event", "payload": {"e": 1}})),
    );
    assert_eq!(
        (event["status"].clone(), event["payload"].clone()),
        (json!(202), Value::Null)
    );
    assert_eq!(events.load(Ordering::SeqCst), 1);
    assert_eq!(
        ok(&host, lambda_op("count", json!({"kind": "dry_run"})))["status"],
        204
    );
    assert_eq!(events.load(Ordering::SeqCst), 1, "a dry run runs nothing");

    host.aws()
        .inject_fault(AwsFault::throttled().service(AwsService::Lambda).times(1));
    let (status, kind, message) = fail(&host, lambda_op("double", json!({"payload": 1})));
    assert_eq!((status, kind.as_str()), (429, "Throttled"), "{message}");

    let calls: Vec<_> = host
        .aws()
        .calls()
        .into_iter()
        .filter(|c| c.service == AwsService::Lambda)
        .collect();
    assert_eq!(calls[0].operation, "Invoke");
    assert_eq!(calls[0].resource, "double");
    assert_eq!(calls[0].principal, ROLE);
    assert_eq!(calls[0].params["Payload"], 21);
    let async_call = calls
        .iter()
        .find(|c| c.params["InvocationType"] == "Event")
        .unwrap();
    assert_eq!(async_call.params["AsyncResult"], "success");
    assert_eq!(
        calls
            .last()
            .unwrap()
            .error
            .as_ref()
            .map(|e| e.code.as_str()),
        Some("TooManyRequestsException")
    );
}

#[test]
fn a_lambda_function_can_be_another_component() {
    // The probe itself, as a Lambda function: its payload is an operation.
    let inner = probe(TestHost::builder().cache_entry("inner-key", "from the inner host"));
    let host = probe(
        TestHost::builder().lambda_function(LambdaFunction::component("probe", inner.clone())),
    );
    let answer = ok(
        &host,
        lambda_op(
            "probe",
            json!({"payload": {"op": "get_string", "key": "inner-key"}, "log_tail": true}),
        ),
    );
    assert_eq!(answer["status"], 200);
    let payload: Value = serde_json::from_str(answer["payload"].as_str().unwrap()).unwrap();
    assert_eq!(payload, json!({"ok": "from the inner host"}));
    // A failing invocation of the component is the function's error.
    let failed = ok(
        &host,
        lambda_op("probe", json!({"payload": {"op": "nope"}})),
    );
    assert_eq!(failed["function_error"]["type"], "HTTP400");
    assert_eq!(
        inner.cache().calls().len(),
        1,
        "the inner host ran the call"
    );
}

#[test]
fn fixtures_declare_lists_lambdas_topics_and_tokens() {
    let fixtures = Fixtures::from_toml(
        r#"
        [[cache.lists]]
        key = "recent"
        values = ["a", "b"]

        [[lambda.functions]]
        name = "static"
        json = { answer = 42 }
        aliases = { live = "2" }

        [topics]
        max_message_bytes = 8

        [tokens]
        endpoint = "cell-9.example"

        [[tokens.faults]]
        error = "permission_denied"
        times = 1
        "#,
    )
    .unwrap();
    let host = probe(TestHost::builder().fixtures(fixtures));
    assert_eq!(
        ok(&host, json!({"op": "list_fetch", "key": "recent"})),
        json!(["a", "b"])
    );
    let answer = ok(&host, lambda_op("static", json!({"qualifier": "live"})));
    assert_eq!(answer["payload"], r#"{"answer":42}"#);
    assert_eq!(answer["executed_version"], "2");
    let (status, _, _) = fail(
        &host,
        json!({"op": "publish", "topic": "t", "text": "123456789"}),
    );
    assert_eq!(status, 413);
    let read_all = json!([{"cache": {"role": "read_write"}}]);
    let (status, kind, _) = fail(
        &host,
        json!({"op": "token", "valid_secs": 60, "permissions": read_all}),
    );
    assert_eq!((status, kind.as_str()), (403, "PermissionDenied"));
    assert_eq!(
        ok(
            &host,
            json!({"op": "token", "valid_secs": 60, "permissions": read_all})
        )["endpoint"],
        "cell-9.example"
    );

    for (toml, expected) in [
        (
            "[[cache.lists]]\nkey = \"l\"\nvalues = []\n",
            "cache.lists[0]: a list needs at least one element",
        ),
        (
            "[[lambda.functions]]\nname = \"f\"\n",
            "lambda.functions[0]: needs one of json, body or error",
        ),
        (
            "[[lambda.functions]]\nname = \"bad name\"\nbody = \"x\"\n",
            "lambda.functions[0].name",
        ),
        (
            "[topics]\nsubscriber_backlog = 0\n",
            "topics.subscriber_backlog: must be at least 1",
        ),
        (
            "[tokens]\nendpoint = \"\"\n",
            "tokens.endpoint: must not be empty",
        ),
    ] {
        let error = Fixtures::from_toml(toml).unwrap_err().to_string();
        assert!(error.contains(expected), "{toml}: {error}");
    }
}
