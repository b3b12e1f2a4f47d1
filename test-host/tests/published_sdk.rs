//! Functions built with Momento's own published SDK (crates.io, exact versions) run in the test host: the
//! conformance guests of `test-guests/published` (0.27.0, both contract generations: request handling,
//! cache, HTTP, AWS, logging and its destinations, topics, tokens, lists, Lambda) and
//! `test-guests/published-0-26` (0.26.0, whose HTTP and S3 crates import the older minor versions
//! `momento:http@1.0.0` and `momento:aws-s3@1.0.0`).

use std::sync::OnceLock;
use std::time::Duration;

use momento_functions_test_host::aws::{AwsService, S3Bucket};
use momento_functions_test_host::{
    CacheOp, CacheScope, Handler, HttpRoute, KeyScope, Level, LogDestination, LogSource,
    MessageOrigin, MockResponse, NameScope, Request, SpawnResult, StreamKind, TestHost,
    TestHostBuilder, TokenPermission, TopicRole, TopicValue, ValkeyServer,
};
use serde_json::{Value, json};

const PUBLISHED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/test-guests/published");
const PUBLISHED_0_26: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/test-guests/published-0-26");
const ROLE: &str = "arn:aws:iam::123456789012:role/function";

fn guest(workspace: &str, name: &str, builder: TestHostBuilder) -> TestHost {
    builder
        .build_crate(format!("{workspace}/{name}"))
        .unwrap_or_else(|e| panic!("the published-SDK guest {name} builds and loads: {e}"))
}

/// `published-web` with the services its paths use, built once per test process.
fn web() -> TestHost {
    static HOST: OnceLock<TestHost> = OnceLock::new();
    HOST.get_or_init(|| {
        guest(
            PUBLISHED,
            "web",
            TestHost::builder()
                .env("GREETING", "hi")
                .cache_name("orders-cache")
                .aws_role(ROLE)
                .s3_bucket(S3Bucket::new("docs"))
                .secret("prod/db", "pw-1")
                .http_route(
                    HttpRoute::get("https://upstream.example/data")
                        .respond(MockResponse::new(203).body("from upstream")),
                )
                .http_route(
                    HttpRoute::get("https://upstream.example/events").respond(
                        MockResponse::new(200)
                            .header("content-type", "text/event-stream")
                            // `\n` line ends: the published client splits on nothing else.
                            .body(": hi\nevent: a\ndata: 1\n\ndata: 2\ndata: 3\n\n"),
                    ),
                ),
        )
    })
    .clone()
}

fn text(host: &TestHost, request: Request) -> (u16, String) {
    let response = host.invoke(request).expect("the invocation runs");
    (
        response.status(),
        response.text().expect("UTF-8").to_owned(),
    )
}

#[test]
fn a_constant_function_answers_without_reading_its_request() {
    let host = guest(PUBLISHED, "constant", TestHost::builder());
    assert_eq!(host.imports().handler, Some(Handler::Web));
    let response = host
        .invoke(Request::post("/").body(vec![7; 4096]))
        .expect("invoke");
    assert_eq!(
        (response.status(), response.text().ok()),
        (200, Some("pong"))
    );
    assert_eq!(
        response.bytes_copied_to_guest(),
        0,
        "the 4 KiB request body stayed in the host"
    );
}

#[test]
fn typed_json_in_and_out_with_the_sdks_own_400() {
    let host = guest(PUBLISHED, "json", TestHost::builder());
    let response = host
        .invoke(Request::post("/").json(&json!({"name": "Ada", "times": 2})))
        .expect("invoke");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<Value>().expect("JSON"),
        json!({"message": "Hello, Ada! Hello, Ada!", "length": 23})
    );
    let (status, body) = text(&host, Request::post("/").body("{\"name\": 1}"));
    assert_eq!(status, 400);
    assert!(body.starts_with("Failed to parse request body"), "{body}");
}

#[test]
fn the_request_arrives_through_web_environment_and_headers_go_back() {
    let host = web();
    let response = host
        .invoke(
            Request::get("/headers")
                .query("tag=a%20b&tag=c&empty=")
                .header("x-trace", "t-1")
                .token_metadata("tenant=7"),
        )
        .expect("invoke");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().expect("JSON");
    assert_eq!(body["method"], "GET");
    // Momento's relative path: no leading slash.
    assert_eq!(body["path"], "headers");
    assert_eq!(body["headers"]["x-trace"], "t-1");
    // Query parameters arrive decoded; the published SDK keeps the last of repeated names in its map.
    assert_eq!(body["query"]["tag"], "c");
    assert_eq!(body["query"]["empty"], "");
    assert_eq!(body["token_metadata"], "tenant=7");
    assert_eq!(response.header("x-echo-x-trace"), Some("t-1"));

    let nested = host.invoke(Request::get("/a/b/c")).expect("invoke");
    assert_eq!(nested.status(), 404);
    assert_eq!(nested.text().ok(), Some("no such path: a/b/c"));
}

#[test]
fn momentos_environment_variables_are_set_per_invocation() {
    let host = web();
    let first = host.invoke(Request::get("/env")).expect("invoke");
    let body: Value = first.json().expect("JSON");
    assert_eq!(body["cache_name"], "orders-cache");
    assert_eq!(body["function_name"], "web");
    assert_eq!(body["greeting"], "hi");
    assert_eq!(body["invocation_id"], first.invocation_id());
    assert_eq!(body["invocation_id_call"], first.invocation_id());
    let second: Value = host
        .invoke(Request::get("/env"))
        .expect("invoke")
        .json()
        .expect("JSON");
    assert_ne!(second["invocation_id"], body["invocation_id"]);
}

#[test]
fn a_request_body_passed_back_as_a_buffer_is_never_copied_into_the_guest() {
    let host = web();
    let body = vec![b'x'; 1 << 20];
    let response = host
        .invoke(Request::post("/echo").body(body.clone()))
        .expect("invoke");
    assert_eq!(response.body(), body.as_slice());
    assert!(
        response.bytes_copied_to_guest() < 1024,
        "{} bytes copied",
        response.bytes_copied_to_guest()
    );
}

fn cache(host: &TestHost, query: &str, body: &str) -> String {
    let (status, text) = text(host, Request::post("/cache").query(query).body(body));
    assert_eq!(status, 200, "{query}: {text}");
    text
}

#[test]
fn every_cache_scalar_operation() {
    let host = guest(PUBLISHED, "web", TestHost::builder());
    assert_eq!(cache(&host, "op=get&key=k", ""), "miss");
    assert_eq!(
        cache(&host, "op=set-if&key=k&cond=present", "v"),
        "not-stored"
    );
    assert_eq!(cache(&host, "op=set-if&key=k&cond=absent", "v1"), "stored");
    assert_eq!(
        cache(&host, "op=set-if&key=k&cond=absent", "v2"),
        "not-stored"
    );
    assert_eq!(
        cache(&host, "op=set-if&key=k&cond=equal&cmp=v0", "v2"),
        "not-stored"
    );
    assert_eq!(
        cache(&host, "op=set-if&key=k&cond=equal&cmp=v1", "v2"),
        "stored"
    );
    assert_eq!(
        cache(&host, "op=set-if&key=k&cond=not-equal&cmp=v2", "v3"),
        "not-stored"
    );
    assert_eq!(
        cache(
            &host,
            "op=set-if&key=k&cond=present-and-not-equal&cmp=x",
            "v3"
        ),
        "stored"
    );
    assert_eq!(
        cache(&host, "op=set-if&key=k&cond=absent-or-equal&cmp=v3", "v4"),
        "stored"
    );
    assert_eq!(cache(&host, "op=get&key=k", ""), "hit v4");
    let found = cache(&host, "op=get-with-hash&key=k", "");
    let hash = found.rsplit(' ').next().expect("a hash").to_owned();
    assert_eq!(hash.len(), 64, "{found}");
    assert_eq!(
        cache(
            &host,
            "op=set-if-hash&key=k&cond=present-and-hash-equal&hash=00",
            "v5"
        ),
        "not-stored"
    );
    let stored = cache(
        &host,
        &format!("op=set-if-hash&key=k&cond=present-and-hash-equal&hash={hash}"),
        "v5",
    );
    assert!(stored.starts_with("stored "), "{stored}");
    assert_eq!(cache(&host, "op=set&key=t&ttl=1000", "brief"), "set");
    assert_eq!(cache(&host, "op=delete&key=k", ""), "deleted");
    assert_eq!(cache(&host, "op=get&key=k", ""), "miss");
    let ops: Vec<&str> = host.cache().calls().iter().map(|c| c.op_name()).collect();
    assert_eq!(ops.first(), Some(&"get"));
    assert!(
        ops.contains(&"set_if_hash") && ops.contains(&"get_with_hash"),
        "{ops:?}"
    );
    let set = host
        .cache()
        .calls()
        .into_iter()
        .find(|c| c.key_str() == "t")
        .expect("the set");
    assert!(matches!(set.op, CacheOp::Set { ttl, .. } if ttl == Duration::from_secs(1)));
}

#[test]
fn logging_is_configured_to_a_topic_and_lines_are_shown_anyway() {
    let host = web();
    let response = host
        .invoke(Request::post("/log").query("topic=fn-logs"))
        .expect("invoke");
    assert_eq!(response.text().ok(), Some("logged"));
    let configured = host
        .logging()
        .configurations()
        .into_iter()
        .find(|c| c.invocation_id == response.invocation_id())
        .expect("a configure-logging call");
    assert_eq!(configured.result, Ok(()));
    let only = &configured.configurations[0];
    assert_eq!(
        only.destination,
        LogDestination::Topic {
            topic_name: "fn-logs".into()
        }
    );
    assert_eq!(
        (only.log_level, only.system_logs_level),
        (Some(Level::Info), Some(Level::Warn))
    );
    let lines: Vec<(Level, &str)> = response
        .logs()
        .iter()
        .filter(|r| r.source == LogSource::Log)
        .map(|r| (r.level, r.message.as_str()))
        .collect();
    // The published logger sends debug and up (trace is never sent); each line carries its own prefix.
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert!(
        lines[0].1.contains("a debug line") && lines[0].0 == Level::Debug,
        "{lines:?}"
    );
    assert!(
        lines[3].1.contains("an error line") && lines[3].0 == Level::Error,
        "{lines:?}"
    );
}

#[test]
fn s3_put_and_get_with_metadata_through_a_federated_role() {
    let host = web();
    let response = host
        .invoke(
            Request::post("/s3")
                .query(format!("role={ROLE}&bucket=docs&key=notes/a.txt"))
                .body("hello"),
        )
        .expect("invoke");
    assert_eq!(response.status(), 200, "{:?}", response.text());
    let body: Value = response.json().expect("JSON");
    assert_eq!(body["body"], "hello");
    assert_eq!(body["metadata"], json!({"origin": "published-web"}));
    assert_eq!(body["etag"], "\"5d41402abc4b2a76b9719d911017c592\"");
    let object = host.aws().s3_object("docs", "notes/a.txt").expect("stored");
    assert_eq!(
        object.metadata,
        [("origin".to_owned(), "published-web".to_owned())]
    );
    let calls = host.aws().calls();
    assert!(
        calls
            .iter()
            .any(|c| c.operation == "AssumeRole" && c.resource == ROLE)
    );
    assert!(
        calls
            .iter()
            .any(|c| c.service == AwsService::S3 && c.operation == "PutObject")
    );

    let refused = host
        .invoke(
            Request::post("/s3")
                .query("role=arn:aws:iam::123456789012:role/stranger&bucket=docs&key=x")
                .body("x"),
        )
        .expect("invoke");
    assert_eq!(refused.status(), 500);
    assert!(
        refused.text().unwrap_or_default().contains("AccessDenied"),
        "{:?}",
        refused.text()
    );
}

#[test]
fn secrets_are_read_and_allowed_staleness_serves_the_earlier_copy() {
    let host = guest(
        PUBLISHED,
        "web",
        TestHost::builder()
            .aws_role(ROLE)
            .secret("prod/db", "pw-1")
            .test_clock(),
    );
    let read = |stale: u64| {
        text(
            &host,
            Request::get("/secret").query(format!("role={ROLE}&name=prod/db&stale={stale}")),
        )
    };
    assert_eq!(read(0), (200, "pw-1".to_owned()));
    host.aws().put_secret("prod/db", "pw-2");
    assert_eq!(
        read(60),
        (200, "pw-1".to_owned()),
        "a copy up to 60 s old is allowed"
    );
    assert_eq!(read(0), (200, "pw-2".to_owned()));
    host.aws().put_secret("prod/db", "pw-3");
    host.clock().advance(Duration::from_secs(61));
    assert_eq!(
        read(60),
        (200, "pw-3".to_owned()),
        "the copy is now too old"
    );
    let versions = host.aws().secret_versions("prod/db").expect("the secret");
    assert_eq!(versions.len(), 3);
    assert_eq!(versions[2].stages, ["AWSCURRENT"]);
    assert_eq!(versions[1].stages, ["AWSPREVIOUS"]);
    let from_copy = host
        .aws()
        .calls()
        .into_iter()
        .filter(|c| c.params.get("served_from_copy").is_some())
        .count();
    assert_eq!(from_copy, 1);
    let (status, missing) = read_missing(&host);
    assert_eq!(status, 500);
    assert!(missing.contains("NotFound"), "{missing}");
}

fn read_missing(host: &TestHost) -> (u16, String) {
    text(
        host,
        Request::get("/secret").query(format!("role={ROLE}&name=prod/none")),
    )
}

#[test]
fn outbound_http_through_the_current_minor_version() {
    let host = web();
    let (status, body) = text(
        &host,
        Request::get("/http").query("url=https://upstream.example/data"),
    );
    assert_eq!((status, body.as_str()), (203, "from upstream"));
}

#[test]
fn the_older_generation_post_export_and_support_calls() {
    let host = guest(
        PUBLISHED,
        "older-echo",
        TestHost::builder().function_name("legacy"),
    );
    assert_eq!(host.imports().handler, Some(Handler::OlderWeb));
    let response = host
        .invoke(Request::post("/a/b").body("hello"))
        .expect("invoke");
    assert_eq!(response.status(), 200);
    assert_eq!(response.body(), b"hello");
    assert_eq!(response.header("x-method"), Some("POST"));
    assert_eq!(response.header("x-path"), Some("a/b"));
    assert_eq!(response.header("x-function"), Some("legacy"));
}

#[test]
fn a_component_built_against_http_1_0_0_and_aws_s3_1_0_0_links_and_runs() {
    let host = guest(
        PUBLISHED_0_26,
        "http-1-0",
        TestHost::builder()
            .s3_bucket(S3Bucket::new("old"))
            .http_route(
                HttpRoute::get("https://api.example/v1")
                    .respond(MockResponse::ok().body("v1 body")),
            )
            .http_route(HttpRoute::get("https://slow.example/").respond(MockResponse::timeout())),
    );
    assert!(
        host.imports()
            .host_interfaces
            .contains(&"momento:http/http@1.0.0".to_owned())
    );
    assert!(
        host.imports()
            .host_interfaces
            .contains(&"momento:aws-s3/aws-s3@1.0.0".to_owned())
    );
    let (status, body) = text(
        &host,
        Request::get("/http").query("url=https://api.example/v1"),
    );
    assert_eq!((status, body.as_str()), (200, "v1 body"));
    let call = host.http().calls().pop().expect("recorded");
    assert_eq!(
        call.timeout,
        Some(Duration::from_secs(2)),
        "invoke-with-timeout of 1.0.0"
    );
    // A 1.1.0-only error case reaches a 1.0.0 component as `request-error`, with the same text.
    let (status, body) = text(
        &host,
        Request::get("/http").query("url=https://slow.example/"),
    );
    assert_eq!(status, 500);
    assert!(
        body.contains("RequestError") && body.contains("timed out"),
        "{body}"
    );
    let (status, body) = text(
        &host,
        Request::post("/s3").query("bucket=old&key=k").body("bytes"),
    );
    assert_eq!((status, body.as_str()), (200, "bytes"));
}

#[test]
fn a_spawn_function_runs_and_reports_its_result() {
    let host = guest(PUBLISHED, "spawn", TestHost::builder());
    assert_eq!(host.imports().handler, Some(Handler::Spawn));
    let ok = host
        .invoke(Request::post("/").body("payload-1"))
        .expect("invoke");
    assert_eq!((ok.status(), ok.header("spawn-result")), (200, Some("ok")));
    assert_eq!(
        host.cache().get_string("spawned").as_deref(),
        Some("payload-1")
    );
    let failed = host.invoke(Request::post("/")).expect("invoke");
    assert_eq!(
        (failed.status(), failed.header("spawn-result")),
        (500, Some("failed-note"))
    );
    assert_eq!(failed.text().ok(), Some("empty payload"));
}

#[test]
fn the_older_sdk_spawns_a_published_spawn_function_by_name() {
    let host = guest(
        PUBLISHED,
        "older-echo",
        TestHost::builder().function("remember", format!("{PUBLISHED}/spawn")),
    );
    let response = host
        .invoke(Request::post("/spawn").body("for later"))
        .expect("invoke");
    assert_eq!(
        (response.status(), response.text().ok()),
        (202, Some("spawned"))
    );
    let spawns = host.spawns().wait();
    assert_eq!(spawns.len(), 1);
    assert_eq!(spawns[0].name, "remember");
    assert_eq!(spawns[0].payload, b"for later");
    assert_eq!(spawns[0].result, Ok(SpawnResult::Ok { note: None }));
    assert_eq!(
        host.cache().get_string("spawned").as_deref(),
        Some("for later")
    );
    // An empty payload: the spawn function fails with its note; the caller had answered already.
    let response = host.invoke(Request::post("/spawn")).expect("invoke");
    assert_eq!(response.status(), 202);
    let spawns = host.spawns().wait();
    assert_eq!(
        spawns[1].result,
        Ok(SpawnResult::Failed {
            note: Some("empty payload".to_owned())
        })
    );
    // An unknown name is the published SDK's `FunctionNotFound`.
    let unknown = guest(PUBLISHED, "older-echo", TestHost::builder());
    let (status, body) = text(&unknown, Request::post("/spawn").body("x"));
    assert_eq!(status, 500);
    assert!(body.contains("FunctionNotFound"), "{body}");
}

#[test]
fn sse_from_the_published_sdk_streams_events_as_momento_documents() {
    let host = web();
    let response = host.invoke(Request::get("/sse")).expect("invoke");
    assert_eq!(response.status(), 200);
    assert_eq!(response.header("content-type"), Some("text/event-stream"));
    assert_eq!(response.header("cache-control"), Some("no-cache"));
    assert_eq!(response.header("connection"), Some("keep-alive"));
    // The headers the handler returned after streaming are dropped.
    assert_eq!(response.header("x-dropped"), None);
    assert_eq!(
        response.text().unwrap(),
        "event: hello\n\nid: 2\ndata: line one\ndata: line two\n\ndata: three\n\n"
    );
    let stream = response.stream().expect("a streamed response");
    assert_eq!(stream.kind(), StreamKind::Sse);
    assert_eq!(stream.frames().len(), 3);
    let events = response.events();
    assert_eq!(events[0].event(), Some("hello"));
    assert_eq!(events[0].data(), None);
    assert_eq!(events[1].id(), Some("2"));
    assert_eq!(events[1].data(), Some("line one\nline two"));
    assert!(events[0].at() <= events[2].at());

    // A non-2xx status returned after events ends the stream with the host's `http-error` event.
    let failed = host
        .invoke(Request::get("/sse").query("fail=503"))
        .expect("invoke");
    assert_eq!(
        failed.status(),
        200,
        "the head went out with the first event"
    );
    let events = failed.events();
    assert_eq!(events.len(), 4);
    assert_eq!(events[3].event(), Some("http-error"));
    assert_eq!(events[3].data(), Some("HTTP 503: it failed"));
}

#[test]
fn the_published_sse_client_relays_a_mocked_upstream() {
    let response = web()
        .invoke(Request::get("/sse-relay").query("url=https://upstream.example/events"))
        .expect("invoke");
    let events: Vec<(Option<String>, Option<String>)> = response
        .events()
        .iter()
        .map(|e| (e.event().map(str::to_owned), e.data().map(str::to_owned)))
        .collect();
    assert_eq!(
        events,
        [
            (Some("a".to_owned()), Some("1".to_owned())),
            (None, Some("2\n3".to_owned())),
        ]
    );
}

#[test]
fn a_raw_stream_from_the_published_sdk_keeps_its_status_and_headers() {
    let response = web().invoke(Request::get("/raw")).expect("invoke");
    assert_eq!(response.status(), 201);
    assert_eq!(response.header("x-stream"), Some("raw"));
    assert_eq!(response.text().unwrap(), "one two three");
    let stream = response.stream().expect("a streamed response");
    assert_eq!(stream.kind(), StreamKind::Raw);
    let frames: Vec<&[u8]> = stream.frames().iter().map(|f| f.bytes()).collect();
    assert_eq!(frames, [&b"one "[..], b"two ", b"three"]);
    assert_eq!(stream.bytes_sent(), 13);
}

#[test]
fn the_published_valkey_client_talks_to_a_real_server() {
    let server = ValkeyServer::start()
        .expect("valkey-server or redis-server (apt-get install redis-server)");
    let host = guest(
        PUBLISHED,
        "valkey",
        TestHost::builder().valkey("sessions", server.url()),
    );
    let send = |line: &str| text(&host, Request::post("/sessions").body(line.to_owned()));
    assert_eq!(send("SET user ada"), (200, "ok".to_owned()));
    assert_eq!(send("GET user"), (200, "data ada".to_owned()));
    assert_eq!(send("GET nobody"), (200, "nil".to_owned()));
    assert_eq!(send("INCR visits"), (200, "int 1".to_owned()));
    assert_eq!(send("PING"), (200, "simple PONG".to_owned()));
    assert_eq!(send("RPUSH l a b"), (200, "int 2".to_owned()));
    assert_eq!(
        send("LRANGE l 0 -1"),
        (200, "bulk [\ndata a\ndata b\n]".to_owned())
    );
    let (status, body) = send("INCR user");
    assert_eq!(status, 200);
    assert!(body.starts_with("error ERR "), "{body}");
    // A cluster the host does not know: the published client's `ValkeyError::Other` with our message.
    let (status, body) = text(&host, Request::post("/other").body("PING"));
    assert_eq!(status, 502);
    assert!(body.contains("no Valkey cluster named `other`"), "{body}");
}

// ---- topics, tokens, lists, log destinations and Lambda (issue 11) -------------------------------------

fn platform() -> TestHost {
    guest(
        PUBLISHED,
        "platform",
        TestHost::builder().cache_entry("plain", "a value"),
    )
}

fn list_op(host: &TestHost, query: &str, body: &str) -> (u16, Value) {
    let (status, text) = text(host, Request::post("/list").query(query).body(body));
    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, value)
}

#[test]
fn published_topics_reach_subscribers_and_errors_keep_their_variant() {
    let host = platform();
    let news = host.topics().subscribe("news");
    let (status, body) = text(
        &host,
        Request::post("/publish").query("topic=news").body("hello"),
    );
    assert_eq!((status, body.as_str()), (200, "\"published\""));
    let (status, _) = text(
        &host,
        Request::post("/publish-bytes")
            .query("topic=news")
            .body(vec![0u8, 1, 2]),
    );
    assert_eq!(status, 200);
    let values: Vec<TopicValue> = news.drain().into_iter().map(|m| m.value).collect();
    assert_eq!(
        values,
        [
            TopicValue::Text("hello".into()),
            TopicValue::Binary(vec![0, 1, 2])
        ]
    );
    let (status, body) = text(&host, Request::post("/publish").query("topic=").body("x"));
    assert_eq!(status, 500);
    assert!(body.starts_with("InvalidArgument("), "{body}");
    let (status, body) = text(
        &host,
        Request::post("/publish")
            .query("topic=news")
            .body("x".repeat(5000)),
    );
    assert_eq!(status, 500);
    assert!(body.starts_with("LimitExceeded("), "{body}");
}

#[test]
fn published_tokens_parse_as_the_published_sdk_serializes_them() {
    let host = platform();
    let (status, body) = text(
        &host,
        Request::get("/token").query("valid=600&cache=c&prefix=user:1:&topic=t&id=abc"),
    );
    assert_eq!(status, 200, "{body}");
    let body: Value = serde_json::from_str(&body).expect("JSON");
    let token = host
        .tokens()
        .decode(body["api_key"].as_str().expect("an api key"))
        .expect("a key of the test host");
    assert_eq!(token.token_id.as_deref(), Some("abc"));
    // `read_only().with_cache("c")` sends both `all_caches` and `cache_selector`: the selector counts.
    assert_eq!(
        token.permissions,
        [
            TokenPermission::Cache {
                role: momento_functions_test_host::CacheRole::ReadOnly,
                caches: CacheScope::Named("c".into()),
                items: KeyScope::Prefix(b"user:1:".to_vec()),
            },
            TokenPermission::Topic {
                role: TopicRole::ReadOnly,
                caches: CacheScope::Named("c".into()),
                topics: NameScope::Named("t".into()),
            },
        ]
    );
    assert_eq!(body["valid_until"], token.issued_at + 600);
    let (status, body) = text(
        &host,
        Request::get("/token").query("valid=3601&cache=c&prefix=p&topic=t"),
    );
    assert_eq!(status, 500);
    assert!(
        body.contains("InvalidArgument") && body.contains("valid-for-seconds"),
        "{body}"
    );
}

#[test]
fn published_cache_lists_on_the_shared_cache() {
    let host = platform();
    assert_eq!(list_op(&host, "op=push-back&name=l", "a"), (200, json!(1)));
    assert_eq!(list_op(&host, "op=push-back&name=l", "b"), (200, json!(2)));
    assert_eq!(list_op(&host, "op=push-front&name=l", "z"), (200, json!(3)));
    assert_eq!(
        list_op(&host, "op=fetch&name=l", ""),
        (200, json!(["z", "a", "b"]))
    );
    assert_eq!(
        list_op(&host, "op=fetch&name=l&start=-2", ""),
        (200, json!(["a", "b"]))
    );
    assert_eq!(
        list_op(&host, "op=pop-front&name=l", ""),
        (200, json!({"value": "z", "length": 2}))
    );
    assert_eq!(
        list_op(&host, "op=concat-back&name=l&cap=3", r#"["c", "d"]"#),
        (200, json!(3))
    );
    assert_eq!(host.cache().list_strings("l").unwrap(), ["b", "c", "d"]);
    assert_eq!(
        list_op(&host, "op=erase&name=l&begin=0&count=1", ""),
        (200, json!(2))
    );
    assert_eq!(list_op(&host, "op=remove&name=l", "c"), (200, json!(1)));
    assert_eq!(
        list_op(&host, "op=retain&name=l&start=0&end=1", ""),
        (200, json!(1))
    );
    assert_eq!(list_op(&host, "op=length&name=l", ""), (200, json!(1)));
    assert_eq!(list_op(&host, "op=erase&name=l", ""), (200, json!(0)));
    assert_eq!(list_op(&host, "op=length&name=l", ""), (200, Value::Null));
    assert_eq!(list_op(&host, "op=pop-back&name=l", ""), (200, Value::Null));
    let (status, body) = list_op(&host, "op=push-back&name=plain", "x");
    assert_eq!(status, 500);
    assert!(
        body.as_str()
            .is_some_and(|b| b.contains("FailedPrecondition")),
        "{body}"
    );
    let names: Vec<&str> = host.cache().calls().iter().map(|c| c.op_name()).collect();
    assert_eq!(names.first(), Some(&"list_push_back"));
}

#[test]
fn published_log_destinations_get_their_lines() {
    let host = guest(PUBLISHED, "platform", TestHost::builder().aws_role(ROLE));
    let logs = host.topics().subscribe("fn-logs");
    let response = host
        .invoke(Request::post("/log").query(format!("topic=fn-logs&group=/fn/warn&role={ROLE}")))
        .expect("invoke");
    assert_eq!(response.text().ok(), Some("\"logged\""));
    let on_topic: Vec<(MessageOrigin, String)> = logs
        .drain()
        .into_iter()
        .map(|m| (m.origin, m.text().into_owned()))
        .collect();
    // The published logger sends debug and up, each line with its own prefix; the printed line is a
    // system line (info).
    let expected = [
        "a debug line",
        "an info line",
        "a warn line",
        "an error line",
        "a printed line",
    ];
    assert_eq!(on_topic.len(), expected.len(), "{on_topic:?}");
    for ((origin, line), expected) in on_topic.iter().zip(expected) {
        assert!(line.contains(expected), "{line} vs {expected}");
        let system = expected == "a printed line";
        assert_eq!(*origin == MessageOrigin::SystemLog, system, "{line}");
    }
    let warn_group: Vec<String> = host
        .logging()
        .cloudwatch("/fn/warn")
        .into_iter()
        .map(|d| d.line)
        .collect();
    assert_eq!(warn_group.len(), 2, "{warn_group:?}");
    assert!(warn_group[0].contains("a warn line") && warn_group[1].contains("an error line"));
}

#[test]
fn the_older_generation_invokes_lambda_and_uses_topics_tokens_and_lists() {
    use momento_functions_test_host::aws::LambdaFunction;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let events = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&events);
    let host = guest(
        PUBLISHED,
        "older-platform",
        TestHost::builder()
            .aws_role(ROLE)
            .lambda_function(
                LambdaFunction::new("upper", |payload: &[u8]| {
                    let text: String =
                        serde_json::from_slice(payload).map_err(|e| e.to_string())?;
                    Ok(serde_json::to_vec(&text.to_uppercase()).unwrap_or_default())
                })
                .alias("live", "2"),
            )
            .lambda("count", move |_| {
                counted.fetch_add(1, Ordering::SeqCst);
                Ok(Vec::new())
            }),
    );
    let op = |body: Value| {
        let response = host.invoke(Request::post("/").json(&body)).expect("invoke");
        (
            response.status(),
            serde_json::from_slice::<Value>(response.body())
                .unwrap_or_else(|_| Value::String(response.text().unwrap_or_default().to_owned())),
        )
    };
    assert_eq!(
        op(json!({"op": "lambda", "function": "upper", "payload": "hi", "role": ROLE})),
        (200, json!({"status": 200, "payload": "HI"}))
    );
    assert_eq!(
        op(
            json!({"op": "lambda", "function": "upper", "qualifier": "live", "payload": "a", "role": ROLE})
        ),
        (200, json!({"status": 200, "payload": "A"}))
    );
    let (status, body) =
        op(json!({"op": "lambda", "function": "nope", "payload": 1, "role": ROLE}));
    assert_eq!(status, 500);
    assert!(
        body.as_str()
            .is_some_and(|b| b.contains("ResourceNotFoundException")),
        "{body}"
    );
    assert_eq!(
        op(json!({"op": "lambda_raw", "function": "count", "kind": "event", "role": ROLE})),
        (200, json!({"status": 202, "payload": null}))
    );
    assert_eq!(events.load(Ordering::SeqCst), 1);
    assert_eq!(
        op(json!({"op": "lambda_raw", "function": "count", "kind": "dry_run", "role": ROLE})),
        (200, json!({"status": 204, "payload": null}))
    );
    assert_eq!(events.load(Ordering::SeqCst), 1);
    let lambda_calls = host
        .aws()
        .calls()
        .into_iter()
        .filter(|c| c.service == AwsService::Lambda)
        .count();
    assert_eq!(lambda_calls, 5);

    let news = host.topics().subscribe("news");
    assert_eq!(
        op(json!({"op": "publish", "topic": "news", "text": "older"})),
        (200, json!("published"))
    );
    assert_eq!(
        news.try_recv().map(|m| m.text().into_owned()).as_deref(),
        Some("older")
    );
    let (status, token) = op(json!({"op": "token", "valid": 60, "cache": "c", "topic": "t"}));
    assert_eq!(status, 200, "{token}");
    let decoded = host
        .tokens()
        .decode(token["api_key"].as_str().unwrap_or_default())
        .expect("a key of the test host");
    assert_eq!(decoded.permissions.len(), 2);
    assert_eq!(
        op(json!({"op": "list_push_back", "name": "l", "value": "b"})),
        (200, json!(1))
    );
    assert_eq!(
        op(json!({"op": "list_push_front", "name": "l", "value": "a"})),
        (200, json!(2))
    );
    assert_eq!(
        op(json!({"op": "list_fetch", "name": "l"})),
        (200, json!(["a", "b"]))
    );
    assert_eq!(
        op(json!({"op": "list_length", "name": "l"})),
        (200, json!(2))
    );
    assert_eq!(
        op(json!({"op": "list_length", "name": "none"})),
        (200, Value::Null)
    );
}
